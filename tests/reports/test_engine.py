"""The report engine: every number is the value of the named release, a report
made twice is the same, a gap is stated, and nothing internal reaches a public
report (issue 14)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.errors import UnknownAreaError, UnknownReleaseError
from sozialmonitor.reports.document import report_document
from sozialmonitor.reports.making import make_report
from sozialmonitor.reports.template import (
    ReportParameterError,
    UnknownTemplateError,
    list_templates,
)
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web.site import DEFAULT_SITE
from tests.fixtures import FIRST_RELEASE, REGION, TOWNS
from tests.reports.conftest import DRAFT, SCHOOL, SECOND_RELEASE

RTOL = 1e-9
NUMBER = re.compile(r"^−?[\d.]+(?:,\d+)?")


def official(value: float, decimals: int) -> float:
    """Rounded as official statistics round: half away from zero (6.25 → 6.3)."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def shown_number(text: str) -> float:
    """``1.234,5 %`` → 1234.5 (German grouping and decimal comma)."""
    found = NUMBER.match(text.strip())
    assert found, f"no number in {text!r}"
    return float(found.group().replace(".", "").replace(",", ".").replace("−", "-"))


def profile(
    engine: Engine,
    area: str = TOWNS[0],
    release: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> BeautifulSoup:
    report = make_report(
        engine, "gebietsprofil", area=area, release=release, audience=audience
    )
    return BeautifulSoup(report_document(report, DEFAULT_SITE), "html.parser")


def cells(html: BeautifulSoup) -> list[tuple[str, str, str, str]]:
    return [
        (td["data-indicator"], td["data-area"], td["data-period"], td.get_text())
        for td in html.select("td[data-indicator]")
    ]


@pytest.mark.parametrize("release", [FIRST_RELEASE, SECOND_RELEASE])
def test_every_number_is_the_value_of_the_named_release(
    report_engine: Engine, release: str
) -> None:
    html = profile(report_engine, release=release)
    found = [c for c in cells(html) if c[2]]
    assert len(found) >= 4
    with report_engine.connect() as conn:
        values = {
            o.key: o
            for o in read_observations(
                conn, ObservationQuery(areas=[TOWNS[0], REGION], as_of=release)
            )
        }
    for indicator, area, period, text in found:
        obs = values[(indicator, area, period)]
        if text == ".":  # the official sign of a value not to be shown
            assert obs.flags & Flag.SUPPRESSED
            continue
        decimals = 0 if indicator == "population" else 1
        assert obs.value is not None
        assert shown_number(text) == pytest.approx(
            official(obs.value, decimals), rel=RTOL
        )
    # the revised value of the second release, not the first
    share = {c[3] for c in found if c[:3] == ("unemployment_share", TOWNS[0], "2021")}
    assert share == ({"7,0\u202f%"} if release == FIRST_RELEASE else {"7,1\u202f%"})


def test_the_release_is_named_under_every_figure(report_engine: Engine) -> None:
    html = profile(report_engine, release=FIRST_RELEASE)
    # every figure of values (the recommendations' status is not in a release)
    figures = [f for f in html.select("figure") if f.select("td[data-indicator], img")]
    assert len(figures) >= 2
    for found in figures:
        line = found.select_one(".source-line")
        assert line is not None and f"Datenstand: {FIRST_RELEASE}" in line.text
    assert f"Datenstand: {FIRST_RELEASE}" in html.select_one(".report-release").text


def test_the_default_is_the_newest_published_release(report_engine: Engine) -> None:
    html = profile(report_engine)
    assert f"Datenstand: {SECOND_RELEASE}" in html.select_one(".report-release").text


def test_made_twice_the_report_is_the_same(report_engine: Engine) -> None:
    first = make_report(report_engine, "gebietsprofil", area=TOWNS[0])
    second = make_report(report_engine, "gebietsprofil", area=TOWNS[0])
    assert report_document(first, DEFAULT_SITE) == report_document(second, DEFAULT_SITE)


def test_missing_data_is_stated(report_engine: Engine) -> None:
    html = profile(report_engine, area=TOWNS[1])
    gaps = " ".join(p.text for p in html.select(".report-gap"))
    assert "Keine Werte für Gemeinde 002 im Datenstand 2022-H1: Bildung." in gaps
    # the town that has the value shows it
    assert SCHOOL.id in {c[0] for c in cells(profile(report_engine))}


def test_a_missing_benchmark_value_shows_the_sign(report_engine: Engine) -> None:
    html = profile(report_engine)
    school = [c for c in cells(html) if c[0] == SCHOOL.id]
    # the town's value and the region's, which has none (a share without parts)
    assert [c[3] for c in school] == ["6,3\u202f%", "–"]


def test_nothing_internal_reaches_a_public_report(report_engine: Engine) -> None:
    html = profile(report_engine)
    text = html.get_text()
    assert "internal_case_load" not in {c[0] for c in cells(html)}
    assert "Fallzahl (intern)" not in text
    assert "777.777" not in text
    assert "Beispiel: intern" not in text  # the internal finding
    assert "vertrauliche Empfehlung" not in text  # the internal recommendation
    assert "Beispiel: Wege zur Beratung sind weit" in text  # the public finding
    assert "Beispiel: Beratung vor Ort" in text  # the public recommendation
    assert "<script>" not in str(html.select_one("main"))


def test_the_administration_sees_internal_records_marked(
    report_engine: Engine,
) -> None:
    html = profile(report_engine, audience=Audience.INTERNAL)
    assert "777.777" in html.get_text()
    internal = html.select(".record.internal")
    assert [r.select_one(".record-title strong").text for r in internal] == [
        "Beispiel: intern"
    ]
    assert "vertrauliche Empfehlung" in html.get_text()


def test_a_draft_needs_the_internal_audience(report_engine: Engine) -> None:
    with pytest.raises(UnknownReleaseError, match="no published release named"):
        profile(report_engine, release=DRAFT)
    html = profile(report_engine, release=DRAFT, audience=Audience.INTERNAL)
    assert "Entwurf" in html.select_one(".report-release").text
    share = {c[3] for c in cells(html) if c[:2] == ("unemployment_share", TOWNS[0])}
    assert "10,0\u202f%" in share


def test_clear_errors(report_engine: Engine) -> None:
    with pytest.raises(UnknownTemplateError, match="Templates: "):
        make_report(report_engine, "jahresbericht")
    with pytest.raises(ReportParameterError, match="needs --area or --parent"):
        make_report(report_engine, "gebietsprofil")
    with pytest.raises(UnknownAreaError):
        make_report(report_engine, "gebietsprofil", area="99999")


def test_the_shipped_templates() -> None:
    names = {t.name: t for t in list_templates()}
    assert names["gebietsprofil"].parameters == ("area",)
    assert names["gebietsprofil"].file_stem == "gebietsprofil-{code}"
