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
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store.area_rules import AreaRules
from sozialmonitor.store.pattern import ReadPattern

_SOURCE = int(Flag.SUPPRESSED)
_CONFIDENTIAL = int(Flag.CONFIDENTIAL)
_NOWHERE: frozenset[str] = frozenset()


class Guard:
    """Applies one read's patterns and area rules for one audience."""

    def __init__(
        self, pattern: ReadPattern, audience: Audience, rules: AreaRules
    ) -> None:
        self.pattern = pattern
        self.internal = audience.internal
        self.rules = rules

    def rows(self, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
        """Rows of ``resolution.stored_rows`` as the read may see them: a row as it
        is, marked confidential (the administration; the public sees a gap), as a
        gap (no value, numerator or denominator), or left out (an internal indicator
        or area outside the read's scope). The fourth field (the release) is carried
        through unread.

        One loop without a call per row: a map reads 11,000 rows, a change view twice
        as many. Reads come ordered by slice (a map: one slice; a profile: one row a
        slice), so a slice's pattern is looked up when the slice changes.
        """
        inside = self.rules.inside if self.internal else _NOWHERE
        withheld = self.rules.withheld
        internal_indicators = self.rules.internal_indicators
        slices, hidden = self.pattern.slices, self.pattern.hidden
        last_indicator: int | None = None
        last_period: str | None = None
        covered = False
        hides: AbstractSet[str] = _NOWHERE
        kept: list[Sequence[Any]] = []
        keep = kept.append
        for row in rows:
            indicator_id, area, period = row[0], row[1], row[2]
            if indicator_id != last_indicator or period != last_period:
                last_indicator, last_period = indicator_id, period
                covered = (indicator_id, period) in slices
                hides = hidden.get((indicator_id, period), _NOWHERE)
            if inside is None or area in inside:
                if area in hides:
                    row = (*row[:7], row[7] | _CONFIDENTIAL, row[8])
                keep(row)
            elif area in withheld or indicator_id in internal_indicators:
                continue
            elif covered and not row[7] & _SOURCE and area not in hides:
                keep(row)
            else:
                # Hidden by the pattern, kept secret by the source, or — failing
                # closed — in a slice without a pattern yet.
                flags, note = row[7], _note(row[7], row[8])
                keep((*row[:4], None, None, None, flags | _SOURCE, note))
        return kept

    def observations(
        self, found: Sequence[Observation], ids: dict[str, int]
    ) -> list[Observation]:
        """The same for observations (``ids``: indicator code → id)."""
        rows = [
            (ids[o.indicator], o.area, o.period, at, None, None, None, o.flags, o.note)
            for at, o in enumerate(found)
        ]
        kept: list[Observation] = []
        for row in self.rows(rows):
            at = row[3]
            obs = found[at]
            if row is rows[at]:
                kept.append(obs)
            elif row[7] & _CONFIDENTIAL:
                kept.append(dataclasses.replace(obs, flags=row[7]))
            else:
                kept.append(
                    dataclasses.replace(
                        obs,
                        value=None,
                        numerator=None,
                        denominator=None,
                        flags=row[7],
                        note=row[8],
                        missing_children=(),
                    )
                )
        return kept


def _note(flags: int, note: str | None) -> str | None:
    """A note the source gave a secret cell stays; any other goes with the value (it
    might tell what the value is)."""
    return note if flags & _SOURCE else None
