"""The checks of an observation file, each adding findings to the report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import FLAG_NAMES, IMPORTABLE_FLAGS
from sozialmonitor.domain.period import parse_period
from sozialmonitor.ingest.limits import MAX_ABS_NUMBER
from sozialmonitor.ingest.report import Severity, ValidationReport

MAX_FINDINGS_PER_CODE = 20
"""Findings listed per kind of problem; the rest are counted in one line."""
JUMP_RATIO = 0.5
"""A change of more than 50 % against the previous period is reported as implausible."""
VALUE_TOLERANCE = 0.051
"""How far a value may differ from numerator / denominator in its last decimal."""


class Findings:
    """Adds findings to a report, at most ``MAX_FINDINGS_PER_CODE`` listed per code
    (over all chunks of a file); the rest are counted."""

    def __init__(self, report: ValidationReport, columns: dict[str, str]) -> None:
        self.report = report
        self.columns = columns
        """Role → the file's column name."""
        self.rows_with_errors: set[int] = set()
        """File rows of the chunk being checked that have an error (their values are
        not compared further)."""
        self.listed: dict[str, int] = {}
        """Findings listed so far per code, over all chunks of a file."""

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
        if not warning:
            self.rows_with_errors.update(int(r) for r in hits["row"])
        self.add_listed(
            code,
            hits.head(self.room(code)),
            total=len(hits),
            column=column,
            message=message,
            warning=warning,
        )

    def room(self, code: str) -> int:
        """How many more findings of ``code`` are listed (the rest are counted)."""
        return max(MAX_FINDINGS_PER_CODE - self.listed.get(code, 0), 0)

    def add_listed(
        self,
        code: str,
        hits: pd.DataFrame,
        *,
        total: int,
        column: str,
        message: str,
        warning: bool = False,
    ) -> None:
        """``total`` findings of ``code``, of which the rows of ``hits`` (the first,
        at most ``room(code)``) are listed and the rest counted."""
        add = self.report.warning if warning else self.report.error
        listed = 0
        for _, row in hits.head(self.room(code)).iterrows():
            cell = str(row[column])
            add(
                code,
                message.format(**{**row.to_dict(), "value": cell}),
                row=int(row["row"]),
                column=self.column_name(row, column),
                value=cell,
            )
            listed += 1
        self.listed[code] = self.listed.get(code, 0) + listed
        rest = total - listed
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


def lost_leading_zeros(codes: pd.Series, areas: dict[str, int]) -> dict[str, str]:
    """Spreadsheets turn 03241001 into 3241001: the codes whose zero can be put back
    for sure, each with its code."""
    return {
        code: code.zfill(len(code) + 1)
        for code in codes.unique()
        if code.isdigit() and code not in areas and code.zfill(len(code) + 1) in areas
    }


def report_leading_zeros(
    lost: dict[str, str], report: ValidationReport, columns: dict[str, str]
) -> None:
    """One warning for all area codes read with their leading zero put back."""
    if not lost:
        return
    sample = ", ".join(f"{a} → {b}" for a, b in list(lost.items())[:5])
    report.warning(
        "leading-zero-restored",
        f"{len(lost)} area codes had lost their leading zero (as spreadsheet "
        f"programs do) and were read with it: {sample}. Format the column as "
        "text to keep the zeros.",
        column=columns.get("area"),
    )


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
