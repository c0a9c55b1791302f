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
from collections.abc import Sequence
from typing import Any

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store.area_rules import AreaRules
from sozialmonitor.store.pattern import ReadPattern

_SOURCE = int(Flag.SUPPRESSED)
_CONFIDENTIAL = int(Flag.CONFIDENTIAL)


class Guard:
    """Applies one read's patterns and area rules for one audience."""

    def __init__(
        self, pattern: ReadPattern, audience: Audience, rules: AreaRules
    ) -> None:
        self.pattern = pattern
        self.internal = audience.internal
        self.rules = rules

    def _inside(self, area: str) -> bool:
        """Whether the read sees this area with the administration's eyes."""
        return self.internal and self.rules.sees_inside(area)

    def _withheld(self, indicator_id: int, area: str) -> bool:
        """Whether the read may not see this value at all (outside its scope)."""
        return (
            area in self.rules.withheld
            or indicator_id in self.rules.internal_indicators
        )

    def _hides(self, indicator_id: int, area: str, period: str, flags: int) -> bool:
        return (
            (indicator_id, area, period) in self.pattern.hidden
            or not self.pattern.covers(indicator_id, period)
            or bool(flags & _SOURCE)
        )

    def _note(self, flags: int, note: str | None) -> str | None:
        """A note the source gave a secret cell stays; any other goes with the
        value (it might tell what the value is)."""
        return note if flags & _SOURCE else None

    def observation(self, obs: Observation, indicator_id: int) -> Observation | None:
        """The value as the read may see it; None when it may not see it at all."""
        if self._inside(obs.area):
            if (indicator_id, obs.area, obs.period) in self.pattern.hidden:
                return dataclasses.replace(obs, flags=obs.flags | _CONFIDENTIAL)
            return obs
        if self._withheld(indicator_id, obs.area):
            return None
        if not self._hides(indicator_id, obs.area, obs.period, obs.flags):
            return obs
        return dataclasses.replace(
            obs,
            value=None,
            numerator=None,
            denominator=None,
            flags=obs.flags | _SOURCE,
            note=self._note(obs.flags, obs.note),
            missing_children=(),
        )

    def row(self, row: Sequence[Any]) -> Sequence[Any] | None:
        """The same for a row of ``resolution.stored_rows``."""
        indicator_id, area, period, release_id, *_values, flags, note = row
        if self._inside(area):
            if (indicator_id, area, period) in self.pattern.hidden:
                return (*row[:7], flags | _CONFIDENTIAL, row[8])
            return row
        if self._withheld(indicator_id, area):
            return None
        if not self._hides(indicator_id, area, period, flags):
            return row
        return (
            indicator_id,
            area,
            period,
            release_id,
            None,
            None,
            None,
            flags | _SOURCE,
            self._note(flags, note),
        )
