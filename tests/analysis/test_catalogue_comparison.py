"""Catalogues of several installations compared (issue 12)."""

from __future__ import annotations

import pytest

from sozialmonitor.analysis.catalogue_comparison import (
    Catalogue,
    Fill,
    compare_catalogues,
    fillable,
)
from sozialmonitor.domain.indicator import Indicator


def _catalogue(name: str, *ids: str) -> Catalogue:
    return Catalogue(
        name=name,
        indicators=tuple(
            Indicator(id=i, name=i.replace("_", " ").title(), unit="%", topic="Arbeit")
            for i in ids
        ),
    )


PILOTS = [
    _catalogue("giessen", "sgb2_share", "unemployment_share", "child_poverty"),
    _catalogue("marburg", "sgb2_share", "unemployment_share"),
    _catalogue("fulda", "sgb2_share", "care_rate"),
    _catalogue("kassel", "sgb2_share", "unemployment_share", "care_rate"),
    _catalogue("offenbach", "sgb2_share"),
]


def test_shared_lacking_and_only_in_one() -> None:
    found = compare_catalogues(PILOTS)
    assert found.catalogues == ("giessen", "marburg", "fulda", "kassel", "offenbach")
    assert found.shared == ("sgb2_share",)
    assert set(found.lacking("offenbach")) == {
        "unemployment_share",
        "child_poverty",
        "care_rate",
    }
    assert set(found.lacking("kassel")) == {"child_poverty"}
    assert found.only_in("giessen") == ("child_poverty",)
    assert found.only_in("marburg") == ()
    held = {i.id: i.held_by for i in found.indicators}
    assert held["care_rate"] == ("fulda", "kassel")
    assert found.to_dict()["lacking"]["marburg"] == ["care_rate", "child_poverty"]


def test_what_official_sources_could_fill() -> None:
    found = compare_catalogues(PILOTS)
    official = [
        ("unemployment_share", "municipality"),
        ("unemployment_share", "region"),
        ("care_rate", "region"),
        ("population", "municipality"),  # no catalogue has it: nobody lacks it
    ]
    fills = fillable(found, official)
    assert fills["offenbach"] == (
        Fill(indicator="care_rate", levels=("region",)),
        Fill(indicator="unemployment_share", levels=("municipality", "region")),
    )
    assert fills["fulda"] == (
        Fill(indicator="unemployment_share", levels=("municipality", "region")),
    )
    assert fills["kassel"] == ()  # lacks child_poverty, no official source has it
    assert fillable(found, []) == dict.fromkeys(found.catalogues, ())


def test_two_catalogues_of_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="giessen"):
        compare_catalogues([PILOTS[0], PILOTS[0]])
