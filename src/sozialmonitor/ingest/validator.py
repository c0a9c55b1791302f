"""The checks of observation rows, chunk by chunk: each chunk's rows are checked
and given back ready to store; what needs the whole file (duplicates, jumps, the
leading zeros put back) is checked at the end on a compact record of the values."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from sozialmonitor.domain.indicator import Indicator, IndicatorKind, plain_text
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import InvalidPeriodError
from sozialmonitor.ingest.cells import parse_column
from sozialmonitor.ingest.checks import (
    Findings,
    check_period_range,
    check_ratios,
    flag_column,
    lost_leading_zeros,
    per_distinct,
    report_leading_zeros,
)
from sozialmonitor.ingest.ledger import KeyLedger, packed
from sozialmonitor.ingest.numbers import NumberStyle
from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.ingest.table import cell_text
from sozialmonitor.store import schema
from sozialmonitor.store.records import indicator_from_row

EMPTY = pd.DataFrame()


def _text_problem(text: str) -> str | None:
    """Why a note cannot be stored, or None when it can."""
    try:
        plain_text(text)
    except ValueError as exc:
        return f"{str(exc)[0].upper()}{str(exc)[1:]}."
    return None


class ObservationValidator:
    """Checks long rows of raw cells (as ``Layout.to_long`` gives them) chunk by
    chunk; ``finish`` checks across the chunks. Findings go to ``report``.

    Parameters
    ----------
    columns
        Role → the file's column name, for messages.
    style
        How the file writes its numbers.
    expected_values
        About how many values the file holds (for the ledger's blocks).
    """

    def __init__(
        self,
        conn: Connection,
        report: ValidationReport,
        *,
        columns: dict[str, str],
        style: NumberStyle,
        expected_values: int = 0,
    ) -> None:
        self.conn = conn
        self.report = report
        self.style = style
        self.findings = Findings(report, columns)
        self.indicators: dict[str, tuple[int, Indicator]] = {
            row.code: (row.id, indicator_from_row(row))
            for row in conn.execute(select(schema.indicator))
        }
        self.areas: dict[str, int] = {
            r.code: r.id
            for r in conn.execute(select(schema.area.c.code, schema.area.c.id))
        }
        self.ledger = KeyLedger(
            indicator_codes={i: code for code, (i, _) in self.indicators.items()},
            area_codes={i: code for code, i in self.areas.items()},
            expected=expected_values,
        )
        self.lost_zeros: dict[str, str] = {}
        self.periods: dict[str, str | None] = {}
        """Period as written → its code (None: not a period), over all chunks."""
        self.rows_kept = 0

    def check(self, long: pd.DataFrame) -> pd.DataFrame:
        """Check one chunk of long rows; returns its rows ready to store, or an
        empty frame once the file has an error.

        The result has the columns ``indicator_id, area_id, period, value,
        numerator, denominator, flags, note``.
        """
        findings = self.findings
        findings.rows_with_errors = set()
        for role in ("indicator", "area", "period", "flags", "note"):
            long[role] = per_distinct(long[role], cell_text)

        note_problem = per_distinct(long["note"], _text_problem)
        long.loc[note_problem.notna(), "__note_problem"] = note_problem
        findings.add(
            "invalid-text", note_problem.notna(), long, "note", "{__note_problem}"
        )
        self._check_codes(long)
        self._check_periods(long)

        # numbers
        parsed = {
            col: parse_column(long[col], self.style)
            for col in ("value", "numerator", "denominator")
        }
        for col, result in parsed.items():
            bad = result.errors.notna()
            if bad.any():
                long.loc[bad, "__error"] = result.errors[bad]
                findings.add("not-a-number", bad, long, col, "{__error}")
            long[f"{col}_num"] = result.values
        flags = parsed["value"].flags | parsed["numerator"].flags
        flags |= flag_column(long, findings)
        long["flags_num"] = flags
        value_empty = parsed["value"].empty & ((flags & int(Flag.SUPPRESSED)) == 0)
        del parsed  # the parsed columns are in ``long`` now
        parts = long["numerator_num"].notna() & long["denominator_num"].notna()
        skip = value_empty & ~parts
        self.report.skipped_empty += int(skip.sum())
        long = long.loc[~skip.to_numpy()].copy()
        if long.empty:
            return EMPTY
        self.rows_kept += len(long)

        indicators = self.indicators
        known = long["indicator"].isin(indicators.keys())
        meta = per_distinct(
            long["indicator"], lambda c: indicators[c][1] if c in indicators else None
        )
        long["indicator_id"] = per_distinct(
            long["indicator"], lambda c: indicators.get(c, (None,))[0]
        )
        long["area_id"] = long["area"].map(self.areas)
        check_ratios(long, meta, known, findings)
        check_period_range(long, meta, known, findings)
        self._keep_in_ledger(long, meta)

        if not self.report.is_valid:
            return EMPTY
        # Columns taken one by one: a copy of the whole frame (every raw cell as a
        # Python object) would add as much memory again at the end of the checks.
        rows = pd.DataFrame(
            {
                "indicator_id": long["indicator_id"].astype("int64"),
                "area_id": long["area_id"].astype("int64"),
                "period": long["period_code"],
                "value": long["value_num"],
                "numerator": long["numerator_num"],
                "denominator": long["denominator_num"],
                "flags": long["flags_num"].astype("int64"),
                "note": long["note"].where(long["note"] != "", None),
            }
        )
        if _repeats_a_key(rows):
            return EMPTY  # not to be written: ``finish`` reports the duplicates
        return rows

    def finish(self) -> None:
        """The checks across all chunks: duplicate keys, jumps against the previous
        period, the leading zeros put back; then the count of valid rows."""
        report = self.report
        if not self.rows_kept and report.is_valid:
            report.error(
                "no-values", "The file has no values to import (all cells empty)."
            )
            return
        report_leading_zeros(self.lost_zeros, report, self.findings.columns)
        entries = self.ledger.entries()
        self.ledger.check_duplicates(entries, self.findings)
        self.ledger.check_jumps(self.conn, entries, self.findings)
        report.rows_valid = self.rows_kept if report.is_valid else 0

    def _check_codes(self, long: pd.DataFrame) -> None:
        findings = self.findings
        blank = long["indicator"] == ""
        findings.add(
            "missing-indicator",
            blank,
            long,
            "indicator",
            "The indicator is empty. Write the indicator's id in every row.",
        )
        unknown = ~blank & ~long["indicator"].isin(self.indicators.keys())
        findings.add(
            "unknown-indicator",
            unknown,
            long,
            "indicator",
            "'{value}' is not a known indicator id. Import the indicator catalogue "
            "first (sozialmonitor import indicators) or correct the id.",
        )
        lost = lost_leading_zeros(long["area"], self.areas)
        if lost:
            self.lost_zeros.update(lost)
            long["area"] = long["area"].replace(lost)
        blank = long["area"] == ""
        findings.add(
            "missing-area",
            blank,
            long,
            "area",
            "The area code is empty. Write the area's code in every row.",
        )
        findings.add(
            "unknown-area-code",
            ~blank & ~long["area"].isin(self.areas.keys()),
            long,
            "area",
            "'{value}' is not a known area code. Import the areas first "
            "(sozialmonitor import areas) or correct the code.",
        )

    def _check_periods(self, long: pd.DataFrame) -> None:
        codes = self.periods
        for raw in long["period"].unique():
            if raw in codes:
                continue
            try:
                codes[raw] = parse_period(raw).code
            except InvalidPeriodError:
                codes[raw] = None
        long["period_code"] = long["period"].map(codes).astype(object)
        long.loc[long["period_code"].isna(), "period_code"] = None
        self.findings.add(
            "invalid-period",
            long["period_code"].isna(),
            long,
            "period",
            "'{value}' is not a period. Write a year (2021), a half-year (2021-H1) "
            "or a reference date (31.12.2021).",
        )

    def _keep_in_ledger(self, long: pd.DataFrame, meta: pd.Series) -> None:
        """The numbers of the rows whose codes are known, for the checks across
        chunks; the value only where it takes part in the jump check."""
        ids = long["indicator_id"].notna() & long["area_id"].notna()
        ids &= long["period_code"].notna()
        if not ids.any():
            return
        kept = long.loc[ids.to_numpy()]
        index = per_distinct(
            kept["indicator"],
            lambda c: self.indicators[c][1].kind is IndicatorKind.INDEX,
        ).astype(bool)
        erroneous = kept["row"].isin(self.findings.rows_with_errors)
        value = kept["value_num"].where(~index & ~erroneous)
        self.ledger.add(
            indicator=kept["indicator_id"],
            area=kept["area_id"],
            period_text=kept["period"],
            period_code=kept["period_code"],
            row=kept["row"],
            value=value,
            column=kept["value_column"],
        )
        del meta  # the kind is looked up per indicator above


def _repeats_a_key(rows: pd.DataFrame) -> bool:
    """Do rows repeat an indicator, area and period among themselves?"""
    periods = pd.factorize(rows["period"])[0]
    key = packed(rows["indicator_id"].to_numpy(), rows["area_id"].to_numpy(), periods)
    key.sort()  # in place: ``np.unique`` would sort a copy and build the result too
    return bool((key[1:] == key[:-1]).any())


def validate_long(
    conn: Connection,
    long: pd.DataFrame,
    report: ValidationReport,
    *,
    columns: dict[str, str],
    style: NumberStyle,
) -> pd.DataFrame:
    """Check long rows of raw cells held as one frame (e.g. an official export
    through its mapping); adds findings to ``report`` and returns the rows ready
    to store (empty when there are errors)."""
    validator = ObservationValidator(conn, report, columns=columns, style=style)
    rows = validator.check(long)
    validator.finish()
    return rows if report.is_valid else EMPTY
