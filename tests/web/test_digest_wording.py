"""The digest's sentences name a place with the German preposition and article its
kind takes (issue 14): "Im Landkreis Gießen", "In der Region Hannover", "In der
Kreisfreien Stadt Offenbach am Main", "In Berlin" — the demo's area names."""

from __future__ import annotations

import pytest

from sozialmonitor.analysis.digest_statement import (
    AreaRef,
    Figures,
    Link,
    Statement,
    StatementKind,
)
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.pages.digest_text import Wording, sentence

SHARE = Indicator(id="sgb2", name="SGB-II-Quote", unit="%", kind="share")
COUNT = Indicator(id="people", name="Einwohner", unit="Personen", kind="count")
WORDING = Wording(
    indicators={i.id: i for i in (SHARE, COUNT)},
    levels={"municipality": "Gemeinde / Kommune"},
    index_names={},
)


def statement(area: str, kind: StatementKind, indicator: Indicator) -> Statement:
    return Statement(
        kind=kind,
        direction="up",
        indicator=indicator.id,
        indicator_name=indicator.name,
        areas=(AreaRef(code="06531", name=area),),
        figures=Figures(
            period="2022",
            value=12.5,
            base_period="2021",
            base_value=10.0,
            release="2023",
            base_release="2022",
            first_period="2015",  # trend reversals
            lower=1.0,  # outliers
            upper=11.0,
            level="municipality",
        ),
        link=Link(path=f"/indikator/{indicator.id}"),
    )


@pytest.mark.parametrize(
    ("area", "start"),
    [
        ("Landkreis Gießen", "Im Landkreis Gießen ist"),
        ("Region Hannover", "In der Region Hannover ist"),
        ("Kreisfreie Stadt Offenbach am Main", "In der Kreisfreien Stadt Offenbach"),
        ("Stadt Kassel", "In der Stadt Kassel ist"),
        ("Berlin", "In Berlin ist"),
        ("Dorf Malchow", "Im Dorf Malchow ist"),
        ("Am Heideberg", "Im Gebiet Am Heideberg ist"),
    ],
)
def test_a_place_takes_its_preposition_and_article(area: str, start: str) -> None:
    german = Translator(lang="de")
    text = sentence(statement(area, StatementKind.CHANGE, SHARE), WORDING, german)
    assert text.startswith(start), text
    assert "In Landkreis" not in text and "in Region" not in text


def test_every_in_sentence_of_the_digest_and_english() -> None:
    german, english = Translator(lang="de"), Translator(lang="en")
    for kind in (
        StatementKind.CHANGE,
        StatementKind.DIFFERENCE,
        StatementKind.REVISION,
        StatementKind.TREND_REVERSAL,
        StatementKind.OUTLIER,
    ):
        indicator = COUNT if kind is StatementKind.DIFFERENCE else SHARE
        s = statement("Landkreis Gießen", kind, indicator)
        assert sentence(s, WORDING, german).startswith("Im Landkreis Gießen ")
        assert sentence(s, WORDING, english).startswith("In Landkreis Gießen, ")
    assert not english.missing


def test_a_count_is_stated_by_its_difference_not_as_significant() -> None:
    s = statement("Region Hannover", StatementKind.DIFFERENCE, COUNT)
    text = sentence(s, WORDING, Translator(lang="de"))
    assert "signifikant" not in text
    assert text.startswith(
        "In der Region Hannover ist „Einwohner“ von 2021 auf 2022 um "
    )
    assert "gestiegen" in text
