"""Read a boundary file (GeoJSON, GeoPackage, Shapefile, zipped Shapefile) with GDAL,
after checking what GDAL would choke on or read wrongly: its size, a zip bomb, broken
rings, coordinates that are not numbers, and coordinates outside the area of use of
the CRS the file declares."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from sozialmonitor.errors import LimitExceededError, ReadError, UnreadableFileError
from sozialmonitor.ingest.formats.zipped import check_zip
from sozialmonitor.ingest.limits import MAX_FEATURES, MAX_GEO_FILE_BYTES, shorten
from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.ingest.table import cell_text, check_file_size

GEO_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
WGS84 = "EPSG:4326"
POLYGON_TYPES = ("Polygon", "MultiPolygon")
AREA_OF_USE_MARGIN = 5.0
"""Degrees a boundary may lie beyond its CRS's area of use: Germany-wide data often
uses one UTM zone (EPSG:25832 is defined for 6–12° E, Germany reaches 15° E)."""


def read_geo(
    path: Path, report: ValidationReport, *, code_names: tuple[str, ...]
) -> pd.DataFrame | None:
    """The features of a boundary file with their geometry in WGS 84 (``__geometry``)
    and row (``__row``), or None when the file cannot be read or its geometries or
    coordinates are impossible (the findings are in ``report``).

    ``code_names`` are the names the area code's field may have (for messages).
    """
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
    if not _coordinates_are_plausible(frame, report, code_names):
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


def _coordinates_are_plausible(
    frame: Any, report: ValidationReport, code_names: tuple[str, ...]
) -> bool:
    """Whether every boundary is a polygon with finite coordinates inside the area
    of use of the file's CRS; adds an error per boundary that is not."""
    import pyproj

    ok = True
    geometries = frame.geometry.to_numpy()
    rows = frame["__row"].to_numpy()
    codes = _codes(frame, code_names)
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


def _codes(frame: Any, code_names: tuple[str, ...]) -> list[str]:
    """Each row's area code as written, for messages (its row where it has none)."""
    columns = {str(c).strip().lower(): c for c in frame.columns}
    column = next((columns[n] for n in code_names if n in columns), None)
    if column is None:
        return [f"row {r}" for r in frame["__row"]]
    return [shorten(cell_text(v)) for v in frame[column]]
