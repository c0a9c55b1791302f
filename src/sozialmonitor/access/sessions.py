"""Sessions: random 256-bit ids, stored hashed, with idle and absolute timeouts.

A session is born half-signed-in (``stage = "second-factor"``) when the password was
right; its id then travels only in the sign-in form, never in a cookie. When the
second factor is right, that session ends and a new one with a new id begins (the
cookie): whatever id anyone held before signing in is worth nothing after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from sozialmonitor.access import accounts
from sozialmonitor.access.clock import as_utc, now
from sozialmonitor.config import setting
from sozialmonitor.errors import ConfigurationError
from sozialmonitor.store.schema import account_session

PENDING = "second-factor"
SIGNED_IN = "signed-in"
PENDING_LIFETIME = dt.timedelta(minutes=5)
"""Time to type the second factor after the password."""
PENDING_FAILURES = 5
"""Wrong second factors before the half-signed-in session ends."""
TOUCH_EVERY = dt.timedelta(seconds=30)
"""The last-seen time is written at most this often (one write per page view is
not needed to measure a 30-minute idle timeout)."""


@dataclass(frozen=True, kw_only=True)
class Timeouts:
    idle: dt.timedelta
    """Without a request for this long, the session ends."""
    absolute: dt.timedelta
    """This long after sign-in, the session ends whatever happens."""

    @classmethod
    def from_settings(
        cls, idle_minutes: str | None = None, max_hours: str | None = None
    ) -> Timeouts:
        try:
            idle = float(setting("session-idle-minutes", idle_minutes))
            absolute = float(setting("session-max-hours", max_hours))
        except ValueError as exc:
            raise ConfigurationError(
                f"A session timeout must be a number: {exc}"
            ) from None
        return cls(
            idle=dt.timedelta(minutes=idle), absolute=dt.timedelta(hours=absolute)
        )


@dataclass(frozen=True, kw_only=True)
class Session:
    account: accounts.Account
    csrf_token: str
    """The token every state-changing form of this session carries."""
    created_at: dt.datetime
    stage: str


def new_id() -> str:
    return secrets.token_urlsafe(32)


def id_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _start(
    conn: Connection, account_id: int, stage: str, address: str, at: dt.datetime
) -> str:
    raw = new_id()
    conn.execute(
        insert(account_session).values(
            id_hash=id_hash(raw),
            account_id=account_id,
            stage=stage,
            csrf_token=secrets.token_urlsafe(32),
            created_at=at,
            last_seen_at=at,
            address=address[:64],
            failures=0,
        )
    )
    return raw


def start_pending(
    conn: Connection, account_id: int, address: str, *, at: dt.datetime | None = None
) -> str:
    """A half-signed-in session (password right, second factor still asked for)."""
    return _start(conn, account_id, PENDING, address, at or now())


def pending_account(
    conn: Connection, raw: str, *, at: dt.datetime | None = None
) -> int | None:
    """The account a half-signed-in session belongs to, if it is still valid."""
    at = at or now()
    row = conn.execute(
        select(account_session).where(account_session.c.id_hash == id_hash(raw))
    ).first()
    if row is None or row.stage != PENDING:
        return None
    if at - as_utc(row.created_at) > PENDING_LIFETIME:
        end(conn, raw)
        return None
    return int(row.account_id)


def pending_failed(conn: Connection, raw: str) -> None:
    """Count a wrong second factor; too many end the half-signed-in session."""
    key = id_hash(raw)
    conn.execute(
        update(account_session)
        .where(account_session.c.id_hash == key)
        .values(failures=account_session.c.failures + 1)
    )
    conn.execute(
        delete(account_session)
        .where(account_session.c.id_hash == key)
        .where(account_session.c.failures >= PENDING_FAILURES)
    )


def complete(
    conn: Connection, pending_raw: str, *, at: dt.datetime | None = None
) -> str:
    """End the half-signed-in session and start the signed-in one, with a new id
    (rotation); the new id, for the cookie."""
    at = at or now()
    row = conn.execute(
        select(account_session).where(account_session.c.id_hash == id_hash(pending_raw))
    ).one()
    end(conn, pending_raw)
    return _start(conn, row.account_id, SIGNED_IN, row.address, at)


def current(
    conn: Connection,
    raw: str,
    timeouts: Timeouts,
    *,
    at: dt.datetime | None = None,
) -> Session | None:
    """The signed-in session with this id, if it exists and has not timed out (a
    timed-out one is removed); notes the request for the idle timeout."""
    at = at or now()
    row = conn.execute(
        select(account_session).where(account_session.c.id_hash == id_hash(raw))
    ).first()
    if row is None or row.stage != SIGNED_IN:
        return None
    created, seen = as_utc(row.created_at), as_utc(row.last_seen_at)
    if at - seen > timeouts.idle or at - created > timeouts.absolute:
        end(conn, raw)
        return None
    found = accounts.by_id(conn, row.account_id)
    if found is None or not found.active:
        end(conn, raw)
        return None
    if at - seen >= TOUCH_EVERY:
        conn.execute(
            update(account_session)
            .where(account_session.c.id_hash == row.id_hash)
            .values(last_seen_at=at)
        )
    return Session(
        account=found, csrf_token=row.csrf_token, created_at=created, stage=row.stage
    )


def end(conn: Connection, raw: str) -> None:
    conn.execute(
        delete(account_session).where(account_session.c.id_hash == id_hash(raw))
    )


def end_all(conn: Connection, account_id: int) -> None:
    conn.execute(
        delete(account_session).where(account_session.c.account_id == account_id)
    )


def signed_in_at(conn: Connection, raw: str) -> dt.datetime | None:
    """When the session with this id began (its sign-in)."""
    value = conn.scalar(
        select(account_session.c.created_at).where(
            account_session.c.id_hash == id_hash(raw)
        )
    )
    return as_utc(value) if value is not None else None
