"""Lineage of areas: which area became which on a boundary change, and how much of
it moved (Umsteigeschlüssel, a city's correspondence table, or boundary overlap)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class LineageKind(StrEnum):
    """How a predecessor became its successor."""

    MERGED = "merged"
    """Several areas became one (Eingemeindung, Zusammenlegung)."""
    SPLIT = "split"
    """One area became several (Teilung)."""
    RENAMED = "renamed"
    """Same area, new name (and perhaps new code)."""
    RECODED = "recoded"
    """Same area, new code."""


class ShareBasis(StrEnum):
    """What the share of a predecessor that moved measures."""

    POPULATION = "population"
    """Of its inhabitants."""
    AREA = "area"
    """Of its surface, from the overlap of the boundaries."""
    OFFICIAL = "official"
    """As an official correspondence table (Umsteigeschlüssel) says."""


SHARE_SUM_TOLERANCE = 0.01
"""How far the shares of one predecessor may sum away from 1 (rounded tables)."""


@dataclass(frozen=True, kw_only=True)
class AreaLink:
    """One predecessor → successor step of a boundary change."""

    predecessor: str
    """Code of the area before the change."""
    successor: str
    """Code of the area after it."""
    kind: LineageKind
    """How one became the other."""
    valid_on: dt.date
    """First day of the successor's validity."""
    share: float | None = None
    """Share (0–1) of the predecessor that moved to the successor; None: unknown."""
    basis: ShareBasis | None = None
    """What ``share`` measures; None when there is no share."""

    def to_dict(self) -> dict[str, object]:
        return {
            "predecessor": self.predecessor,
            "successor": self.successor,
            "kind": self.kind.value,
            "valid_on": self.valid_on.isoformat(),
            "share": self.share,
            "basis": self.basis.value if self.basis else None,
        }
