"""Signing in: the password step, then the second factor (TOTP or a recovery code).

Both steps answer alike for a wrong name, a wrong password, a disabled account and a
wrong code, and every failure counts against the name and the address
(``ratelimit``). The audit log gets each success, failure and lockout. The command
line checks both at once (``check_credentials``) and starts no session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection

from sozialmonitor.access import accounts, audit, ratelimit, sessions
from sozialmonitor.access.clock import now


class Outcome(StrEnum):
    SECOND_FACTOR = "second-factor"
    """Password right: ask for the second factor (``token`` is the pending id)."""
    SIGNED_IN = "signed-in"
    """Second factor right: ``token`` is the new session id, for the cookie."""
    REFUSED = "refused"
    """Something was wrong; which, is not said."""
    LOCKED = "locked"
    """Too many failures for this name or from this address; try later."""
    EXPIRED = "expired"
    """The half-signed-in state is gone (too old, too many wrong codes): start over."""


@dataclass(frozen=True, kw_only=True)
class Result:
    outcome: Outcome
    token: str = ""
    account: accounts.Account | None = None


def password_step(
    conn: Connection,
    name: str,
    password: str,
    *,
    address: str,
    at: dt.datetime | None = None,
) -> Result:
    at = at or now()
    name = name.strip().lower()
    if ratelimit.is_locked(conn, name, address, at=at):
        audit.record(conn, "sign-in-refused-locked", actor=name, address=address, at=at)
        return Result(outcome=Outcome.LOCKED)
    found = accounts.check_password(conn, name, password)
    if found is None:
        ratelimit.note_attempt(conn, name, address, succeeded=False, at=at)
        audit.record(
            conn,
            "sign-in-failed",
            actor=name,
            address=address,
            detail={"step": "password"},
            at=at,
        )
        return Result(outcome=Outcome.REFUSED)
    pending = sessions.start_pending(conn, found.id, address, at=at)
    return Result(outcome=Outcome.SECOND_FACTOR, token=pending, account=found)


def second_factor_step(
    conn: Connection,
    pending: str,
    code: str,
    *,
    address: str,
    at: dt.datetime | None = None,
) -> Result:
    at = at or now()
    account_id = sessions.pending_account(conn, pending, at=at)
    found = accounts.by_id(conn, account_id) if account_id is not None else None
    if found is None or not found.active:
        return Result(outcome=Outcome.EXPIRED)
    if ratelimit.is_locked(conn, found.name, address, at=at):
        sessions.end(conn, pending)
        audit.record(
            conn, "sign-in-refused-locked", actor=found.name, address=address, at=at
        )
        return Result(outcome=Outcome.LOCKED)
    factor = accounts.check_second_factor(
        conn, found.id, code, unix_time=at.timestamp()
    )
    if factor is None:
        sessions.pending_failed(conn, pending)
        ratelimit.note_attempt(conn, found.name, address, succeeded=False, at=at)
        audit.record(
            conn,
            "sign-in-failed",
            actor=found.name,
            address=address,
            detail={"step": "second-factor"},
            at=at,
        )
        return Result(outcome=Outcome.REFUSED)
    session_id = sessions.complete(conn, pending, at=at)
    ratelimit.note_attempt(conn, found.name, address, succeeded=True, at=at)
    audit.record(
        conn,
        "sign-in",
        actor=found.name,
        address=address,
        detail={"factor": factor},
        at=at,
    )
    return Result(outcome=Outcome.SIGNED_IN, token=session_id, account=found)


def sign_out(conn: Connection, session_id: str, *, name: str, address: str) -> None:
    sessions.end(conn, session_id)
    audit.record(conn, "sign-out", actor=name, address=address)


def check_credentials(
    conn: Connection,
    name: str,
    password: str,
    code: str,
    *,
    address: str,
    at: dt.datetime | None = None,
) -> Result:
    """Both steps at once, for the command line: no session is started.

    The answer is alike for a wrong name, password or code; each failure counts
    against the name and the address, and the audit log gets it (``via: cli``).
    """
    at = at or now()
    name = name.strip().lower()
    if ratelimit.is_locked(conn, name, address, at=at):
        audit.record(conn, "sign-in-refused-locked", actor=name, address=address, at=at)
        return Result(outcome=Outcome.LOCKED)
    found = accounts.check_password(conn, name, password)
    factor = (
        accounts.check_second_factor(conn, found.id, code, unix_time=at.timestamp())
        if found is not None
        else None
    )
    if found is None or factor is None:
        ratelimit.note_attempt(conn, name, address, succeeded=False, at=at)
        step = "password" if found is None else "second-factor"
        audit.record(
            conn,
            "sign-in-failed",
            actor=name,
            address=address,
            detail={"step": step, "via": "cli"},
            at=at,
        )
        return Result(outcome=Outcome.REFUSED)
    ratelimit.note_attempt(conn, name, address, succeeded=True, at=at)
    audit.record(
        conn,
        "sign-in",
        actor=name,
        address=address,
        detail={"factor": factor, "via": "cli"},
        at=at,
    )
    return Result(outcome=Outcome.SIGNED_IN, account=found)
