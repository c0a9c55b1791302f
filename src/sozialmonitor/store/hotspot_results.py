"""Stored hot-spot analyses (LISA) of the large levels, one data version at a time.

An analysis of Germany's 10,786 municipalities takes about a second, every indicator
and period of such a level some minutes; kept in memory only, a restarted portal
would compute them all again. They are kept here, keyed by what decides their
inputs:

- the data version (``data_version``): a publication, an import, a new area or
  indicator makes the stored analyses unused, and the next write removes them (the
  table holds one data version's analyses);
- the digest of the slice's suppression pattern (``slice_pattern``): an area scope
  protected anew (``scope_reprotection``) hides more cells without a new data
  version, and an analysis of the values before must not be served after;
- the audience whose values were analysed (``public``, ``internal``,
  ``internal:<area>``): a public read finds only analyses of public values;
- indicator, level, period and the method's parameters.

Only the process that serves pages writes here (the worker process computes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from sozialmonitor.store import schema
from sozialmonitor.store.data_version import data_version


@dataclass(frozen=True, kw_only=True)
class HotspotKey:
    """What identifies one stored analysis."""

    version: tuple[int, ...]
    """The data version the analysis read."""
    audience: str
    """Whose values: ``str(Audience)``."""
    indicator: str
    level: str
    period: str
    method: str
    """The neighbour rule and the analysis' parameters, as one text."""


@dataclass(frozen=True, kw_only=True)
class StoredHotspot:
    """One analysis as stored: the areas, a byte per area and the statement."""

    codes: tuple[str, ...]
    """The analysed areas in order; empty when the level has no boundaries."""
    kinds: bytes
    """Each area's cluster as a byte."""
    n: int
    """Areas in the statistics."""
    moran: Mapping[str, float | int] | None
    """Moran's I and its fields (``i``, ``expected``, ``z``, ``p_normal``,
    ``p_value``, ``permutations``); None: no test."""
    note: str


def version_text(version: tuple[int, ...]) -> str:
    return ",".join(str(part) for part in version)


def slice_pattern(conn: Connection, indicator: str, period: str) -> str:
    """Digest of what the read gate applies to the slice: its stored suppression
    patterns (cells and slices of every release)."""
    ind = schema.indicator
    found = conn.scalar(select(ind.c.id).where(ind.c.code == indicator))
    if found is None:
        return hashlib.sha256(b"no indicator").hexdigest()
    cell, slc = schema.suppressed_cell, schema.suppression_slice
    cells = conn.execute(
        select(cell.c.release_id, cell.c.area_id, cell.c.reason)
        .where(cell.c.indicator_id == found, cell.c.period == period)
        .order_by(cell.c.release_id, cell.c.area_id)
    ).all()
    slices = conn.execute(
        select(slc.c.release_id, slc.c.method, slc.c.hidden, slc.c.exposed)
        .where(slc.c.indicator_id == found, slc.c.period == period)
        .order_by(slc.c.release_id)
    ).all()
    text = json.dumps([[list(r) for r in cells], [list(r) for r in slices]])
    return hashlib.sha256(text.encode()).hexdigest()


def read_hotspot(
    conn: Connection, key: HotspotKey, pattern: str
) -> StoredHotspot | None:
    """The stored analysis of ``key`` made under ``pattern``; None if there is none."""
    res, areas = schema.hotspot_result, schema.hotspot_areas
    row = conn.execute(
        select(res.c.kinds, res.c.n, res.c.moran, res.c.note, areas.c.codes)
        .join(areas, areas.c.digest == res.c.areas)
        .where(
            res.c.version == version_text(key.version),
            res.c.audience == key.audience,
            res.c.indicator == key.indicator,
            res.c.level == key.level,
            res.c.period == key.period,
            res.c.method == key.method,
            res.c.pattern == pattern,
        )
    ).first()
    if row is None:
        return None
    codes = tuple(row.codes.split("\n")) if row.codes else ()
    kinds = bytes.fromhex(row.kinds)
    if len(codes) != len(kinds):  # pragma: no cover - written together
        return None
    return StoredHotspot(
        codes=codes,
        kinds=kinds,
        n=int(row.n),
        moran=json.loads(row.moran) if row.moran else None,
        note=row.note,
    )


def write_hotspot(
    conn: Connection, key: HotspotKey, pattern: str, result: StoredHotspot
) -> bool:
    """Store ``result`` if ``key`` names the current data version (an analysis
    that finishes after a change is not kept), and remove the analyses of every
    other data version. Returns whether it was stored. Runs in the caller's
    transaction."""
    if data_version(conn) != key.version:
        return False
    version = version_text(key.version)
    res, areas = schema.hotspot_result, schema.hotspot_areas
    conn.execute(delete(res).where(res.c.version != version))
    conn.execute(delete(areas).where(areas.c.version != version))
    codes = "\n".join(result.codes)
    digest = hashlib.sha256(codes.encode()).hexdigest()
    if conn.scalar(select(areas.c.digest).where(areas.c.digest == digest)) is None:
        conn.execute(insert(areas).values(digest=digest, version=version, codes=codes))
    where = (
        (res.c.version == version)
        & (res.c.audience == key.audience)
        & (res.c.indicator == key.indicator)
        & (res.c.level == key.level)
        & (res.c.period == key.period)
        & (res.c.method == key.method)
    )
    conn.execute(delete(res).where(where))
    conn.execute(
        insert(res).values(
            version=version,
            audience=key.audience,
            indicator=key.indicator,
            level=key.level,
            period=key.period,
            method=key.method,
            pattern=pattern,
            areas=digest,
            kinds=result.kinds.hex(),
            n=result.n,
            moran=json.dumps(dict(result.moran)) if result.moran is not None else "",
            note=result.note,
            computed_at=dt.datetime.now(dt.UTC),
        )
    )
    return True


def store_hotspot(
    conn: Connection, key: HotspotKey, pattern: str, result: StoredHotspot
) -> bool:
    """:func:`write_hotspot` in a savepoint: another process storing the same
    analysis at the same moment wins, and this write is dropped."""
    try:
        with conn.begin_nested():
            return write_hotspot(conn, key, pattern, result)
    except IntegrityError:
        return False
