"""Long and wide layouts: which column means what, and wide turned into long."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import InvalidPeriodError
from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.ingest.table import Table

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "indikator", "kennzahl", "indicator_id", "kennziffer"),
    "area": (
        "area",
        "gebiet",
        "gebietsschlüssel",
        "gebietsschluessel",
        "ags",
        "area_code",
        "code",
        "schlüssel",
        "raum",
    ),
    "period": ("period", "zeitraum", "jahr", "year", "stichtag", "periode"),
    "value": ("value", "wert"),
    "numerator": ("numerator", "zähler", "zaehler"),
    "denominator": ("denominator", "nenner", "bezugsgröße", "bezugsgroesse"),
    "flags": ("flags", "kennzeichen", "flag"),
    "note": ("note", "anmerkung", "bemerkung", "hinweis"),
}
"""Column roles and the names (English and German) a file may use for them."""

LONG_COLUMNS = ("indicator", "area", "period", "value", "numerator", "denominator")


def _plain(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().lower()


def column_roles(columns: list[str]) -> dict[str, str]:
    """Role → the file's column name, for the columns that have a known role."""
    roles: dict[str, str] = {}
    for column in columns:
        plain = _plain(column)
        for role, names in COLUMN_NAMES.items():
            if plain in names and role not in roles:
                roles[role] = column
    return roles


def _period_columns(columns: list[str], roles: dict[str, str]) -> dict[str, str]:
    """File column → canonical period, for the columns that name a period."""
    found = {}
    taken = set(roles.values())
    for column in columns:
        if column in taken:
            continue
        try:
            found[column] = parse_period(column).code
        except InvalidPeriodError:
            continue
    return found


@dataclass(frozen=True, kw_only=True)
class Layout:
    """Which of a file's columns mean what: found once from the header, then used
    on every chunk of rows."""

    roles: dict[str, str]
    """Role → the file's column (``__indicator`` for ``--indicator``)."""
    periods: dict[str, str]
    """Wide files: column → period code; empty for long files."""
    indicator: str | None = None
    """The indicator of a file without an indicator column."""

    @property
    def value_column(self) -> str | None:
        """The column of the values; None for a wide file (one per period)."""
        if self.periods:
            return None
        return self.roles.get("value", self.roles.get("numerator", ""))

    def to_long(self, table: Table, report: ValidationReport) -> pd.DataFrame:
        """The table's rows as long rows with raw cells.

        Columns of the result: ``indicator, area, period, value, numerator,
        denominator, flags, note`` (raw cells), ``row`` (file row) and
        ``period_column`` / ``value_column`` (the file's column names, for messages).
        """
        frame, roles, periods = table.frame, self.roles, self.periods
        if self.indicator is not None and roles["indicator"] == INDICATOR_GIVEN:
            frame = frame.assign(**{INDICATOR_GIVEN: self.indicator})
        rows = pd.Series(table.rows, index=frame.index)
        if not periods:
            out = pd.DataFrame(
                {
                    role: frame[roles[role]] if role in roles else ""
                    for role in COLUMN_NAMES
                }
            )
            out["row"] = rows
            out["period_column"] = roles["period"]
            out["value_column"] = self.value_column
            return out
        # Empty cells are left out here, not after the turn: a wide file of a few MB
        # with thousands of period columns of empty cells would otherwise turn into
        # millions of rows. A row without any value keeps one (empty) cell, so that
        # its codes are still checked.
        # one comparison of all period cells: a file may have thousands of columns
        names = list(periods)
        keep = frame[names].to_numpy(dtype=object) != ""
        keep[:, 0] |= ~keep.any(axis=1)
        report.skipped_empty += int(keep.size - keep.sum())
        parts = []
        for position in np.flatnonzero(keep.any(axis=0)):
            column = names[position]
            rows_kept = keep[:, position]
            part = frame.loc[rows_kept]
            parts.append(
                pd.DataFrame(
                    {
                        "indicator": part[roles["indicator"]],
                        "area": part[roles["area"]],
                        "period": column,
                        "value": part[column],
                        "numerator": "",
                        "denominator": "",
                        "flags": part[roles["flags"]] if "flags" in roles else "",
                        "note": part[roles["note"]] if "note" in roles else "",
                        "row": rows[rows_kept],
                        "period_column": column,
                        "value_column": column,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


INDICATOR_GIVEN = "__indicator"
"""The column that stands for ``--indicator`` in a file without an indicator column."""


def find_layout(
    columns: list[str], report: ValidationReport, *, indicator: str | None = None
) -> Layout | None:
    """The layout of a file with this header, or None (after reporting why) when
    it is unclear; columns without a meaning are reported as ignored."""
    roles = column_roles(columns)
    given = None
    if indicator is not None and "indicator" not in roles:
        roles["indicator"] = INDICATOR_GIVEN
        given = indicator
    missing = [r for r in ("indicator", "area") if r not in roles]
    long = "period" in roles
    periods = {} if long else _period_columns(columns, roles)
    if long and not ({"value", "numerator"} & roles.keys()):
        missing.append("value")
    if not long and not periods:
        missing.append("period (or one column per period, e.g. 2019, 2020, 2021)")
    if missing:
        report.error(
            "missing-column",
            f"Missing column(s): {', '.join(missing)}. Found: {', '.join(columns)}. "
            "A long file needs indicator, area, period and value (German: Indikator, "
            "Gebiet, Jahr, Wert); a wide file indicator, area and one column per "
            "period.",
        )
        return None
    used = set(roles.values()) | set(periods)
    for column in columns:
        if column not in used:
            report.warning(
                "ignored-column",
                f"Column '{column}' has no known meaning and is ignored.",
                column=column,
            )
    return Layout(roles=roles, periods=periods, indicator=given)
