"""The time the access layer works in: aware UTC datetimes, also from SQLite."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time as aware UTC (SQLite hands back naive datetimes)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
