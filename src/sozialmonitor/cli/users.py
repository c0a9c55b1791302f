"""``sozialmonitor user`` and ``sozialmonitor audit``: accounts, roles, API tokens and
the audit log. Against a server database they need an administrator (``--user`` or
``--token``, see ``caller``), except for the first administrator of a database
without accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Connection, Engine, select

from sozialmonitor.access import accounts, audit, recovery, scope_protection, tokens
from sozialmonitor.access.roles import ACCOUNT_ROLES, Action, Role
from sozialmonitor.cli.caller import (
    TokenOption,
    UserOption,
    actor_of,
    authorised,
    refuse,
    use_caller,
)
from sozialmonitor.cli.console import (
    AsJson,
    DbOption,
    print_json,
    print_table,
    use_db,
    user_errors,
)
from sozialmonitor.store.schema import area

user_app = typer.Typer(help="Accounts, roles and API tokens.")
token_app = typer.Typer(help="API tokens for scripts: scoped, revocable, shown once.")
audit_app = typer.Typer(help="The audit log: sign-ins, account changes, token use.")
user_app.add_typer(token_app, name="token")

ROLES = ", ".join(r.value for r in ACCOUNT_ROLES)
Password = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="The password (asked for when not given; at least 12 characters).",
    ),
]


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


def _check_area_scope(conn: Connection, code: str | None, option: str) -> None:
    """Refuse an area scope that is no existing area: a wrong value of ``option``
    (exit 2). A scope of an area that does not exist would show nothing."""
    if code and conn.scalar(select(area.c.id).where(area.c.code == code)) is None:
        raise refuse(
            f"{option}: there is no area with the code '{code}'. Give the code of an "
            "existing area ('sozialmonitor import areas' first, if there are none "
            "yet), or leave the scope out for every area.",
            usage=True,
        )


def _show_second_factor(uri: str, codes: tuple[str, ...]) -> None:
    typer.echo("Second factor: add this key to an authenticator app (shown once):")
    typer.echo(f"  {uri}")
    typer.echo("Recovery codes, each works once (shown once; keep them safe):")
    for code in codes:
        typer.echo(f"  {code}")


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help=f"One of: {ROLES}.")],
    password: Password,
    area_code: Annotated[
        str | None,
        typer.Option("--area", help="Limit internal values to this area and below."),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Create an account; prints its TOTP key and recovery codes once. The first
    administrator of a database without accounts needs no --user or --token (there
    is nobody to sign in yet); every other account needs an administrator's."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(
            Action.MANAGE_USERS, first_setup=role == Role.ADMINISTRATOR.value
        )
        with eng.begin() as conn:
            _check_area_scope(conn, area_code, "--area")
            new = accounts.create(
                conn,
                name,
                password,
                accounts.role_of(role),
                area_code=area_code,
                actor=actor_of(caller),
                address=caller.address,
            )
    scope = f", area {area_code}" if area_code else ""
    typer.echo(f"Created '{name}' ({new.account.role.value}{scope}).")
    _show_second_factor(new.totp_uri, new.recovery_codes)
    _protect_scope(eng, new.account)


def _protect_scope(eng: Engine, account: accounts.Account) -> None:
    """Compute the patterns for an account's new area scope in the foreground;
    until they are stored the account reads as the public."""
    if not account.scope_pending or account.area_code is None:
        return
    typer.echo(
        f"Protecting small counts against readers of {account.area_code} "
        "(until this is done the account sees public values only) …"
    )
    with user_errors():
        hidden = scope_protection.run(eng, account.area_code)
    typer.echo(f"Done: {hidden} cells hidden in the slices computed again.")


@user_app.command("list")
def user_list(
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """All accounts with role, area scope and state."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, _ = authorised(Action.MANAGE_USERS)
        with eng.connect() as conn:
            found = accounts.all_accounts(conn)
    if as_json:
        print_json(
            [
                {
                    "name": a.name,
                    "role": a.role.value,
                    "area": a.area_code,
                    "area_protection_pending": a.scope_pending,
                    "created_at": a.created_at.isoformat(),
                    "disabled_at": a.disabled_at.isoformat() if a.disabled_at else None,
                }
                for a in found
            ]
        )
        return
    if not found:
        typer.echo("No accounts yet. 'sozialmonitor user add NAME --role ROLE'.")
        return
    print_table(
        ["name", "role", "area", "created", "disabled"],
        [
            [a.name, a.role.value, _area(a), _when(a.created_at)]
            + [_when(a.disabled_at)]
            for a in found
        ],
    )


def _area(account: accounts.Account) -> str:
    """The account's area scope; "(pending)" while the protection of small counts is
    computed again for it (the account reads as the public until then)."""
    if account.area_code is None:
        return ""
    return account.area_code + (" (pending)" if account.scope_pending else "")


@user_app.command("role")
def user_role(
    name: str,
    role: Annotated[str, typer.Argument(help=f"One of: {ROLES}.")],
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Give an account another role."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.MANAGE_USERS)
        with eng.begin() as conn:
            changed = accounts.change_role(
                conn,
                name,
                accounts.role_of(role),
                actor=actor_of(caller),
                address=caller.address,
            )
    typer.echo(f"'{name}' is now {changed.role.value}.")


@user_app.command("area")
def user_area(
    name: str,
    code: Annotated[str | None, typer.Argument(help="None: every area.")] = None,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Limit an account's internal values to an area and below (none: all areas)."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.MANAGE_USERS)
        with eng.begin() as conn:
            _check_area_scope(conn, code, "CODE")
            changed = accounts.set_area(conn, name, code, actor=actor_of(caller))
    _protect_scope(eng, changed)
    typer.echo(f"'{name}' sees internal values of {code or 'every area'}.")


@user_app.command("disable")
def user_disable(
    name: str,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Disable an account: no sign-in; its sessions and tokens end."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.MANAGE_USERS)
        with eng.begin() as conn:
            accounts.disable(conn, name, actor=actor_of(caller), address=caller.address)
    typer.echo(f"'{name}' is disabled; its sessions and tokens have ended.")


@user_app.command("reset-password")
def user_reset_password(
    name: str,
    password: Password,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Set a new password; the account's sessions end."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.MANAGE_USERS)
        with eng.begin() as conn:
            accounts.reset_password(conn, name, password, actor=actor_of(caller))
    typer.echo(f"New password set for '{name}'; its sessions have ended.")


@user_app.command("recovery-codes")
def user_recovery_codes(
    name: str,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """New recovery codes for an account (the old ones stop working)."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.MANAGE_USERS)
        with eng.begin() as conn:
            found = accounts.get(conn, name)
            codes = recovery.replace_codes(conn, found.id)
            audit.record(
                conn,
                "recovery-codes-replaced",
                actor=actor_of(caller),
                target=name,
                address=caller.address,
            )
    typer.echo("Recovery codes, each works once (shown once; keep them safe):")
    for code in codes:
        typer.echo(f"  {code}")


@token_app.command("add")
def token_add(
    name: str,
    scope: Annotated[
        list[str],
        typer.Option(
            help="An action the token may do (repeatable): "
            + ", ".join(a.value for a in Action)
            + "."
        ),
    ],
    note: Annotated[str, typer.Option(help="What the token is for.")] = "",
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """A new API token for an account's scripts; printed once."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.MANAGE_USERS)
        with eng.begin() as conn:
            token_id, raw = tokens.create(
                conn, name, scope, note=note, actor=actor_of(caller)
            )
    typer.echo(f"Token {token_id} for '{name}' (shown once, keep it secret):")
    typer.echo(raw)


@token_app.command("list")
def token_list(
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """All API tokens (never the tokens themselves)."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, _ = authorised(Action.MANAGE_USERS)
        with eng.connect() as conn:
            found = tokens.list_tokens(conn)
    rows = [
        {
            "id": t.id,
            "account": t.account,
            "scope": sorted(a.value for a in t.scope),
            "note": t.note,
            "created_at": t.created_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in found
    ]
    if as_json:
        print_json(rows)
        return
    print_table(
        ["id", "account", "scope", "last used", "revoked", "note"],
        [
            [str(t.id), t.account, " ".join(sorted(t.scope)), _when(t.last_used_at)]
            + [_when(t.revoked_at), t.note]
            for t in found
        ],
    )


@token_app.command("revoke")
def token_revoke(
    token_id: int,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.MANAGE_USERS)
        with eng.begin() as conn:
            tokens.revoke(conn, token_id, actor=actor_of(caller))
    typer.echo(f"Token {token_id} is revoked.")


@audit_app.command("list")
def audit_list(
    limit: Annotated[int, typer.Option(help="The newest N events.")] = 100,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """The newest events of the audit log, oldest first."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, _ = authorised(Action.READ_AUDIT)
        with eng.connect() as conn:
            found = audit.events(conn, limit=limit)
    if as_json:
        print_json([e.to_dict() for e in found])
        return
    print_table(
        ["at", "actor", "action", "target", "from"],
        [
            [f"{e.at:%Y-%m-%d %H:%M:%S}", e.actor, e.action, e.target, e.address]
            for e in found
        ],
    )


@audit_app.command("export")
def audit_export(
    file: Path,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Write the whole audit log to FILE as JSON Lines."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, _ = authorised(Action.READ_AUDIT)
        with eng.connect() as conn:
            count = audit.export(conn, file)
    typer.echo(f"Wrote {count} events to {file}.")
