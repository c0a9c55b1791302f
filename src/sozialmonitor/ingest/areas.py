"""Areas and boundaries: GeoJSON, GeoPackage, Shapefile, or CSV without geometry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, select

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import plain_text
from sozialmonitor.errors import ImportValidationError, UnreadableFileError
from sozialmonitor.ingest.area_fields import (
    FIELD_NAMES,
    AreaFields,
    field_roles,
    only_features,
)
from sozialmonitor.ingest.formats.geo.reader import GEO_SUFFIXES, read_geo
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import cell_text, read_table
from sozialmonitor.store import schema
from sozialmonitor.store.queries import list_levels
from sozialmonitor.store.writes import save_areas


def _read_csv(path: Path, report: ValidationReport) -> pd.DataFrame | None:
    try:
        table = read_table(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        return None
    frame = table.frame.copy()
    frame["__geometry"] = None
    frame["__row"] = table.rows
    return frame


def _plain_texts(
    values: dict[str, str],
    roles: dict[str, Any],
    row: int,
    report: ValidationReport,
) -> bool:
    """Whether the row's texts are plain (no control characters, no formula, not too
    long); adds an error per text that is not."""
    ok = True
    for role in ("code", "name", "parent", "successor"):
        try:
            plain_text(values[role])
        except ValueError as exc:
            ok = False
            report.error(
                "invalid-text",
                f"{str(exc)[0].upper()}{str(exc)[1:]}.",
                row=row,
                column=str(roles[role]),
                value=values[role],
            )
    return ok


DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d")
"""ISO, German, and what GDAL writes for dates in Shapefile text fields."""


def _feature(row: int, name: str, geometry: Any) -> str:
    """A feature as a reader finds it in a GIS: row, name and where it lies."""
    text = f"row {row} '{name}'"
    if geometry is None or geometry.is_empty:
        return text
    point = geometry.representative_point()
    return f"{text} (near longitude {point.x:.3f}, latitude {point.y:.3f})"


def _date(
    value: str, row: int, column: str, report: ValidationReport
) -> dt.date | None:
    if not value:
        return None
    for form in DATE_FORMATS:
        for text in (value, value[:10]):  # with or without a time of day
            try:
                return dt.datetime.strptime(text, form).date()
            except ValueError:
                continue
    report.error(
        "invalid-date",
        f"'{value}' is not a date. Write 2021-01-01 or 01.01.2021.",
        row=row,
        column=column,
        value=value,
    )
    return None


def validate_areas(
    conn: Connection, path: Path, fields: AreaFields | None = None
) -> tuple[ValidationReport, list[Area]]:
    """The areas of a file and the findings about it; ``fields`` says which field
    holds what where the file does not use the usual names."""
    fields = fields or AreaFields()
    report = ValidationReport(path=path)
    if path.suffix.lower() in GEO_SUFFIXES:
        code_names = (
            (fields.code_field.strip().lower(),)
            if fields.code_field
            else FIELD_NAMES["code"]
        )
        frame = read_geo(path, report, code_names=code_names)
    else:
        frame = _read_csv(path, report)
    if frame is None:
        return report, []
    report.rows_read = len(frame)
    if frame.empty:
        report.error(
            "no-rows",
            "The file has no areas. Export the file again with its areas.",
        )
        return report, []
    roles = field_roles(frame, fields, report)
    if roles is None:
        return report, []
    if fields.only is not None:
        frame = only_features(frame, fields.only, report)
        if frame is None:
            return report, []
    if frame[roles["code"]].map(lambda v: isinstance(v, int | float)).any():
        report.warning(
            "numeric-code",
            "The codes are stored as numbers in this file; leading zeros may be lost "
            "(03241001 → 3241001). Store the code field as text.",
            column=str(roles["code"]),
        )
    levels = {lvl.code: lvl.rank for lvl in list_levels(conn)}
    if fields.level is not None and fields.level not in levels:
        report.error(
            "unknown-level",
            f"'{fields.level}' (given with --level) is not an area level. Known "
            f"levels: {', '.join(levels)}. Add one with 'sozialmonitor level add'.",
            value=fields.level,
        )
        return report, []
    existing = {
        r.code: r
        for r in conn.execute(
            select(schema.area.c.code, schema.area_level.c.rank).join(
                schema.area_level, schema.area.c.level_id == schema.area_level.c.id
            )
        )
    }
    areas: list[Area] = []
    rows: dict[str, int] = {}
    seen: dict[str, str] = {}  # code → its first feature, for the duplicate message
    for record in frame.to_dict("records"):
        row = int(record["__row"])
        values = {
            r: cell_text(record[c]) if c is not None else "" for r, c in roles.items()
        }
        if fields.level is not None:
            values["level"] = fields.level
        code, level = values["code"], values["level"]
        if not code or not values["name"]:
            report.error(
                "missing-value",
                "Code and name must not be empty. Fill in both for every area.",
                row=row,
                column=str(roles["code"] if not code else roles["name"]),
            )
            continue
        if code in rows:
            report.error(
                "duplicate-area",
                f"The code '{code}' appears twice: {seen[code]} and "
                f"{_feature(row, values['name'], record['__geometry'])}. Keep one "
                "row per area: correct the code of the wrong one.",
                row=row,
                column=str(roles["code"]),
                value=code,
            )
            continue
        rows[code] = row
        seen[code] = _feature(row, values["name"], record["__geometry"])
        if fields.parent_prefix is not None:
            if len(code) <= fields.parent_prefix:
                report.error(
                    "short-code",
                    f"The code '{code}' has no more than {fields.parent_prefix} "
                    "characters, so --parent-prefix cannot take its parent's code "
                    "from it. Import the top areas without --parent-prefix.",
                    row=row,
                    column=str(roles["code"]),
                    value=code,
                )
                continue
            values["parent"] = code[: fields.parent_prefix]
        if not _plain_texts(values, roles, row, report):
            continue
        if level not in levels:
            report.error(
                "unknown-level",
                f"'{level}' is not an area level. Known levels: "
                f"{', '.join(levels)}. Add one with 'sozialmonitor level add'.",
                row=row,
                column=str(roles["level"]),
                value=level,
            )
            continue
        geometry = record["__geometry"]
        if geometry is not None and not geometry.is_valid:
            geometry = shapely.make_valid(geometry)
            if geometry.is_empty or geometry.area == 0:
                report.error(
                    "impossible-geometry",
                    f"The boundary of '{code}' encloses no area (its points lie on "
                    "a line or on each other). Repair it in a GIS and export it "
                    "again.",
                    row=row,
                )
                continue
            report.warning(
                "invalid-geometry-repaired",
                f"The boundary of '{code}' was not a valid polygon (e.g. it crosses "
                "itself) and was repaired.",
                row=row,
            )
        areas.append(
            Area(
                code=code,
                name=values["name"],
                level=level,
                parent=values["parent"] or None,
                valid_from=_date(
                    values["valid_from"], row, str(roles["valid_from"]), report
                )
                or fields.valid_from,
                valid_to=_date(values["valid_to"], row, str(roles["valid_to"]), report)
                or fields.valid_to,
                successor=values["successor"] or None,
                geometry=json.dumps(shapely.geometry.mapping(geometry))
                if geometry is not None
                else None,
            )
        )
    in_file = {a.code: levels[a.level] for a in areas}
    for area in areas:
        if area.parent is None:
            continue
        parent_rank = in_file.get(area.parent)
        if parent_rank is None and area.parent in existing:
            parent_rank = existing[area.parent].rank
        if parent_rank is None:
            report.error(
                "unknown-parent",
                f"The parent '{area.parent}' of '{area.code}' is neither in this file "
                "nor in the database. Import the parent areas first or correct the "
                "code.",
                row=rows[area.code],
                column=str(roles["parent"] or "--parent-prefix"),
                value=area.parent,
            )
        elif parent_rank >= levels[area.level]:
            report.error(
                "parent-level",
                f"The parent '{area.parent}' of '{area.code}' is not on a higher level "
                f"than '{area.level}'. A parent must be a larger area.",
                row=rows[area.code],
                column=str(roles["parent"] or "--parent-prefix"),
                value=area.parent,
            )
    report.rows_valid = len(areas) if report.is_valid else 0
    return report, areas


def import_areas(
    engine: Engine,
    path: Path,
    *,
    fields: AreaFields | None = None,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
) -> ImportOutcome:
    """Validate an area file and store its areas (new and changed) in one
    transaction, audited as done by ``actor`` from ``address``; ``fields`` says
    which of the file's fields holds what (see :class:`AreaFields`)."""
    with engine.connect() as conn, conn.begin() as transaction:
        report, areas = validate_areas(conn, path, fields)
        if not report.is_valid:
            raise ImportValidationError(report, report.to_text())
        if dry_run:
            return ImportOutcome(report=report, release=None, rows_written=0)
        changed = save_areas(conn, areas)
        if changed == 0:  # the same file again: leave the database as it was
            transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        record_import(
            conn,
            kind="areas",
            path=path,
            release=None,
            report=report,
            rows_written=changed,
            actor=actor,
            address=address,
        )
    return ImportOutcome(report=report, release=None, rows_written=changed)
