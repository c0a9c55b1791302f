"""``/api/v1``: indicators, areas and observations as JSON."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import (
    UnknownAreaError,
    UnknownIndicatorError,
    UnknownLevelError,
    UnknownTopicError,
)
from sozialmonitor.store import queries
from sozialmonitor.web.page import current_snapshot
from sozialmonitor.web.pages.gaps_matrix import (
    download_rows,
    gap_tops,
    level_counts,
    selected_matrix,
    visible_levels,
)
from sozialmonitor.web.session import audience_of

router = APIRouter(prefix="/api/v1")


def _split(values: list[str] | None) -> list[str] | None:
    """Repeated parameters and comma-separated lists both work."""
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@router.get("/indicators")
def indicators(request: Request) -> dict[str, Any]:
    audience = audience_of(request)
    with request.app.state.engine.connect() as conn:
        found = queries.list_indicators(conn, audience=audience)
        latest = queries.latest_published(conn)
    return {
        "release": latest.to_dict() if latest else None,
        "indicators": [i.to_dict() for i in found],
    }


@router.get("/areas")
def areas(
    request: Request,
    level: str | None = None,
    parent: str | None = None,
    geometry: Annotated[
        bool, Query(description="Return GeoJSON with boundaries.")
    ] = False,
) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        found = queries.list_areas(
            conn, level=level, parent=parent, with_geometry=geometry
        )
        levels = queries.list_levels(conn)
    if geometry:
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": a.code,
                    "properties": a.to_dict(),
                    "geometry": json.loads(a.geometry) if a.geometry else None,
                }
                for a in found
            ],
        }
    return {
        "levels": [{"code": lvl.code, "label": lvl.label} for lvl in levels],
        "areas": [a.to_dict() for a in found],
    }


@router.get("/observations")
def observations(
    request: Request,
    indicator: Annotated[
        list[str] | None, Query(description="Indicator id(s).")
    ] = None,
    area: Annotated[list[str] | None, Query(description="Area code(s).")] = None,
    level: Annotated[str | None, Query(description="All areas of this level.")] = None,
    period_from: Annotated[str | None, Query(alias="from")] = None,
    period_to: Annotated[str | None, Query(alias="to")] = None,
    as_of: Annotated[str | None, Query(description="Read as of this release.")] = None,
    cursor: Annotated[
        str | None,
        Query(
            description="Without indicator and area the answer is paged, one "
            "indicator a page in catalogue order: the ``next`` of the previous page."
        ),
    ] = None,
) -> dict[str, Any]:
    """Stored values through the public read gate. Without indicator and area:
    every indicator's values, a page each; ``next`` names the following page."""
    indicators, areas_ = _split(indicator), _split(area)
    audience = audience_of(request)
    following: str | None = None
    with request.app.state.engine.connect() as conn:
        if not indicators and not areas_:
            indicators, following = _page(conn, cursor, audience)
        query = queries.ObservationQuery(
            indicators=indicators,
            areas=areas_,
            level=level or None,
            period_from=parse_period(period_from) if period_from else None,
            period_to=parse_period(period_to) if period_to else None,
            as_of=as_of or None,
        )
        found = (
            queries.read_observations(conn, query, audience=audience)
            if indicators or areas_
            else []
        )
        release = (
            queries.get_release(conn, as_of)
            if as_of
            else queries.latest_published(conn)
        )
    return {
        "release": release.to_dict() if release else None,
        "observations": [o.to_dict() for o in found],
        "next": following,
    }


def _page(
    conn: Connection, cursor: str | None, audience: Audience
) -> tuple[list[str], str | None]:
    """The indicator of the page ``cursor`` names (the first without one) and the
    cursor of the following page."""
    catalogue = [i.id for i in queries.list_indicators(conn, audience=audience)]
    if cursor is None:
        position = 0
    elif cursor in catalogue:
        position = catalogue.index(cursor)
    else:
        raise UnknownIndicatorError(
            f"The cursor '{cursor[:80]}' names no page: start without a cursor."
        )
    page = catalogue[position : position + 1]
    following = catalogue[position + 1] if position + 1 < len(catalogue) else None
    return page, following


@router.get("/gaps")
def gaps(
    request: Request,
    level: Annotated[str | None, Query(description="Only this area level.")] = None,
    topic: Annotated[
        str | None, Query(description="Only this topic (its slug, e.g. 'arbeit').")
    ] = None,
    area: Annotated[
        str | None,
        Query(description="Only this top-level area and the areas below it."),
    ] = None,
) -> dict[str, Any]:
    """The map of data gaps: per indicator, area level and period the status
    (present, partly, suppressed, missing), the areas with values of the level's
    areas, and the suppressed, provisional and confidential ones."""
    snap = current_snapshot(request)
    tops = gap_tops(snap)
    if area is not None and all(a.code != area for a in tops):
        known = ", ".join(a.code for a in tops)
        raise UnknownAreaError(
            f"'{area[:80]}' is not a top-level area. Top-level areas: {known}."
        )
    levels = visible_levels(snap, area)
    if level is not None and all(lvl.code != level for lvl in levels):
        known = ", ".join(lvl.code for lvl in levels)
        raise UnknownLevelError(
            f"There is no area level '{level[:80]}'. Known levels: {known}."
        )
    if topic is not None and snap.topic(topic) is None:
        known = ", ".join(t.slug for t in snap.topics)
        raise UnknownTopicError(f"There is no topic '{topic[:80]}'. Topics: {known}.")
    matrix = selected_matrix(request.app.state.engine, snap, level, topic, area)
    counts = level_counts(snap, area)
    return {
        "release": snap.release.to_dict() if snap.release else None,
        "levels": [
            {"code": lvl.code, "label": lvl.label, "areas": counts[lvl.code]}
            for lvl in matrix.levels
        ],
        "periods": list(matrix.periods),
        "cells": download_rows(matrix),
    }
