"""Bundesagentur für Arbeit workbooks and INKAR .xlsx exports on small workbooks
written here with openpyxl: the imprint, merged group headers, '*' and '.', notes
sheets and footnotes; a changed layout is named and writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.recognise import recognise
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import save_areas
from tests.ingest.content import snapshot, stored

TITLE = (
    "Sozialversicherungspflichtig Beschäftigte (SvB) am Wohnort nach höchster "
    "Berufsausbildung bzw. höchstem Berufsabschluss und deren Anteile in Prozent"
)
TABLE = "ba-sozialversicherungspflichtig-beschaeftigte-svb-am-wohnort"
SHEET = "SvB_Kreise_WO_Anzahl"
JUNE = [dt.datetime(2020, 6, 30), dt.datetime(2021, 6, 30)]
WITHOUT = "1  Ohne Berufsausbildung / Ohne Berufsabschluss"
ACADEMIC = "3  Fach- und Hochschulabschluss/ Akademischer Berufsabschluss"
AREAS = [
    Area(code="DG", name="Deutschland", level="country"),
    Area(code="03241", name="Region Hannover", level="region"),
    Area(code="03251", name="Diepholz", level="region"),
]


def ba_workbook(path: Path, *, dates: bool = True, extra_area: str = "") -> Path:
    """A workbook in the Bundesagentur's layout: imprint, one table sheet (groups
    in merged cells over two dates each), notes."""
    book = openpyxl.Workbook()
    imprint = book.active
    assert imprint is not None
    imprint.title = "Impressum"
    imprint["F1"] = "Beschäftigungsstatistik"
    imprint["A4"] = "Impressum"
    imprint["A12"], imprint["C12"] = "Titel:", TITLE
    sheet = book.create_sheet(SHEET)
    sheet["A3"] = f"{TITLE} (Anzahl)"
    sheet["A7"] = "Datenrevisionen können zu Abweichungen … führen."
    sheet["A9"], sheet["B9"], sheet["D9"] = "Region (Wohnort)", "Insgesamt", "davon"
    sheet["D10"], sheet["F10"] = WITHOUT, ACADEMIC
    for merged in ("B9:C9", "D9:G9", "D10:E10", "F10:G10"):
        sheet.merge_cells(merged)
    if dates:
        for j in range(6):
            sheet.cell(row=12, column=2 + j, value=JUNE[j % 2])
    for j in range(6):
        sheet.cell(row=13, column=2 + j, value=j + 1)
    rows = [
        ["Deutschland", 1000, 1010, 100, 101, 200, 210],
        ["03241 Region Hannover", 500, 505, "*", 52, ".", 120],
        ["03251 Diepholz", 80, ".", 9, ".", 12, 14],
    ]
    if extra_area:
        rows.append([extra_area, 1, 2, 1, 1, 0, 0])
    for i, row in enumerate(rows, 14):
        for j, value in enumerate(row, 1):
            sheet.cell(row=i, column=j, value=value)
    sheet.cell(row=14 + len(rows), column=1, value="Erstellungsdatum: 23.02.2022")
    sheet.cell(row=16 + len(rows), column=1, value="1) Aufgrund einer Umstellung …")
    sheet.cell(row=17 + len(rows), column=1, value=". kein Nachweis vorhanden.")
    sheet.cell(row=18 + len(rows), column=2, value="© Statistik der BA")
    notes = book.create_sheet("Hinweise_BST-Revisionen")
    notes["B1"] = "Revision 2017 …"
    book.save(path)
    return path


@pytest.fixture
def fresh(tmp_path: Path) -> Engine:
    engine = connect(f"sqlite:///{tmp_path / 'ba.db'}")
    init_database(engine)
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    return engine


def refused(engine: Engine, path: Path) -> str:
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as caught:
        import_official(engine, path)
    assert snapshot(engine) == before
    return caught.value.report.to_text()  # type: ignore[attr-defined]


def test_a_ba_workbook_with_merged_headers_and_signs(
    fresh: Engine, tmp_path: Path
) -> None:
    path = ba_workbook(tmp_path / "ba.xlsx")
    export = recognise(path)
    assert export is not None and (export.source, export.table) == ("BA", TABLE)
    import_official(fresh, path)
    found = stored(fresh)
    count = {(a, p): r["value"] for (i, a, p), r in found.items() if i.endswith("ence")}
    assert count == {
        ("DG", "2020-06-30"): 1000,
        ("DG", "2021-06-30"): 1010,
        ("03241", "2020-06-30"): 500,
        ("03241", "2021-06-30"): 505,
        ("03251", "2020-06-30"): 80,  # '.' in 2021: kein Nachweis, a gap
    }
    without = {
        (a, p): r for (i, a, p), r in found.items() if i.startswith("employees_with")
    }
    assert without[("DG", "2020-06-30")]["value"] == pytest.approx(10.0)
    assert without[("03241", "2020-06-30")]["flags"] == int(Flag.SUPPRESSED)  # '*'
    assert without[("03241", "2021-06-30")]["numerator"] == 52
    assert ("03251", "2021-06-30") not in without
    academic = {(a, p): r["value"] for (i, a, p), r in found.items() if "academic" in i}
    assert ("03251", "2021-06-30") not in academic  # the total is '.'
    assert ("03241", "2020-06-30") not in academic  # '.': a gap
    assert academic[("03241", "2021-06-30")] == pytest.approx(120 / 505 * 100)


def test_a_ba_sheet_without_dates_is_named(fresh: Engine, tmp_path: Path) -> None:
    path = ba_workbook(tmp_path / "ba.xlsx", dates=False)
    report = refused(fresh, path)
    assert f"the sheet '{SHEET}' has no header rows" in report


def test_an_unknown_district_writes_nothing(fresh: Engine, tmp_path: Path) -> None:
    path = ba_workbook(tmp_path / "ba.xlsx", extra_area="03299 Nirgendwo")
    assert "'03299' is not a known area code" in refused(fresh, path)


def test_an_inkar_xlsx_export(fresh: Engine, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    data = book.active
    assert data is not None
    data.title = "Daten"
    data.append(["Kennziffer", "Raumeinheit", "Aggregat", "Arbeitslose", "Arbeitslose"])
    data.append([None, None, None, "2020", "2021"])
    data.append(["03241", "Region Hannover", "Kreise", 41560, None])
    data.append(["03251", "Diepholz", "Kreise", 5120.0, 4987])
    book.create_sheet("Metadaten")
    book.create_sheet("Quellangabe")
    path = tmp_path / "inkar.xlsx"
    book.save(path)
    export = recognise(path)
    assert export is not None and export.table == "inkar-arbeitslose"
    import_official(fresh, path)
    assert {(a, p): r["value"] for (_, a, p), r in stored(fresh).items()} == {
        ("03241", "2020"): 41560,
        ("03251", "2020"): 5120,
        ("03251", "2021"): 4987,
    }


def test_a_workbook_of_neither_kind_is_not_an_export(
    fresh: Engine, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    book.save(tmp_path / "t.xlsx")
    assert recognise(tmp_path / "t.xlsx") is None
    assert "the workbook is neither an INKAR export" in refused(
        fresh, tmp_path / "t.xlsx"
    )
    (tmp_path / "z.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert recognise(tmp_path / "z.xlsx") is None
    assert "not a readable Excel workbook (.xlsx)" in refused(
        fresh, tmp_path / "z.xlsx"
    )


def test_a_ba_workbook_on_both_databases(engine: Engine, tmp_path: Path) -> None:
    """Also against PostgreSQL: the same code path, a refusal writes nothing."""
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    bad = ba_workbook(tmp_path / "bad.xlsx", extra_area="03299 Nirgendwo")
    assert "'03299' is not a known area code" in refused(engine, bad)
    outcome = import_official(engine, ba_workbook(tmp_path / "ba.xlsx"))
    assert outcome.rows_written == len(stored(engine)) == 14  # 5 + 5 + 4
