"""The checks across the rows of a whole file (duplicate keys, jumps against the
previous period), on a compact record of every value kept while the file is read
chunk by chunk: five numbers a value (24 bytes), never the rows themselves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.period import parse_period
from sozialmonitor.ingest.checks import JUMP_RATIO, Findings
from sozialmonitor.store.queries import (
    ObservationQuery,
    read_observations,
    release_priorities,
)

JUMP_INDICATORS_AT_ONCE = 8
"""Indicators whose published values are read at once for the jump check."""
BLOCK_VALUES = (1 << 16, 1 << 22)
"""Fewest and most values a block of the ledger holds (4 M: 16 MB a field of four
bytes). The ledger keeps its values in a few large blocks, not in one small array a
chunk: the small ones, kept to the end among the chunks' freed memory, leave the
heap full of holes it cannot give back (a Germany-size file grew the process by
some 200 MB that way)."""

_DTYPES = {
    "indicator": np.int32,
    "area": np.int32,
    "period": np.int32,
    "row": np.int32,
    "value": np.float32,
    "column": np.int16,
}


@dataclass(frozen=True, kw_only=True)
class Entries:
    """Values of the ledger, one array a field, in the order they were added."""

    # 22 bytes a value: 11 million values hold 242 MB

    indicator: npt.NDArray[np.int32]
    area: npt.NDArray[np.int32]
    period: npt.NDArray[np.int32]
    """Index into ``KeyLedger.period_texts``."""
    row: npt.NDArray[np.int32]
    value: npt.NDArray[np.float32]
    """NaN where the value takes no part in the jump check (single precision is
    plenty to see a change of more than half)."""
    column: npt.NDArray[np.int16]
    """Index into ``KeyLedger.columns``."""


class KeyLedger:
    """Every value kept so far as numbers (indicator id, area id, period, file row,
    value), with the texts to name them in messages."""

    def __init__(
        self,
        *,
        indicator_codes: dict[int, str],
        area_codes: dict[int, str],
        expected: int = 0,
    ) -> None:
        """``expected``: about how many values the file holds (the size of the
        ledger's blocks, within ``BLOCK_VALUES``)."""
        self.indicator_codes = indicator_codes
        self.area_codes = area_codes
        self.columns: list[str] = []
        """The file's columns that hold values."""
        self._column_index: dict[str, int] = {}
        self.period_texts: list[str] = []
        """Periods as written in the file."""
        self.period_codes: list[str] = []
        """Their codes (``2021``, ``2021-H1``)."""
        self._period_index: dict[tuple[str, str], int] = {}
        fewest, most = BLOCK_VALUES
        self._block = min(max(expected, fewest), most)
        self._blocks: dict[str, list[np.ndarray]] = {name: [] for name in _DTYPES}
        self._filled = 0
        """Values in the last block."""

    def add(
        self,
        *,
        indicator: pd.Series,
        area: pd.Series,
        period_text: pd.Series,
        period_code: pd.Series,
        row: pd.Series,
        value: pd.Series,
        column: pd.Series,
    ) -> None:
        """Keep the numbers of these values (their ids and codes are known)."""
        if indicator.empty:
            return
        # the code follows from the text: factorise the texts, take each one's code
        positions, distinct = pd.factorize(period_text)
        firsts = np.unique(positions, return_index=True)[1]
        codes = period_code.to_numpy()[firsts]
        index = np.array(
            [self._period(t, c) for t, c in zip(distinct, codes, strict=True)],
            dtype=np.int32,
        )
        columns, names = pd.factorize(column)
        known = np.array([self._column(str(n)) for n in names], dtype=np.int16)
        self._append(
            {
                "indicator": indicator.to_numpy(dtype=np.int32),
                "area": area.to_numpy(dtype=np.int32),
                "period": index[positions],
                "row": row.to_numpy(dtype=np.int32),
                "value": value.to_numpy(dtype=np.float64),
                "column": known[columns],
            }
        )

    def _append(self, fields: dict[str, np.ndarray]) -> None:
        """Copy one chunk's fields into the blocks (a new block when one is full)."""
        count = len(fields["row"])
        done = 0
        while done < count:
            if not self._blocks["row"] or self._filled == self._block:
                for name, dtype in _DTYPES.items():
                    self._blocks[name].append(np.empty(self._block, dtype=dtype))
                self._filled = 0
            take = min(count - done, self._block - self._filled)
            for name, values in fields.items():
                block = self._blocks[name][-1]
                block[self._filled : self._filled + take] = values[done : done + take]
            self._filled += take
            done += take

    def _period(self, text: str, code: str) -> int:
        found = self._period_index.get((text, code))
        if found is None:
            found = self._period_index[(text, code)] = len(self.period_texts)
            self.period_texts.append(text)
            self.period_codes.append(code)
        return found

    def _column(self, name: str) -> int:
        found = self._column_index.get(name)
        if found is None:
            found = self._column_index[name] = len(self.columns)
            self.columns.append(name)
        return found

    def entries(self) -> Entries:
        """All values kept: the one block of each field (a view of its filled part),
        or its blocks joined one field after the other (and let go)."""
        joined = {}
        for name, dtype in _DTYPES.items():
            blocks = self._blocks[name]
            if blocks:
                blocks[-1] = blocks[-1][: self._filled]
            joined[name] = (
                blocks[0]
                if len(blocks) == 1
                else np.concatenate(blocks)
                if blocks
                else np.zeros(0, dtype=dtype)
            )
            blocks.clear()
        return Entries(**joined)

    # --- duplicates ------------------------------------------------------------------

    def check_duplicates(self, entries: Entries, findings: Findings) -> None:
        """An error for each row whose indicator, area and period came before; such
        rows take no part in the jump check."""
        if len(entries.row) < 2:
            return
        code_of = np.array(
            pd.factorize(pd.Series(self.period_codes))[0], dtype=np.int32
        )

        def keys() -> npt.NDArray[np.int64]:
            return packed(entries.indicator, entries.area, code_of[entries.period])

        # Most files have no duplicates: the keys sorted in place show it, and
        # nothing more than the keys is held.
        key = keys()
        key.sort()
        if not (key[1:] == key[:-1]).any():
            return
        key = keys()
        order = np.lexsort((entries.row, key))
        sorted_key = key[order]
        later = np.zeros(len(order), dtype=bool)
        later[1:] = sorted_key[1:] == sorted_key[:-1]
        starts = np.where(~later, np.arange(len(order)), 0)
        first_row = entries.row[order[np.maximum.accumulate(starts)]]
        positions = order[later]
        firsts = first_row[later]
        by_row = np.argsort(entries.row[positions], kind="stable")
        positions, firsts = positions[by_row], firsts[by_row]
        entries.value[positions] = np.nan
        shown = positions[: findings.room("duplicate-row")]
        frame = pd.DataFrame(
            {
                "row": entries.row[shown],
                "indicator": [
                    self.indicator_codes[int(i)] for i in entries.indicator[shown]
                ],
                "area": [self.area_codes[int(a)] for a in entries.area[shown]],
                "period": [self.period_texts[int(p)] for p in entries.period[shown]],
                "__first": firsts[: len(shown)],
            }
        )
        findings.add_listed(
            "duplicate-row",
            frame,
            total=len(positions),
            column="indicator",
            message="Indicator '{indicator}', area '{area}', period '{period}' "
            "appears again (first in row {__first:.0f}). Keep one row per indicator, "
            "area and period.",
        )

    # --- jumps -----------------------------------------------------------------------

    def check_jumps(
        self, conn: Connection, entries: Entries, findings: Findings
    ) -> None:
        """Warn where a value changes by more than half against the previous period —
        the previous value of the file, else the newest published value before it.
        Indicators are taken a few at a time, with their published values."""
        usable = ~np.isnan(entries.value)
        if not usable.any():
            return
        ends = np.array(
            [parse_period(c).end.toordinal() for c in self.period_codes],
            dtype=np.int64,
        )
        published = bool(
            release_priorities(conn, as_of=None, audience=Audience.INTERNAL)
        )
        indicators = np.unique(entries.indicator[usable])
        hits: list[pd.DataFrame] = []
        total = 0
        for first in range(0, len(indicators), JUMP_INDICATORS_AT_ONCE):
            some = indicators[first : first + JUMP_INDICATORS_AT_ONCE]
            # the positions of these indicators' values only: no index of the
            # whole file's length is held
            group = np.flatnonzero(np.isin(entries.indicator, some) & usable)
            stored = (
                self._published(conn, some.tolist()) if published else _Stored.empty()
            )
            found, count = self._jumps_in(entries, group, stored, ends, findings)
            total += count
            if found is not None:
                hits.append(found)
        if not total:
            return
        frame = pd.concat(hits, ignore_index=True).sort_values("row", kind="stable")
        findings.add_listed(
            "implausible-jump",
            frame.head(findings.room("implausible-jump")),
            total=total,
            column="value",
            message="{__current:g} after {__previous:g} in the previous period "
            "{__previous_period} ({indicator}, area {area}) is a change of more than "
            "50 %. Check the value; if it is right, nothing needs to be done.",
            warning=True,
        )

    def _jumps_in(
        self,
        entries: Entries,
        group: npt.NDArray[np.intp],
        stored: _Stored,
        ends: npt.NDArray[np.int64],
        findings: Findings,
    ) -> tuple[pd.DataFrame | None, int]:
        """The jumps of some indicators' values: the first few as rows for the
        report, and how many there are."""
        indicator = entries.indicator[group].astype(np.int64)
        area = entries.area[group].astype(np.int64)
        end = ends[entries.period[group]]
        value = entries.value[group].astype(np.float64)
        periods = entries.period[group].astype(np.int64)
        in_file = len(group)
        if len(stored.indicator):
            indicator = np.concatenate([indicator, stored.indicator])
            area = np.concatenate([area, stored.area])
            end = np.concatenate([end, stored.end])
            value = np.concatenate([value, stored.value])
            periods = np.concatenate([periods, stored.period])
            # a published value counts only where the file has none
            key = packed(indicator, area, end - end.min())
            keep = np.ones(len(key), dtype=bool)
            keep[in_file:] = ~np.isin(key[in_file:], key[:in_file])
            indicator, area, end = indicator[keep], area[keep], end[keep]
            value, periods = value[keep], periods[keep]
        order = np.lexsort((end, area, indicator))
        same = np.zeros(len(order), dtype=bool)
        same[1:] = (indicator[order][1:] == indicator[order][:-1]) & (
            area[order][1:] == area[order][:-1]
        )
        current = value[order]
        previous = np.full(len(order), np.nan)
        previous[1:] = current[:-1]
        previous[~same] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.abs(current - previous) / np.abs(previous)
        jump = (order < in_file) & (change > JUMP_RATIO) & (np.abs(previous) > 0)
        count = int(jump.sum())
        if not count:
            return None, 0
        where = np.flatnonzero(jump)
        # the earliest rows of the file come first in the report
        mine = order[where]
        first = np.argsort(entries.row[group[mine]], kind="stable")
        where = where[first][: findings.room("implausible-jump")]
        mine = order[where]
        before = order[where - 1]
        return (
            pd.DataFrame(
                {
                    "row": entries.row[group[mine]],
                    "indicator": [
                        self.indicator_codes[int(i)] for i in indicator[mine]
                    ],
                    "area": [self.area_codes[int(a)] for a in area[mine]],
                    "value": [f"{v:g}" for v in current[where]],
                    "value_column": [
                        self.columns[int(c)] for c in entries.column[group[mine]]
                    ],
                    "__current": current[where],
                    "__previous": previous[where],
                    "__previous_period": [
                        self._stored_or_file_period(int(p), stored)
                        for p in periods[before]
                    ],
                }
            ),
            count,
        )

    def _stored_or_file_period(self, period: int, stored: _Stored) -> str:
        if period < 0:
            return stored.codes[-period - 1]
        return self.period_codes[period]

    def _published(self, conn: Connection, ids: list[int]) -> _Stored:
        """The newest published values of these indicators, as numbers."""
        codes = [self.indicator_codes[i] for i in ids]
        ids_by_code = {c: i for i, c in zip(ids, codes, strict=True)}
        area_ids = {code: key for key, code in self.area_codes.items()}
        query = ObservationQuery(indicators=codes, computed=False)
        found = [
            (ids_by_code[o.indicator], area_ids[o.area], o.period, o.value)
            for o in read_observations(conn, query, audience=Audience.INTERNAL)
            if o.value is not None and o.area in area_ids
        ]
        return _Stored.of(found)


@dataclass(frozen=True, kw_only=True)
class _Stored:
    """Published values as numbers; their periods as negative indexes into
    ``codes`` (``-1`` is ``codes[0]``), apart from the file's."""

    indicator: npt.NDArray[np.int64]
    area: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    period: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    codes: list[str]

    @classmethod
    def empty(cls) -> _Stored:
        nothing = np.zeros(0, dtype=np.int64)
        return cls(
            indicator=nothing,
            area=nothing,
            end=nothing,
            period=nothing,
            value=np.zeros(0),
            codes=[],
        )

    @classmethod
    def of(cls, found: list[tuple[int, int, str, float]]) -> _Stored:
        if not found:
            return cls.empty()
        indicator, area, period, value = zip(*found, strict=True)
        positions, codes = pd.factorize(pd.Series(period, dtype=object))
        ends = np.array([_end(c) for c in codes], dtype=np.int64)
        return cls(
            indicator=np.array(indicator, dtype=np.int64),
            area=np.array(area, dtype=np.int64),
            end=ends[positions],
            period=-(positions.astype(np.int64) + 1),
            value=np.array(value, dtype=np.float64),
            codes=[str(c) for c in codes],
        )


def _end(code: str) -> int:
    end: dt.date = parse_period(code).end
    return end.toordinal()


def packed(*columns: npt.NDArray[np.integer]) -> npt.NDArray[np.int64]:
    """Non-negative integer columns as one int64 key that sorts as they do (built
    in place: no temporary arrays of the columns' length)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        width = int(column.max()) + 1 if len(column) else 1
        np.multiply(key, width, out=key)
        np.add(key, column, out=key, casting="unsafe")
    return key
