"""The checks of an observation file, each adding findings to the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import FLAG_NAMES, IMPORTABLE_FLAGS
from sozialmonitor.domain.period import parse_period
from sozialmonitor.ingest.limits import MAX_ABS_NUMBER
from sozialmonitor.ingest.report import Severity, ValidationReport
from sozialmonitor.store.queries import (
    ObservationQuery,
    read_observations,
)

MAX_FINDINGS_PER_CODE = 20
"""Findings listed per kind of problem; the rest are counted in one line."""
JUMP_RATIO = 0.5
"""A change of more than 50 % against the previous period is reported as implausible."""
VALUE_TOLERANCE = 0.051
"""How far a value may differ from numerator / denominator in its last decimal."""
JUMP_COLUMNS = [
    "indicator",
    "area",
    "period_code",
    "value",
    "value_num",
    "row",
    "value_column",
]
"""The columns ``check_jumps`` compares and names in its message."""


class Findings:
    """Adds findings to a report, at most ``MAX_FINDINGS_PER_CODE`` per code."""

    def __init__(self, report: ValidationReport, columns: dict[str, str]) -> None:
        self.report = report
        self.columns = columns
        """Role → the file's column name."""
        self.rows_with_errors: set[int] = set()
        """File rows that have an error (their values are not compared further)."""

    def add(
        self,
        code: str,
        mask: pd.Series,
        long: pd.DataFrame,
        column: str,
        message: str,
        *,
        warning: bool = False,
    ) -> None:
        """One finding per row in ``mask``; ``message`` may use {value} and {cell}."""
        hits = long.loc[mask.to_numpy()]
        if hits.empty:
            return
        add = self.report.warning if warning else self.report.error
        if not warning:
            self.rows_with_errors.update(int(r) for r in hits["row"])
        for _, row in hits.head(MAX_FINDINGS_PER_CODE).iterrows():
            cell = str(row[column])
            add(
                code,
                message.format(**{**row.to_dict(), "value": cell}),
                row=int(row["row"]),
                column=self.column_name(row, column),
                value=cell,
            )
        rest = len(hits) - MAX_FINDINGS_PER_CODE
        if rest > 0:
            # counted, not listed: the summary counts each row once
            severity = Severity.WARNING if warning else Severity.ERROR
            self.report.omitted[severity] += rest

    def column_name(self, row: pd.Series, role: str) -> str | None:
        """The column as written in the file (None for ``--indicator``)."""
        if role == "period":
            return str(row["period_column"])
        if role == "value":
            return str(row["value_column"])
        named = row.get(f"{role}_column")  # rows that name each part's column
        if isinstance(named, str) and named:
            return named
        return self.columns.get(role)


def per_distinct(cells: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``cells.map(function)``, calling ``function`` once per distinct cell (files
    repeat codes and periods millions of times)."""
    positions, distinct = pd.factorize(cells)
    if (positions < 0).any():  # missing cells: None and NaN may map differently
        return cells.map(function)
    mapped = pd.Series(distinct).map(function)
    return pd.Series(
        mapped.to_numpy()[positions], index=cells.index, dtype=mapped.dtype
    )


def _by_indicator(
    long: pd.DataFrame, meta: pd.Series, get: Callable[[Any], Any]
) -> pd.Series:
    """``meta.map(get)``, computed once per indicator (``meta`` depends on it only)."""
    positions, _ = pd.factorize(long["indicator"])
    firsts = np.unique(positions, return_index=True)[1]
    mapped = meta.iloc[firsts].map(get)
    return pd.Series(mapped.to_numpy()[positions], index=long.index, dtype=mapped.dtype)


def restore_leading_zeros(
    long: pd.DataFrame,
    areas: dict[str, int],
    report: ValidationReport,
    columns: dict[str, str],
) -> pd.Series:
    """Spreadsheets turn 03241001 into 3241001; put the zero back where that is sure."""
    codes = long["area"]
    lost = {
        code: code.zfill(len(code) + 1)
        for code in codes.unique()
        if code.isdigit() and code not in areas and code.zfill(len(code) + 1) in areas
    }
    if lost:
        sample = ", ".join(f"{a} → {b}" for a, b in list(lost.items())[:5])
        report.warning(
            "leading-zero-restored",
            f"{len(lost)} area codes had lost their leading zero (as spreadsheet "
            f"programs do) and were read with it: {sample}. Format the column as "
            "text to keep the zeros.",
            column=columns.get("area"),
        )
        return codes.replace(lost)
    return codes


def flag_column(long: pd.DataFrame, findings: Findings) -> pd.Series:
    """The flags column's names as a bit set; unknown names are errors."""
    bits = pd.Series(0, index=long.index, dtype="int64")
    letters = {"p": "provisional", "s": "estimated", "r": "revised"}
    unknown = pd.Series(False, index=long.index)
    for raw in long["flags"].unique():
        if not raw:
            continue
        total = 0
        for name in raw.replace(";", ",").split(","):
            name = letters.get(name.strip().lower(), name.strip().lower())
            if name in IMPORTABLE_FLAGS:
                total |= int(FLAG_NAMES[name])
            else:
                unknown |= long["flags"] == raw
        bits[long["flags"] == raw] = total
    findings.add(
        "unknown-flag",
        unknown,
        long,
        "flags",
        "'{value}' is not a flag. Use "
        + ", ".join(IMPORTABLE_FLAGS)
        + " (several separated by commas).",
    )
    return bits


def check_ratios(
    long: pd.DataFrame, meta: pd.Series, known: pd.Series, findings: Findings
) -> None:
    kind = _by_indicator(long, meta, lambda m: m.kind if m is not None else None)
    multiplier = _by_indicator(
        long, meta, lambda m: m.multiplier if m is not None else np.nan
    )
    num, den, value = long["numerator_num"], long["denominator_num"], long["value_num"]
    negative = known & ((num < 0) | (den < 0))
    findings.add(
        "negative-count",
        negative,
        long,
        "numerator",
        "Numerator or denominator is negative. Counts cannot be below zero; "
        "correct the count.",
    )
    findings.add(
        "zero-denominator",
        known & (den == 0) & num.notna(),
        long,
        "denominator",
        "The denominator is 0; no value can be computed. Leave the row out or "
        "correct the denominator.",
    )
    share = known & (kind == IndicatorKind.SHARE)
    exceeds = share & (num > den)
    findings.add(
        "numerator-exceeds-denominator",
        exceeds,
        long,
        "numerator",
        "The numerator ({numerator}) is greater than the denominator "
        "({denominator}); for a share that is impossible. Check both columns.",
    )
    with np.errstate(over="ignore", invalid="ignore"):
        computed = (num / den * multiplier).where(den > 0)
    absurd = known & computed.notna() & ~(computed.abs() <= MAX_ABS_NUMBER)
    findings.add(
        "number-out-of-range",
        absurd,
        long,
        "denominator",
        "numerator / denominator gives a value beyond ±10^"
        f"{np.log10(MAX_ABS_NUMBER):.0f} with the denominator '{{value}}'. Check the "
        "denominator (a count of zero written as a tiny number?).",
    )
    computed = computed.where(~absurd)
    fill = value.isna() & computed.notna()
    long.loc[fill, "value_num"] = computed[fill]
    value = long["value_num"]
    findings.add(
        "share-out-of-range",
        share & ~exceeds & ~negative & ((value < 0) | (value > multiplier)),
        long,
        "value",
        "'{value}' is outside 0–100 % for a share. Write shares in percent "
        "(12,5 for 12,5 %) and check the value.",
    )
    decimals = _by_indicator(long, meta, lambda m: m.decimals if m is not None else 1)
    tolerance = VALUE_TOLERANCE * 10.0 ** (-decimals.astype(float) + 1)
    mismatch = known & ~fill & computed.notna() & ((value - computed).abs() > tolerance)
    long.loc[mismatch, "__computed"] = computed[mismatch].round(3)
    findings.add(
        "value-differs-from-ratio",
        mismatch,
        long,
        "value",
        "The value {value} differs from numerator / denominator ({__computed}). "
        "Check the value, the numerator and the denominator.",
        warning=True,
    )


def check_period_range(
    long: pd.DataFrame, meta: pd.Series, known: pd.Series, findings: Findings
) -> None:
    def outside(m: Indicator | None, end: object) -> bool:
        if m is None or end is None:
            return False
        if m.first_period and end < parse_period(m.first_period).start:  # type: ignore[operator]
            return True
        return bool(m.last_period) and end > parse_period(m.last_period).end  # type: ignore[operator]

    # meta depends on the indicator only, the end on the period only: decide each
    # pair of an indicator and a period once.
    by_indicator, _ = pd.factorize(long["indicator"])
    firsts = np.unique(by_indicator, return_index=True)[1]
    metas = [meta.iloc[i] for i in firsts]
    by_period, periods = pd.factorize(long["period_code"])  # None: -1
    ends = [parse_period(c).end if isinstance(c, str) else None for c in periods]
    table = np.array(
        [[outside(m, e) for e in [*ends, None]] for m in metas], dtype=bool
    ).reshape(len(metas), len(ends) + 1)
    mask = pd.Series(
        table[by_indicator, by_period] if len(long) else [],
        index=long.index,
        dtype=bool,
    )
    long.loc[mask, "__range"] = meta[mask].map(
        lambda m: f"{m.first_period or '…'}–{m.last_period or '…'}"
    )
    findings.add(
        "period-out-of-range",
        known & mask,
        long,
        "period",
        "'{value}' is outside the periods of indicator '{indicator}' ({__range}). "
        "Correct the period or widen the indicator's first_period/last_period.",
    )


def check_jumps(
    conn: Connection,
    long: pd.DataFrame,
    meta: pd.Series,
    known: pd.Series,
    findings: Findings,
) -> None:
    """Warn where a value changes by more than half against the previous period —
    the previous row of the file, else the newest published value before it."""
    kind = _by_indicator(long, meta, lambda m: m.kind if m is not None else None)
    usable = known & (kind != IndicatorKind.INDEX) & long["value_num"].notna()
    usable &= long["period_code"].notna() & ~long["row"].isin(findings.rows_with_errors)
    if not usable.any():
        return
    key = ["indicator", "area", "period_code"]
    # Only the columns the comparison and its message need: a copy of every column
    # of a file of millions of rows would double the import's peak memory.
    candidates = long.loc[usable.to_numpy(), JUMP_COLUMNS].assign(__stored=False)
    stored = published_values(conn, sorted(candidates["indicator"].unique()))
    if not stored.empty:
        in_file = pd.MultiIndex.from_frame(candidates[key])
        stored = stored.loc[~pd.MultiIndex.from_frame(stored[key]).isin(in_file)]
        candidates = pd.concat([candidates, stored], ignore_index=True)
    ends = {c: parse_period(c).end for c in candidates["period_code"].unique()}
    candidates = candidates.assign(__end=candidates["period_code"].map(ends))
    # Sorting and grouping by integer codes in the order of the texts is the same as
    # by the texts, and much faster.
    indicator_codes = pd.factorize(candidates["indicator"], sort=True)[0]
    area_codes = pd.factorize(candidates["area"], sort=True)[0]
    end_codes = pd.factorize(candidates["__end"], sort=True)[0]
    order = np.lexsort((end_codes, area_codes, indicator_codes))
    ordered = candidates.take(order)
    series = pd.Series(
        indicator_codes[order] * (int(area_codes.max()) + 1) + area_codes[order],
        index=ordered.index,
    )
    grouped = ordered.groupby(series, sort=False)
    previous = grouped["value_num"].shift()
    change = (ordered["value_num"] - previous).abs() / previous.abs()
    jump = ~ordered["__stored"].astype(bool) & (change > JUMP_RATIO)
    jump &= previous.abs() > 0
    ordered = ordered.assign(
        __current=ordered["value_num"],
        __previous=previous,
        __previous_period=grouped["period_code"].shift(),
    )
    findings.add(
        "implausible-jump",
        jump,
        ordered,
        "value",
        "{__current:g} after {__previous:g} in the previous period {__previous_period} "
        "({indicator}, area {area}) is a change of more than 50 %. Check the value; "
        "if it is right, nothing needs to be done.",
        warning=True,
    )


def published_values(conn: Connection, indicators: list[str]) -> pd.DataFrame:
    """The newest published value per indicator, area and period, for comparison."""
    query = ObservationQuery(indicators=indicators, computed=False)
    found = [
        (o.indicator, o.area, o.period, o.value)
        for o in read_observations(conn, query, audience=Audience.INTERNAL)
        if o.value is not None
    ]
    frame = pd.DataFrame(
        found, columns=["indicator", "area", "period_code", "value_num"]
    )
    return frame.assign(__stored=True)
