"""Areas and boundaries: GeoJSON, GeoPackage, Shapefile, or CSV without geometry."""

from __future__ import annotations

import datetime as dt
import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, Engine, select

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import plain_text
from sozialmonitor.errors import (
    ImportValidationError,
    LimitExceededError,
    ReadError,
    UnreadableFileError,
)
from sozialmonitor.ingest.formats.zipped import check_zip
from sozialmonitor.ingest.limits import (
    MAX_FEATURES,
    MAX_GEO_FILE_BYTES,
    shorten,
)
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import cell_text, check_file_size, read_table
from sozialmonitor.store import schema
from sozialmonitor.store.queries import list_levels
from sozialmonitor.store.writes import log_import, save_areas

GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
WGS84 = "EPSG:4326"
POLYGON_TYPES = ("Polygon", "MultiPolygon")
AREA_OF_USE_MARGIN = 5.0
"""Degrees a boundary may lie beyond its CRS's area of use: Germany-wide data often
uses one UTM zone (EPSG:25832 is defined for 6–12° E, Germany reaches 15° E)."""
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("code", "schlüssel", "schluessel", "ags", "gebietsschlüssel", "id"),
    "name": ("name", "gebiet", "bezeichnung", "gen"),
    "level": ("level", "ebene", "raumebene"),
    "parent": ("parent", "übergeordnet", "uebergeordnet", "parent_code"),
    "valid_from": ("valid_from", "gültig_ab", "gueltig_ab"),
    "valid_to": ("valid_to", "gültig_bis", "gueltig_bis"),
    "successor": ("successor", "nachfolger"),
}


def _read_geo(path: Path, report: ValidationReport) -> pd.DataFrame | None:
    import geopandas as gpd
    import pyogrio
    import pyogrio.errors

    if not path.is_file():
        report.error(
            "unreadable-file", "The file does not exist. Check the path and file name."
        )
        return None
    try:
        _check_geo_file(path)
        features = pyogrio.read_info(path).get("features", 0)
        if features > MAX_FEATURES:
            raise LimitExceededError(
                path,
                f"the file has {features:,} features, more than the "
                f"{MAX_FEATURES:,} an import reads. Split it into several files.",
                finding="too-many-rows",
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = gpd.read_file(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        return None
    except shapely.errors.GEOSException:
        for row, reason in _broken_geometries(path):
            report.error(
                "impossible-geometry",
                f"The boundary is not a geometry ({reason}): a ring must be closed "
                "(its last point the same as its first) and have at least 4 points. "
                "Repair it in a GIS (e.g. QGIS: Vector > Geometry Tools > Check "
                "Validity) and export it again.",
                row=row,
            )
        if report.is_valid:  # pragma: no cover - the rows above fail the same way
            report.error("impossible-geometry", "A boundary is not a geometry.")
        return None
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,  # and its CRS, feature, field, geometry errors
        OSError,
        ValueError,
    ):
        report.error(
            "unreadable-file",
            "Not a readable GeoJSON, GeoPackage or Shapefile; it may be damaged or "
            "truncated. Export it again (for a Shapefile the .shp, .shx, .dbf and "
            ".prj files must lie side by side).",
        )
        return None
    declared = _declared_geojson_crs(path)
    if declared is not None:
        report.error(
            "unknown-crs",
            f"The file declares the coordinate reference system '{declared}', which "
            "is not known (GDAL would read the coordinates as longitude/latitude "
            "instead). Save the file with an EPSG CRS (e.g. EPSG:25832 or "
            "EPSG:4326).",
            value=declared,
        )
        return None
    if frame.crs is None:
        report.error(
            "missing-crs",
            "The file does not say its coordinate reference system. For a Shapefile "
            "add the .prj file; otherwise save it with a CRS (e.g. EPSG:25832).",
        )
        return None
    frame["__row"] = range(1, len(frame) + 1)
    if not _coordinates_are_plausible(frame, report):
        return None
    if frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(WGS84)
    geometry = [
        None if g is None or g.is_empty else g for g in frame.geometry.to_numpy()
    ]
    frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    frame["__geometry"] = geometry
    return frame


_GEOJSON_CRS = re.compile(r'"crs"\s*:\s*\{.{0,200}?"name"\s*:\s*"([^"]{1,200})"', re.S)
"""The name of a GeoJSON file's (2008) ``crs`` member, near the start of the file."""


def _declared_geojson_crs(path: Path) -> str | None:
    """The CRS a GeoJSON file names when it is one pyproj does not know (GDAL then
    silently reads the file as WGS 84), else None."""
    import pyproj

    if path.suffix.lower() not in (".geojson", ".json"):
        return None
    with path.open("rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", errors="replace")
    found = _GEOJSON_CRS.search(head)
    if found is None:
        return None
    try:
        pyproj.CRS.from_user_input(found.group(1))
    except pyproj.exceptions.CRSError:
        return found.group(1)
    return None


def _check_geo_file(path: Path) -> None:
    """Refuse a boundary file beyond the limits before GDAL reads it."""
    suffix = path.suffix.lower()
    check_file_size(path, MAX_GEO_FILE_BYTES)
    if suffix == ".shp":
        for side in (path.with_suffix(".dbf"), path.with_suffix(".DBF")):
            if side.is_file():
                check_file_size(side, MAX_GEO_FILE_BYTES)
    if suffix == ".zip":
        check_zip(
            path,
            lambda p: ReadError(
                p,
                "not a readable zip file; it may be damaged or truncated. Zip the "
                "Shapefile's .shp, .shx, .dbf and .prj files again.",
            ),
        )


def _broken_geometries(path: Path) -> list[tuple[int, str]]:
    """Rows whose geometry GEOS refuses to build (an unclosed ring, too few points),
    with the reason."""
    import pyogrio.raw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, wkbs, _ = pyogrio.raw.read(path)
    broken = []
    for row, wkb in enumerate(wkbs, start=1):
        if wkb is None:
            continue
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as exc:
            broken.append((row, str(exc).split(": ", 1)[-1]))
    return broken


def _coordinates_are_plausible(frame: Any, report: ValidationReport) -> bool:
    """Whether every boundary is a polygon with finite coordinates inside the area
    of use of the file's CRS; adds an error per boundary that is not."""
    import pyproj

    ok = True
    geometries = frame.geometry.to_numpy()
    rows = frame["__row"].to_numpy()
    codes = _codes(frame)
    for row, code, geometry in zip(rows, codes, geometries, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        if geometry.geom_type not in POLYGON_TYPES:
            ok = False
            report.error(
                "wrong-geometry-type",
                f"The boundary of '{code}' is a {geometry.geom_type}; an area's "
                "boundary is a Polygon or MultiPolygon. Export the areas' polygons, "
                "not their centres or outlines.",
                row=int(row),
                value=geometry.geom_type,
            )
        elif not np.isfinite(shapely.get_coordinates(geometry)).all():
            ok = False
            report.error(
                "impossible-geometry",
                f"The boundary of '{code}' has coordinates that are not numbers (NaN "
                "or infinite). Repair the geometry in a GIS and export it again.",
                row=int(row),
            )
    if not ok:
        return False
    crs = frame.crs
    area = crs.area_of_use
    if area is None and (epsg := crs.to_epsg(min_confidence=70)) is not None:
        area = pyproj.CRS.from_epsg(epsg).area_of_use
    if area is None:
        report.error(
            "unknown-crs",
            f"The file's coordinate reference system ({shorten(crs.name)}) is not one "
            "whose area of use is known, so its coordinates cannot be checked. Save "
            "the file with an EPSG CRS (e.g. EPSG:25832 or EPSG:4326).",
            value=shorten(crs.to_string()),
        )
        return False
    if crs.is_geographic:
        minx, miny, maxx, maxy = frame.total_bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            report.error(
                "wrong-crs",
                f"The coordinates (e.g. x = {maxx:.6g}, y = {maxy:.6g}) are not "
                f"longitude/latitude although the file says {crs.name} "
                f"({crs.to_string()}). Save the file with its real CRS (e.g. "
                "EPSG:25832 for UTM zone 32N).",
                value=crs.to_string(),
            )
            return False
    with np.errstate(all="ignore"):
        bounds = frame.geometry.to_crs(WGS84).bounds.to_numpy()
    west, south = area.west - AREA_OF_USE_MARGIN, area.south - AREA_OF_USE_MARGIN
    east, north = area.east + AREA_OF_USE_MARGIN, area.north + AREA_OF_USE_MARGIN
    for row, code, (minx, miny, maxx, maxy) in zip(rows, codes, bounds, strict=True):
        if np.isnan([minx, miny, maxx, maxy]).all():
            continue  # no boundary
        inside = (
            np.isfinite([minx, miny, maxx, maxy]).all()
            and west <= minx
            and maxx <= east
            and south <= miny
            and maxy <= north
        )
        if not inside:
            ok = False
            report.error(
                "outside-crs-area",
                f"The boundary of '{code}' lies at {_where(minx, miny)}, outside the "
                f"area where the file's CRS {crs.to_string()} ({shorten(crs.name)}) "
                f"is used ({area.name.split(':')[0]}): the file's coordinates are "
                "in another CRS than it says. Save it with its real CRS (German "
                "boundaries: EPSG:25832, EPSG:25833 or EPSG:4326).",
                row=int(row),
                value=crs.to_string(),
            )
    return ok


def _where(lon: float, lat: float) -> str:
    if not (np.isfinite(lon) and np.isfinite(lat)):
        return "no place on earth"
    return f"longitude {lon:.1f}, latitude {lat:.1f}"


def _codes(frame: Any) -> list[str]:
    """Each row's area code as written, for messages (its row where it has none)."""
    columns = {str(c).strip().lower(): c for c in frame.columns}
    column = next((columns[n] for n in FIELD_NAMES["code"] if n in columns), None)
    if column is None:
        return [f"row {r}" for r in frame["__row"]]
    return [shorten(cell_text(v)) for v in frame[column]]


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


def validate_areas(conn: Connection, path: Path) -> tuple[ValidationReport, list[Area]]:
    report = ValidationReport(path=path)
    reader = _read_geo if path.suffix.lower() in GEO_SUFFIXES else _read_csv
    frame = reader(path, report)
    if frame is None:
        return report, []
    report.rows_read = len(frame)
    if frame.empty:
        report.error(
            "no-rows",
            "The file has no areas. Export the file again with its areas.",
        )
        return report, []
    columns = {str(c).strip().lower(): c for c in frame.columns}
    roles = {}
    for role, names in FIELD_NAMES.items():
        roles[role] = next((columns[n] for n in names if n in columns), None)
    missing = [r for r in ("code", "name", "level") if roles[r] is None]
    if missing:
        found = ", ".join(str(c) for c in frame.columns if not str(c).startswith("__"))
        report.error(
            "missing-column",
            f"Missing field(s): {', '.join(missing)}. Found: {found}. Areas need "
            "code, name, level and, below the top, parent.",
        )
        return report, []
    if frame[roles["code"]].map(lambda v: isinstance(v, int | float)).any():
        report.warning(
            "numeric-code",
            "The codes are stored as numbers in this file; leading zeros may be lost "
            "(03241001 → 3241001). Store the code field as text.",
            column=str(roles["code"]),
        )
    levels = {lvl.code: lvl.rank for lvl in list_levels(conn)}
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
    for record in frame.to_dict("records"):
        row = int(record["__row"])
        values = {
            r: cell_text(record[c]) if c is not None else "" for r, c in roles.items()
        }
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
                f"The code '{code}' appears twice (first in row {rows[code]}). Keep "
                "one row per area.",
                row=row,
                column=str(roles["code"]),
                value=code,
            )
            continue
        rows[code] = row
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
                ),
                valid_to=_date(values["valid_to"], row, str(roles["valid_to"]), report),
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
                column=str(roles["parent"]),
                value=area.parent,
            )
        elif parent_rank >= levels[area.level]:
            report.error(
                "parent-level",
                f"The parent '{area.parent}' of '{area.code}' is not on a higher level "
                f"than '{area.level}'. A parent must be a larger area.",
                row=rows[area.code],
                column=str(roles["parent"]),
                value=area.parent,
            )
    report.rows_valid = len(areas) if report.is_valid else 0
    return report, areas


def import_areas(engine: Engine, path: Path, *, dry_run: bool = False) -> ImportOutcome:
    """Validate an area file and store its areas (new and changed) in one
    transaction."""
    with engine.connect() as conn, conn.begin() as transaction:
        report, areas = validate_areas(conn, path)
        if not report.is_valid:
            raise ImportValidationError(report, report.to_text())
        if dry_run:
            return ImportOutcome(report=report, release=None, rows_written=0)
        changed = save_areas(conn, areas)
        if changed == 0:  # the same file again: leave the database as it was
            transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        log_import(
            conn,
            kind="areas",
            path=path,
            release=None,
            rows_read=report.rows_read,
            rows_written=changed,
        )
    return ImportOutcome(report=report, release=None, rows_written=changed)
