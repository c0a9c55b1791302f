"""The map of data gaps, its matrix: the reader's gap matrix (kept per data
version and audience on the snapshot), a level's and topic's part of it, and its
rows for the downloads and the API."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as StillRunning
from typing import Any

from sqlalchemy import Engine

from sozialmonitor.analysis.gaps import GapMatrix, gap_matrix
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import AreaLevel
from sozialmonitor.errors import StillComputingError
from sozialmonitor.store.gap_counts import (
    GapCount,
    counting_audience,
    read_gap_counts,
    read_gap_counts_for,
)
from sozialmonitor.web.snapshot import Snapshot, snapshot


def matrix_for(engine: Engine, audience: Audience) -> GapMatrix:
    """The gap matrix the audience may see, computed once per data version (a
    scoped reader gets the public one: ``counting_audience``). Blocks until it is
    there: for the keep-warm thread; a request asks :func:`ready_matrix`."""
    snap = snapshot(engine, counting_audience(audience))
    return snap.remember("gap-matrix", lambda: _matrix(engine, snap))


WAIT_SECONDS = 3.0
"""How long a request waits for the gap matrix before it says "being computed"."""
RETRY_AFTER = 30
"""Seconds a reader is asked to wait then (Germany size: about half a minute)."""


def ready_matrix(engine: Engine, audience: Audience) -> GapMatrix:
    """The gap matrix if it is there within ``WAIT_SECONDS``; else its computation
    goes on in the background (started here once per data version, unless the
    keep-warm thread is at it) and the reader is told to come back.

    Raises
    ------
    StillComputingError
        While the matrix is being computed.
    """
    job = start_gap_matrix(engine, audience)
    try:
        return job.result(timeout=WAIT_SECONDS)
    except StillRunning:
        raise StillComputingError(
            "The map of data gaps is being computed; try again in half a minute.",
            RETRY_AFTER,
        ) from None


def start_gap_matrix(engine: Engine, audience: Audience) -> Future[GapMatrix]:
    """The computation of the audience's gap matrix for the current data version,
    started in a thread of its own unless it runs or ran already."""
    snap = snapshot(engine, counting_audience(audience))
    return snap.remember("gap-matrix-job", lambda: _in_background(engine, audience))


def _in_background(engine: Engine, audience: Audience) -> Future[GapMatrix]:
    future: Future[GapMatrix] = Future()

    def run() -> None:
        try:
            future.set_result(matrix_for(engine, audience))
        except BaseException as exc:  # handed to the request that waits
            future.set_exception(exc)

    threading.Thread(target=run, name="sozialmonitor-gap-count", daemon=True).start()
    return future


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
    """The reader's matrix for one level and topic (None: all).

    Raises
    ------
    StillComputingError
        While the matrix is being computed (see :func:`ready_matrix`).
    """
    matrix = ready_matrix(engine, snap.audience)
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
