"""Why a sign-in through OpenID Connect failed: one reason per message shown."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """What the visitor is told (the audit log gets the detail as well)."""

    EXPIRED = "expired"
    """The started sign-in is unknown, used, too old or another browser's."""
    DENIED = "denied"
    """The provider answered with an error (the visitor cancelled, or was refused)."""
    UNAVAILABLE = "unavailable"
    """The provider could not be reached, or did not answer in time."""
    PROVIDER_ERROR = "provider-error"
    """The provider's discovery document or keys are not usable."""
    TOKEN_REFUSED = "token-refused"  # nosec B105: a reason, not a password
    """The token endpoint refused the code (used already, wrong verifier …)."""
    INVALID_TOKEN = "invalid-token"  # nosec B105: a reason, not a password
    """The ID token failed a check (signature, issuer, audience, time, nonce)."""
    NO_SECOND_FACTOR = "no-second-factor"
    """The ID token does not say that a second factor was used."""
    NO_ACCOUNT = "no-account"
    """No (active) local account belongs to this identity."""
    NO_ROLE = "no-role"
    """The role claim holds no value the role map knows."""


class OidcError(Exception):
    """A sign-in through OpenID Connect that cannot go on."""

    def __init__(self, reason: Reason, detail: str, *, actor: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        """For the audit log: what exactly was wrong (never a secret or a token)."""
        self.actor = actor
        """The name the ID token gave, when it got that far."""
        self.lang = "de"
        """The language the sign-in was started in, when it is known."""
