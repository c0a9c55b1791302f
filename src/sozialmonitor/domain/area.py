"""Areas (Gebiete) and the ordered levels (Raumebenen) they belong to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class AreaLevel:
    """One level of the area hierarchy; lower ``rank`` = larger areas."""

    code: str
    """Stable code (``municipality``)."""
    label: str
    """German label shown in the portal (``Gemeinde / Kommune``)."""
    rank: int
    """Position from the largest (0) to the smallest."""
    internal: bool = False
    """Values at this level only for the signed-in administration (e.g. blocks)."""


DEFAULT_LEVELS: tuple[tuple[str, str], ...] = (
    ("country", "Bund"),
    ("state", "Land"),
    ("region", "Region / Kreis"),
    ("municipality", "Gemeinde / Kommune"),
    ("district", "Stadtbezirk / Bezirk"),
    ("forecast_area", "Prognoseraum"),
    ("district_region", "Bezirksregion"),
    ("social_quarter", "Sozialraum / Sozialquartier"),
    ("planning_area", "Planungsraum"),
    ("block", "Baublock"),
)
"""Levels a new database knows, from the largest to the smallest."""

LEVEL_RANK_STEP = 100
"""Gap between default ranks, so a level can be inserted between two others."""


@dataclass(frozen=True, kw_only=True)
class Area:
    """A spatial unit with an official code."""

    code: str
    """Official key (AGS ``03241001``, LOR ``01100101``); text, leading zeros kept."""
    name: str
    """Official name."""
    level: str
    """Code of its level."""
    parent: str | None = None
    """Code of the parent area, if any."""
    valid_from: dt.date | None = None
    """First day the area exists in this shape."""
    valid_to: dt.date | None = None
    """Last day the area exists in this shape; None while it exists."""
    successor: str | None = None
    """Code of the area that succeeded it."""
    geometry: str | None = None
    """Boundary as GeoJSON geometry text in WGS84 (EPSG:4326)."""

    def valid_at(self, day: dt.date) -> bool:
        """Whether the area exists on ``day`` (no dates: always).

        Examples
        --------
        >>> old = Area(code="1", name="Alt", level="x", valid_to=dt.date(2020, 12, 31))
        >>> old.valid_at(dt.date(2020, 12, 31)), old.valid_at(dt.date(2021, 1, 1))
        (True, False)
        """
        return valid_between(self.valid_from, self.valid_to, day)

    def to_dict(self, *, with_geometry: bool = False) -> dict[str, object]:
        data: dict[str, object] = {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "successor": self.successor,
        }
        if with_geometry:
            data["geometry"] = self.geometry
        return data


def valid_between(
    valid_from: dt.date | None, valid_to: dt.date | None, day: dt.date
) -> bool:
    """Whether ``day`` lies in the validity ``valid_from``–``valid_to`` (both days
    included; None: open). A period's values belong to the areas valid at its end
    (its Stichtag): 2020 to the areas of 31.12.2020."""
    return (valid_from is None or valid_from <= day) and (
        valid_to is None or day <= valid_to
    )
