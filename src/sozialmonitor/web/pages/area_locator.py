"""The locator map of an area profile: the area dark among its light grey siblings.

The siblings' boundaries are read once per snapshot and parent area and kept in the
snapshot's cache (:meth:`sozialmonitor.web.snapshot.Snapshot.lru`);
:func:`sozialmonitor.web.svgmap.locator_svg` draws them.
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.errors import MissingBoundariesError, UnknownAreaError
from sozialmonitor.store import queries
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.svgmap import MapArea, locator_svg

LOCATOR_CACHE_SIZE = 64
"""Cached sibling boundaries for the locator maps (one entry per parent area)."""


def locator_siblings(
    conn: Connection, snap: Snapshot, parent: str, level: str, day: dt.date | None
) -> tuple[MapArea, ...]:
    """The boundaries of a parent's children of one level valid on ``day`` (None:
    today's), read once per snapshot: an area that ended is drawn among the areas of
    its time, not on top of those that replaced it."""

    def load() -> tuple[MapArea, ...]:
        return tuple(
            MapArea(
                code=a.code,
                name=a.name,
                geometry=a.geometry,
                label=a.name,
                class_index=None,
            )
            for a in queries.list_areas(
                conn,
                parent=parent,
                valid_on=day or dt.date.today(),
                with_geometry=True,
            )
            if a.level == level
        )

    cache = snap.lru("area-locators", LOCATOR_CACHE_SIZE)
    return cache.get_or_make((parent, level, day), load)


def locator(conn: Connection, snap: Snapshot, area: Area, title: str) -> Markup:
    """The locator map of the area, or nothing for a top-level area or one without
    a boundary to draw."""
    if not area.parent:
        return Markup("")
    siblings = locator_siblings(conn, snap, area.parent, area.level, area.valid_to)
    if not any(a.geometry for a in siblings):
        return Markup("")
    try:
        svg = locator_svg(
            siblings,
            highlight=area.code,
            title=title,
            cache_key=f"locator:{snap.token}:{area.parent}:{area.level}:{area.valid_to}",
        )
    except (MissingBoundariesError, UnknownAreaError):
        return Markup("")
    # svgmap builds the SVG from escaped parts (names, links, title).
    return Markup(svg)  # nosec B704
