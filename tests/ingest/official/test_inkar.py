"""INKAR exports on small files written here (CSV as INKAR writes it, .xls through
xlwt): what they import, and every way they can be wrong — each a clear message,
nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import xlwt
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.formats.xls.reader import OLE_MAGIC
from sozialmonitor.ingest.limits import MAX_CELL_CHARS, MAX_XLS_BYTES
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.recognise import recognise
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import save_areas
from tests.ingest.content import snapshot, stored

AREAS = [
    Area(code="03241", name="Region Hannover", level="region"),
    Area(code="03241001", name="Hannover", level="municipality", parent="03241"),
    Area(code="03241002", name="Barsinghausen", level="municipality", parent="03241"),
    Area(code="032410002", name="Barsinghausen (GVB)", level="municipality"),
]
NAMES = '"Kennziffer";"Raumeinheit";"Aggregat";"Arbeitslose";"Arbeitslose"'
YEARS = ";;;2016;2017"
ROWS = [
    '"03241";"Region Hannover";"Kreise";"41.560";"40.012"',
    '"03241001";"Hannover, Landeshauptstadt";"Gemeinden";"24.310";"."',
    '"03241002";"Barsinghausen";"Gemeinden";"1.429";""',
    '"032410002";"Barsinghausen";"Gemeindeverbände";"1.430";"-"',
]


def inkar_csv(path: Path, lines: list[str] | None = None) -> Path:
    """A CSV export as INKAR writes it: UTF-8 with BOM, CRLF, every value quoted."""
    lines = lines if lines is not None else [NAMES, YEARS, *ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def inkar_xls(path: Path, rows: list[list[object]]) -> Path:
    """A workbook as INKAR writes it: sheets Daten, Metadaten, Quellangabe."""
    book = xlwt.Workbook(encoding="utf-8")
    data = book.add_sheet("Daten")
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None:
                data.write(r, c, value)
    book.add_sheet("Metadaten").write(0, 0, "Indikator")
    book.add_sheet("Quellangabe").write(0, 0, "Quelle: INKAR, BBSR Bonn")
    book.save(str(path))
    return path


XLS_ROWS: list[list[object]] = [
    ["Kennziffer", "Raumeinheit", "Aggregat", "Schuldnerquote", "Schuldnerquote"],
    [None, None, None, "2020", "2021"],
    ["03241", "Region Hannover", "Kreise", 10.25, 9.875],
    ["03241001", "Hannover", "Gemeinden", 12.5, None],
    ["03241002", "Barsinghausen", "Gemeinden", 7.0, 0.000125],
]


@pytest.fixture
def fresh(tmp_path: Path) -> Engine:
    engine = connect(f"sqlite:///{tmp_path / 'inkar.db'}")
    init_database(engine)
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    return engine


def refused(engine: Engine, path: Path) -> str:
    """The report of an import that must fail, after checking it wrote nothing."""
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as caught:
        import_official(engine, path)
    assert snapshot(engine) == before
    return caught.value.report.to_text()  # type: ignore[attr-defined]


def test_a_csv_export_with_thousands_dots_and_signs(
    fresh: Engine, tmp_path: Path
) -> None:
    path = inkar_csv(tmp_path / "inkar.csv")
    export = recognise(path)
    assert export is not None
    assert (export.source, export.table) == ("INKAR", "inkar-arbeitslose")
    outcome = import_official(fresh, path)
    assert outcome.rows_written == 6
    values = {(a, p): r for (i, a, p), r in stored(fresh).items() if i == "unemployed"}
    assert values[("03241", "2016")]["value"] == 41560
    assert values[("03241", "2017")]["value"] == 40012
    assert values[("03241001", "2016")]["value"] == 24310
    assert values[("03241001", "2017")]["value"] is None
    assert values[("03241001", "2017")]["flags"] == int(Flag.SUPPRESSED)
    assert values[("03241002", "2016")]["value"] == 1429
    assert values[("032410002", "2016")]["value"] == 1430  # 9 digits: association
    assert ("03241002", "2017") not in values  # empty and '-': gaps
    assert ("032410002", "2017") not in values


def test_an_xls_workbook(fresh: Engine, tmp_path: Path) -> None:
    path = inkar_xls(tmp_path / "E_Schuldnerquote.xls", XLS_ROWS)
    export = recognise(path)
    assert export is not None and export.table == "inkar-schuldnerquote"
    import_official(fresh, path)
    values = {(a, p): r["value"] for (_, a, p), r in stored(fresh).items()}
    assert values == {
        ("03241", "2020"): 10.25,
        ("03241", "2021"): 9.875,
        ("03241001", "2020"): 12.5,
        ("03241002", "2020"): 7.0,
        ("03241002", "2021"): 0.000125,
    }


def test_a_missing_row_of_years_is_named(fresh: Engine, tmp_path: Path) -> None:
    path = inkar_csv(tmp_path / "inkar.csv", [NAMES, *ROWS])
    assert "inkar.csv, row 2: the second header row, which holds the year" in (
        refused(fresh, path)
    )
    xls = inkar_xls(tmp_path / "x.xls", [XLS_ROWS[0], *XLS_ROWS[2:]])
    assert "the second header row, which holds the year" in refused(fresh, xls)


def test_an_unknown_key_writes_nothing(fresh: Engine, tmp_path: Path) -> None:
    path = inkar_csv(
        tmp_path / "inkar.csv",
        [NAMES, YEARS, *ROWS, '"03241099";"Nirgendwo";"Gemeinden";"12";"13"'],
    )
    report = refused(fresh, path)
    assert "'03241099' is not a known area code" in report


def test_another_selection_of_indicators_has_no_mapping(
    fresh: Engine, tmp_path: Path
) -> None:
    names = '"Kennziffer";"Raumeinheit";"Aggregat";"Arbeitslose";"Einwohnerdichte"'
    path = inkar_csv(tmp_path / "inkar.csv", [names, YEARS, *ROWS])
    export = recognise(path)
    assert export is not None and export.table.startswith("inkar-")
    report = refused(fresh, path)
    assert f"No mapping is shipped for table {export.table}" in report


def test_values_right_of_the_header_are_refused(fresh: Engine, tmp_path: Path) -> None:
    path = inkar_csv(
        tmp_path / "inkar.csv",
        [NAMES, YEARS, '"03241";"Region Hannover";"Kreise";"1";"2";"3"'],
    )
    assert "row 3: the row has values right of the last column" in refused(fresh, path)


def test_hostile_workbooks_are_refused_cleanly(fresh: Engine, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.xls"
    garbage.write_bytes(OLE_MAGIC + os.urandom(4096))
    assert "not a readable Excel 97–2003 workbook (.xls)" in refused(fresh, garbage)
    truncated = tmp_path / "truncated.xls"
    whole = inkar_xls(tmp_path / "whole.xls", XLS_ROWS).read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    assert "not a readable Excel 97–2003 workbook (.xls)" in refused(fresh, truncated)
    huge = tmp_path / "huge.xls"
    with huge.open("wb") as handle:  # sparse: no disk used, xlrd never reads it
        handle.write(OLE_MAGIC)
        handle.truncate(MAX_XLS_BYTES + 1)
    assert "more than the 64.0 MiB an import reads" in refused(fresh, huge)
    other = inkar_xls(tmp_path / "other.xls", [["Name", "Wert"], ["Hannover", 1]])
    assert "no sheet 'Daten'" not in refused(fresh, other)  # has one, not INKAR's
    assert "is not an INKAR export" in refused(fresh, other)


def test_a_workbook_without_the_data_sheet(fresh: Engine, tmp_path: Path) -> None:
    book = xlwt.Workbook()
    book.add_sheet("Tabelle1").write(0, 0, "Kennziffer")
    path = tmp_path / "t.xls"
    book.save(str(path))
    assert "the workbook has no sheet 'Daten' (its sheets: Tabelle1)" in refused(
        fresh, path
    )


def test_an_iris_export_in_latin_1(fresh: Engine, tmp_path: Path) -> None:
    path = tmp_path / "iris.csv"
    lines = [
        "gemeindeve22;gemeindeve22name;q_einkst_bev20;q_einkst_bev21",
        "Gebietskennziffer;Name;Einkommensteuer 2020;Einkommensteuer 2021",
        "032410002;Barsinghausen;412,5;",
        "03241;Region Hannover;1.020,25;498",
    ]
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    export = recognise(path)
    assert export is not None
    assert (export.source, export.table) == ("IRIS", "iris-einkommensteuer")
    import_official(fresh, path)
    assert {(a, p): r["value"] for (_, a, p), r in stored(fresh).items()} == {
        ("032410002", "2020"): 412.5,
        ("03241", "2020"): 1020.25,
        ("03241", "2021"): 498,
    }
    wide = tmp_path / "wide.csv"
    wide.write_bytes(
        ("\n".join([*lines, "03241;Region Hannover;1;2;3"]) + "\n").encode()
    )
    assert "row 5: the row has values right of the last named column" in refused(
        fresh, wide
    )


def test_hostile_csv_exports_stay_bounded(fresh: Engine, tmp_path: Path) -> None:
    long_cell = "x" * (MAX_CELL_CHARS + 1)
    path = inkar_csv(tmp_path / "t.csv", [NAMES, YEARS, f'"03241";"{long_cell}";"1"'])
    assert "more than the 32,767 a cell may hold" in refused(fresh, path)
    wide = NAMES + ';"Arbeitslose"' * 10_000
    path = inkar_csv(tmp_path / "t.csv", [wide, YEARS, *ROWS])
    assert "more than the 10,000 an import reads" in refused(fresh, path)
    unclosed = inkar_csv(
        tmp_path / "t.csv", [NAMES, YEARS, '"03241";"' + "a" * 40, '"x"']
    )
    assert "t.csv, row 3: a quoted cell starts in this line" in refused(fresh, unclosed)
