"""The Bundesagentur für Arbeit workbook in /work/shared/data imported through its
shipped mapping: every count equals its cell (read here with openpyxl alone), every
share is numerator over denominator and agrees with the workbook's own sheet of
shares; '.' (kein Nachweis vorhanden) is a gap."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.recognise import recognise
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import save_areas
from tests.ingest.content import stored
from tests.ingest.official.exports import shared_data

RTOL = 1e-9
PATH = shared_data() / "germany-inkar-gisd" / "inkar" / "BA_Kreise_WO_Zeitreihe.xlsx"
pytestmark = pytest.mark.skipif(
    not PATH.is_file(),
    reason=f"the BA workbook is not here ({PATH}); set SOZIALMONITOR_SHARED_DATA",
)
GROUPS = {
    "Insgesamt": "total",
    "1  Ohne Berufsausbildung / Ohne Berufsabschluss": "without",
    "3  Fach- und Hochschulabschluss/ Akademischer Berufsabschluss": "academic",
}
Cells = dict[tuple[str, str, str], object]


def _sheet(book: openpyxl.Workbook, name: str) -> Cells:
    """(group, area, date) → cell, for the groups above: the group is the label
    in row 9 or 10 of the column or the nearest one left of it."""
    rows = list(book[name].iter_rows(values_only=True))
    group, out = "", {}
    groups = []
    for j in range(1, len(rows[11])):
        label = rows[9][j] or (rows[8][j] if rows[8][j] != "davon" else None)
        group = label or group
        groups.append(GROUPS.get(group, ""))
    for row in rows[13:]:
        first = row[0]
        if first == "Deutschland":
            key = "DG"
        elif isinstance(first, str) and first[:5].isdigit():
            key = first.split()[0]
        else:
            break
        for j, kind in enumerate(groups, 1):
            date = rows[11][j]
            if kind and isinstance(date, dt.datetime):
                out[(kind, key, date.date().isoformat())] = row[j]
    return out


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Engine]:
    engine = connect(f"sqlite:///{tmp_path / 'ba.db'}")
    init_database(engine)
    yield engine
    engine.dispose()


def test_every_value_equals_its_cell(fresh: Engine) -> None:
    book = openpyxl.load_workbook(PATH, read_only=True, data_only=True)
    counts = _sheet(book, "SvB_Kreise_WO_Anzahl")
    shares = _sheet(book, "SvB_Kreise_WO_Anteile")
    book.close()
    keys = {k for _, k, _ in counts}
    levels = {2: "state", 5: "region"}
    with fresh.begin() as conn:
        save_areas(
            conn,
            [
                Area(code=k, name=k, level="country" if k == "DG" else levels[len(k)])
                for k in keys
            ],
        )
    export = recognise(PATH)
    assert export is not None and export.source == "BA"
    assert import_official(fresh, PATH).report.is_valid
    found = stored(fresh)
    total = {(a, p): v for (g, a, p), v in counts.items() if g == "total"}
    compared = suppressed = 0
    for (area, period), value in total.items():
        key = ("employees_at_residence", area, period)
        if value == ".":
            assert key not in found
        elif value == "*":
            assert found[key]["flags"] == int(Flag.SUPPRESSED)
            suppressed += 1
        else:
            assert found[key]["value"] == value, key
            compared += 1
    assert compared > 7000
    for indicator, group in (
        ("employees_academic_share", "academic"),
        ("employees_without_vocational_qualification_share", "without"),
    ):
        for (area, period), denominator in total.items():
            numerator = counts[(group, area, period)]
            key = (indicator, area, period)
            if numerator == "." or denominator == ".":
                assert key not in found or found[key]["value"] is None, key
                continue
            if "*" in (numerator, denominator):
                assert found[key]["flags"] == int(Flag.SUPPRESSED), key
                suppressed += 1
                continue
            row = found[key]
            assert row["numerator"] == numerator, key
            assert row["denominator"] == denominator, key
            assert row["value"] == pytest.approx(
                shares[(group, area, period)], rel=RTOL
            ), key
            compared += 1
    assert compared > 20000
    assert suppressed == 0  # this delivery has no '*' (the generated tests have)
