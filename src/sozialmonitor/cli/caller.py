"""Who runs a command: an account (``--user``), an API token (``--token``), or the
owner of a SQLite file.

Against SQLite whoever can run the command owns the file, so without ``--user`` or
``--token`` a command runs as ``cli`` (the audit log's name for the command line).
Against a server database (any other URL, i.e. PostgreSQL) every command that changes
something or reads internal data needs an account or a token whose role and scope
allow its action (``access.roles``), as in the portal. Given credentials are always
checked, on either database, and name the actor of what the command does.

The one exception: nobody can sign in to a database without accounts, so there the
first administrator (``user add``) and a restore need no credentials.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from typing import Annotated

import typer
from sqlalchemy import Connection, Engine, inspect, select

from sozialmonitor.access import accounts, audit, ratelimit, sign_in, tokens
from sozialmonitor.access.roles import Action, may
from sozialmonitor.cli.console import engine, state
from sozialmonitor.domain.access import Audience
from sozialmonitor.store.schema import account

USER_ENV = "SOZIALMONITOR_USER"
TOKEN_ENV = "SOZIALMONITOR_TOKEN"  # nosec B105 - a variable's name
MAX_TYPED = 1024
"""Longer passwords, codes and tokens are cut here (none of ours is that long)."""

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        envvar=USER_ENV,
        show_default=False,
        help="Act as this account: asks for its password and current one-time code "
        "(hidden; a code counts once). Needed against a server database for changes "
        "and internal data; scripts use --token.",
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar=TOKEN_ENV,
        show_default=False,
        help="Act with an API token ('user token add'); its scope must allow the "
        "command. Prefer the environment variable: a command line can be seen by "
        "others on the computer.",
    ),
]


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Who a command runs as."""

    actor: str
    """Account name, ``token:<id>``, or ``cli`` (the owner of a SQLite file)."""
    address: str
    """Where from, for the audit log: ``cli:USER@HOST``."""
    account: accounts.Account | None = None
    """The account (role, area scope) acted as; none for ``cli``."""


def actor_of(caller: Caller) -> str:
    """The name the audit log gives what ``caller`` does."""
    return caller.actor


def use_caller(user: str | None, token: str | None) -> None:
    """``--user`` and ``--token`` work before the command and after it."""
    if user:
        state.user = user
    if token:
        state.token = token


def command_line_address() -> str:
    """``cli:USER@HOST``: where a command comes from, for the audit log and the
    sign-in rate limit (which counts failures per address)."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = "?"
    return f"cli:{who}@{socket.gethostname()}"[:64]


def on_server(eng: Engine) -> bool:
    """Whether ``eng`` is a server database (anything but a SQLite file)."""
    return eng.dialect.name != "sqlite"


def refuse(message: str, *, usage: bool = False) -> typer.Exit:
    """Print one line on standard error; the exit to raise (2 for a usage error)."""
    typer.echo(message, err=True)
    return typer.Exit(2 if usage else 1)


def authorised(
    action: Action, *, init: bool = False, first_setup: bool = False
) -> tuple[Engine, Caller]:
    """The chosen database (see ``console.engine``) and who runs the command there,
    allowed to do ``action`` (see ``caller_for``)."""
    eng = engine(init=init)
    return eng, caller_for(eng, action, first_setup=first_setup)


def reading(internal: bool) -> tuple[Engine, Audience]:
    """The database and who a read runs as: the public, or with ``--internal`` the
    administration (which needs ``read-internal``, see ``caller_for``) within the
    account's area scope."""
    if not internal:
        return engine(), Audience.PUBLIC
    eng, caller = authorised(Action.READ_INTERNAL)
    if caller.account is None:
        return eng, Audience.INTERNAL
    return eng, caller.account.audience


def caller_for(eng: Engine, action: Action, *, first_setup: bool = False) -> Caller:
    """Who runs the command, allowed to do ``action``; raises ``typer.Exit`` with a
    message when refused (nothing is done then).

    ``first_setup``: the command may run without credentials on a server database
    that has no accounts yet (the first administrator, a restore).
    """
    user = (state.user or "").strip()
    token = (state.token or "").strip()
    address = command_line_address()
    if user and token:
        raise refuse("Give --user or --token, not both.", usage=True)
    if not user and not token and not on_server(eng):
        return Caller(actor=audit.SYSTEM, address=address)  # touches no file
    with eng.connect() as conn:
        has_accounts = _has_accounts(conn)
    if not user and not token:
        if first_setup and not has_accounts:
            return Caller(actor=audit.SYSTEM, address=address)
        first = (
            ""
            if has_accounts
            else " This database has no accounts yet: add the first administrator "
            "with 'sozialmonitor user add NAME --role administrator'."
        )
        raise refuse(
            "Refused: against a server database this command needs an account or "
            f"token allowed to '{action.value}'. Pass --user NAME (asks for the "
            f"password and one-time code) or --token TOKEN (or set {TOKEN_ENV})."
            + first,
            usage=True,
        )
    if not has_accounts:
        raise refuse(
            "Refused: this database has no accounts yet, so nobody can sign in. "
            "Run without --user and --token to add the first administrator."
        )
    if token:
        return _token_caller(eng, token, action, address)
    return _account_caller(eng, user, action, address)


def _has_accounts(conn: Connection) -> bool:
    if not inspect(conn).has_table(account.name):
        return False
    return conn.scalar(select(account.c.id).limit(1)) is not None


def _token_caller(eng: Engine, raw: str, action: Action, address: str) -> Caller:
    with eng.begin() as conn:  # the use (or refusal) is audited, whatever follows
        found = tokens.authenticate(conn, raw[:MAX_TYPED], action, address=address)
    if found is None:
        raise refuse(
            f"Refused: the token is unknown, revoked, or not allowed to "
            f"'{action.value}' (its scope and its account's role must allow it)."
        )
    return Caller(
        actor=f"token:{found.token_id}", address=address, account=found.account
    )


def _account_caller(eng: Engine, name: str, action: Action, address: str) -> Caller:
    try:
        password = typer.prompt(f"Password for {name}", hide_input=True, err=True)
        code = typer.prompt(f"One-time code for {name}", hide_input=True, err=True)
    except typer.Abort:
        raise refuse(
            "--user asks for the password and the one-time code; a script without a "
            f"terminal uses --token (or {TOKEN_ENV}).",
            usage=True,
        ) from None
    with eng.begin() as conn:  # failures count and are audited, whatever follows
        result = sign_in.check_credentials(
            conn, name, password[:MAX_TYPED], code[:MAX_TYPED], address=address
        )
        signed_in = result.account
        allowed = signed_in is not None and may(signed_in.role, action)
        if signed_in is not None and not allowed:
            audit.record(
                conn,
                "command-refused",
                actor=signed_in.name,
                address=address,
                detail={"action": action.value, "role": signed_in.role.value},
            )
    if result.outcome is sign_in.Outcome.LOCKED:
        minutes = int(ratelimit.WINDOW.total_seconds() // 60)
        raise refuse(
            f"Refused: too many failed sign-ins for '{name}' or from here; try "
            f"again in {minutes} minutes."
        )
    if signed_in is None:
        raise refuse(
            f"Refused: wrong account name, password or one-time code for '{name}'. "
            "A code counts once: a second command needs the next one."
        )
    if not allowed:
        raise refuse(
            f"Refused: '{signed_in.name}' is {signed_in.role.value} and may not "
            f"'{action.value}'."
        )
    return Caller(actor=signed_in.name, address=address, account=signed_in)
