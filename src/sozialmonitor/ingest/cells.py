"""Whole columns of raw cells into numbers, vectorised for large files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.limits import MAX_ABS_NUMBER
from sozialmonitor.ingest.numbers import (
    EMPTY_SIGNS,
    GERMAN_GROUPED,
    INTERNATIONAL_GROUPED,
    SECRET_SIGNS,
    VALUE_FLAGS,
    NumberStyle,
    number_problem,
    parse_number,
)

_SUFFIX = r"^(?P<number>.*?\d)\s*(?P<flag>[prs])$"


@dataclass(frozen=True, kw_only=True)
class ParsedColumn:
    values: pd.Series
    """float64, NaN where there is no number."""
    flags: pd.Series
    """int64 bit set of ``Flag``."""
    empty: pd.Series
    """bool: no value (empty, -, x, …)."""
    errors: pd.Series
    """object: message for cells that are not numbers, else None."""


def parse_column(cells: pd.Series, style: NumberStyle) -> ParsedColumn:
    """Parse every cell of a column; per-cell messages only where parsing failed.

    A column of text parses each distinct cell once and spreads the results over
    its rows: files repeat cells a lot (empty cells, signs, counts, one decimal),
    and a cell's result depends on nothing but its text and the number style.
    """
    raw = cells.to_numpy(dtype=object)
    if len(raw) == 0 or infer_dtype(raw, skipna=False) != "string":
        return _parse(cells, style)
    codes, distinct = pd.factorize(raw)
    if len(distinct) == len(raw):
        return _parse(cells, style)
    once = _parse(pd.Series(distinct, dtype=object), style)

    def spread(column: pd.Series) -> pd.Series:
        return pd.Series(
            column.to_numpy()[codes], index=cells.index, dtype=column.dtype
        )

    return ParsedColumn(
        values=spread(once.values),
        flags=spread(once.flags),
        empty=spread(once.empty),
        errors=spread(once.errors),
    )


def _parse(cells: pd.Series, style: NumberStyle) -> ParsedColumn:
    raw = cells.to_numpy(dtype=object)
    if len(raw) and infer_dtype(raw, skipna=False) == "string":
        is_number = pd.Series(False, index=cells.index)  # text only, e.g. from CSV
    else:
        is_number = cells.map(
            lambda v: isinstance(v, int | float) and not isinstance(v, bool)
        )
    values = pd.Series(np.nan, index=cells.index, dtype="float64")
    values[is_number] = cells[is_number].astype("float64")
    flags = pd.Series(0, index=cells.index, dtype="int64")
    text = cells[~is_number].astype(str).str.strip()
    empty = pd.Series(False, index=cells.index)
    empty[~is_number] = text.isin(EMPTY_SIGNS)
    empty[is_number] = values[is_number].isna()
    secret = text.isin(SECRET_SIGNS)
    flags[secret[secret].index] = int(Flag.SUPPRESSED)
    rest = text[~text.isin(EMPTY_SIGNS) & ~secret]
    # Only a cell ending in one of the letters can carry one; the regex is slow.
    lettered = rest[rest.str.endswith(tuple(VALUE_FLAGS))]
    suffix = lettered.str.extract(_SUFFIX)
    has_suffix = suffix["flag"].notna()
    if has_suffix.any():
        found = suffix.loc[has_suffix]
        flags[found.index] |= found["flag"].map(lambda f: int(VALUE_FLAGS[f]))
        rest = rest.copy()
        rest[found.index] = found["number"]
    compact = rest.str.replace(r"[\s\u202f\xa0]", "", regex=True)
    if style is NumberStyle.GERMAN:
        # a '.' that does not separate thousands is a decimal point: an error
        mixed = compact.str.contains(".", regex=False) & ~compact.str.match(
            GERMAN_GROUPED
        )
        compact = compact.str.replace(".", "", regex=False).str.replace(
            ",", ".", regex=False
        )
    else:
        mixed = compact.str.contains(",", regex=False) & ~compact.str.match(
            INTERNATIONAL_GROUPED
        )
        compact = compact.str.replace(",", "", regex=False)
    compact = compact.str.replace("−", "-", regex=False)
    numbers = pd.to_numeric(compact, errors="coerce").where(~mixed)
    values[rest.index] = numbers
    errors = pd.Series(None, index=cells.index, dtype=object)
    failed = numbers.isna()
    for index in failed[failed].index:
        cell = parse_number(cells[index], style)
        if cell.error is not None:
            errors[index] = cell.error
        else:  # a form only the slow path knows, e.g. "(12,5)"
            values[index] = cell.value
            flags[index] |= cell.flags
    # inf, 1e308: read as numbers (pandas reads 'inf'), but not storable
    extreme = values.notna() & ~(values.abs() <= MAX_ABS_NUMBER)
    for index in extreme[extreme].index:
        errors[index] = number_problem(cells[index], float(values[index]))
        values[index] = np.nan
    return ParsedColumn(values=values, flags=flags, empty=empty, errors=errors)
