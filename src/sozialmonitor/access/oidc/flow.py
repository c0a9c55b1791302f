"""The two steps of a sign-in through OpenID Connect, with their audit entries.

``start``: a new state, nonce and PKCE verifier, stored; the provider's address to
send the browser to. ``finish``: the provider's answer checked end to end (state and
binding, code exchange, ID token, second factor, account), then a session is
started exactly as after a right local second factor (``sessions.complete``: a
new id). Whatever fails is refused, with its reason in the audit log and nothing
else written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine

from sozialmonitor.access import audit, sessions
from sozialmonitor.access.oidc import id_token, linking, login
from sozialmonitor.access.oidc.failure import OidcError, Reason
from sozialmonitor.access.oidc.provider import Provider

METHOD = "oidc"
MAX_CODE_LENGTH = 2048
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


@dataclass(frozen=True, kw_only=True)
class Begun:
    authorization_url: str
    """Where to send the browser."""
    binding: str
    """For the browser's short-lived binding cookie."""


@dataclass(frozen=True, kw_only=True)
class Finished:
    session_id: str
    """The new session's id, for the session cookie."""
    next_url: str
    lang: str


def _refused(engine: Engine, failure: OidcError, *, address: str) -> None:
    with engine.begin() as conn:
        audit.record(
            conn,
            "sign-in-failed",
            actor=failure.actor or METHOD,
            address=address,
            detail={
                "method": METHOD,
                "reason": failure.reason.value,
                "detail": failure.detail[:300],
            },
        )


def start(
    engine: Engine, provider: Provider, *, next_url: str, lang: str, address: str
) -> Begun:
    """Begin a sign-in.

    Raises
    ------
    OidcError
        When the provider cannot be reached or its discovery document is not usable
        (logged in the audit log; nothing else is written).
    """
    try:
        provider.discovery()
    except OidcError as failure:
        _refused(engine, failure, address=address)
        raise
    with engine.begin() as conn:
        started = login.begin(conn, next_url=next_url, lang=lang)
    url = provider.authorization_url(
        state=started.state, nonce=started.nonce, verifier=started.verifier
    )
    return Begun(authorization_url=url, binding=started.binding)


def finish(
    engine: Engine,
    provider: Provider,
    params: dict[str, str],
    *,
    binding: str,
    address: str,
) -> Finished:
    """Complete a sign-in from the provider's answer (the callback's query).

    Raises
    ------
    OidcError
        For anything that is not right; audited. ``actor`` and ``reason`` say what.
    """
    lang = "de"
    try:
        with engine.begin() as conn:
            # Taken (removed) in a transaction of its own: used once, even when a
            # later check fails.
            pending = login.take(conn, params.get("state", ""), binding)
        lang = pending.lang
        error = params.get("error")
        if error is not None:
            code = error if _ERROR_CODE.fullmatch(error) else "invalid"
            raise OidcError(Reason.DENIED, code)
        code = params.get("code", "")
        if not code or len(code) > MAX_CODE_LENGTH:
            raise OidcError(Reason.TOKEN_REFUSED, "code missing or too long")
        raw_token = provider.exchange(code, pending.verifier)
        claims = id_token.verified_claims(provider, raw_token, pending.nonce)
        name = linking.claimed_name(provider.settings, claims) or str(claims["sub"])
        try:
            factor = id_token.second_factor(provider, claims)
        except OidcError as failure:
            failure.actor = name
            raise
        with engine.begin() as conn:
            found = linking.account_for(
                conn, provider.settings, claims, address=address
            )
            pending_id = sessions.start_pending(conn, found.id, address)
            session_id = sessions.complete(conn, pending_id)
            audit.record(
                conn,
                "sign-in",
                actor=found.name,
                address=address,
                detail={
                    "method": METHOD,
                    "factor": factor,
                    "issuer": provider.settings.issuer,
                },
            )
    except OidcError as failure:
        failure.lang = lang
        _refused(engine, failure, address=address)
        raise
    return Finished(session_id=session_id, next_url=pending.next_url, lang=pending.lang)
