"""A Frictionless Data Package of one published release: every public value with
its indicator's metadata, licence and source, as an open-data user downloads it.

One resource per indicator (``values/<id>.csv``: the machine CSV of
``sozialmonitor export``), so that each carries its own licence and source, plus
``indicators.csv`` and ``areas.csv``. Values are read through the public read gate
as of the release: internal indicators, internal levels and drafts never reach the
package, suppressed cells are empty with their flag. The package is written into
an empty folder, each indicator's values one at a time (bounded memory).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.errors import ReleaseStateError, SozialmonitorError
from sozialmonitor.export import EXPORT_COLUMNS, observations_frame, to_bytes
from sozialmonitor.opendata.licences import licence_of
from sozialmonitor.store import queries

PACKAGE_FILE = "datapackage.json"

_TYPES = {"value": "number", "numerator": "number", "denominator": "number"}
_DESCRIPTIONS = {
    "indicator": "Kennzahl (id, see indicators.csv)",
    "area": "Gebietsschlüssel (see areas.csv)",
    "area_name": "Gebietsname",
    "period": "Zeitraum / Stichtag",
    "value": "Wert; leer, wenn gesperrt (flags: suppressed)",
    "numerator": "Zähler",
    "denominator": "Nenner",
    "flags": "Kennzeichen (provisional, estimated, break, suppressed, revised, "
    "computed, …), durch Komma getrennt",
    "note": "Anmerkung",
    "release": "Datenstand (Veröffentlichung), aus dem der Wert stammt",
}
INDICATOR_FIELDS = (
    "id",
    "name",
    "name_en",
    "short_name",
    "unit",
    "topic",
    "definition",
    "kind",
    "numerator",
    "denominator",
    "multiplier",
    "decimals",
    "polarity",
    "source",
    "licence",
    "update_cycle",
)
AREA_FIELDS = ("code", "name", "level", "parent", "valid_from", "valid_to", "successor")


@dataclass(frozen=True, kw_only=True)
class PackageOutcome:
    release: str
    indicators: int
    values: int
    path: Path


def published_release(conn: Connection, name: str | None) -> Release:
    """The release an open-data export is made of: ``name``, or the newest
    published one; never a draft or a withdrawn release."""
    if name is None:
        found = queries.latest_published(conn)
        if found is None:
            raise ReleaseStateError(
                "There is no published release yet: publish one first "
                "(sozialmonitor release publish NAME)."
            )
        return found
    release = queries.get_release(conn, name)
    if release.status is not ReleaseStatus.PUBLISHED:
        raise ReleaseStateError(
            f"Open data is made of published releases only; '{name}' is "
            f"{release.status.value}."
        )
    return release


def write_datapackage(
    engine: Engine, folder: Path, *, release: str | None = None, title: str = ""
) -> PackageOutcome:
    """Write the Data Package of ``release`` (default: the newest published one)
    into ``folder``, which must be empty or new.

    Raises
    ------
    SozialmonitorError
        ``folder`` holds files; the release is not published (``ReleaseStateError``).
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise SozialmonitorError(
            f"{folder} is not an empty folder: give a new or empty one, so that no "
            "file of an older package stays beside the new one."
        )
    with engine.connect() as conn:
        rel = published_release(conn, release)
        indicators = queries.list_indicators(conn, audience=Audience.PUBLIC)
        public_levels = {
            lvl.code for lvl in queries.list_levels(conn) if not lvl.internal
        }
        areas = [a for a in queries.list_areas(conn) if a.level in public_levels]
    (folder / "values").mkdir(parents=True, exist_ok=True)
    resources = [
        _table("indicators", "indicators.csv", _indicator_frame(indicators), folder),
        _table("areas", "areas.csv", _area_frame(areas), folder, key="code"),
    ]
    total = 0
    for indicator, name, frame in _value_frames(engine, indicators, rel, areas):
        path = f"values/{name}.csv"
        (folder / path).write_bytes(to_bytes(frame, "csv"))
        total += len(frame)
        resources.append(_values_resource(indicator, name, path))
    descriptor = _descriptor(rel, title, indicators, resources)
    (folder / PACKAGE_FILE).write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return PackageOutcome(
        release=rel.name, indicators=len(indicators), values=total, path=folder
    )


def _value_frames(
    engine: Engine, indicators: list[Indicator], rel: Release, areas: list[Any]
) -> Iterator[tuple[Indicator, str, pd.DataFrame]]:
    taken: set[str] = set()
    for indicator in indicators:
        with engine.connect() as conn:
            rows = queries.read_observations(
                conn,
                queries.ObservationQuery(indicators=[indicator.id], as_of=rel.name),
                audience=Audience.PUBLIC,
            )
        yield (
            indicator,
            _resource_name(indicator.id, taken),
            observations_frame(rows, areas),
        )


def _resource_name(indicator_id: str, taken: set[str]) -> str:
    """A Data Package resource name (lower case, ``a-z0-9._-``), unique."""
    base = re.sub(r"[^a-z0-9._-]", "-", indicator_id.lower()).strip(".") or "values"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _indicator_frame(indicators: list[Indicator]) -> pd.DataFrame:
    return pd.DataFrame(
        [{f: _plain(getattr(i, f)) for f in INDICATOR_FIELDS} for i in indicators],
        columns=list(INDICATOR_FIELDS),
    )


def _area_frame(areas: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [{f: _plain(getattr(a, f)) for f in AREA_FIELDS} for a in areas],
        columns=list(AREA_FIELDS),
    )


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _table(
    name: str, path: str, frame: pd.DataFrame, folder: Path, *, key: str = "id"
) -> dict[str, Any]:
    (folder / path).write_bytes(to_bytes(frame, "csv"))
    fields = [
        {
            "name": column,
            "type": "integer"
            if column == "decimals"
            else "number"
            if column == "multiplier"
            else "date"
            if column in ("valid_from", "valid_to")
            else "string",
        }
        for column in frame.columns
    ]
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": {"fields": fields, "primaryKey": [key], "missingValues": [""]},
    }


def _values_resource(indicator: Indicator, name: str, path: str) -> dict[str, Any]:
    licence = licence_of(indicator.licence)
    resource: dict[str, Any] = {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "title": f"{indicator.name} ({indicator.unit})",
        "description": indicator.definition or indicator.name,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "licenses": [
            {"name": licence.key, "path": licence.uri, "title": licence.title}
        ],
        "schema": {
            "fields": [
                {
                    "name": column,
                    "type": _TYPES.get(column, "string"),
                    "description": _DESCRIPTIONS[column],
                }
                for column in EXPORT_COLUMNS
            ],
            "missingValues": [""],
            "primaryKey": ["area", "period"],
            "foreignKeys": [
                {
                    "fields": ["area"],
                    "reference": {"resource": "areas", "fields": ["code"]},
                },
                {
                    "fields": ["indicator"],
                    "reference": {"resource": "indicators", "fields": ["id"]},
                },
            ],
        },
    }
    if indicator.source:
        resource["sources"] = [{"title": indicator.source}]
    if indicator.licence and indicator.licence != licence.title:
        resource["licenses"][0]["title"] = f"{licence.title} – {indicator.licence}"
    return resource


def _descriptor(
    rel: Release,
    title: str,
    indicators: list[Indicator],
    resources: list[dict[str, Any]],
) -> dict[str, Any]:
    sources = sorted({i.source for i in indicators if i.source})
    slug = re.sub(r"[^a-z0-9._-]+", "-", f"sozialmonitor-{rel.name}".lower())
    descriptor: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": slug.strip("-"),
        "title": title or f"Sozialmonitor – Datenstand {rel.name}",
        "version": rel.name,
        "description": "Alle öffentlichen Werte der Veröffentlichung "
        f"{rel.name}: je Kennzahl eine Tabelle, dazu Kennzahlen und Gebiete. "
        "Gesperrte Werte (kleine Fallzahlen) sind leer und mit 'suppressed' "
        "gekennzeichnet.",
        "sources": [{"title": s} for s in sources],
        "resources": resources,
    }
    if rel.published_at is not None:
        descriptor["created"] = rel.published_at.replace(microsecond=0).isoformat()
    return descriptor
