"""A signed-in visitor for the portal benchmarks: an account of a role (and area
scope) made in the benchmark's database, signed in through the portal's own forms
with password and TOTP code, as a browser would."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import Engine, select

from sozialmonitor.access import accounts, totp
from sozialmonitor.access.roles import Role
from sozialmonitor.store.schema import account
from sozialmonitor.web.session import AccessSettings, CookiePolicy

PASSWORD = "Benchmark Lesezugang 2026"
_PENDING = re.compile(r'name="pending" value="([^"]+)"')


def development_cookies(app: Any) -> None:
    """Plain http in the benchmark's in-process client: the development cookie."""
    settings = AccessSettings.from_settings()
    app.state.access = AccessSettings(
        timeouts=settings.timeouts,
        cookie=CookiePolicy(secure=False, max_age=settings.cookie.max_age),
    )


def sign_in(client: Any, engine: Engine, role: str, scope: str | None) -> str:
    """Make a fresh account and sign the client in; returns the account name."""
    name = f"bench-{role}-{int(time.time())}"
    with engine.begin() as conn:
        accounts.create(conn, name, PASSWORD, Role(role), area_code=scope)
        secret = conn.scalar(
            select(account.c.totp_secret).where(account.c.name == name)
        )
    first = client.post(
        "/anmelden", data={"step": "password", "name": name, "password": PASSWORD}
    )
    pending = _PENDING.search(first.text)
    if pending is None:
        raise SystemExit(f"Signing in as {name} failed: {first.status_code}")
    code = totp.code_at(totp.key_of(secret), time.time())
    done = client.post(
        "/anmelden",
        data={"step": "second-factor", "pending": pending.group(1), "code": code},
        follow_redirects=False,
    )
    if done.status_code != 303:
        raise SystemExit(f"The second factor for {name} failed: {done.status_code}")
    return name
