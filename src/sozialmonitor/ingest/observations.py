"""Observation files: validate everything, then store into a draft release."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine, select

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.domain.indicator import plain_text
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import (
    ImportValidationError,
    InvalidPeriodError,
    UnreadableFileError,
)
from sozialmonitor.ingest.cells import parse_column
from sozialmonitor.ingest.checks import (
    Findings,
    check_jumps,
    check_period_range,
    check_ratios,
    flag_column,
    per_distinct,
    restore_leading_zeros,
)
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.layouts import column_roles, to_long
from sozialmonitor.ingest.numbers import NumberStyle, detect_style
from sozialmonitor.ingest.official.recognise import recognise
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import cell_text, read_table
from sozialmonitor.store import schema
from sozialmonitor.store.queries import (
    list_releases,
)
from sozialmonitor.store.records import indicator_from_row
from sozialmonitor.store.writes import (
    WRITE_CHUNK_ROWS,
    draft_release,
    store_observations,
)


def _text_problem(text: str) -> str | None:
    """Why a note cannot be stored, or None when it can."""
    try:
        plain_text(text)
    except ValueError as exc:
        return f"{str(exc)[0].upper()}{str(exc)[1:]}."
    return None


def validate_observations(
    conn: Connection, path: Path, *, indicator: str | None = None
) -> tuple[ValidationReport, pd.DataFrame]:
    """Read and check a file; returns the report and the rows ready to store."""
    report = ValidationReport(path=path)
    empty = pd.DataFrame()
    official = recognise(path)
    if official is not None:
        report.error("official-export", official.advice())
        return report, empty
    try:
        table = read_table(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        return report, empty
    long = to_long(table, report, indicator=indicator)
    report.rows_read = len(table.frame)
    if long is None or long.empty:
        if long is not None:
            report.error(
                "no-rows",
                "The file has a header but no data rows. Export the file again "
                "with its data.",
            )
        return report, empty
    text_cells = [
        c
        for col in ("value", "numerator", "denominator")
        for c in long[col].unique()[:5000]
        if isinstance(c, str)
    ]
    style = detect_style(text_cells, table.delimiter)
    columns = column_roles(list(table.frame.columns))
    return report, validate_long(conn, long, report, columns=columns, style=style)


def validate_long(
    conn: Connection,
    long: pd.DataFrame,
    report: ValidationReport,
    *,
    columns: dict[str, str],
    style: NumberStyle,
) -> pd.DataFrame:
    """Check long rows of raw cells, as ``to_long`` gives them; adds findings to
    ``report`` and returns the rows ready to store (empty when there are errors).

    Parameters
    ----------
    long
        Columns ``indicator, area, period, value, numerator, denominator, flags,
        note`` (raw cells), ``row`` (file row), ``period_column`` and
        ``value_column`` (the file's column names, for messages).
    columns
        Role → the file's column name, for messages.
    style
        How the file writes its numbers.
    """
    empty = pd.DataFrame()
    findings = Findings(report, columns)
    for role in ("indicator", "area", "period", "flags", "note"):
        long[role] = per_distinct(long[role], cell_text)

    note_problem = per_distinct(long["note"], _text_problem)
    long.loc[note_problem.notna(), "__note_problem"] = note_problem
    findings.add("invalid-text", note_problem.notna(), long, "note", "{__note_problem}")

    indicators = {
        row.code: (row.id, indicator_from_row(row))
        for row in conn.execute(select(schema.indicator))
    }
    areas = {
        r.code: r.id for r in conn.execute(select(schema.area.c.code, schema.area.c.id))
    }

    # codes
    blank = long["indicator"] == ""
    findings.add(
        "missing-indicator",
        blank,
        long,
        "indicator",
        "The indicator is empty. Write the indicator's id in every row.",
    )
    unknown = ~blank & ~long["indicator"].isin(indicators.keys())
    findings.add(
        "unknown-indicator",
        unknown,
        long,
        "indicator",
        "'{value}' is not a known indicator id. Import the indicator catalogue first "
        "(sozialmonitor import indicators) or correct the id.",
    )
    long["area"] = restore_leading_zeros(long, areas, report, findings.columns)
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
        ~blank & ~long["area"].isin(areas.keys()),
        long,
        "area",
        "'{value}' is not a known area code. Import the areas first "
        "(sozialmonitor import areas) or correct the code.",
    )

    # periods
    codes: dict[str, str | None] = {}
    for raw in long["period"].unique():
        try:
            codes[raw] = parse_period(raw).code
        except InvalidPeriodError:
            codes[raw] = None
    long["period_code"] = long["period"].map(codes).astype(object)
    long.loc[long["period_code"].isna(), "period_code"] = None
    findings.add(
        "invalid-period",
        long["period_code"].isna(),
        long,
        "period",
        "'{value}' is not a period. Write a year (2021), a half-year (2021-H1) or a "
        "reference date (31.12.2021).",
    )

    # numbers
    parsed = {
        col: parse_column(long[col], style)
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
    report.skipped_empty += int(skip.sum())
    long = long.loc[~skip.to_numpy()].copy()
    if long.empty:
        report.error("no-values", "The file has no values to import (all cells empty).")
        return empty

    known = long["indicator"].isin(indicators.keys())
    meta = per_distinct(
        long["indicator"], lambda c: indicators[c][1] if c in indicators else None
    )
    long["indicator_id"] = per_distinct(
        long["indicator"], lambda c: indicators.get(c, (None,))[0]
    )
    long["area_id"] = long["area"].map(areas)

    # duplicates
    key = ["indicator", "area", "period_code"]
    dupes = long.duplicated(key, keep=False) & long["period_code"].notna()
    if dupes.any():
        first_row = long.loc[dupes].groupby(key)["row"].transform("min")
        long.loc[dupes, "__first"] = first_row
        later = dupes & (long["row"] != long["__first"])
        findings.add(
            "duplicate-row",
            later,
            long,
            "indicator",
            "Indicator '{indicator}', area '{area}', period '{period}' appears again "
            "(first in row {__first:.0f}). Keep one row per indicator, area and "
            "period.",
        )

    check_ratios(long, meta, known, findings)
    check_period_range(long, meta, known, findings)
    check_jumps(conn, long, meta, known, findings)

    report.rows_valid = len(long) if report.is_valid else 0
    if not report.is_valid:
        return empty
    # Columns taken one by one: a copy of the whole frame (every raw cell as a
    # Python object) would add as much memory again at the end of the checks.
    return pd.DataFrame(
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


def import_observations(
    engine: Engine,
    path: Path,
    *,
    release: str | None = None,
    indicator: str | None = None,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
    chunk_rows: int = WRITE_CHUNK_ROWS,
) -> ImportOutcome:
    """Validate a file and, when it is clean, store it in a draft release.

    Everything happens in one transaction: on any error nothing is written, and a
    file that brings nothing new or changed leaves the database as it was (no empty
    draft, no log entry). What is written is in the import log and the audit log
    (``actor``: the account name, or ``cli``; ``address``: where the request came
    from). The values are written in chunks of ``chunk_rows`` rows inside that one
    transaction (see ``store_observations``).

    Raises
    ------
    ImportValidationError
        When the file has errors; its ``report`` lists them all.
    ReleaseStateError
        When ``release`` names a published or withdrawn release (also in a dry run).
    """
    with engine.connect() as conn, conn.begin() as transaction:
        report, rows = validate_observations(conn, path, indicator=indicator)
        if not report.is_valid:
            raise ImportValidationError(report, report.to_text())
        if dry_run:
            if release is not None:
                draft_release(conn, release)  # refuses a published release, too
            transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        existing = {r.id for r in list_releases(conn)}
        target = draft_release(conn, release)
        written = store_observations(conn, target, rows, chunk_rows=chunk_rows)
        if written == 0:
            # Nothing new or changed: leave the database exactly as it was (no empty
            # draft, no log entry), so that importing a file twice changes nothing.
            transaction.rollback()
            kept = target if target.id in existing else None
            return ImportOutcome(report=report, release=kept, rows_written=0)
        record_import(
            conn,
            kind="observations",
            path=path,
            release=target,
            report=report,
            rows_written=written,
            actor=actor,
            address=address,
        )
    return ImportOutcome(report=report, release=target, rows_written=written)


__all__ = [
    "ImportOutcome",
    "NumberStyle",
    "import_observations",
    "validate_long",
    "validate_observations",
]
