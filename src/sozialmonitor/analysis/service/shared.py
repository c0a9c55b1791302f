"""Pieces every statistic of the service shares: reading, checking, JSON."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import parse_period
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import InvalidQueryError
from sozialmonitor.store import queries

MIN_CLASSES, MAX_CLASSES = 2, 10
"""Range of ``k`` for map classes and area types."""
TREND_METHODS = ("mann_kendall", "logit")
T = TypeVar("T")


def finite(value: float | None) -> float | None:
    """JSON has no NaN or infinity: they become null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def indicator_dict(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.id,
        "name": indicator.name,
        "short_name": indicator.short_name,
        "unit": indicator.unit,
        "kind": indicator.kind.value,
        "polarity": indicator.polarity.value,
        "decimals": indicator.decimals,
    }


def area_dict(area: Area) -> dict[str, Any]:
    return {"code": area.code, "name": area.name, "level": area.level}


def level_dict(level: AreaLevel) -> dict[str, Any]:
    return {"code": level.code, "label": level.label}


def release_as_of(conn: Connection, as_of: str | None) -> Release | None:
    return queries.get_release(conn, as_of) if as_of else queries.latest_published(conn)


def period_code(text: str | None) -> str | None:
    """The canonical code of a requested period (InvalidPeriodError if it is none)."""
    return parse_period(text).code if text else None


def level_named(conn: Connection, code: str) -> AreaLevel:
    for level in queries.list_levels(conn):
        if level.code == code:
            return level
    queries.level_id(conn, code)  # raises the clear error naming the known levels
    raise AssertionError("unreachable")  # pragma: no cover


def areas_of_period(
    conn: Connection, level: str, period: str | None, *, with_geometry: bool = False
) -> list[Area]:
    """The level's areas valid at the end of ``period`` (its Stichtag; all of them
    without a period): a statistic of one period never mixes the areas of two
    boundary vintages (Berlin's planning areas until 2020 and since)."""
    day = parse_period(period).end if period else None
    return queries.list_areas(
        conn, level=level, valid_on=day, with_geometry=with_geometry
    )


def check_k(k: int, what: str) -> None:
    if not MIN_CLASSES <= k <= MAX_CLASSES:
        raise InvalidQueryError(
            f"k={k} {what} is out of range: use {MIN_CLASSES} to {MAX_CLASSES}."
        )


def latest_period(observations: Iterable[Observation]) -> str | None:
    """The latest period with a value among ``observations``."""
    periods = {o.period for o in observations if o.value is not None}
    return max(periods, key=parse_period) if periods else None


def read_values(
    conn: Connection,
    indicators: Sequence[str],
    *,
    areas: Sequence[str] | None = None,
    level: str | None = None,
    period: str | None = None,
    as_of: str | None,
    audience: Audience,
) -> list[Observation]:
    return queries.read_observations(
        conn,
        queries.ObservationQuery(
            indicators=list(indicators),
            areas=list(areas) if areas is not None else None,
            level=level,
            periods=[period] if period else None,
            as_of=as_of,
        ),
        audience=audience,
    )


def recording(run: Callable[[], T]) -> tuple[T, tuple[str, ...]]:
    """Run a pure function and return its result with the warnings it emitted.

    The warnings become part of the result the API and the command line show, instead
    of going to standard error (``catch_warnings`` is process-wide; under concurrent
    requests a warning may at worst be printed as well).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run()
    return result, tuple(dict.fromkeys(str(w.message) for w in caught))
