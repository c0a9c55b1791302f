"""Hot-spot analyses in a worker process, apart from the process that serves pages.

One analysis of Germany's 10,786 municipalities takes about a second of one core,
and the portal computes every indicator and period of such a level ahead (some
minutes per data version). Run in a thread of the serving process, that work holds
the interpreter lock half the time, and every page waits for it: first requests
took twice as long for the ten minutes the round ran. In a child process (started
once, ``spawn``, at a lower scheduling priority) it takes the other core instead.

The child reads the same database through its own engine (one per engine of the
parent, so that its contiguity cache is as fresh as the parent's would be) and
sends back only what a page keeps: :class:`CompactClusters`, a byte per area.
In-memory SQLite databases (which a second process cannot open) are analysed in a
thread of this process, as are the few analyses small enough to run while a
request waits.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import uuid
import weakref
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy import Engine

from sozialmonitor.analysis.service.clusters import spatial_level
from sozialmonitor.analysis.spatial import Cluster, GlobalMoran
from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import MissingBoundariesError
from sozialmonitor.lru import Lru

CHILD_PRIORITY = 10
"""``nice`` increment of the worker process: requests come first."""
CHILD_ENGINES = 4
"""Engines the worker keeps (one per database of the parent; tests use many)."""
KINDS: tuple[Cluster, ...] = tuple(Cluster)
"""A cluster's byte in :attr:`CompactClusters.kinds` is its index here."""


@dataclass(frozen=True, kw_only=True)
class CompactClusters:
    """What a page keeps of ``stats spatial``'s report: the analysed areas' codes
    and each one's cluster as a byte (its index in ``KINDS``), some 11 KB at
    Germany size."""

    codes: tuple[str, ...]
    """The areas in the analysis; empty when the level has no boundaries."""
    kinds: bytes
    n: int
    """Areas in the statistics."""
    moran: GlobalMoran | None
    note: str
    """Why there is no Moran's I (the report's note, or the missing boundaries)."""


@dataclass(frozen=True)
class ClusterJob:
    """One analysis: an indicator on a level in a period, for an audience."""

    indicator: str
    level: str
    period: str
    rule: str
    audience: Audience


def compact_clusters(engine: Engine, job: ClusterJob) -> CompactClusters:
    """The analysis of ``job`` in this process (the same as ``stats spatial``)."""
    with engine.connect() as conn:
        try:
            report = spatial_level(
                conn,
                indicator=job.indicator,
                level=job.level,
                period=job.period,
                rule=job.rule,
                audience=job.audience,
            )
        except MissingBoundariesError as error:
            return CompactClusters(
                codes=(), kinds=b"", n=0, moran=None, note=error.message
            )
    return CompactClusters(
        codes=tuple(area.code for area in report.areas),
        kinds=bytes(KINDS.index(local.cluster) for local in report.analysis.local),
        n=report.analysis.n,
        moran=report.analysis.moran,
        note=report.analysis.note,
    )


def submit(engine: Engine, job: ClusterJob) -> Future[CompactClusters]:
    """Start ``job`` in the worker process (queued behind the jobs before it);
    in a thread of this process for an in-memory database."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and (
        not database or database == ":memory:" or database.startswith("file:")
    ):
        return _threads().submit(compact_clusters, engine, job)
    url = engine.url.render_as_string(hide_password=False)
    token = _token(engine)
    with _lock:
        try:
            try:
                return _process().submit(_in_child, url, token, job)
            except BrokenProcessPool:  # the worker died (killed, out of memory)
                _reset()
                return _process().submit(_in_child, url, token, job)
        except (OSError, RuntimeError) as error:
            # No process can be started here (a program that embeds the app
            # without the ``if __name__ == "__main__"`` guard, a process limit):
            # slower pages while the analyses run, but the analyses still run.
            _reset()
            if not _warned.is_set():
                _warned.set()
                logging.getLogger(__name__).warning(
                    "The hot-spot analyses run in this process: no worker process "
                    "could be started (%s).",
                    error,
                )
    return _threads().submit(compact_clusters, engine, job)


_lock = threading.Lock()
_warned = threading.Event()
_pool: Executor | None = None
_thread_pool: Executor | None = None
_tokens: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()
_child_engines = Lru(CHILD_ENGINES)
"""In the worker process: token → engine (disposed after each analysis, so that
it holds no connection between them)."""


def _process() -> Executor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=os.nice,
            initargs=(CHILD_PRIORITY,),
        )
    return _pool


def _reset() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None


def _threads() -> Executor:
    global _thread_pool
    with _lock:
        if _thread_pool is None:
            _thread_pool = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="sozialmonitor-lisa"
            )
        return _thread_pool


def _token(engine: Engine) -> str:
    """Names the parent's engine to the worker: a new engine (a test's new
    database at the same URL) gets a new engine, and fresh caches, there."""
    with _lock:
        found = _tokens.get(engine)
        if found is None:
            found = _tokens[engine] = uuid.uuid4().hex
        return found


def _in_child(url: str, token: str, job: ClusterJob) -> CompactClusters:
    from sozialmonitor.store.database import connect

    engine: Engine = _child_engines.get_or_make(token, lambda: connect(url))
    try:
        return compact_clusters(engine, job)
    finally:
        engine.dispose()
