"""The map of data gaps, its matrix: the reader's gap matrix of one top area (kept
per data version, audience and top area on the snapshot), a level's and topic's
part of it, and its rows for the downloads and the API."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as StillRunning
from typing import Any

from sqlalchemy import Engine

from sozialmonitor.analysis.gaps import GapMatrix, gap_matrix
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import StillComputingError
from sozialmonitor.store.gap_counts import (
    GapCount,
    counting_audience,
    read_gap_counts,
    read_gap_counts_for,
)
from sozialmonitor.web.pages.area_index import by_rank, top_areas
from sozialmonitor.web.snapshot import Snapshot, snapshot


def gap_tops(snap: Snapshot) -> list[Area]:
    """The top areas a reader chooses between (``?gebiet=``): the largest level
    first, then by name; the first is the default. With one top area there is
    nothing to choose and the matrix counts all."""
    return by_rank(snap, top_areas(snap))


def chosen_top(snap: Snapshot, code: str) -> str | None:
    """The top area whose matrix is shown: ``code`` when it is a top area, else
    the first one; None when the database has a single top area (or none)."""
    tops = gap_tops(snap)
    if len(tops) < 2:
        return None
    return code if any(a.code == code for a in tops) else tops[0].code


def matrix_for(engine: Engine, audience: Audience, top: str | None = None) -> GapMatrix:
    """The gap matrix the audience may see of one top area (None: all areas),
    computed once per data version (a scoped reader gets the public one:
    ``counting_audience``). Blocks until it is there: for the keep-warm thread;
    a request asks :func:`ready_matrix`."""
    snap = snapshot(engine, counting_audience(audience))
    return snap.remember(("gap-matrix", top), lambda: _matrix(engine, snap, top))


WAIT_SECONDS = 3.0
"""How long a request waits for the gap matrix before it says "being computed"."""
RETRY_AFTER = 30
"""Seconds a reader is asked to wait then (Germany size: about half a minute)."""


def ready_matrix(
    engine: Engine, audience: Audience, top: str | None = None
) -> GapMatrix:
    """The gap matrix if it is there within ``WAIT_SECONDS``; else its computation
    goes on in the background (started here once per data version, unless the
    keep-warm thread is at it) and the reader is told to come back.

    Raises
    ------
    StillComputingError
        While the matrix is being computed.
    """
    job = start_gap_matrix(engine, audience, top)
    try:
        return job.result(timeout=WAIT_SECONDS)
    except StillRunning:
        raise StillComputingError(
            "The map of data gaps is being computed; try again in half a minute.",
            RETRY_AFTER,
        ) from None


def start_gap_matrix(
    engine: Engine, audience: Audience, top: str | None = None
) -> Future[GapMatrix]:
    """The computation of the audience's gap matrix of a top area (None: all
    areas) for the current data version, started in a thread of its own unless it
    runs or ran already (a failed one is started again by the next call)."""
    snap = snapshot(engine, counting_audience(audience))
    key = ("gap-matrix-job", top)

    def start() -> Future[GapMatrix]:
        return snap.remember(key, lambda: _in_background(engine, audience, top))

    job = start()
    if job.done() and job.exception() is not None:
        # A failed count (the database briefly away) is not kept for the whole
        # data version: the requests that waited for it got the error, the next
        # one starts it again.
        snap.forget(key, job)
        job = start()
    return job


def _in_background(
    engine: Engine, audience: Audience, top: str | None
) -> Future[GapMatrix]:
    future: Future[GapMatrix] = Future()

    def run() -> None:
        try:
            future.set_result(matrix_for(engine, audience, top))
        except BaseException as exc:  # handed to the request that waits
            future.set_exception(exc)

    threading.Thread(target=run, name="sozialmonitor-gap-count", daemon=True).start()
    return future


COUNTED = (Audience.PUBLIC, Audience.INTERNAL)
"""The audiences whose counts are read together, with one scan of the values."""


def _both(engine: Engine, top: str | None) -> dict[Audience, list[GapCount]]:
    with engine.connect() as conn:
        return read_gap_counts_for(conn, COUNTED, within=top)


def _matrix(engine: Engine, snap: Snapshot, top: str | None) -> GapMatrix:
    shared = snapshot(engine, Audience.INTERNAL)
    if shared.version == snap.version:
        # Kept on the administration's snapshot; each audience gets its own part.
        counts = shared.remember(("gap-counts", top), lambda: _both(engine, top))[
            snap.audience
        ]
    else:  # the data changed between the two snapshots: read for this one alone
        with engine.connect() as conn:
            counts = read_gap_counts(conn, audience=snap.audience, within=top)
    roots = [top] if top is not None else [a.code for a in top_areas(snap)]

    def areas_in_period(level: str, period: str) -> int:
        day = parse_period(period).end
        return sum(len(snap.areas_on(root, level, day)) for root in roots)

    return gap_matrix(
        counts,
        indicators=snap.indicators,
        levels=visible_levels(snap, top),
        areas_per_level=level_counts(snap, top),
        areas_in_period=areas_in_period,
    )


def level_counts(snap: Snapshot, top: str | None) -> dict[str, int]:
    """Level code → number of areas (of one top area and the areas below it)."""
    if top is None:
        return snap.level_counts
    found: dict[str, int] = {}
    for code, root in snap.root_of.items():
        if root == top:
            level = snap.areas[code].level
            found[level] = found.get(level, 0) + 1
    return found


def visible_levels(snap: Snapshot, top: str | None = None) -> tuple[AreaLevel, ...]:
    """The levels with areas the snapshot's audience may see (of one top area),
    largest first."""
    counts = level_counts(snap, top)
    return tuple(
        lvl
        for lvl in snap.levels
        if (snap.audience.internal or not lvl.internal) and counts.get(lvl.code)
    )


def selected_matrix(
    engine: Engine,
    snap: Snapshot,
    level: str | None,
    topic: str | None,
    top: str | None = None,
) -> GapMatrix:
    """The reader's matrix of one top area (None: all areas) for one level and
    topic (None: all).

    Raises
    ------
    StillComputingError
        While the matrix is being computed (see :func:`ready_matrix`).
    """
    matrix = ready_matrix(engine, snap.audience, top)
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
