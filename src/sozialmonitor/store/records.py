"""Turning table rows into domain records and back."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from sqlalchemy import Row

from sozialmonitor.domain.indicator import STORED, Indicator
from sozialmonitor.domain.release import Release, ReleaseStatus


def indicator_from_row(row: Row[Any]) -> Indicator:
    """The indicator of a full ``indicator`` row; the same (frozen) object for the
    same row, as every read of all indicators would validate 100 of them again."""
    return _indicator(tuple(row._mapping.items()))


@functools.lru_cache(maxsize=4096)
def _indicator(items: tuple[tuple[str, Any], ...]) -> Indicator:
    data = dict(items)
    data.pop("id")
    data.pop("revision", None)  # bookkeeping of the store, not of the indicator
    data["id"] = data.pop("code")
    data["keywords"] = tuple(json.loads(data["keywords"]))
    return Indicator.model_validate(data, context={STORED: True})


def indicator_to_row(ind: Indicator) -> dict[str, Any]:
    data = ind.model_dump(mode="json")
    data["code"] = data.pop("id")
    data["keywords"] = json.dumps(list(ind.keywords), ensure_ascii=False)
    return data


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns stored UTC times without their zone; give it back."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def release_from_row(row: Row[Any]) -> Release:
    m = row._mapping
    created = _utc(m["created_at"])
    assert created is not None
    return Release(
        id=m["id"],
        name=m["name"],
        status=ReleaseStatus(m["status"]),
        created_at=created,
        published_at=_utc(m["published_at"]),
        withdrawn_at=_utc(m["withdrawn_at"]),
        sequence=m["sequence"],
        note=m["note"] or "",
    )
