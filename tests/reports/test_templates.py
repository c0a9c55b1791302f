"""The focus report and the social report: their numbers are the release's, the
areas' values are ranked, gaps are said, nothing internal is public, and the
English report speaks English (issue 14)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.reports.document import report_document
from sozialmonitor.reports.making import make_report
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.site import DEFAULT_SITE
from tests.fixtures import FIRST_RELEASE, REGION, TOWNS
from tests.reports.test_engine import RTOL, cells, official, shown_number


def rendered(
    engine: Engine,
    name: str,
    *,
    topic: str | None = None,
    release: str | None = None,
    lang: Language = "de",
    audience: Audience = Audience.PUBLIC,
) -> BeautifulSoup:
    report = make_report(
        engine,
        name,
        area=REGION,
        topic=topic,
        release=release,
        lang=lang,
        audience=audience,
    )
    return BeautifulSoup(report_document(report, DEFAULT_SITE), "html.parser")


@pytest.mark.parametrize(
    ("name", "topic"), [("fokusbericht", "arbeit"), ("sozialbericht", None)]
)
def test_every_number_is_the_value_of_the_release(
    report_engine: Engine, name: str, topic: str | None
) -> None:
    html = rendered(report_engine, name, topic=topic, release=FIRST_RELEASE)
    found = [c for c in cells(html) if c[2]]
    assert {c[1] for c in found} >= {REGION, TOWNS[0], TOWNS[1]}
    with report_engine.connect() as conn:
        values = {
            o.key: o
            for o in read_observations(
                conn,
                ObservationQuery(areas=[REGION, *TOWNS], as_of=FIRST_RELEASE),
            )
        }
    for indicator, area, period, text in found:
        obs = values[(indicator, area, period)]
        if text == ".":  # the official sign of a value not to be shown
            assert obs.flags & Flag.SUPPRESSED
            continue
        assert obs.value is not None
        decimals = 0 if indicator == "population" else 1
        assert shown_number(text) == pytest.approx(
            official(obs.value, decimals), rel=RTOL
        )


def test_the_areas_are_ranked_and_the_gaps_said(report_engine: Engine) -> None:
    html = rendered(report_engine, "fokusbericht", topic="arbeit")
    table = next(
        t for t in html.select("figure.report-table") if "nach Gebiet" in t.caption.text
    )
    rows = [(tr.th.text, tr.td.text) for tr in table.select("tbody tr")]
    # 2021: town 001 7,1 %, town 002 5,5 %, town 003's value suppressed
    assert rows == [
        ("Gemeinde 001", "7,1\u202f%"),
        ("Gemeinde 002", "5,5\u202f%"),
        ("Gemeinde 003", "."),
    ]
    assert "3,3" not in html.get_text()
    gaps = " ".join(p.text for p in html.select(".report-gap"))
    assert "keine Karte (keine Werte oder keine Gebietsgrenzen)" in gaps


def test_the_social_report_keeps_internal_records_out(report_engine: Engine) -> None:
    public = rendered(report_engine, "sozialbericht").get_text()
    assert "Beispiel: Wege zur Beratung sind weit" in public
    assert "Beispiel: intern" not in public
    assert "vertrauliche Empfehlung" not in public
    assert "Fallzahl (intern)" not in public
    internal = rendered(report_engine, "sozialbericht", audience=Audience.INTERNAL)
    assert "vertrauliche Empfehlung" in internal.get_text()


def test_the_english_report(report_engine: Engine) -> None:
    html = rendered(report_engine, "sozialbericht", lang="en")
    assert html.html["lang"] == "en"
    assert html.h1.text == "Social report Region Hannover"
    headings = [h.text for h in html.select("h2")]
    assert headings[0] == "Contents"
    assert "Findings" in headings
    assert "Source: " in html.select_one(".source-line").text
    assert "Data release: 2022-H1" in html.select_one(".source-line").text


def test_the_comparison_of_two_areas(report_engine: Engine) -> None:
    report = make_report(
        report_engine, "gebietsvergleich", area=TOWNS[0], other=TOWNS[1]
    )
    html = BeautifulSoup(report_document(report, DEFAULT_SITE), "html.parser")
    assert html.h1.text == "Gebietsvergleich Gemeinde 001 und Gemeinde 002"
    share = [c for c in cells(html) if c[0] == "unemployment_share"]
    # the newest period both have, the second release's revised value for 001
    assert share == [
        ("unemployment_share", TOWNS[0], "2021", "7,1\u202f%"),
        ("unemployment_share", TOWNS[1], "2021", "5,5\u202f%"),
    ]
    school = [c for c in cells(html) if c[0] == "school_leavers_without"]
    assert [c[3] for c in school] == ["6,3\u202f%", "–"]
