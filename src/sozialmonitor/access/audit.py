"""The audit log: who did what, when and from where. Append-only.

There is a writer (``record``) and readers (``events``, ``export``); nothing updates
or deletes an event, and the database refuses it (a trigger, see migration 0004).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from sozialmonitor.access.clock import as_utc, now
from sozialmonitor.store.schema import audit_event

SYSTEM = "cli"
"""The actor of what the command line does (it runs with the database's rights)."""


@dataclass(frozen=True, kw_only=True)
class AuditEvent:
    id: int
    at: dt.datetime
    """When (UTC)."""
    actor: str
    """Account name, ``token:<id>``, ``cli``, or the name typed at a failed sign-in."""
    action: str
    """What happened, e.g. ``sign-in``, ``sign-in-failed``, ``role-changed``."""
    target: str
    """What it happened to (an account, a token), if anything."""
    address: str
    """Where from: the client address, or empty for the command line."""
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


def record(
    conn: Connection,
    action: str,
    *,
    actor: str,
    target: str = "",
    address: str = "",
    detail: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one event (in the caller's transaction)."""
    conn.execute(
        insert(audit_event).values(
            at=at or now(),
            actor=actor[:100],
            action=action,
            target=target[:200],
            address=address[:64],
            detail=json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True),
        )
    )


def events(
    conn: Connection, *, action: str | None = None, limit: int | None = None
) -> list[AuditEvent]:
    """The events, oldest first (the newest ``limit`` when given)."""
    query = select(audit_event).order_by(audit_event.c.id.desc())
    if action:
        query = query.where(audit_event.c.action == action)
    if limit:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    return [
        AuditEvent(
            id=r.id,
            at=as_utc(r.at),
            actor=r.actor,
            action=r.action,
            target=r.target,
            address=r.address,
            detail=json.loads(r.detail) if r.detail else {},
        )
        for r in reversed(rows)
    ]


def export(conn: Connection, path: Path) -> int:
    """Write every event to ``path`` as JSON Lines; the number written."""
    found = events(conn)
    with path.open("w", encoding="utf-8") as out:
        for event in found:
            out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
    return len(found)
