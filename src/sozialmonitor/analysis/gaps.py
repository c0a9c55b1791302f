"""The map of data gaps (issue 12): for every indicator × area level × period,
whether its areas have values — all of them, some (n of m), none, or none the
audience may see — and how many are suppressed or provisional.

Built from the read gate's aggregate counts
(:func:`sozialmonitor.store.gap_counts.read_gap_counts`), never from the values one
by one: 100 indicators × 5 levels × 20 periods are 10,000 cells,
whatever the number of areas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sozialmonitor.domain.area import AreaLevel
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.period import period_order
from sozialmonitor.store.gap_counts import GapCount


class GapStatus(StrEnum):
    """How complete one cell of the map is."""

    PRESENT = "present"
    """Every area of the level has a value the reader sees (vorhanden)."""
    PARTLY = "partly"
    """Some areas have one, some not (teilweise: n von m)."""
    SUPPRESSED = "suppressed"
    """Values exist but the reader may see none of them (gesperrt)."""
    MISSING = "missing"
    """No area of the level has a value (fehlt)."""


CellKey = tuple[str, str, str]
"""(indicator id, level code, period)"""


@dataclass(frozen=True, kw_only=True)
class GapCell:
    """One indicator on one level in one period."""

    indicator: str
    """Indicator id."""
    level: str
    """Area level code."""
    period: str
    """Period code."""
    status: GapStatus
    areas_with_values: int
    """Areas whose value the reader sees (n)."""
    areas: int
    """Areas of the level (m)."""
    suppressed: int
    """Areas whose value the reader may not see (disclosure control or secret)."""
    provisional: int
    """Of the values seen, the provisional ones (vorläufig, ``p``)."""
    confidential: int
    """Values only the administration sees (0 in the public view)."""
    computed: bool
    """The level has no stored values here: they are computed from the areas
    below (berechnet)."""


@dataclass(frozen=True, kw_only=True)
class GapMatrix:
    """The whole map as one reader sees it."""

    indicators: tuple[Indicator, ...]
    levels: tuple[AreaLevel, ...]
    """Levels with areas, largest first."""
    periods: tuple[str, ...]
    """Every period any shown indicator has a value (or a hidden cell) in, on any
    level, oldest first."""
    cells: Mapping[CellKey, GapCell]

    def cell(self, indicator: str, level: str, period: str) -> GapCell:
        return self.cells[(indicator, level, period)]

    def selected(
        self, *, levels: Iterable[str] | None = None, indicators: Iterable[str] | None
    ) -> GapMatrix:
        """The map of some levels and indicators (None: all), with the periods
        those have."""
        level_set = None if levels is None else set(levels)
        wanted = None if indicators is None else set(indicators)
        chosen_levels = tuple(
            lvl for lvl in self.levels if level_set is None or lvl.code in level_set
        )
        chosen = tuple(i for i in self.indicators if wanted is None or i.id in wanted)
        cells = {
            key: cell
            for key, cell in self.cells.items()
            if (wanted is None or key[0] in wanted)
            and (level_set is None or key[1] in level_set)
        }
        return GapMatrix(
            indicators=chosen,
            levels=chosen_levels,
            periods=_periods_of(self.periods, cells.values()),
            cells=cells,
        )

    def rows(self) -> list[GapCell]:
        """Every cell, by indicator (in catalogue order), level and period."""
        return [
            self.cells[(i.id, lvl.code, p)]
            for i in self.indicators
            for lvl in self.levels
            for p in self.periods
            if (i.id, lvl.code, p) in self.cells
        ]


def _periods_of(periods: Sequence[str], cells: Iterable[GapCell]) -> tuple[str, ...]:
    """The periods in which a cell has a value or a hidden one."""
    used = {
        c.period
        for c in cells
        if c.status is not GapStatus.MISSING or c.suppressed or c.computed
    }
    return tuple(p for p in periods if p in used)


def status_of(shown: int, areas: int, suppressed: int) -> GapStatus:
    """The status of a cell from the areas with a visible value (n), the areas of
    the level (m) and the hidden ones.

    Examples
    --------
    >>> [status_of(3, 3, 0), status_of(2, 3, 1), status_of(0, 3, 3), status_of(0, 3, 0)]
    [<GapStatus.PRESENT: 'present'>, <GapStatus.PARTLY: 'partly'>, \
<GapStatus.SUPPRESSED: 'suppressed'>, <GapStatus.MISSING: 'missing'>]
    """
    if shown == 0:
        return GapStatus.SUPPRESSED if suppressed else GapStatus.MISSING
    return GapStatus.PRESENT if shown >= areas else GapStatus.PARTLY


def gap_matrix(
    counts: Iterable[GapCount],
    *,
    indicators: Sequence[Indicator],
    levels: Sequence[AreaLevel],
    areas_per_level: Mapping[str, int],
    areas_in_period: Callable[[str, str], int] | None = None,
) -> GapMatrix:
    """The map of data gaps.

    Parameters
    ----------
    counts
        What the reader may see, per indicator, level and period (the read gate's
        ``read_gap_counts`` for the reader's audience).
    indicators
        The indicators the reader may see, in the order shown.
    levels
        The levels the reader may see, largest first; levels without areas are
        left out.
    areas_per_level
        Level code → number of areas (m).
    areas_in_period
        (level code, period) → the number of the level's areas valid in that
        period (m where boundaries changed: Berlin's 447 planning areas until 2020,
        542 since); None: ``areas_per_level`` in every period.

    Returns
    -------
    GapMatrix
        A cell for every indicator, level (with areas) and period.
    """
    by_key = {(c.indicator, c.level, c.period): c for c in counts}
    known = {i.id for i in indicators}
    shown_levels = tuple(lvl for lvl in levels if areas_per_level.get(lvl.code, 0))
    level_codes = {lvl.code for lvl in shown_levels}
    periods = sorted(
        {k[2] for k in by_key if k[0] in known and k[1] in level_codes},
        key=period_order,
    )
    cells: dict[CellKey, GapCell] = {}
    for indicator in indicators:
        for level in shown_levels:
            for period in periods:
                m = (
                    areas_in_period(level.code, period)
                    if areas_in_period is not None
                    else areas_per_level[level.code]
                )
                key = (indicator.id, level.code, period)
                cells[key] = _cell(key, m, by_key.get(key))
    return GapMatrix(
        indicators=tuple(indicators),
        levels=shown_levels,
        periods=tuple(periods),
        cells=cells,
    )


def _cell(key: CellKey, areas: int, count: GapCount | None) -> GapCell:
    shown = count.shown if count else 0
    suppressed = count.suppressed if count else 0
    return GapCell(
        indicator=key[0],
        level=key[1],
        period=key[2],
        status=status_of(shown, areas, suppressed),
        areas_with_values=shown,
        areas=areas,
        suppressed=suppressed,
        provisional=count.provisional if count else 0,
        confidential=count.confidential if count else 0,
        computed=count.computed if count else False,
    )
