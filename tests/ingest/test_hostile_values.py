"""Issue 11: values a file must not bring into the database — non-finite and absurd
numbers, formulas and control characters in texts, catalogue bounds, boundaries
outside their CRS — each a finding with row and column, on SQLite and PostgreSQL;
and what lies just inside stays importable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.ingest.report import Finding
from tests.ingest.content import snapshot, stored


def refused(engine: Engine, run: object, path: Path) -> list[Finding]:
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as caught:
        run(engine, path)  # type: ignore[operator]
    assert snapshot(engine) == before
    assert path.name in caught.value.message
    return caught.value.report.errors  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(
    ("value", "start"),
    [
        ("inf", "'inf' is not a finite number"),
        ("-Infinity", "'-Infinity' is not a finite number"),
        ("1e308", "'1e308' is beyond ±10^15"),
        ("1e400", "'1e400' is not a finite number"),
        ("1.000.000.000.000.001", "'1.000.000.000.000.001' is beyond ±10^15"),
    ],
)
def test_non_finite_and_absurd_values(
    ingest_engine: Engine, tmp_path: Path, value: str, start: str
) -> None:
    path = tmp_path / "extreme.csv"
    path.write_text(
        "Indikator;Gebiet;Jahr;Wert\n"
        "mean_income;03241001;2015;20.000\n"
        f"mean_income;03241002;2015;{value}\n",
        encoding="utf-8",
    )
    (finding,) = refused(ingest_engine, import_observations, path)
    assert (finding.code, finding.row, finding.column) == ("not-a-number", 3, "Wert")
    assert finding.message.startswith(start)


def test_largest_plausible_value_is_stored(
    ingest_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "large.csv"
    path.write_text(
        "Indikator;Gebiet;Jahr;Wert\nmean_income;03241001;2015;1.000.000.000.000.000\n"
        "mean_income;03241002;2015;-1.000.000.000.000.000\n",
        encoding="utf-8",
    )
    import_observations(ingest_engine, path, release="X")
    assert stored(ingest_engine, "X")[("mean_income", "03241001", "2015")][
        "value"
    ] == pytest.approx(1e15)


@pytest.mark.parametrize(
    ("numerator", "denominator", "code", "column"),
    [
        ("5", "inf", "not-a-number", "Nenner"),
        ("5", "1e-300", "number-out-of-range", "Nenner"),
    ],
)
def test_denominator_that_makes_no_value(
    ingest_engine: Engine,
    tmp_path: Path,
    numerator: str,
    denominator: str,
    code: str,
    column: str,
) -> None:
    path = tmp_path / "ratio.csv"
    path.write_text(
        "Indikator;Gebiet;Jahr;Zähler;Nenner\n"
        f"unemployment_share;03241001;2015;{numerator};{denominator}\n",
        encoding="utf-8",
    )
    findings = refused(ingest_engine, import_observations, path)
    assert (code, 2, column) in {(f.code, f.row, f.column) for f in findings}


@pytest.mark.parametrize(
    "note", ['=HYPERLINK("http://example.org")', "@SUM(A1)", "a\x07b"]
)
def test_note_with_a_formula_or_control_character(
    ingest_engine: Engine, tmp_path: Path, note: str
) -> None:
    path = tmp_path / "note.csv"
    path.write_text(
        "Indikator;Gebiet;Jahr;Wert;Anmerkung\n"
        f"unemployment_share;03241001;2015;5,5;{note}\n",
        encoding="utf-8",
    )
    (finding,) = refused(ingest_engine, import_observations, path)
    assert (finding.code, finding.row, finding.column) == (
        "invalid-text",
        2,
        "Anmerkung",
    )


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("min_count", "1" + "0" * 100, "less than or equal to 1000000"),
        ("multiplier", ".nan", "finite number"),
        ("multiplier", ".inf", "finite number"),
        ("multiplier", "-100", "greater than or equal to 0"),
        ("multiplier", "1e300", "less than or equal to 1000000"),
        ("name", "'=HYPERLINK(\"http://example.org\")'", "spreadsheet formula"),
        ("name", '"Arbeits\\x00lose"', "control character"),
        ("definition", "x" * 10_001, "more than the 10,000"),
    ],
)
def test_catalogue_fields_out_of_bounds(
    ingest_engine: Engine, tmp_path: Path, field: str, value: str, reason: str
) -> None:
    path = tmp_path / "catalogue.yaml"
    entry = {"id": "x1", "name": "Name", "unit": "'%'", field: value}
    path.write_text(
        "- " + "\n  ".join(f"{k}: {v}" for k, v in entry.items()) + "\n",
        encoding="utf-8",
    )
    (finding,) = refused(ingest_engine, import_indicators, path)
    assert (finding.code, finding.row, finding.column) == ("invalid-field", 1, field)
    assert reason in finding.message
    assert len(finding.message) < 600


def boundary(tmp_path: Path, ring: list[list[float]], crs: str) -> Path:
    path = tmp_path / "districts.geojson"
    feature = {
        "type": "Feature",
        "properties": {
            "code": "03241001-09",
            "name": "Nord",
            "level": "district",
            "parent": "03241001",
        },
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": crs}},
                "features": [feature],
            }
        ),
        encoding="utf-8",
    )
    return path


def square(x: float, y: float, side: float) -> list[list[float]]:
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


UTM32 = "urn:ogc:def:crs:EPSG::25832"


def test_utm32_for_eastern_germany_is_accepted(
    small_engine: Engine, tmp_path: Path
) -> None:
    # Görlitz (15° E) in EPSG:25832, as Germany-wide data is published
    path = boundary(tmp_path, square(1_000_000, 5_680_000, 1000), UTM32)
    assert import_areas(small_engine, path).rows_written == 1


@pytest.mark.parametrize(
    "ring",
    [square(9.6, 52.3, 0.1), square(3_550_000, 5_800_000, 1000)],
    ids=["longitude-latitude", "gauss-krueger"],
)
def test_coordinates_outside_the_declared_crs(
    small_engine: Engine, tmp_path: Path, ring: list[list[float]]
) -> None:
    path = boundary(tmp_path, ring, UTM32)
    (finding,) = refused(small_engine, import_areas, path)
    assert (finding.code, finding.row) == ("outside-crs-area", 1)
    assert "outside the area where the file's CRS EPSG:25832" in finding.message


def test_unclosed_ring_names_its_row(small_engine: Engine, tmp_path: Path) -> None:
    path = boundary(tmp_path, square(9.6, 52.3, 0.1)[:-1], "EPSG:4326")
    (finding,) = refused(small_engine, import_areas, path)
    assert (finding.code, finding.row) == ("impossible-geometry", 1)
    assert "a ring must be closed" in finding.message


def test_area_name_with_a_formula(small_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(
        "code;name;level;parent\n03241001-9;=1+1;district;03241001\n", encoding="utf-8"
    )
    (finding,) = refused(small_engine, import_areas, path)
    assert (finding.code, finding.row, finding.column) == ("invalid-text", 2, "name")


def test_unknown_crs_name_in_geojson(small_engine: Engine, tmp_path: Path) -> None:
    path = boundary(tmp_path, square(9.6, 52.3, 0.1), "EPSG:999999")
    (finding,) = refused(small_engine, import_areas, path)
    assert (finding.code, finding.value) == ("unknown-crs", "EPSG:999999")
    known = boundary(tmp_path, square(9.6, 52.3, 0.1), "urn:ogc:def:crs:OGC:1.3:CRS84")
    assert import_areas(small_engine, known).rows_written == 1
