"""The hot-spot analyses of large levels kept in the database
(:mod:`sozialmonitor.store.hotspot_results`), so that a restarted portal serves
every view computed before at once.

Whose analysis a reader gets (:func:`analysed_audience`): the public its own, the
administration its own. A reader with an area scope reads the areas of the scope as
the administration does and every other area as the public does
(``store.area_rules``), so the analysis of a level depends on the scope — unless the
scope holds every area of the level: then the reader's values are the
administration's, value for value, and so is the analysis, which they share. Any
other scope has analyses of its own (even one without an area of the level: an
internal indicator is then read nowhere, which is not the public's view either).
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from sozialmonitor.analysis.service.cluster_worker import ClusterJob, CompactClusters
from sozialmonitor.analysis.spatial import (
    DEFAULT_ALPHA,
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    GlobalMoran,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.store import schema
from sozialmonitor.store.area_rules import subtree
from sozialmonitor.store.hotspot_results import (
    HotspotKey,
    StoredHotspot,
    read_hotspot,
    slice_pattern,
    store_hotspot,
)

METHOD_VERSION = 1
"""Raised when the analysis changes its results (stored ones are then unused)."""
logger = logging.getLogger(__name__)


def method(rule: str) -> str:
    """The analysis' parameters as part of the key."""
    return (
        f"lisa-{METHOD_VERSION};{rule};permutations={DEFAULT_PERMUTATIONS};"
        f"seed={DEFAULT_SEED};alpha={DEFAULT_ALPHA}"
    )


def analysed_audience(conn: Connection, audience: Audience, level: str) -> Audience:
    """Whose values the analysis of ``level`` for ``audience`` reads: the
    administration's for a scope that holds every area of the level (the same
    values), else the audience's own."""
    if not audience.scoped or audience.scope is None:
        return audience
    a, lvl = schema.area, schema.area_level
    codes = set(
        conn.scalars(
            select(a.c.code)
            .join(lvl, lvl.c.id == a.c.level_id)
            .where(lvl.c.code == level)
        )
    )
    if codes and codes <= subtree(conn, audience.scope):
        return Audience.INTERNAL
    return audience


def key_of(version: tuple[int, ...], job: ClusterJob) -> HotspotKey:
    return HotspotKey(
        version=version,
        audience=str(job.audience),
        indicator=job.indicator,
        level=job.level,
        period=job.period,
        method=method(job.rule),
    )


def pattern_of(conn: Connection, job: ClusterJob) -> str:
    """The slice's pattern digest; taken before the analysis reads its values, so
    that a result is never stored under a pattern newer than the one it read."""
    return slice_pattern(conn, job.indicator, job.period)


def lookup(
    conn: Connection, version: tuple[int, ...], job: ClusterJob, pattern: str
) -> CompactClusters | None:
    """The stored analysis of ``job`` at ``version`` under ``pattern``, if any."""
    found = read_hotspot(conn, key_of(version, job), pattern)
    if found is None:
        return None
    moran = found.moran
    return CompactClusters(
        codes=found.codes,
        kinds=found.kinds,
        n=found.n,
        moran=None
        if moran is None
        else GlobalMoran(
            i=float(moran["i"]),
            expected=float(moran["expected"]),
            z=float(moran["z"]),
            p_normal=float(moran["p_normal"]),
            p_value=float(moran["p_value"]),
            permutations=int(moran["permutations"]),
        ),
        note=found.note,
    )


def save(
    engine: Engine,
    version: tuple[int, ...],
    job: ClusterJob,
    pattern: str,
    found: CompactClusters,
) -> bool:
    """Store a finished analysis (in the serving process); a database that cannot
    be written (read-only, briefly away) costs a recomputation after a restart,
    never the page. Returns whether it was stored."""
    stored = StoredHotspot(
        codes=found.codes,
        kinds=found.kinds,
        n=found.n,
        moran=None if found.moran is None else dataclasses.asdict(found.moran),
        note=found.note,
    )
    try:
        with engine.begin() as conn:
            return store_hotspot(conn, key_of(version, job), pattern, stored)
    except SQLAlchemyError as error:
        logger.warning("A hot-spot analysis could not be stored: %s", error)
        return False
