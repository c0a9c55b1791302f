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
            help="Sites that may show the portal in a frame (CSP frame-ancestors), "
            "separated by spaces, e.g. 'self' https://www.example.org; "
            "'none' forbids embedding.",
        ),
        Setting(
            name="base-url",
            env="SOZIALMONITOR_BASE_URL",
            default="",
            help="The portal's public address (https://HOST/PATH) for the absolute "
            "links written into downloads; empty: relative links. Never taken from "
            "a request's Host header.",
        ),
    )
}


def setting(name: str, flag_value: str | None = None) -> str:
    """A setting's value: the flag if given, else the environment, else the default."""
    spec = SETTINGS[name]
    if flag_value:
        return flag_value
    return os.environ.get(spec.env) or spec.default
