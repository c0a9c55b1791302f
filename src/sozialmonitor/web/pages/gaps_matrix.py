"""The map of data gaps, its matrix: the reader's gap matrix (kept per data
version and audience on the snapshot), a level's and topic's part of it, and its
rows for the downloads and the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from sozialmonitor.analysis.gaps import GapMatrix, gap_matrix
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import AreaLevel
from sozialmonitor.store.gap_counts import (
    GapCount,
    counting_audience,
    read_gap_counts,
    read_gap_counts_for,
)
from sozialmonitor.web.snapshot import Snapshot, snapshot


def matrix_for(engine: Engine, audience: Audience) -> GapMatrix:
    """The gap matrix the audience may see, computed once per data version (a
    scoped reader gets the public one: ``counting_audience``)."""
    snap = snapshot(engine, counting_audience(audience))
    return snap.remember("gap-matrix", lambda: _matrix(engine, snap))


COUNTED = (Audience.PUBLIC, Audience.INTERNAL)
"""The audiences whose counts are read together, with one scan of the values."""


def _both(engine: Engine) -> dict[Audience, list[GapCount]]:
    with engine.connect() as conn:
        return read_gap_counts_for(conn, COUNTED)


def _matrix(engine: Engine, snap: Snapshot) -> GapMatrix:
    shared = snapshot(engine, Audience.INTERNAL)
    if shared.version == snap.version:
        # Kept on the administration's snapshot; each audience gets its own part.
        counts = shared.remember("gap-counts", lambda: _both(engine))[snap.audience]
    else:  # the data changed between the two snapshots: read for this one alone
        with engine.connect() as conn:
            counts = read_gap_counts(conn, audience=snap.audience)
    levels = visible_levels(snap)
    return gap_matrix(
        counts,
        indicators=snap.indicators,
        levels=levels,
        areas_per_level=snap.level_counts,
    )


def visible_levels(snap: Snapshot) -> tuple[AreaLevel, ...]:
    """The levels with areas the snapshot's audience may see, largest first."""
    return tuple(
        lvl
        for lvl in snap.levels
        if (snap.audience.internal or not lvl.internal)
        and snap.level_counts.get(lvl.code)
    )


def selected_matrix(
    engine: Engine, snap: Snapshot, level: str | None, topic: str | None
) -> GapMatrix:
    """The reader's matrix for one level and topic (None: all)."""
    matrix = matrix_for(engine, snap.audience)
    chosen = snap.topic(topic) if topic else None
    return matrix.selected(
        levels=[level] if level else None,
        indicators=[i.id for i in chosen.indicators] if chosen else None,
    )


DOWNLOAD_COLUMNS = (
    "indicator",
    "indicator_name",
    "topic",
    "level",
    "level_label",
    "period",
    "status",
    "areas_with_values",
    "areas",
    "suppressed",
    "provisional",
    "confidential",
    "computed",
)


def download_rows(matrix: GapMatrix) -> list[dict[str, Any]]:
    """The matrix as rows of ``DOWNLOAD_COLUMNS`` (downloads and API)."""
    names = {i.id: i for i in matrix.indicators}
    labels = {lvl.code: lvl.label for lvl in matrix.levels}
    return [
        {
            "indicator": cell.indicator,
            "indicator_name": names[cell.indicator].name,
            "topic": names[cell.indicator].topic,
            "level": cell.level,
            "level_label": labels[cell.level],
            "period": cell.period,
            "status": cell.status.value,
            "areas_with_values": cell.areas_with_values,
            "areas": cell.areas,
            "suppressed": cell.suppressed,
            "provisional": cell.provisional,
            "confidential": cell.confidential,
            "computed": cell.computed,
        }
        for cell in matrix.rows()
    ]
