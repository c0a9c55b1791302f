"""A portal with accounts, and signing in through its forms as a browser would."""

from __future__ import annotations

import datetime as dt
import time

from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from sozialmonitor.access.sessions import Timeouts
from sozialmonitor.web.app import create_app
from sozialmonitor.web.session import DEVELOPMENT_COOKIE, AccessSettings, CookiePolicy
from tests.access.accounts_data import PASSWORD, code_for

TIMEOUTS = Timeouts(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12))
COOKIE = DEVELOPMENT_COOKIE


def portal(engine: Engine, *, secure: bool = False) -> FastAPI:
    app = create_app(engine)
    app.state.access = AccessSettings(
        timeouts=TIMEOUTS,
        cookie=CookiePolicy(secure=secure, max_age=12 * 3600),
    )
    return app


def page(response: Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def hidden(response: Response, name: str) -> str:
    field = page(response).select_one(f"input[type=hidden][name={name}]")
    assert field is not None, name
    return str(field["value"])


def password_step(
    client: TestClient, name: str, password: str = PASSWORD, weiter: str = ""
) -> Response:
    form = {"step": "password", "name": name, "password": password}
    if weiter:
        form["weiter"] = weiter
    return client.post("/anmelden", data=form)


def code_step(
    client: TestClient, pending: str, code: str, weiter: str = ""
) -> Response:
    form = {"step": "second-factor", "pending": pending, "code": code}
    if weiter:
        form["weiter"] = weiter
    return client.post("/anmelden", data=form)


def sign_in(
    client: TestClient, engine: Engine, name: str, *, offset: int = 0
) -> Response:
    """Both steps with the account's current TOTP code (``offset`` steps on, for a
    second sign-in within the same 30 seconds)."""
    first = password_step(client, name)
    assert first.status_code == 200, first.text
    code = code_for(engine, name, time.time(), offset)
    return code_step(client, hidden(first, "pending"), code)
