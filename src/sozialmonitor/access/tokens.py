"""API tokens for machines (scripted imports): random, shown once, stored hashed,
scoped to actions, revocable, with the time of their last use.

A token may do what its scope names *and* its account's role allows at the time of
use: demoting or disabling the account narrows or ends its tokens too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from sozialmonitor.access import accounts, audit
from sozialmonitor.access.clock import as_utc, now
from sozialmonitor.access.roles import PERMISSIONS, Action, may
from sozialmonitor.errors import AccountError, UnknownTokenError
from sozialmonitor.store.schema import api_token

PREFIX = "smt_"
"""Marks a Sozialmonitor token (secret scanners can look for it)."""


@dataclass(frozen=True, kw_only=True)
class ApiToken:
    id: int
    account: str
    scope: frozenset[Action]
    note: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@dataclass(frozen=True, kw_only=True)
class TokenCaller:
    """Who a request with a valid token acts as."""

    token_id: int
    account: accounts.Account
    action: Action


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def scope_of(values: Iterable[str]) -> frozenset[Action]:
    """Actions from their names; raises ``AccountError`` for an unknown one."""
    found = set()
    for value in values:
        try:
            found.add(Action(value))
        except ValueError:
            names = ", ".join(a.value for a in Action)
            raise AccountError(
                f"'{value}' is not an action. Choose from: {names}."
            ) from None
    return frozenset(found)


def create(
    conn: Connection,
    account_name: str,
    scope: Iterable[str],
    *,
    note: str = "",
    actor: str = audit.SYSTEM,
) -> tuple[int, str]:
    """A new token for the account: its id and the token itself (shown once)."""
    owner = accounts.get(conn, account_name)
    actions = scope_of(scope)
    if not actions:
        raise AccountError("A token needs a scope: at least one --scope ACTION.")
    beyond = sorted(a.value for a in actions - PERMISSIONS[owner.role])
    if beyond:
        raise AccountError(
            f"The role '{owner.role.value}' of '{account_name}' may not do: "
            + ", ".join(beyond)
            + "."
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    token_id = conn.execute(
        insert(api_token)
        .values(
            account_id=owner.id,
            token_hash=token_hash(raw),
            scope=" ".join(sorted(a.value for a in actions)),
            note=note,
            created_at=now(),
        )
        .returning(api_token.c.id)
    ).scalar_one()
    audit.record(
        conn,
        "token-created",
        actor=actor,
        target=f"token:{token_id}",
        detail={"account": account_name, "scope": sorted(a.value for a in actions)},
    )
    return int(token_id), raw


def authenticate(
    conn: Connection, raw: str, action: Action, *, address: str = ""
) -> TokenCaller | None:
    """The caller when ``raw`` is a live token allowed ``action``; notes its use."""
    row = conn.execute(
        select(api_token).where(api_token.c.token_hash == token_hash(raw))
    ).first()
    if row is None:
        return None
    owner = accounts.by_id(conn, row.account_id)
    allowed = (
        row.revoked_at is None
        and owner is not None
        and owner.active
        and action.value in row.scope.split()
        and may(owner.role, action)
    )
    audit.record(
        conn,
        "token-used" if allowed else "token-refused",
        actor=f"token:{row.id}",
        target=owner.name if owner else "",
        address=address,
        detail={"action": action.value},
    )
    if not allowed or owner is None:
        return None
    conn.execute(
        update(api_token).where(api_token.c.id == row.id).values(last_used_at=now())
    )
    return TokenCaller(token_id=row.id, account=owner, action=action)


def revoke(conn: Connection, token_id: int, *, actor: str = audit.SYSTEM) -> None:
    done = conn.execute(
        update(api_token)
        .where(api_token.c.id == token_id)
        .where(api_token.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    if done.rowcount != 1:
        raise UnknownTokenError(
            f"There is no live token {token_id}. 'user token list' shows them."
        )
    audit.record(conn, "token-revoked", actor=actor, target=f"token:{token_id}")


def revoke_all(conn: Connection, account_id: int) -> None:
    conn.execute(
        update(api_token)
        .where(api_token.c.account_id == account_id)
        .where(api_token.c.revoked_at.is_(None))
        .values(revoked_at=now())
    )


def list_tokens(conn: Connection) -> list[ApiToken]:
    from sozialmonitor.store.schema import account

    rows = conn.execute(
        select(api_token, account.c.name.label("account_name"))
        .join(account, account.c.id == api_token.c.account_id)
        .order_by(api_token.c.id)
    ).all()
    return [
        ApiToken(
            id=r.id,
            account=r.account_name,
            scope=scope_of(r.scope.split()),
            note=r.note,
            created_at=as_utc(r.created_at),
            last_used_at=as_utc(r.last_used_at) if r.last_used_at else None,
            revoked_at=as_utc(r.revoked_at) if r.revoked_at else None,
        )
        for r in rows
    ]
