"""Findings and recommendations from CSV and Excel: the validation report, nothing
written on failure, and the export (formula text neutralised, re-import a no-op)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.qualitative import Status
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.qualitative import (
    COLUMNS,
    import_records,
    records_bytes,
)
from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.store.qualitative import read_records
from tests.fixtures import TOWNS
from tests.ingest.content import snapshot

FINDING = {
    "code": "E-1",
    "kind": "Ergebnis",
    "title": "Beispiel: Wege zur Beratung",
    "text": "- weite Wege\n- lange Wartezeiten",
    "visibility": "öffentlich",
    "topic": "Arbeit",
    "period": "2021",
    "indicators": "unemployment_share",
    "areas": f"{TOWNS[0]}; {TOWNS[1]}",
    "source_kind": "Fokusgruppe",
    "source_group": "Fachkräfte",
    "source_date": "05.03.2024",
    "participants": "12",
}
SECRET = {
    **FINDING,
    "code": "E-2",
    "title": "Beispiel: intern",
    "visibility": "intern",
    "source_kind": "Interview",
}
ADVICE = {
    "code": "H-1",
    "kind": "Handlungsempfehlung",
    "title": "Beispiel: Beratung vor Ort",
    "text": "=HYPERLINK(1)",
    "visibility": "öffentlich",
    "topic": "Arbeit",
    "areas": TOWNS[0],
    "rationale": "Weite Wege",
    "addressee": "Rat",
    "findings": "E-1; E-2",
    "responsible_unit": "Fachbereich Soziales",
    "estimated_cost": "25.000",
    "outcome_indicators": "unemployment_share",
    "status": "vorgeschlagen",
    "status_date": "2024-05-01",
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def failing(engine: Engine, path: Path) -> ValidationReport:
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as caught:
        import_records(engine, path, actor="test")
    assert snapshot(engine) == before, "a failed import wrote something"
    report = caught.value.report
    assert isinstance(report, ValidationReport)
    return report


def where(report: ValidationReport) -> set[tuple[str, int | None, str | None]]:
    return {(f.code, f.row, f.column) for f in report.errors}


def test_a_valid_file_is_stored(small_engine: Engine, tmp_path: Path) -> None:
    advice = {**ADVICE, "text": "Sprechstunden vor Ort."}
    path = write_csv(tmp_path / "q.csv", [FINDING, SECRET, advice])
    outcome = import_records(small_engine, path, actor="anna")
    assert outcome.rows_written == 3
    with small_engine.connect() as conn:
        found = {r.code: r for r in read_records(conn, audience=Audience.INTERNAL)}
    assert found["E-1"].areas == TOWNS[:2]
    assert found["E-1"].source is not None
    assert found["E-1"].source.date == dt.date(2024, 3, 5)
    assert found["E-1"].text == "- weite Wege\n- lange Wartezeiten"
    assert found["H-1"].estimated_cost == 25000.0
    assert [(h.status, h.on, h.by) for h in found["H-1"].history] == [
        (Status.PROPOSED, dt.date(2024, 5, 1), "anna")
    ]


def test_bad_rows_are_reported_and_nothing_is_written(
    small_engine: Engine, tmp_path: Path
) -> None:
    rows = [
        {**FINDING, "indicators": "no_such_indicator", "areas": "99999"},
        {**SECRET, "topic": "Unbekannt", "source_date": "31.02.2024"},
        {**ADVICE, "status": "erledigt", "findings": "E-9"},
        {**ADVICE, "code": "H-2", "participants": "", "estimated_cost": "viel"},
    ]
    report = failing(small_engine, write_csv(tmp_path / "bad.csv", rows))
    assert where(report) == {
        ("unknown-indicator", 2, "indicators"),
        ("unknown-area-code", 2, "areas"),
        ("unknown-topic", 3, "topic"),
        ("invalid-date", 3, "source_date"),
        ("invalid-value", 4, "status"),
        ("unknown-finding", 4, "findings"),
        ("invalid-text", 4, "text"),  # '=HYPERLINK(1)': a formula, not text
        ("invalid-text", 5, "text"),
        ("invalid-number", 5, "estimated_cost"),
    }
    text = report.to_text()
    assert "bad.csv, row 4, column 'status': 'erledigt' is not one of" in text
    assert "Nothing was written" in text


def test_missing_columns_and_duplicate_codes(
    small_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "short.csv"
    path.write_text("code,kind,title\nE-1,Ergebnis,x\n", encoding="utf-8")
    assert where(failing(small_engine, path)) == {
        ("missing-column", None, "text"),
        ("missing-column", None, "visibility"),
    }
    twice = write_csv(tmp_path / "twice.csv", [FINDING, FINDING])
    assert where(failing(small_engine, twice)) == {("duplicate-code", 3, "code")}


def test_a_status_never_moves_back(small_engine: Engine, tmp_path: Path) -> None:
    advice = {**ADVICE, "text": "Sprechstunden.", "status": "beschlossen"}
    import_records(
        small_engine, write_csv(tmp_path / "a.csv", [FINDING, SECRET, advice])
    )
    back = write_csv(tmp_path / "b.csv", [{**advice, "status": "vorgeschlagen"}])
    assert where(failing(small_engine, back)) == {
        ("invalid-status-change", 2, "status")
    }
    later = {**advice, "status": "in Umsetzung", "status_date": ""}
    import_records(
        small_engine,
        write_csv(tmp_path / "c.csv", [later]),
        actor="bob",
        today=dt.date(2025, 1, 2),
    )
    with small_engine.connect() as conn:
        (stored,) = read_records(conn, codes=["H-1"])
    assert [(h.status, h.on, h.by) for h in stored.history] == [
        (Status.DECIDED, dt.date(2024, 5, 1), "cli"),
        (Status.IN_PROGRESS, dt.date(2025, 1, 2), "bob"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_is_formula_safe_and_imports_unchanged(
    small_engine: Engine, tmp_path: Path, fmt: str
) -> None:
    advice = {**ADVICE, "text": "Sprechstunden.", "title": "+ mehr Beratung"}
    import_records(
        small_engine, write_csv(tmp_path / "in.csv", [FINDING, SECRET, advice])
    )
    with small_engine.connect() as conn:
        public = read_records(conn)
    assert {r.code for r in public} == {"E-1", "H-1"}
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(records_bytes(public, fmt))
    if fmt == "csv":
        with path.open(encoding="utf-8") as handle:
            rows = {r["code"]: r for r in csv.DictReader(handle)}
        assert rows["H-1"]["title"] == "'+ mehr Beratung"
        assert rows["E-1"]["text"] == "'- weite Wege\n- lange Wartezeiten"
        assert rows["H-1"]["findings"] == "E-1"  # not the internal E-2
    else:
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        cells = {c.value: c for c in sheet["C"]}
        title = cells["+ mehr Beratung"]
        assert title.data_type == "s" and title.quotePrefix
    # The administration's export is what an editor changes and imports again.
    with small_engine.connect() as conn:
        everything = read_records(conn, audience=Audience.INTERNAL)
    path.write_bytes(records_bytes(everything, fmt))
    before = snapshot(small_engine)
    assert import_records(small_engine, path).rows_written == 0
    assert snapshot(small_engine) == before


def test_an_excel_file_with_date_and_number_cells(
    small_engine: Engine, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    cells = {
        **FINDING,
        "source_date": dt.datetime(2024, 3, 5),
        "participants": 12,
        "period": 2021,
    }
    sheet.append([cells.get(c) for c in COLUMNS])
    bad = {**SECRET, "source_date": "gestern", "participants": 2.5}
    sheet.append([bad.get(c) for c in COLUMNS])
    path = tmp_path / "q.xlsx"
    book.save(path)
    assert where(failing(small_engine, path)) == {
        ("invalid-date", 3, "source_date"),
        ("invalid-number", 3, "participants"),
    }
    sheet.delete_rows(3)
    book.save(path)
    import_records(small_engine, path)
    with small_engine.connect() as conn:
        (stored,) = read_records(conn)
    assert stored.source is not None
    assert (stored.source.date, stored.source.participants) == (dt.date(2024, 3, 5), 12)
    assert stored.period == "2021"
