"""Observations (Werte): one value of one indicator for one area and period."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntFlag


class Flag(IntFlag):
    """Qualifiers of a value, stored as a bit set."""

    NONE = 0
    PROVISIONAL = 1
    """vorläufig (p)"""
    ESTIMATED = 2
    """geschätzt (s)"""
    BREAK = 4
    """break in the series (Zeitreihenbruch)"""
    SUPPRESSED = 8
    """secret or not reliable: no value may be shown (., /, *)"""
    REVISED = 16
    """berichtigt (r)"""
    COMPUTED = 32
    """aggregated from the child areas, not stored"""
    REMOVED = 64
    """the release removes an earlier value (tombstone)"""
    CONFIDENTIAL = 128
    """shown to the administration only: the public sees the cell as suppressed
    (never stored; set by the read gate)"""
    RECOMPUTED = 256
    """recomputed on today's area from its predecessors' values through the area
    lineage (never stored; see ``analysis.recomputed``)"""


FLAG_NAMES: dict[str, Flag] = {
    "provisional": Flag.PROVISIONAL,
    "estimated": Flag.ESTIMATED,
    "break": Flag.BREAK,
    "suppressed": Flag.SUPPRESSED,
    "revised": Flag.REVISED,
    "computed": Flag.COMPUTED,
    "removed": Flag.REMOVED,
    "confidential": Flag.CONFIDENTIAL,
    "recomputed": Flag.RECOMPUTED,
}
"""Names used in files and the API."""

IMPORTABLE_FLAGS = ("provisional", "estimated", "break", "suppressed", "revised")


def flag_names(flags: int) -> list[str]:
    """The names of the flags set in ``flags``, in declaration order."""
    return [name for name, bit in FLAG_NAMES.items() if flags & bit]


@dataclass(frozen=True, kw_only=True)
class Observation:
    """A value as read: resolved to one release."""

    indicator: str
    """Indicator id."""
    area: str
    """Area code."""
    period: str
    """Canonical period code."""
    value: float | None
    """The value; None when missing or suppressed."""
    numerator: float | None = None
    """Numerator (Zähler), if known."""
    denominator: float | None = None
    """Denominator (Nenner), if known."""
    flags: int = 0
    """Bit set of ``Flag``."""
    note: str | None = None
    """Free note, e.g. why a value is missing."""
    release: str | None = None
    """Name of the release the value comes from (None for computed values)."""
    missing_children: tuple[str, ...] = field(default=())
    """For computed values: child area codes that had no value."""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.indicator, self.area, self.period)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "indicator": self.indicator,
            "area": self.area,
            "period": self.period,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "flags": flag_names(self.flags),
            "note": self.note,
            "release": self.release,
        }
        if self.flags & Flag.COMPUTED:
            data["missing_children"] = list(self.missing_children)
        return data
