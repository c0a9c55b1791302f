"""Areas and boundaries from GeoJSON, GeoPackage, Shapefile and CSV."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.store.queries import get_area, list_areas
from tests.ingest.content import snapshot

SAMPLES = Path(__file__).parents[1] / "data" / "areas"
UTM = SAMPLES / "areas_25832.geojson"
CENTRAL_MERIDIAN = 9.0
"""x = 500 000 m in UTM zone 32N lies on the zone's central meridian, 9° E."""
LAT_500000_5800000 = 52.350293349965
"""Latitude of (500 000 m, 5 800 000 m) in EPSG:25832, as PROJ 9 computes it."""
ATOL_DEGREES = 1e-9


def area(engine: Engine, code: str) -> Area:
    with engine.connect() as conn:
        return get_area(conn, code, with_geometry=True)


def first_vertex(geometry: str | None) -> tuple[float, float]:
    assert geometry is not None
    shape = json.loads(geometry)
    assert shape["type"] == "Polygon"
    x, y = shape["coordinates"][0][0]
    return x, y


def test_geojson_in_wgs84(engine: Engine) -> None:
    outcome = import_areas(engine, SAMPLES / "areas.geojson")
    assert outcome.report.findings == []
    assert outcome.rows_written == 3
    with engine.connect() as conn:
        areas = {a.code: a for a in list_areas(conn, with_geometry=True)}
    assert {c: (a.level, a.parent) for c, a in areas.items()} == {
        "03241": ("region", None),
        "03241001": ("municipality", "03241"),
        "03241002": ("municipality", "03241"),
    }
    assert areas["03241001"].valid_from == dt.date(1974, 3, 1)
    assert first_vertex(areas["03241"].geometry) == (9.5, 52.3)
    assert areas["03241002"].geometry is None


def utm_copy(tmp_path: Path, driver: str, suffix: str) -> Path:
    """The UTM sample written as GeoPackage or Shapefile (with its .prj)."""
    frame = gpd.read_file(UTM)
    path = tmp_path / f"districts{suffix}"
    frame.to_file(path, driver=driver)
    return path


DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile"}


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_projected_boundaries_are_stored_in_wgs84(
    small_engine: Engine, tmp_path: Path, suffix: str
) -> None:
    path = UTM if suffix == ".geojson" else utm_copy(tmp_path, DRIVERS[suffix], suffix)
    outcome = import_areas(small_engine, path)
    assert outcome.report.findings == []
    assert outcome.rows_written == 2
    mitte = area(small_engine, "03241001-01")
    assert (mitte.level, mitte.parent) == ("district", "03241001")
    lon, lat = first_vertex(mitte.geometry)  # GeoJSON order: longitude, latitude
    assert lon == pytest.approx(CENTRAL_MERIDIAN, abs=ATOL_DEGREES)
    assert lat == pytest.approx(LAT_500000_5800000, abs=ATOL_DEGREES)


def test_shapefile_without_prj_is_refused(small_engine: Engine, tmp_path: Path) -> None:
    path = utm_copy(tmp_path, "ESRI Shapefile", ".shp")
    path.with_suffix(".prj").unlink()
    before = snapshot(small_engine)
    with pytest.raises(ImportValidationError) as refused:
        import_areas(small_engine, path)
    (finding,) = refused.value.report.errors  # type: ignore[attr-defined]
    assert finding.code == "missing-crs"
    assert "add the .prj file" in finding.message
    assert snapshot(small_engine) == before


def test_geopackage_with_empty_dates(small_engine: Engine, tmp_path: Path) -> None:
    frame = gpd.read_file(UTM)
    frame["valid_from"] = pd.to_datetime(["2001-11-01", None])
    path = tmp_path / "districts.gpkg"
    frame.to_file(path, driver="GPKG")
    outcome = import_areas(small_engine, path)
    assert outcome.report.findings == []
    assert area(small_engine, "03241001-01").valid_from == dt.date(2001, 11, 1)
    assert area(small_engine, "03241001-02").valid_from is None


def test_shapefile_dates_written_as_text(small_engine: Engine, tmp_path: Path) -> None:
    frame = gpd.read_file(UTM)
    frame["valid_from"] = pd.to_datetime(["2001-11-01", None])
    path = tmp_path / "districts.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GDAL: "created as String field"
        frame.to_file(path, driver="ESRI Shapefile")
    outcome = import_areas(small_engine, path)
    assert outcome.report.errors == []
    assert area(small_engine, "03241001-01").valid_from == dt.date(2001, 11, 1)


def test_csv_areas_without_geometry(engine: Engine) -> None:
    outcome = import_areas(engine, SAMPLES / "areas.csv")
    assert outcome.report.findings == []
    old = area(engine, "03241099")
    assert old.to_dict(with_geometry=True) == {
        "code": "03241099",
        "name": "Altgemeinde",
        "level": "municipality",
        "parent": "03241",
        "valid_from": "1974-01-01",
        "valid_to": "2000-12-31",
        "successor": "03241001",
        "geometry": None,
    }
    assert area(engine, "03241").valid_from == dt.date(2001, 11, 1)


@pytest.mark.parametrize("name", ["areas.geojson", "areas.csv"])
def test_same_area_file_twice_changes_nothing(engine: Engine, name: str) -> None:
    assert import_areas(engine, SAMPLES / name).rows_written == 3
    before = snapshot(engine)
    assert import_areas(engine, SAMPLES / name).rows_written == 0
    assert snapshot(engine) == before


def test_dry_run_writes_nothing(engine: Engine) -> None:
    before = snapshot(engine)
    outcome = import_areas(engine, SAMPLES / "areas.geojson", dry_run=True)
    assert (outcome.report.rows_valid, outcome.rows_written) == (3, 0)
    assert snapshot(engine) == before


def test_numeric_codes_are_a_warning(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "numeric.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": 3241, "name": "R", "level": "region"},
                        "geometry": None,
                    }
                ],
            }
        )
    )
    outcome = import_areas(engine, path)
    (warning,) = outcome.report.warnings
    assert warning.code == "numeric-code"
    assert "Store the code field as text" in warning.message
