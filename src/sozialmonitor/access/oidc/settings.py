"""The OpenID Connect settings of a running portal, read once and checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sozialmonitor.access.accounts import role_of
from sozialmonitor.access.roles import Role
from sozialmonitor.config import setting
from sozialmonitor.errors import AccountError, ConfigurationError

CALLBACK_PATH = "/anmelden/oidc/rueckkehr"
"""Where the provider sends the browser back (register BASE_URL + this path)."""
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
"""Hosts that may be spoken to over plain http (a provider on one's own computer)."""
_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off"})
_CLAIM = re.compile(r"[A-Za-z0-9_.:/-]{1,100}")


@dataclass(frozen=True, kw_only=True)
class OidcSettings:
    issuer: str
    """The provider's issuer; discovery and every ID token must name exactly it."""
    client_id: str
    client_secret: str = field(repr=False)
    """Never shown: not in a repr, a log line or an error message."""
    redirect_uri: str
    """The portal's public address + ``CALLBACK_PATH``."""
    display_name: str = "Single Sign-On"
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    username_claim: str = "preferred_username"
    role_claim: str = ""
    """Empty: the role is the local account's."""
    role_map: Mapping[str, Role] = field(default_factory=dict)
    create_accounts: bool = False
    require_mfa: bool = True
    mfa_methods: frozenset[str] = frozenset({"mfa", "otp", "hwk", "swk"})
    acr: str = ""

    @classmethod
    def from_settings(cls, base_url: str) -> OidcSettings | None:
        """The settings from the environment (``config.SETTINGS``), or None when no
        issuer is configured.

        Raises
        ------
        ConfigurationError
            For a setting that cannot work, saying which and what to give.
        """
        issuer = setting("oidc-issuer").strip()
        if not issuer:
            return None
        if not base_url:
            raise ConfigurationError(
                "oidc-issuer is set, but base-url is not: the provider sends the "
                "browser back to BASE_URL" + CALLBACK_PATH + ". Set base-url "
                "(SOZIALMONITOR_BASE_URL) to the portal's public https address."
            )
        return cls(
            issuer=checked_url("oidc-issuer", issuer),
            client_id=_required("oidc-client-id"),
            client_secret=_secret(),
            redirect_uri=base_url + CALLBACK_PATH,
            display_name=setting("oidc-display-name").strip()[:60] or "Single Sign-On",
            scopes=_scopes(setting("oidc-scopes")),
            username_claim=_claim("oidc-username-claim", required=True),
            role_claim=_claim("oidc-role-claim"),
            role_map=role_map(setting("oidc-role-map")),
            create_accounts=_flag("oidc-create-accounts"),
            require_mfa=_flag("oidc-require-mfa"),
            mfa_methods=frozenset(
                setting("oidc-mfa-methods").replace(",", " ").split()
            ),
            acr=setting("oidc-acr").strip(),
        ).checked()

    def checked(self) -> OidcSettings:
        """These settings, when they fit together.

        Raises
        ------
        ConfigurationError
            For a role claim without a role map (or the other way round), account
            creation without a role claim, or a second factor asked for with
            nothing that could assert it.
        """
        if bool(self.role_claim) != bool(self.role_map):
            raise ConfigurationError(
                "oidc-role-claim and oidc-role-map go together: give the claim "
                "(e.g. roles) and which of its values means which role (e.g. "
                "sozialmonitor-editor=editor), or neither."
            )
        if self.create_accounts and not self.role_claim:
            raise ConfigurationError(
                "oidc-create-accounts=true needs oidc-role-claim and oidc-role-map: "
                "a new account must get its role from the provider."
            )
        if self.require_mfa and not (self.mfa_methods or self.acr):
            raise ConfigurationError(
                "oidc-require-mfa=true needs oidc-mfa-methods or oidc-acr: name the "
                "amr or acr values that assert a second factor."
            )
        return self


def checked_url(name: str, value: str) -> str:
    """An https address (plain http only on this computer), without a trailing
    slash.

    Examples
    --------
    >>> checked_url("oidc-issuer", "https://login.example.org/realms/stadt/")
    'https://login.example.org/realms/stadt'
    >>> checked_url("oidc-issuer", "http://127.0.0.1:8080/realms/test")
    'http://127.0.0.1:8080/realms/test'

    Raises
    ------
    ConfigurationError
        For anything else.
    """
    parts = urlsplit(value)
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in LOOPBACK
    )
    if (
        not secure
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or any(c.isspace() for c in value)
    ):
        raise ConfigurationError(
            f"The {name} setting '{value}' is not an https address (plain http is "
            "allowed for 127.0.0.1 and localhost only), or it has a query, a "
            "fragment or a user. Give it as https://HOST/PATH."
        )
    return value.rstrip("/")


def role_map(value: str) -> dict[str, Role]:
    """``value=role`` pairs separated by commas.

    Examples
    --------
    >>> {k: r.value for k, r in role_map("sm-edit=editor, sm-admin=publisher").items()}
    {'sm-edit': 'editor', 'sm-admin': 'publisher'}

    Raises
    ------
    ConfigurationError
        For a pair without ``=`` or a role that does not exist.
    """
    found: dict[str, Role] = {}
    for pair in value.split(","):
        if not pair.strip():
            continue
        claim_value, sep, role = pair.partition("=")
        if not sep or not claim_value.strip():
            raise ConfigurationError(
                f"oidc-role-map: '{pair.strip()}' is not VALUE=ROLE. Write pairs "
                "such as sozialmonitor-editor=editor, separated by commas."
            )
        try:
            found[claim_value.strip()] = role_of(role.strip())
        except AccountError as exc:
            raise ConfigurationError(f"oidc-role-map: {exc}") from None
    return found


def _required(name: str) -> str:
    value = setting(name).strip()
    if not value:
        raise ConfigurationError(
            f"oidc-issuer is set, but {name} is not: give the value the provider "
            "shows for the portal's client."
        )
    return value


def _secret() -> str:
    inline = setting("oidc-client-secret").strip()
    path = setting("oidc-client-secret-file").strip()
    if inline and path:
        raise ConfigurationError(
            "Both oidc-client-secret and oidc-client-secret-file are set: give one."
        )
    if path:
        try:
            inline = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(
                f"oidc-client-secret-file '{path}' cannot be read "
                f"({type(exc).__name__}): check the path and its permissions."
            ) from None
    if not inline:
        raise ConfigurationError(
            "oidc-issuer is set, but the client secret is not: set "
            "oidc-client-secret-file (or oidc-client-secret)."
        )
    return inline


def _scopes(value: str) -> tuple[str, ...]:
    scopes = tuple(dict.fromkeys(value.split()))
    if "openid" not in scopes:
        raise ConfigurationError(
            f"oidc-scopes '{value}' lacks openid, without which there is no ID "
            "token. Add it, e.g. 'openid profile email'."
        )
    return scopes


def _claim(name: str, *, required: bool = False) -> str:
    value = setting(name).strip()
    if (value or required) and not _CLAIM.fullmatch(value):
        raise ConfigurationError(
            f"{name} '{value}' is not a claim name: give one such as "
            "preferred_username, roles or groups."
        )
    return value


def _flag(name: str) -> bool:
    value = setting(name).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} '{value}' is neither true nor false.")
