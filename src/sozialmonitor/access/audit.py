"""The audit log: who did what, when and from where. Append-only.

There is a writer (``record``) and readers (``events``, ``export``, and for the
administration's page ``newest``/``count``/``action_names``); nothing updates or
deletes an event, and the database refuses it (a trigger, see migration 0004).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select

from sozialmonitor.access.clock import as_utc, now
from sozialmonitor.store.schema import audit_event

ACTION_LENGTH = audit_event.c.action.type.length or 60
ACTOR_LENGTH = audit_event.c.actor.type.length or 100
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
    return [_event(r) for r in reversed(rows)]


@dataclass(frozen=True, kw_only=True)
class EventFilter:
    """Which events to read; an empty field matches every event."""

    action: str = ""
    """Exactly this action."""
    actor: str = ""
    """Exactly this actor."""

    @property
    def matches_nothing(self) -> bool:
        """Whether no event can match: a value longer than its column holds, or
        with control characters (which PostgreSQL would refuse to compare)."""
        limits = ((self.action, ACTION_LENGTH), (self.actor, ACTOR_LENGTH))
        return any(
            len(value) > limit or any(ord(ch) < 32 for ch in value)
            for value, limit in limits
        )


def _where(query: Select[Any], only: EventFilter) -> Select[Any]:
    if only.action:
        query = query.where(audit_event.c.action == only.action)
    if only.actor:
        query = query.where(audit_event.c.actor == only.actor)
    return query


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=as_utc(row.at),
        actor=row.actor,
        action=row.action,
        target=row.target,
        address=row.address,
        detail=json.loads(row.detail) if row.detail else {},
    )


def newest(
    conn: Connection,
    only: EventFilter,
    *,
    limit: int,
    offset: int = 0,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """At most ``limit`` matching events, newest first: skipping ``offset`` (a page)
    or only those older than event ``before_id`` (the next batch of an export). Only
    these rows are read, however long the log is."""
    if only.matches_nothing:
        return []
    query = _where(select(audit_event), only).order_by(audit_event.c.id.desc())
    if before_id is not None:
        query = query.where(audit_event.c.id < before_id)
    rows = conn.execute(query.limit(limit).offset(offset)).all()
    return [_event(r) for r in rows]


def count(conn: Connection, only: EventFilter) -> int:
    """How many events match."""
    if only.matches_nothing:
        return 0
    query = _where(select(func.count()).select_from(audit_event), only)
    return int(conn.scalar(query) or 0)


def action_names(conn: Connection) -> list[str]:
    """Every action the log holds, alphabetically (for a filter's choices)."""
    query = select(audit_event.c.action).distinct().order_by(audit_event.c.action)
    return list(conn.scalars(query))


def export(conn: Connection, path: Path) -> int:
    """Write every event to ``path`` as JSON Lines; the number written."""
    found = events(conn)
    with path.open("w", encoding="utf-8") as out:
        for event in found:
            out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
    return len(found)
