"""Credentials for command-line tests.

Against PostgreSQL the command line needs an account or a token for changes and
internal data (``sozialmonitor.cli.caller``); against SQLite it needs none. Tests of
what a command does, not of who may do it, run it with an administrator's token;
``tests/test_cli_permissions.py`` tests who may do what.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from sozialmonitor.access import accounts, tokens
from sozialmonitor.access.roles import Action, Role
from sozialmonitor.cli.caller import TOKEN_ENV
from sozialmonitor.store.database import connect
from tests.access.accounts_data import PASSWORD

ADMINISTRATOR = "test-administrator"
ACCESS_TABLES = frozenset(
    {
        "account",
        "account_recovery_code",
        "account_session",
        "api_token",
        "sign_in_attempt",
        "audit_event",
    }
)
"""Who signed in and used which token: written by a refused command too."""


def cli_env(url: str) -> dict[str, str]:
    """The environment a test's command needs: on an initialised PostgreSQL
    database a new token of an administrator (made on first use) allowed every
    action; else nothing."""
    if not url.startswith("postgresql"):
        return {}
    engine = connect(url)
    try:
        with engine.begin() as conn:
            if not inspect(conn).has_table("account"):
                return {}  # not initialised: nothing to sign in to
            if accounts.find(conn, ADMINISTRATOR) is None:
                accounts.create(conn, ADMINISTRATOR, PASSWORD, Role.ADMINISTRATOR)
            _, raw = tokens.create(conn, ADMINISTRATOR, [a.value for a in Action])
    finally:
        engine.dispose()
    return {TOKEN_ENV: raw}


def without_access(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot of the tables (``tests.ingest.content.snapshot``) without the
    access tables: the data a refused or failed command must leave alone."""
    return {name: rows for name, rows in snapshot.items() if name not in ACCESS_TABLES}
