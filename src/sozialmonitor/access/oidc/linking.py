"""Which local account an ID token signs in, and with which role.

An account is linked to the provider's identity (issuer and subject). The first
sign-in of an identity finds its account by the username claim (an existing local
account of that name) and links it; when account creation is configured, an
unknown name gets a new account. The role comes from the role claim at every
sign-in when one is configured, else it stays the local account's; the area scope
is always the local account's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from sozialmonitor.access import accounts, audit, totp
from sozialmonitor.access.clock import now
from sozialmonitor.access.oidc.failure import OidcError, Reason
from sozialmonitor.access.oidc.settings import OidcSettings
from sozialmonitor.access.roles import Role
from sozialmonitor.store.schema import account

NO_PASSWORD = "!oidc"  # nosec B105: a marker that is no hash, not a password
"""The password hash of an account made at its first sign-in through the provider:
not a hash, so no password ever matches it (``accounts.check_password``)."""
ACTOR = "oidc"
"""The audit log's actor for what a sign-in through the provider changes."""


def claimed_name(settings: OidcSettings, claims: dict[str, Any]) -> str:
    """The local account name the username claim gives ('' without one)."""
    value = claims.get(settings.username_claim)
    if not isinstance(value, str):
        return ""
    return value.strip().lower()[: accounts.MAX_NAME_LENGTH]


def claimed_role(settings: OidcSettings, claims: dict[str, Any]) -> Role | None:
    """The highest role the role claim's values map to; None without a role claim
    configured.

    Raises
    ------
    OidcError
        ``NO_ROLE`` when the claim is configured but none of its values is mapped.
    """
    if not settings.role_claim:
        return None
    value = claims.get(settings.role_claim)
    values = value if isinstance(value, list) else [value]
    mapped = settings.role_map
    roles = [mapped[v] for v in values if isinstance(v, str) and v in mapped]
    if not roles:
        shown = ",".join(str(v) for v in values)[:100]
        raise OidcError(
            Reason.NO_ROLE, f"{settings.role_claim} [{shown}] maps to no role"
        )
    return max(roles)


def account_for(
    conn: Connection,
    settings: OidcSettings,
    claims: dict[str, Any],
    *,
    address: str,
) -> accounts.Account:
    """The active local account the ID token signs in (linked, created, its role
    brought up to date as configured).

    Raises
    ------
    OidcError
        ``NO_ACCOUNT`` or ``NO_ROLE``.
    """
    subject = str(claims["sub"])[:255]
    name = claimed_name(settings, claims)
    role = claimed_role(settings, claims)
    row = conn.execute(
        select(account.c.id).where(
            account.c.oidc_issuer == settings.issuer,
            account.c.oidc_subject == subject,
        )
    ).first()
    found = accounts.by_id(conn, row.id) if row else None
    if found is None:
        found = _link(conn, settings, subject, name, role, address=address)
    if not found.active:
        raise OidcError(Reason.NO_ACCOUNT, "account disabled", actor=found.name)
    if role is not None and role != found.role:
        found = accounts.change_role(
            conn, found.name, role, actor=ACTOR, address=address
        )
    return found


def _link(
    conn: Connection,
    settings: OidcSettings,
    subject: str,
    name: str,
    role: Role | None,
    *,
    address: str,
) -> accounts.Account:
    if not name:
        raise OidcError(
            Reason.NO_ACCOUNT, f"no {settings.username_claim} claim", actor=subject
        )
    found = accounts.find(conn, name)
    if found is None and settings.create_accounts and role is not None:
        found = _create(conn, name, role, address=address)
    if found is None:
        raise OidcError(Reason.NO_ACCOUNT, "no such local account", actor=name)
    linked = conn.execute(
        select(account.c.oidc_subject).where(account.c.id == found.id)
    ).scalar()
    if linked is not None:  # belongs to another identity of this or another issuer
        raise OidcError(
            Reason.NO_ACCOUNT, "account linked to another identity", actor=name
        )
    conn.execute(
        update(account)
        .where(account.c.id == found.id)
        .values(oidc_issuer=settings.issuer, oidc_subject=subject)
    )
    audit.record(
        conn,
        "account-linked",
        actor=ACTOR,
        target=name,
        address=address,
        detail={"issuer": settings.issuer, "subject": subject},
    )
    return found


def _create(
    conn: Connection, name: str, role: Role, *, address: str
) -> accounts.Account:
    if not set(name) <= accounts.NAME_CHARACTERS:
        raise OidcError(
            Reason.NO_ACCOUNT, "claimed name is no valid account name", actor=name
        )
    conn.execute(
        insert(account).values(
            name=name,
            role=role.value,
            area_code=None,
            password_hash=NO_PASSWORD,
            # Never used (the provider asks for the second factor); the column
            # wants one, and a random key keeps the TOTP step closed.
            totp_secret=totp.new_secret(),
            created_at=now(),
        )
    )
    audit.record(
        conn,
        "account-created",
        actor=ACTOR,
        target=name,
        address=address,
        detail={"role": role.value, "area": None, "method": "oidc"},
    )
    return accounts.get(conn, name)
