"""Who reads: the public, or the logged-in administration."""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    """Decides what the read gate lets through."""

    PUBLIC = "public"
    """Published releases and public indicators only."""
    INTERNAL = "internal"
    """Also internal indicators, and drafts or withdrawn releases when asked for."""
