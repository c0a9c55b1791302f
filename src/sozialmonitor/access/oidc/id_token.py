"""The checks of an ID token (OpenID Connect Core 3.1.3.7) and of its second factor.

The signature is checked with the provider's published keys and an allowed
asymmetric algorithm (joserfc); then issuer, audience, authorised party, expiry,
issue time and nonce; then whether the provider asserts a second factor.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError

from sozialmonitor.access.oidc.failure import OidcError, Reason
from sozialmonitor.access.oidc.provider import Provider

LEEWAY_SECONDS = 60
"""Clock difference allowed between the provider and the portal."""
MAX_AGE_SECONDS = 600
"""An ID token issued longer ago than this is not accepted for a sign-in."""
MAX_TOKEN_LENGTH = 16_384


def verified_claims(provider: Provider, id_token: str, nonce: str) -> dict[str, Any]:
    """The claims of ``id_token`` when it passes every check.

    Raises
    ------
    OidcError
        ``INVALID_TOKEN`` naming the check that failed.
    """
    if len(id_token) > MAX_TOKEN_LENGTH:
        raise OidcError(Reason.INVALID_TOKEN, "id_token too long")
    algorithms = provider.discovery().algorithms
    try:
        token = jwt.decode(id_token, provider.keys(), algorithms=algorithms)
    except InvalidKeyIdError:
        # A key the cached set lacks: the provider may have rotated its keys.
        try:
            token = jwt.decode(
                id_token, provider.keys(fresh=True), algorithms=algorithms
            )
        except JoseError as again:
            raise OidcError(
                Reason.INVALID_TOKEN, f"signature: {type(again).__name__}"
            ) from None
    except JoseError as exc:
        raise OidcError(
            Reason.INVALID_TOKEN, f"signature: {type(exc).__name__}"
        ) from None
    except ValueError:
        raise OidcError(Reason.INVALID_TOKEN, "not a JWT") from None
    claims = token.claims
    settings = provider.settings
    now = int(time.time())
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": settings.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": settings.client_id},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise OidcError(Reason.INVALID_TOKEN, f"claims: {exc}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != settings.client_id:
        raise OidcError(Reason.INVALID_TOKEN, "claims: azp is not the client id")
    if now - claims["iat"] > MAX_AGE_SECONDS + LEEWAY_SECONDS:
        raise OidcError(Reason.INVALID_TOKEN, "claims: issued too long ago")
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(
        sent.encode(), nonce.encode()
    ):
        raise OidcError(Reason.INVALID_TOKEN, "claims: nonce missing or wrong")
    return claims


def second_factor(provider: Provider, claims: dict[str, Any]) -> str:
    """How the ID token asserts a second factor (for the audit log):
    ``amr:otp``, ``acr:VALUE``, or ``not-required``.

    Raises
    ------
    OidcError
        ``NO_SECOND_FACTOR`` when one is required and neither amr nor acr says so.
    """
    settings = provider.settings
    amr = claims.get("amr")
    methods = [m for m in amr if isinstance(m, str)] if isinstance(amr, list) else []
    used = next((m for m in methods if m in settings.mfa_methods), None)
    if used is not None:
        return f"amr:{used}"
    acr = claims.get("acr")
    if settings.acr and acr == settings.acr:
        return f"acr:{acr}"
    if not settings.require_mfa:
        return "not-required"
    shown = ",".join(methods)[:80]
    raise OidcError(Reason.NO_SECOND_FACTOR, f"amr [{shown}], acr {str(acr)[:40]!r}")
