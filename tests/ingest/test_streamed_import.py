"""Imports read, check and write a file chunk by chunk, in one transaction (issue 12,
"imports in bounded memory"): a file of many chunks imports exactly what it holds,
an error in a late chunk writes nothing, and the report of a file full of errors
stays short and counts them all. The files are generated here, on SQLite and
PostgreSQL (the ``small_engine`` fixture)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.checks import MAX_FINDINGS_PER_CODE
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.ingest.report import MAX_FINDINGS_SHOWN, ValidationReport
from sozialmonitor.store.writes import save_areas
from tests.fixtures import REGION
from tests.ingest.content import snapshot, stored

CHUNK = 100
"""Rows read at once in these tests: the files below have many chunks."""
AREAS = [f"0324190{n:03d}" for n in range(60)]
YEARS = [str(year) for year in range(2001, 2021)]
HEADER = "Indikator;Gebiet;Jahr;Wert"
SEED = 12


@pytest.fixture
def many_areas(small_engine: Engine) -> Engine:
    """The small region with 60 more municipalities."""
    with small_engine.begin() as conn:
        save_areas(
            conn,
            [
                Area(code=c, name=f"Ort {c}", level="municipality", parent=REGION)
                for c in AREAS
            ],
        )
    return small_engine


def _values() -> dict[tuple[str, str], float]:
    """A population per area and year, seeded, changing by less than half a year."""
    rng = random.Random(SEED)
    values = {}
    for area in AREAS:
        level = rng.randint(1_000, 90_000)
        for year in YEARS:
            level = round(level * rng.uniform(0.9, 1.1), 1)
            values[(area, year)] = level
    return values


def _german(number: float) -> str:
    return f"{number:.1f}".replace(".", ",")


def _long_rows(values: dict[tuple[str, str], float]) -> list[str]:
    return [
        f"population;{area};{year};{_german(value)}"
        for (area, year), value in values.items()
    ]


def _write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _imported(engine: Engine) -> dict[tuple[str, str], float]:
    return {
        (area, period): row["value"]
        for (indicator, area, period), row in stored(engine, "2022").items()
        if indicator == "population"
    }


def test_a_file_of_many_chunks_imports_exactly_issue_12(
    many_areas: Engine, tmp_path: Path
) -> None:
    values = _values()
    rows = _long_rows(values)
    assert len(rows) > 10 * CHUNK
    path = _write(tmp_path / "werte.csv", rows)

    outcome = import_observations(many_areas, path, release="2022", chunk_rows=CHUNK)

    assert outcome.report.findings == []
    assert outcome.report.rows_read == outcome.report.rows_valid == len(rows)
    assert outcome.rows_written == len(values)
    assert _imported(many_areas) == values
    # the same file again changes nothing, chunk by chunk as at once
    again = import_observations(many_areas, path, release="2022", chunk_rows=CHUNK)
    assert again.rows_written == 0


def test_a_wide_file_and_a_workbook_of_many_chunks_import_exactly_issue_12(
    many_areas: Engine, tmp_path: Path
) -> None:
    values = _values()
    lines = [
        ";".join(["population", area, *(_german(values[(area, y)]) for y in YEARS)])
        for area in AREAS
    ]
    wide = _write(tmp_path / "breit.csv", lines, ";".join(["Indikator", "AGS", *YEARS]))
    outcome = import_observations(many_areas, wide, release="2022", chunk_rows=7)
    assert outcome.report.findings == []
    assert _imported(many_areas) == values

    book = Workbook()
    sheet = book.active
    sheet.append(["Indikator", "Gebiet", "Jahr", "Wert"])
    changed = {key: value + 1 for key, value in values.items()}
    for (area, year), value in changed.items():
        sheet.append(["population", area, int(year), value])
    workbook = tmp_path / "werte.xlsx"
    book.save(workbook)
    outcome = import_observations(
        many_areas, workbook, release="2022", chunk_rows=CHUNK
    )
    assert outcome.report.findings == []
    assert outcome.rows_written == len(changed)
    assert _imported(many_areas) == changed


@pytest.mark.parametrize(
    ("late_row", "code"),
    [
        ("population;03241099;2020;5", "unknown-area-code"),
        ("population;0324190000;2001;5", "duplicate-row"),  # the first row again
        ("population;0324190000", "missing-cell"),  # the file cannot be read on
    ],
)
def test_an_error_in_a_late_chunk_writes_nothing_issue_12(
    many_areas: Engine, tmp_path: Path, late_row: str, code: str
) -> None:
    rows = _long_rows(_values())
    assert rows[0].startswith("population;0324190000;2001;")
    position = len(rows) - 3
    rows.insert(position, late_row)
    path = _write(tmp_path / "werte.csv", rows)
    before = snapshot(many_areas)

    with pytest.raises(ImportValidationError) as refused:
        import_observations(many_areas, path, release="2022", chunk_rows=CHUNK)

    report: ValidationReport = refused.value.report  # type: ignore[assignment]
    (error,) = report.errors
    late = position + 2  # the header is row 1
    assert late > 10 * CHUNK
    assert (error.code, error.row, report.error_count) == (code, late, 1)
    if code == "duplicate-row":
        assert "(first in row 2)" in error.message
    assert snapshot(many_areas) == before


def test_the_report_of_a_file_full_of_errors_stays_short_and_counts_all_issue_12(
    many_areas: Engine, tmp_path: Path
) -> None:
    rows = []
    for n, (area, year) in enumerate(_values()):
        if n % 3 == 0:
            rows.append(f"population;{area};{year};viel")  # not a number
        elif n % 3 == 1:
            rows.append(f"population;99{area};{year};5")  # unknown area
        else:
            rows.append(f"population;{area};{year};5")
    path = _write(tmp_path / "werte.csv", rows)
    before = snapshot(many_areas)

    reports = []
    for chunk_rows in (CHUNK, 10 * len(rows)):
        with pytest.raises(ImportValidationError) as refused:
            import_observations(many_areas, path, chunk_rows=chunk_rows)
        reports.append(refused.value.report)

    chunked, whole = reports
    expected = {
        "not-a-number": (len(rows) + 2) // 3,
        "unknown-area-code": len(rows) // 3,
    }
    assert chunked.error_count == whole.error_count == sum(expected.values())
    assert chunked.to_dict() == whole.to_dict()
    for code in expected:
        listed = [f for f in chunked.errors if f.code == code]
        assert len(listed) == MAX_FINDINGS_PER_CODE
        # the first rows of the file, in order
        assert [f.row for f in listed] == sorted(f.row for f in listed)
        assert listed[0].row in (2, 3)
    assert len(chunked.to_text().splitlines()) <= MAX_FINDINGS_SHOWN + 2
    assert f"{sum(expected.values()):,} errors" in chunked.to_text()
    assert snapshot(many_areas) == before
