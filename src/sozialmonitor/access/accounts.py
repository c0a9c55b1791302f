"""Local accounts: names, roles, area scope, argon2id password hashes.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher``, RFC 9106's
low-memory profile: 64 MiB, 3 passes, 4 lanes). A hash made with other parameters is
replaced at the next successful sign-in (``check_password``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from sozialmonitor.access import audit, recovery, totp
from sozialmonitor.access.clock import as_utc, now
from sozialmonitor.access.roles import ACCOUNT_ROLES, Role
from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import AccountError, PasswordPolicyError
from sozialmonitor.store.schema import account
from sozialmonitor.store.scope_reprotection import SCOPE_CHANGED

HASHER = PasswordHasher()
"""argon2id with argon2-cffi's default parameters (RFC 9106, low memory)."""

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
NAME_CHARACTERS = frozenset(string.ascii_lowercase + string.digits + "._-@")
MAX_NAME_LENGTH = 100

POLICY_MESSAGES: dict[str, tuple[str, str]] = {
    "too-short": (
        "Das Passwort muss mindestens 12 Zeichen lang sein.",
        "The password must be at least 12 characters long.",
    ),
    "too-long": (
        "Das Passwort darf höchstens 256 Zeichen lang sein.",
        "The password must be at most 256 characters long.",
    ),
    "contains-name": (
        "Das Passwort darf den Benutzernamen nicht enthalten.",
        "The password must not contain the account name.",
    ),
    "too-simple": (
        "Das Passwort besteht aus zu wenigen verschiedenen Zeichen.",
        "The password uses too few different characters.",
    ),
}
"""Each policy reason in German (the portal) and English (the command line)."""


@dataclass(frozen=True, kw_only=True)
class Account:
    id: int
    name: str
    """The sign-in name: lower case letters, digits and ``._-@``."""
    role: Role
    area_code: str | None
    """The area whose internal values the account sees (and its descendants)."""
    created_at: dt.datetime
    disabled_at: dt.datetime | None
    scope_pending: bool = False
    """The suppression patterns are being computed again for the area scope (a
    job, ``access.scope_protection``): until they are stored the account reads as
    the public."""

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def audience(self) -> Audience:
        """Whom the read gate serves the account as: the administration within
        its area scope, or — while the patterns of a new scope are pending — the
        public (fail closed: no internal value before the patterns that keep the
        scope's knowledge from giving away small counts elsewhere are stored)."""
        if self.scope_pending:
            return Audience.PUBLIC
        return Audience.within(self.area_code)


def password_problems(name: str, password: str) -> tuple[str, ...]:
    """The policy's reasons to refuse ``password`` (none: acceptable).

    Length is what counts (NIST SP 800-63B): at least 12 characters, no composition
    rules; not the name, not one character repeated.

    Examples
    --------
    >>> password_problems("anna", "anna-2026-sommer")
    ('contains-name',)
    >>> password_problems("anna", "lange Wörter sind gut")
    ()
    """
    found = []
    if len(password) < MIN_PASSWORD_LENGTH:
        found.append("too-short")
    if len(password) > MAX_PASSWORD_LENGTH:
        found.append("too-long")
    if name and name.lower() in password.lower():
        found.append("contains-name")
    if len(password) >= MIN_PASSWORD_LENGTH and len(set(password)) < 5:
        found.append("too-simple")
    return tuple(found)


def check_policy(name: str, password: str) -> None:
    """Raise ``PasswordPolicyError`` (English message) when the policy refuses it."""
    reasons = password_problems(name, password)
    if reasons:
        raise PasswordPolicyError(
            " ".join(POLICY_MESSAGES[r][1] for r in reasons), reasons
        )


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _check_name(name: str) -> None:
    if not name or len(name) > MAX_NAME_LENGTH or not set(name) <= NAME_CHARACTERS:
        raise AccountError(
            f"'{name}' is not a valid account name. Use 1 to {MAX_NAME_LENGTH} "
            "lower-case letters, digits and . _ - @."
        )


def role_of(value: str) -> Role:
    """An account role from its name; raises ``AccountError`` for anything else."""
    try:
        role = Role(value)
    except ValueError:
        role = Role.ANONYMOUS
    if role not in ACCOUNT_ROLES:
        names = ", ".join(r.value for r in ACCOUNT_ROLES)
        raise AccountError(f"'{value}' is not a role. Choose one of: {names}.")
    return role


def _account(row: object) -> Account:
    return Account(
        id=row.id,  # type: ignore[attr-defined]
        name=row.name,  # type: ignore[attr-defined]
        role=Role(row.role),  # type: ignore[attr-defined]
        area_code=row.area_code,  # type: ignore[attr-defined]
        scope_pending=bool(row.scope_pending),  # type: ignore[attr-defined]
        created_at=as_utc(row.created_at),  # type: ignore[attr-defined]
        disabled_at=(
            as_utc(row.disabled_at)  # type: ignore[attr-defined]
            if row.disabled_at  # type: ignore[attr-defined]
            else None
        ),
    )


@dataclass(frozen=True, kw_only=True)
class NewAccount:
    """What creating an account shows once: the TOTP key and the recovery codes."""

    account: Account
    totp_uri: str
    recovery_codes: tuple[str, ...]


def generate_password() -> str:
    """A random password for ``user add`` without one: 20 characters, ~119 bits."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(20))


def create(
    conn: Connection,
    name: str,
    password: str,
    role: Role,
    *,
    area_code: str | None = None,
    actor: str = audit.SYSTEM,
    address: str = "",
) -> NewAccount:
    """Create an account with a new TOTP key and recovery codes."""
    _check_name(name)
    role = role_of(role)
    check_policy(name, password)
    if conn.scalar(select(func.count()).where(account.c.name == name)):
        raise AccountError(f"An account '{name}' exists already.")
    secret = totp.new_secret()
    pending = scope_needs_protection(conn, area_code or None)
    new_id = conn.execute(
        insert(account)
        .values(
            name=name,
            role=role.value,
            area_code=area_code or None,
            scope_pending=pending,
            password_hash=hash_password(password),
            totp_secret=secret,
            created_at=now(),
        )
        .returning(account.c.id)
    ).scalar_one()
    codes = recovery.replace_codes(conn, new_id)
    audit.record(
        conn,
        "account-created",
        actor=actor,
        target=name,
        address=address,
        detail={"role": role.value, "area": area_code},
    )
    return NewAccount(
        account=get(conn, name),
        totp_uri=totp.provisioning_uri(secret, name),
        recovery_codes=codes,
    )


def scope_needs_protection(
    conn: Connection, area_code: str | None, *, besides: int | None = None
) -> bool:
    """Whether an account given the scope ``area_code`` must wait for the patterns
    to be computed again (``access.scope_protection``): a scope no other account
    holds with its patterns stored. No scope (every area) needs none."""
    if area_code is None:
        return False
    ready = select(func.count()).where(
        account.c.area_code == area_code, account.c.scope_pending.is_(False)
    )
    if besides is not None:
        ready = ready.where(account.c.id != besides)
    return not conn.scalar(ready)


def find(conn: Connection, name: str) -> Account | None:
    row = conn.execute(select(account).where(account.c.name == name)).first()
    return _account(row) if row else None


def get(conn: Connection, name: str) -> Account:
    found = find(conn, name)
    if found is None:
        raise AccountError(f"There is no account '{name}'. 'user list' shows them.")
    return found


def by_id(conn: Connection, account_id: int) -> Account | None:
    row = conn.execute(select(account).where(account.c.id == account_id)).first()
    return _account(row) if row else None


def all_accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(select(account).order_by(account.c.name)).all()
    return [_account(r) for r in rows]


DUMMY_HASH = HASHER.hash("a password nobody has, to spend the same time")
"""Checked when the name is unknown, so that the answer takes as long either way."""


def check_password(conn: Connection, name: str, password: str) -> Account | None:
    """The active account when ``password`` is its password, else None; the time
    taken does not tell whether the name exists. Rehashes an outdated hash."""
    row = conn.execute(select(account).where(account.c.name == name)).first()
    stored = row.password_hash if row else DUMMY_HASH
    try:
        HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled_at is not None:
        return None
    if HASHER.check_needs_rehash(stored):
        conn.execute(
            update(account)
            .where(account.c.id == row.id)
            .values(password_hash=hash_password(password))
        )
    return _account(row)


def change_role(
    conn: Connection,
    name: str,
    role: Role,
    *,
    actor: str = audit.SYSTEM,
    address: str = "",
) -> Account:
    before = get(conn, name)
    role = role_of(role)
    conn.execute(update(account).where(account.c.id == before.id).values(role=role))
    audit.record(
        conn,
        "role-changed",
        actor=actor,
        target=name,
        address=address,
        detail={"from": before.role.value, "to": role.value},
    )
    return get(conn, name)


def set_area(
    conn: Connection, name: str, area_code: str | None, *, actor: str = audit.SYSTEM
) -> Account:
    """Give the account the area scope ``area_code`` (None: every area). A new
    scope whose patterns are not computed yet leaves the account pending (reading
    as the public) until ``access.scope_protection`` has stored them. The scope
    taken away stays insider knowledge for good (its staff saw its true values):
    the patterns computed from now on read it from this audit event
    (``store.scope_reprotection.insider_scopes``)."""
    before = get(conn, name)
    pending = before.scope_pending
    if (area_code or None) != before.area_code:
        pending = scope_needs_protection(conn, area_code or None, besides=before.id)
    conn.execute(
        update(account)
        .where(account.c.id == before.id)
        .values(area_code=area_code or None, scope_pending=pending)
    )
    audit.record(
        conn,
        SCOPE_CHANGED,
        actor=actor,
        target=name,
        detail={"from": before.area_code, "to": area_code or None},
    )
    return get(conn, name)


def disable(
    conn: Connection, name: str, *, actor: str = audit.SYSTEM, address: str = ""
) -> Account:
    """Disable an account: it cannot sign in, its sessions and tokens end."""
    from sozialmonitor.access import sessions, tokens

    found = get(conn, name)
    conn.execute(
        update(account).where(account.c.id == found.id).values(disabled_at=now())
    )
    sessions.end_all(conn, found.id)
    tokens.revoke_all(conn, found.id)
    audit.record(conn, "account-disabled", actor=actor, target=name, address=address)
    return get(conn, name)


def reset_password(
    conn: Connection, name: str, password: str, *, actor: str = audit.SYSTEM
) -> None:
    """Set a new password; the account's sessions end."""
    from sozialmonitor.access import sessions

    found = get(conn, name)
    check_policy(name, password)
    conn.execute(
        update(account)
        .where(account.c.id == found.id)
        .values(password_hash=hash_password(password))
    )
    sessions.end_all(conn, found.id)
    audit.record(conn, "password-reset", actor=actor, target=name)


def check_second_factor(
    conn: Connection, account_id: int, code: str, *, unix_time: float
) -> str | None:
    """``"totp"`` or ``"recovery-code"`` when ``code`` is a valid second factor
    (and is used up: a TOTP step or a recovery code counts once), else None."""
    row = conn.execute(
        select(account.c.totp_secret, account.c.totp_last_step).where(
            account.c.id == account_id
        )
    ).one()
    step = totp.matching_step(
        row.totp_secret, code, unix_time, last_step=row.totp_last_step
    )
    if step is not None:
        # Only moves forward, also against a concurrent sign-in with the same code.
        used = conn.execute(
            update(account)
            .where(account.c.id == account_id)
            .where(
                (account.c.totp_last_step.is_(None)) | (account.c.totp_last_step < step)
            )
            .values(totp_last_step=step)
        )
        return "totp" if used.rowcount == 1 else None
    if recovery.use_code(conn, account_id, code):
        return "recovery-code"
    return None
