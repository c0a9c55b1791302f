"""Started sign-ins: state, nonce and PKCE verifier, kept server-side until the
provider sends the browser back (at most ``LIFETIME``, used once).

The state travels through the provider; a second random value, the binding, stays
in a short-lived cookie of the browser that started, so that a state alone (a link
someone else started) signs nobody in. Both are stored as SHA-256 hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from sozialmonitor.access.clock import as_utc, now
from sozialmonitor.access.oidc.failure import OidcError, Reason
from sozialmonitor.store.schema import oidc_login

LIFETIME = dt.timedelta(minutes=10)
MAX_STATE_LENGTH = 200
"""A state we made is 43 characters; anything much longer is not one."""


@dataclass(frozen=True, kw_only=True)
class Started:
    """What the start of a sign-in hands out: to the provider and to the cookie."""

    state: str
    nonce: str
    verifier: str
    binding: str


@dataclass(frozen=True, kw_only=True)
class Pending:
    """A started sign-in, taken back at the provider's answer."""

    nonce: str
    verifier: str
    next_url: str
    lang: str


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def begin(
    conn: Connection, *, next_url: str, lang: str, at: dt.datetime | None = None
) -> Started:
    """Store a new sign-in (and forget those that have expired)."""
    at = at or now()
    conn.execute(delete(oidc_login).where(oidc_login.c.created_at < at - LIFETIME))
    started = Started(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),  # 86 characters (RFC 7636: 43-128)
        binding=secrets.token_urlsafe(32),
    )
    conn.execute(
        insert(oidc_login).values(
            state_hash=_hash(started.state),
            binding_hash=_hash(started.binding),
            nonce=started.nonce,
            code_verifier=started.verifier,
            next_url=next_url[:2000],
            lang=lang[:5],
            created_at=at,
        )
    )
    return started


def take(
    conn: Connection, state: str, binding: str, *, at: dt.datetime | None = None
) -> Pending:
    """The sign-in ``state`` belongs to, removed (it is used once, whatever the
    outcome).

    Raises
    ------
    OidcError
        ``EXPIRED`` for a state that is unknown (or used already), too old, or was
        started in another browser (the binding cookie differs).
    """
    at = at or now()
    if not state or len(state) > MAX_STATE_LENGTH:
        raise OidcError(Reason.EXPIRED, "state missing or malformed")
    key = _hash(state)
    row = conn.execute(select(oidc_login).where(oidc_login.c.state_hash == key)).first()
    if row is None:
        raise OidcError(Reason.EXPIRED, "state unknown or used")
    removed = conn.execute(delete(oidc_login).where(oidc_login.c.state_hash == key))
    if removed.rowcount != 1:  # another request took it in the meantime
        raise OidcError(Reason.EXPIRED, "state used")
    if not hmac.compare_digest(_hash(binding[:MAX_STATE_LENGTH]), row.binding_hash):
        raise OidcError(Reason.EXPIRED, "binding cookie missing or wrong")
    if at - as_utc(row.created_at) > LIFETIME:
        raise OidcError(Reason.EXPIRED, "state expired")
    return Pending(
        nonce=row.nonce,
        verifier=row.code_verifier,
        next_url=row.next_url,
        lang=row.lang,
    )
