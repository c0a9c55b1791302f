"""XLSX written straight from frames (issue 13: the index download took 5 s at
Germany size): the same workbook content as ``DataFrame.to_excel`` through
openpyxl, which ``export.xlsx_bytes`` used before, cell for cell."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pandas as pd
import pytest

from sozialmonitor.export import is_formula_like, xlsx_bytes

HOSTILE = ["=1+2", "+49 511", "-x", "@SUM(A1)", "\tTab", '=HYPERLINK("http://e.org")']


def as_text(cell: Any) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True


def reference_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """What ``export.xlsx_bytes`` wrote before: pandas and openpyxl, then the
    formula-like cells made text with the quote prefix."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, index=False, sheet_name=name)
            sheet = writer.sheets[name]
            for column, header in enumerate(frame.columns, start=1):
                if is_formula_like(header):
                    as_text(sheet.cell(row=1, column=column))
                values = frame.iloc[:, column - 1]
                if values.dtype != object and not pd.api.types.is_string_dtype(values):
                    continue
                for row, value in enumerate(values, start=2):
                    if is_formula_like(value):
                        as_text(sheet.cell(row=row, column=column))
    return buffer.getvalue()


def cells(content: bytes) -> dict[str, list[list[tuple[Any, ...]]]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [
            [
                (
                    c.value,
                    c.data_type,
                    bool(c.quotePrefix),
                    bool(c.font.b),
                    c.border.left.style,
                    c.alignment.horizontal,
                    c.alignment.vertical,
                    c.number_format if c.is_date else None,
                )
                for c in row
            ]
            for row in sheet.iter_rows()
        ]
        for sheet in book.worksheets
    }


def example() -> dict[str, pd.DataFrame]:
    texts = ["Laatzen", "Ärzte & <Pflege>", "", None, "  leading", "two\nlines"]
    values = pd.DataFrame(
        {
            "text": texts + HOSTILE,
            "=header": ["a"] * 12,
            "float": [1.5, 0.1 + 0.2, float("nan"), -3.25e-12, 1e300, float("inf")]
            + [float("-inf"), 7.0, -0.0, 2.5, 123456789.123, 0.30000000000000004],
            "int": list(range(-6, 6)),
            "nullable": pd.array([1, None, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "Int64"),
            "flag": [True, False] * 6,
            "day": [dt.date(2021, 12, 31)] * 11 + [None],
            "moment": [dt.datetime(2022, 1, 2, 3, 4, 5)] * 12,
            "mixed": ["ja", 1, 2.5, None, "nein", True] * 2,
        }
    )
    source = pd.DataFrame({"Feld": ["Index", "Kennung"], "Wert": ["Muster", "=x"]})
    return {"Werte": values, "Quelle": source}


def test_the_workbook_holds_what_to_excel_wrote_issue_13() -> None:
    sheets = example()
    assert cells(xlsx_bytes(sheets)) == cells(reference_xlsx(sheets))
    read = pd.read_excel(io.BytesIO(xlsx_bytes(sheets)), sheet_name=None)
    expected = pd.read_excel(io.BytesIO(reference_xlsx(sheets)), sheet_name=None)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(read[name], frame)


def test_no_cell_is_a_formula_and_formula_like_text_is_quoted() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(example())))
    sheet = book["Werte"]
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    # The text columns (and the header): formula-like text quoted, no other.
    for cell in [*sheet[1], *sheet["A"], *sheet["B"]]:
        assert bool(cell.quotePrefix) == is_formula_like(cell.value), cell.value
    column = [c.value for c in sheet["A"][1:]]
    assert column[-len(HOSTILE) :] == HOSTILE


def test_an_empty_frame_and_characters_xml_cannot_hold() -> None:
    content = xlsx_bytes(
        {
            "Leer": pd.DataFrame({"a": [], "b": []}),
            "Text": pd.DataFrame({"a": ["bell\x07 and nul\x00", "x" * 40_000]}),
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert [[c.value for c in row] for row in book["Leer"].iter_rows()] == [["a", "b"]]
    texts = [c.value for c in book["Text"]["A"]]
    assert texts[1] == "bell and nul"
    assert len(texts[2]) == 32_767


@pytest.mark.parametrize("rows", [11_000])
def test_a_germany_size_table_is_written_quickly(rows: int) -> None:
    """Not a benchmark (bench/index_xlsx.py is): a bound far above the time it
    takes, far below the 5 s it took, so that a return to per-cell objects shows."""
    import time

    frame = pd.DataFrame(
        {
            "area": [f"{n:08d}" for n in range(rows)],
            "name": [f"Gemeinde {n}" for n in range(rows)],
            **{f"z_{k}": [n / 7 for n in range(rows)] for k in range(8)},
            "drivers": ["S1 Arbeitslosigkeit über dem Durchschnitt (z = 1,2)"] * rows,
        }
    )
    start = time.process_time()
    xlsx_bytes({"Werte": frame})
    assert time.process_time() - start < 4.0
