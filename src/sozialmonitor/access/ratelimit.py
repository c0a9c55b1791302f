"""Sign-in attempts, rate-limited per account name and per client address.

Every attempt is stored (so the limit holds across processes and restarts). Too many
failures for a name, or from an address, within ``WINDOW`` lock further attempts
until the oldest of them leaves the window. A name that does not exist is limited
the same way, so a lock tells nothing about which names exist.

Attempts older than ``WINDOW`` count for nothing, and each new attempt removes some
of them (``prune``), so the table holds about one window's attempts.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, and_, delete, func, insert, select

from sozialmonitor.access import audit
from sozialmonitor.access.clock import now
from sozialmonitor.store.schema import sign_in_attempt

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
"""Failed sign-ins for one name within the window before it is locked."""
ADDRESS_LIMIT = 20
"""Failed sign-ins from one address within the window before it is locked."""
KEPT = WINDOW
"""How long an attempt is kept: the longest window any count looks back (a name's
last success restarts its count only within ``WINDOW`` too)."""
PRUNE_BATCH = 100
"""The oldest attempts (by id) one new attempt looks at to remove: bounded work per
sign-in, far more than the one row it adds, so the backlog of a quiet spell goes
within a few sign-ins."""


def _failures(conn: Connection, column: str, value: str, at: dt.datetime) -> int:
    col = sign_in_attempt.c[column]
    since = at - WINDOW
    if column == "name":
        # A success for the name restarts its count (the address's count stays).
        last_success = (
            select(func.max(sign_in_attempt.c.at))
            .where(and_(col == value, sign_in_attempt.c.succeeded.is_(True)))
            .scalar_subquery()
        )
        since_clause = sign_in_attempt.c.at > func.coalesce(last_success, since)
    else:
        since_clause = sign_in_attempt.c.at > since
    return int(
        conn.scalar(
            select(func.count()).where(
                col == value,
                sign_in_attempt.c.succeeded.is_(False),
                sign_in_attempt.c.at > since,
                since_clause,
            )
        )
        or 0
    )


def is_locked(
    conn: Connection, name: str, address: str, *, at: dt.datetime | None = None
) -> bool:
    """Whether sign-ins for ``name`` or from ``address`` are locked now."""
    at = at or now()
    return (
        _failures(conn, "name", name, at) >= ACCOUNT_LIMIT
        or _failures(conn, "address", address, at) >= ADDRESS_LIMIT
    )


def note_attempt(
    conn: Connection,
    name: str,
    address: str,
    *,
    succeeded: bool,
    at: dt.datetime | None = None,
) -> None:
    """Store an attempt (after ``prune``); a failure that reaches a limit writes a
    lockout event."""
    at = at or now()
    prune(conn, at=at)
    conn.execute(
        insert(sign_in_attempt).values(
            at=at, name=name[:100], address=address[:64], succeeded=succeeded
        )
    )
    if succeeded:
        return
    by_name = _failures(conn, "name", name, at) == ACCOUNT_LIMIT
    by_address = _failures(conn, "address", address, at) == ADDRESS_LIMIT
    if by_name or by_address:
        audit.record(
            conn,
            "sign-in-locked",
            actor=name,
            address=address,
            detail={"by": "name" if by_name else "address"},
            at=at,
        )


def prune(conn: Connection, *, at: dt.datetime | None = None) -> int:
    """Remove attempts older than ``KEPT`` among the ``PRUNE_BATCH`` oldest by id
    (ids grow with time: the primary key finds them without a scan); returns how
    many went."""
    at = at or now()
    oldest = (
        select(sign_in_attempt.c.id)
        .order_by(sign_in_attempt.c.id)
        .limit(PRUNE_BATCH)
        .scalar_subquery()
    )
    done = conn.execute(
        delete(sign_in_attempt).where(
            sign_in_attempt.c.id.in_(oldest), sign_in_attempt.c.at < at - KEPT
        )
    )
    return int(done.rowcount or 0)
