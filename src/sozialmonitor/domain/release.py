"""Releases (Datenstände): every observation belongs to one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class ReleaseStatus(StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


EDITABLE = (ReleaseStatus.DRAFT, ReleaseStatus.VALIDATED)
"""States in which imports may still add to a release."""


@dataclass(frozen=True, kw_only=True)
class Release:
    """A version of the data: drafted, validated, published, maybe withdrawn."""

    id: int
    """Database id."""
    name: str
    """Unique name, e.g. ``2022-H1``."""
    status: ReleaseStatus
    """Where it is in its life."""
    created_at: dt.datetime
    """When it was drafted."""
    published_at: dt.datetime | None = None
    """When it was published."""
    withdrawn_at: dt.datetime | None = None
    """When it was withdrawn."""
    sequence: int | None = None
    """Publication order (1, 2, …); None until published."""
    note: str = ""
    """What the release contains or why it was withdrawn."""

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status.value,
            "created_at": self.created_at.isoformat(),
            "published_at": self.published_at.isoformat()
            if self.published_at
            else None,
            "withdrawn_at": self.withdrawn_at.isoformat()
            if self.withdrawn_at
            else None,
            "sequence": self.sequence,
            "note": self.note,
        }


@dataclass(frozen=True, kw_only=True)
class ReleaseChange:
    """One line of the difference between two releases."""

    change: str
    """``new``, ``changed`` or ``removed``."""
    indicator: str
    area: str
    period: str
    old_value: float | None
    new_value: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "change": self.change,
            "indicator": self.indicator,
            "area": self.area,
            "period": self.period,
            "old_value": self.old_value,
            "new_value": self.new_value,
        }
