"""Stored release digests ("Was hat sich verändert?"), one JSON document per
release and audience, computed when a release is published
(``store.publication``) so that no page view reads every value a release brings.

A stored digest is valid while what its reads depended on is unchanged; its
:func:`digest_fingerprint` covers

- the catalogue (indicators, their revisions: visibility, ``min_count``, links),
  the areas and the internal levels;
- the published releases up to the digest's (which one is "the previous");
- the suppression patterns of those releases (cells and slices): a scope
  protected anew (``scope_reprotection``) or a withdrawal's re-protection hides
  cells without changing the data version, and a stored statement on a value now
  hidden must not be served.

A reader compares the stored fingerprint with the current one and computes the
digest anew when they differ (``analysis.digest_record.stored_digest``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from sozialmonitor.domain.indicator import Visibility
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.store import schema


def digest_fingerprint(conn: Connection, release: Release) -> str:
    """SHA-256 of what a digest of ``release`` reads through the gate depends on."""
    rel, ind, lvl = schema.release, schema.indicator, schema.area_level
    catalogue = conn.execute(
        select(
            select(func.count()).select_from(ind).scalar_subquery(),
            select(func.coalesce(func.sum(ind.c.revision), 0)).scalar_subquery(),
            select(func.count()).select_from(schema.area).scalar_subquery(),
        )
    ).one()
    internal_levels = sorted(
        conn.scalars(
            select(lvl.c.id).where(lvl.c.visibility != Visibility.PUBLIC.value)
        )
    )
    published = conn.execute(
        select(rel.c.id, rel.c.sequence)
        .where(
            rel.c.status == ReleaseStatus.PUBLISHED.value,
            rel.c.sequence <= (release.sequence or 0),
        )
        .order_by(rel.c.sequence)
    ).all()
    ids = sorted({int(r.id) for r in published} | {_release_id(conn, release)})
    cell, slc = schema.suppressed_cell, schema.suppression_slice
    cells = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(cell.c.area_id), 0),
            func.coalesce(func.sum(cell.c.indicator_id), 0),
            func.coalesce(func.sum(cell.c.release_id), 0),
        ).where(cell.c.release_id.in_(ids))
    ).one()
    slices = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(slc.c.hidden), 0),
            func.coalesce(func.sum(slc.c.exposed), 0),
            func.coalesce(func.sum(slc.c.indicator_id), 0),
        ).where(slc.c.release_id.in_(ids))
    ).one()
    text = json.dumps(
        [
            [int(n) for n in catalogue],
            internal_levels,
            [[int(r.id), int(r.sequence)] for r in published],
            [int(n) for n in cells],
            [int(n) for n in slices],
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _release_id(conn: Connection, release: Release) -> int:
    rel = schema.release
    found = conn.scalar(select(rel.c.id).where(rel.c.name == release.name))
    return int(found) if found is not None else -1


def read_stored_digest(
    conn: Connection, release: Release, audience: str
) -> tuple[str, dict[str, Any]] | None:
    """The stored fingerprint and document of ``release`` for ``audience``."""
    table = schema.release_digest
    row = conn.execute(
        select(table.c.fingerprint, table.c.document).where(
            table.c.release_id == _release_id(conn, release),
            table.c.audience == audience,
        )
    ).first()
    if row is None:
        return None
    return row.fingerprint, json.loads(row.document)


def write_stored_digest(
    conn: Connection,
    release: Release,
    audience: str,
    fingerprint: str,
    document: dict[str, Any],
) -> None:
    """Store (or replace) the digest of ``release`` for ``audience``; in the
    caller's transaction."""
    table = schema.release_digest
    release_id = _release_id(conn, release)
    conn.execute(
        delete(table).where(
            table.c.release_id == release_id, table.c.audience == audience
        )
    )
    conn.execute(
        insert(table).values(
            release_id=release_id,
            audience=audience,
            fingerprint=fingerprint,
            document=json.dumps(document, ensure_ascii=False),
            computed_at=dt.datetime.now(dt.UTC),
        )
    )
