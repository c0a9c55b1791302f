"""Numbers as German and international files write them (no database needed)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.cells import parse_column
from sozialmonitor.ingest.numbers import NumberStyle, detect_style, parse_number

GERMAN, INTERNATIONAL = NumberStyle.GERMAN, NumberStyle.INTERNATIONAL

CELLS = [
    "1.234,5",
    "1234,5",
    "1.234",
    "7,4",
    "-3,25",
    "12,5 p",
    "12,5p",
    "3 s",
    "(4,0)",
    "1 234,5",
    "7.4",
    "1,234.5",
    "1,5",
    ".",
    "/",
    "*",
    "-",
    "–",
    "x",
    "…",
    "...",
    "",
    "12,5%",
    "abc",
    "n.v.",
    "7,",
    12.0,
    3,
]


@pytest.mark.parametrize(
    ("raw", "style", "value", "flags"),
    [
        ("1.234,5", GERMAN, 1234.5, 0),
        ("1234,5", GERMAN, 1234.5, 0),
        ("1.234", GERMAN, 1234.0, 0),
        ("12,5 p", GERMAN, 12.5, Flag.PROVISIONAL),
        ("3 s", GERMAN, 3.0, Flag.ESTIMATED),
        ("4 r", GERMAN, 4.0, Flag.REVISED),
        ("(4,0)", GERMAN, 4.0, Flag.ESTIMATED),
        ("1234.5", INTERNATIONAL, 1234.5, 0),
        ("1,234.5", INTERNATIONAL, 1234.5, 0),
        (".", GERMAN, None, Flag.SUPPRESSED),
        ("/", INTERNATIONAL, None, Flag.SUPPRESSED),
    ],
)
def test_numbers_and_signs(
    raw: str, style: NumberStyle, value: float | None, flags: int
) -> None:
    cell = parse_number(raw, style)
    assert (cell.value, cell.flags, cell.error) == (value, int(flags), None)


@pytest.mark.parametrize("raw", ["", "-", "–", "x", "…", "..."])
def test_empty_signs_are_no_value(raw: str) -> None:
    cell = parse_number(raw, GERMAN)
    assert cell.empty and cell.value is None and cell.error is None


@pytest.mark.parametrize(
    ("raw", "style", "advice"),
    [
        ("12,5%", GERMAN, "Remove the percent sign"),
        ("abc", GERMAN, "Write numbers like 1234,5"),
        # one convention per file: never 5.1 read as 51, nor 1,5 as 15
        ("5.1", GERMAN, "Write 5,1 — one convention for the whole file"),
        ("1,5", INTERNATIONAL, "Write 1.5 — one convention for the whole file"),
    ],
)
def test_not_a_number_says_what_to_do(
    raw: str, style: NumberStyle, advice: str
) -> None:
    cell = parse_number(raw, style)
    assert cell.value is None
    assert cell.error is not None and advice in cell.error


@pytest.mark.parametrize(
    ("cells", "delimiter", "style"),
    [
        (["7,4", "1.234,5"], ";", GERMAN),
        (["12,5 p", "3,1 s", "."], ";", GERMAN),  # official signs after the number
        (["24.112", "325.801"], ";", GERMAN),  # thousands only
        (["7.4", "1,234.5"], ",", INTERNATIONAL),
        (["12", "13"], ";", INTERNATIONAL),
    ],
)
def test_style_detection(cells: list[str], delimiter: str, style: NumberStyle) -> None:
    assert detect_style(cells, delimiter) is style


@pytest.mark.parametrize("style", [GERMAN, INTERNATIONAL])
def test_column_parser_agrees_with_the_cell_parser(style: NumberStyle) -> None:
    column = parse_column(pd.Series(CELLS, dtype=object), style)
    for index, raw in enumerate(CELLS):
        cell = parse_number(raw, style)
        value = column.values[index]
        assert (None if math.isnan(value) else value) == cell.value, raw
        assert bool(column.empty[index]) == cell.empty, raw
        assert pd.isna(column.errors[index]) == (cell.error is None), raw
        if cell.error is None:  # an invalid cell's flags do not matter
            assert column.flags[index] == cell.flags, raw
