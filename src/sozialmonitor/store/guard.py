"""The part of the read gate that hides cells: the stored suppression pattern, the
cells the source kept secret, and — failing closed — any cell of a slice that has no
pattern yet. Applied to every value a read returns, stored or computed, so that
everything derived from a value (a share, an interval, a class, a change, a z-score)
has nothing to be derived from.

The public gets a hidden cell without value, numerator and denominator, flagged
``suppressed`` (the pages show the official sign and explain it), without a note
unless the source itself kept the cell secret and said why; the reason is never
named (it would tell which cells are the small ones). The administration gets the
true values, flagged ``confidential``. Which areas a read sees as the
administration, and which it may not see at all, :mod:`area_rules` decides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from enum import IntEnum
from typing import Any

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store.area_rules import AreaRules
from sozialmonitor.store.pattern import ReadPattern

_SOURCE = int(Flag.SUPPRESSED)
_CONFIDENTIAL = int(Flag.CONFIDENTIAL)
_NOWHERE: frozenset[str] = frozenset()

Cell = tuple[int, str, str, int]
"""(indicator id, area code, period, flags) of a value."""


class Verdict(IntEnum):
    """What the read does with one value."""

    SHOWN = 0
    CONFIDENTIAL = 1
    """Shown to the administration, marked confidential (the public sees a gap)."""
    HIDDEN = 2
    """Shown as a gap: no value, numerator or denominator."""
    WITHHELD = 3
    """Not shown at all: an internal indicator or area outside the read's scope."""


class Guard:
    """Applies one read's patterns and area rules for one audience."""

    def __init__(
        self, pattern: ReadPattern, audience: Audience, rules: AreaRules
    ) -> None:
        self.pattern = pattern
        self.internal = audience.internal
        self.rules = rules

    def verdicts(self, cells: Iterable[Cell]) -> Iterator[Verdict]:
        """The verdict on each cell, in one tight loop: a map reads 11,000 values,
        a change view twice as many, so nothing here is a call per value."""
        inside = self.rules.inside if self.internal else _NOWHERE
        withheld = self.rules.withheld
        internal_indicators = self.rules.internal_indicators
        slices, hidden = self.pattern.slices, self.pattern.hidden
        # Reads come ordered by slice (a map: one; a profile: one value each), so
        # the slice's pattern is looked up when it changes, not per value.
        last_indicator: int | None = None
        last_period: str | None = None
        covered = False
        hides: AbstractSet[str] = _NOWHERE
        for indicator_id, area, period, flags in cells:
            if indicator_id != last_indicator or period != last_period:
                last_indicator, last_period = indicator_id, period
                covered = (indicator_id, period) in slices
                hides = hidden.get((indicator_id, period), _NOWHERE)
            if inside is None or area in inside:
                yield Verdict.CONFIDENTIAL if area in hides else Verdict.SHOWN
            elif area in withheld or indicator_id in internal_indicators:
                yield Verdict.WITHHELD
            elif covered and not flags & _SOURCE and area not in hides:
                yield Verdict.SHOWN
            else:
                # Hidden by the pattern, kept secret by the source, or — failing
                # closed — in a slice without a pattern yet.
                yield Verdict.HIDDEN

    def observations(
        self, found: Sequence[Observation], ids: dict[str, int]
    ) -> list[Observation]:
        """The values as the read may see them (``ids``: indicator code → id)."""
        cells = ((ids[o.indicator], o.area, o.period, o.flags) for o in found)
        kept: list[Observation] = []
        for obs, verdict in zip(found, self.verdicts(cells), strict=True):
            if verdict is Verdict.SHOWN:
                kept.append(obs)
            elif verdict is Verdict.CONFIDENTIAL:
                kept.append(dataclasses.replace(obs, flags=obs.flags | _CONFIDENTIAL))
            elif verdict is Verdict.HIDDEN:
                kept.append(
                    dataclasses.replace(
                        obs,
                        value=None,
                        numerator=None,
                        denominator=None,
                        flags=obs.flags | _SOURCE,
                        note=_note(obs.flags, obs.note),
                        missing_children=(),
                    )
                )
        return kept

    def rows(self, rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        """The same for rows of ``resolution.stored_rows``."""
        cells = ((r[0], r[1], r[2], r[7]) for r in rows)
        kept: list[Sequence[Any]] = []
        for row, verdict in zip(rows, self.verdicts(cells), strict=True):
            if verdict is Verdict.SHOWN:
                kept.append(row)
            elif verdict is Verdict.CONFIDENTIAL:
                kept.append((*row[:7], row[7] | _CONFIDENTIAL, row[8]))
            elif verdict is Verdict.HIDDEN:
                flags = row[7]
                kept.append(
                    (*row[:4], None, None, None, flags | _SOURCE, _note(flags, row[8]))
                )
        return kept


def _note(flags: int, note: str | None) -> str | None:
    """A note the source gave a secret cell stays; any other goes with the value (it
    might tell what the value is)."""
    return note if flags & _SOURCE else None
