"""Whole columns of raw cells into numbers, vectorised for large files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.numbers import (
    EMPTY_SIGNS,
    GERMAN_GROUPED,
    INTERNATIONAL_GROUPED,
    SECRET_SIGNS,
    VALUE_FLAGS,
    NumberStyle,
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
    """Parse every cell of a column; per-cell messages only where parsing failed."""
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
    suffix = rest.str.extract(_SUFFIX)
    has_suffix = suffix["flag"].notna()
    if has_suffix.any():
        flags[has_suffix[has_suffix].index] |= suffix.loc[has_suffix, "flag"].map(
            lambda f: int(VALUE_FLAGS[f])
        )
        rest = rest.where(~has_suffix, suffix["number"])
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
    return ParsedColumn(values=values, flags=flags, empty=empty, errors=errors)
