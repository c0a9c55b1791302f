"""Accounts for the access and web tests, and the TOTP code their clock shows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from sozialmonitor.access import accounts, scope_protection, totp
from sozialmonitor.access.roles import Role
from sozialmonitor.store.schema import account

PASSWORD = "korrekt Pferd Batterie"


def add_account(
    engine: Engine,
    name: str,
    role: Role = Role.READER,
    area: str | None = None,
    *,
    protect: bool = True,
) -> accounts.NewAccount:
    """Create an account; a new area scope's patterns are computed in the
    foreground as the command line does (``protect=False``: left pending, as while
    the portal's job runs)."""
    with engine.begin() as conn:
        new = accounts.create(conn, name, PASSWORD, role, area_code=area)
    if protect and new.account.scope_pending and area is not None:
        scope_protection.run(engine, area)
    return new


def code_for(
    engine: Engine, name: str, at: dt.datetime | float, offset: int = 0
) -> str:
    """The TOTP code at ``at`` (datetime or Unix time), ``offset`` steps on."""
    with engine.connect() as conn:
        secret = conn.scalar(
            select(account.c.totp_secret).where(account.c.name == name)
        )
    unix = at.timestamp() if isinstance(at, dt.datetime) else at
    return totp.code_for_step(totp.key_of(secret), totp.step_of(unix) + offset)
