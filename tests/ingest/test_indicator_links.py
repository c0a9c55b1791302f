"""Catalogue links for the protection of small counts (issue 11): a share names the
count indicators that are its numerator and denominator, a change the indicator it
is the change of. A link to an unknown indicator, or a numerator that is not a
count, is refused with row and column, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.store import schema
from sozialmonitor.store.queries import get_indicator

LINKED = """\
- id: unemployed
  name: Arbeitslose
  unit: Personen
  kind: count
- id: population
  name: Einwohner
  unit: Personen
  kind: count
- id: unemployment_share
  name: Arbeitslosenanteil
  unit: '%'
  numerator_indicator: unemployed
  denominator_indicator: population
- id: unemployment_change
  name: Veränderung Arbeitslosenanteil
  unit: Prozentpunkte
  kind: index
  change_of: unemployment_share
  change_base: 2018
"""


def test_links_are_stored_and_read_back(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(LINKED, encoding="utf-8")
    import_indicators(engine, path)
    with engine.connect() as conn:
        share = get_indicator(conn, "unemployment_share", audience=Audience.INTERNAL)
        change = get_indicator(conn, "unemployment_change", audience=Audience.INTERNAL)
    assert share.links == {
        "numerator_indicator": "unemployed",
        "denominator_indicator": "population",
    }
    assert (change.change_of, change.change_base) == ("unemployment_share", "2018")


@pytest.mark.parametrize(
    ("found", "line", "code"),
    [
        ("numerator_indicator: unemployed", "unemployd", "unknown-linked-indicator"),
        (
            "denominator_indicator: population",
            "unemployment_change",
            "linked-indicator-not-a-count",
        ),
    ],
)
def test_a_wrong_link_is_refused_and_nothing_written(
    engine: Engine, tmp_path: Path, found: str, line: str, code: str
) -> None:
    column = found.split(":")[0]
    text = LINKED.replace(found, f"{column}: {line}")
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportValidationError) as raised:
        import_indicators(engine, path)
    (finding,) = raised.value.report.findings
    assert finding.code == code
    assert finding.row == 3
    assert finding.column == column
    assert line in finding.message
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.indicator)) == 0


def test_a_link_of_the_wrong_kind_names_the_fix(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(
        "- id: p\n  name: P\n  unit: x\n  kind: count\n  numerator_indicator: q\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportValidationError) as raised:
        import_indicators(engine, path)
    (finding,) = raised.value.report.findings
    assert finding.column == "numerator_indicator" or finding.column is None
    assert "share or rate" in finding.message
