"""Settings, declared once: name, default and help.

A setting's value comes from the command-line flag, else the environment variable, else
the default. The CLI help and the README table are generated from ``SETTINGS``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Setting:
    name: str
    """Name of the setting as used in code."""
    env: str
    """Environment variable that sets it."""
    default: str
    """Value when neither flag nor environment give one."""
    help: str
    """One line for the CLI help and the README."""


DEFAULT_DB_URL = "sqlite:///sozialmonitor.db"
DEMO_DB_URL = "sqlite:///sozialmonitor-demo.db"

SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            name="db",
            env="SOZIALMONITOR_DB",
            default=DEFAULT_DB_URL,
            help="Database URL: sqlite:///FILE (embedded default) or "
            "postgresql+psycopg://USER:PASSWORD@HOST/DB.",
        ),
        Setting(
            name="session-idle-minutes",
            env="SOZIALMONITOR_SESSION_IDLE_MINUTES",
            default="30",
            help="A signed-in session ends after this many minutes without a request.",
        ),
        Setting(
            name="session-max-hours",
            env="SOZIALMONITOR_SESSION_MAX_HOURS",
            default="12",
            help="A signed-in session ends this many hours after sign-in, "
            "active or not.",
        ),
        Setting(
            name="cookies",
            env="SOZIALMONITOR_COOKIES",
            default="secure",
            help="secure: the session cookie is Secure with the __Host- prefix (serve "
            "over https); development: a plain cookie for http on this computer only.",
        ),
        Setting(
            name="frame-ancestors",
            env="SOZIALMONITOR_FRAME_ANCESTORS",
            default="'none'",
            help="Sites that may show the portal's embeddable views (/einbetten/…) "
            "in a frame (CSP frame-ancestors), separated by spaces, e.g. 'self' "
            "https://www.example.org; 'none' forbids embedding. Other pages are "
            "never framed.",
        ),
        Setting(
            name="base-url",
            env="SOZIALMONITOR_BASE_URL",
            default="",
            help="The portal's public address (https://HOST/PATH) for the absolute "
            "links written into downloads; empty: relative links. Never taken from "
            "a request's Host header.",
        ),
        Setting(
            name="site",
            env="SOZIALMONITOR_SITE",
            default="",
            help="A site file (TOML) that makes the portal the municipality's own "
            "site: name, publisher, logo, colours, introduction, Impressum, "
            "Datenschutz, Barrierefreiheit, order of topics, comparison area; "
            "empty: the portal's own look.",
        ),
        Setting(
            name="oidc-issuer",
            env="SOZIALMONITOR_OIDC_ISSUER",
            default="",
            help="Sign-in through OpenID Connect: the provider's issuer URL, e.g. "
            "https://login.example.org/realms/stadt (Keycloak) or "
            "https://adfs.example.org/adfs (ADFS); empty: local accounts only.",
        ),
        Setting(
            name="oidc-client-id",
            env="SOZIALMONITOR_OIDC_CLIENT_ID",
            default="",
            help="The portal's client id at the OpenID Connect provider.",
        ),
        Setting(
            name="oidc-client-secret",
            env="SOZIALMONITOR_OIDC_CLIENT_SECRET",
            default="",
            help="The client's secret (never logged); better: oidc-client-secret-file.",
        ),
        Setting(
            name="oidc-client-secret-file",
            env="SOZIALMONITOR_OIDC_CLIENT_SECRET_FILE",
            default="",
            help="A file holding the client's secret (e.g. a container secret).",
        ),
        Setting(
            name="oidc-display-name",
            env="SOZIALMONITOR_OIDC_DISPLAY_NAME",
            default="Single Sign-On",
            help="The provider's name on the sign-in button: 'Mit NAME anmelden'.",
        ),
        Setting(
            name="oidc-scopes",
            env="SOZIALMONITOR_OIDC_SCOPES",
            default="openid profile email",
            help="The scopes asked for, separated by spaces (openid is required).",
        ),
        Setting(
            name="oidc-username-claim",
            env="SOZIALMONITOR_OIDC_USERNAME_CLAIM",
            default="preferred_username",
            help="The ID token claim that names the local account at the first "
            "sign-in (then the account is linked to the provider's subject).",
        ),
        Setting(
            name="oidc-role-claim",
            env="SOZIALMONITOR_OIDC_ROLE_CLAIM",
            default="",
            help="The ID token claim that gives the role at every sign-in, e.g. "
            "roles or groups; empty: the local account's role.",
        ),
        Setting(
            name="oidc-role-map",
            env="SOZIALMONITOR_OIDC_ROLE_MAP",
            default="",
            help="Role claim values and their roles, e.g. "
            "sozialmonitor-editor=editor,sozialmonitor-admin=administrator.",
        ),
        Setting(
            name="oidc-create-accounts",
            env="SOZIALMONITOR_OIDC_CREATE_ACCOUNTS",
            default="false",
            help="true: the first sign-in of someone unknown creates an account "
            "(needs oidc-role-claim); false: only known accounts may sign in.",
        ),
        Setting(
            name="oidc-require-mfa",
            env="SOZIALMONITOR_OIDC_REQUIRE_MFA",
            default="true",
            help="true: the ID token must assert a second factor (amr, or acr when "
            "oidc-acr is set); false: the provider's word is not checked.",
        ),
        Setting(
            name="oidc-mfa-methods",
            env="SOZIALMONITOR_OIDC_MFA_METHODS",
            default="mfa otp hwk swk",
            help="amr values that count as a second factor, separated by spaces.",
        ),
        Setting(
            name="oidc-acr",
            env="SOZIALMONITOR_OIDC_ACR",
            default="",
            help="An acr value that counts as a second factor (asked for as "
            "acr_values), e.g. Keycloak's level of authentication.",
        ),
        Setting(
            name="genesis-instance",
            env="SOZIALMONITOR_GENESIS_INSTANCE",
            default="destatis",
            help="The GENESIS web service `import genesis` fetches from: destatis "
            "(GENESIS-Online), regionalstatistik (Regionaldatenbank) or the address "
            "of a GENESIS REST interface.",
        ),
        Setting(
            name="genesis-user",
            env="SOZIALMONITOR_GENESIS_USER",
            default="",
            help="The user name of the account at the GENESIS web service, or its "
            "API token (never on the command line).",
        ),
        Setting(
            name="genesis-password",
            env="SOZIALMONITOR_GENESIS_PASSWORD",
            default="",
            help="The password of that account; empty with an API token (never on "
            "the command line).",
        ),
    )
}


def setting(name: str, flag_value: str | None = None) -> str:
    """A setting's value: the flag if given, else the environment, else the default."""
    spec = SETTINGS[name]
    if flag_value:
        return flag_value
    return os.environ.get(spec.env) or spec.default
