"""The generator of the demo's old Berlin planning areas (``scripts/demo_sets/
berlin_until_2020.py``, issue 12): the two key fixes of its source, the lineage from
the overlap of both vintages, and — with the shared data — the committed files."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, box, mapping

from tests.shared_data import shared_file

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "demo_sets" / "berlin_until_2020.py"
COMMITTED = REPO / "src" / "sozialmonitor" / "demo" / "berlin-2020"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("berlin_until_2020", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def write_shared(root: Path) -> None:
    """A tiny copy of the two sources' layout: four old features with the two key
    errors (Steglitz's key on a Charlottenburg area, Allende II in two parts) and
    three new planning areas in EPSG:25833."""
    x, y = 13.29, 52.51  # Charlottenburg, west of 13.31° E
    old = [
        ("06010102", "Schloßstraße", box(x, y, x + 0.01, y + 0.01)),
        ("06010102", "Schloßstraße", box(13.32, 52.45, 13.33, 52.46)),
        ("09041402", "Siedlung Kämmereiheide", box(13.60, 52.42, 13.61, 52.43)),
        ("09041403", "Allende II", box(13.61, 52.42, 13.63, 52.43)),
    ]
    folder = root / "berlin-lor-plr-until-2020"
    folder.mkdir(parents=True)
    features = [
        {
            "type": "Feature",
            "properties": {"id": code, "name": name},
            "geometry": mapping(MultiPolygon([geometry])),
        }
        for code, name, geometry in old
    ]
    (folder / "berlin-lor-planning-areas-until-2020.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}),
        encoding="utf-8",
    )
    new = gpd.GeoDataFrame(
        {
            "PLR_ID": ["04300414", "06100102", "09401433"],
            "PLR_NAME": ["Schloßstraße", "Schloßstraße", "Allende II"],
        },
        geometry=[
            box(x, y, x + 0.01, y + 0.01),
            box(13.32, 52.45, 13.33, 52.46),
            box(13.60, 52.42, 13.63, 52.43),
        ],
        crs="EPSG:4326",
    ).to_crs("EPSG:25833")
    (root / "berlin-lor-2021").mkdir()
    new.to_file(root / "berlin-lor-2021" / "lor_planungsraeume_2021.shp")


def test_key_fixes_and_lineage_on_small_files(
    generator: ModuleType, tmp_path: Path
) -> None:
    write_shared(tmp_path / "shared")
    out = tmp_path / "berlin-2020"
    built = generator.build(tmp_path / "shared", out, counts=(3, 3))
    assert (built.areas, built.links) == (3, 3)
    areas = json.loads((out / "areas.geojson").read_text(encoding="utf-8"))
    props = {f["properties"]["code"]: f["properties"] for f in areas["features"]}
    assert props["04030417"]["name"] == "Schloßstraße"  # the Charlottenburg twin
    assert props["09041402"]["name"] == "Allende II"  # both parts, one area
    assert "09041403" not in props
    assert {p["valid_to"] for p in props.values()} == {"2020-12-30"}
    assert {p["parent"] for p in props.values()} == {"04", "06", "09"}
    with (out / "lineage.csv").open(encoding="utf-8") as handle:
        rows = {(r["old_code"], r["new_code"]): r for r in csv.DictReader(handle)}
    assert set(rows) == {
        ("04030417", "04300414"),
        ("06010102", "06100102"),
        ("09041402", "09401433"),
    }
    assert {r["valid_on"] for r in rows.values()} == {"2020-12-31"}
    assert {(r["share"], r["basis"]) for r in rows.values()} == {("1", "area")}
    assert rows[("09041402", "09401433")]["kind"] == "recoded"


def test_wrong_feature_count_is_refused(generator: ModuleType, tmp_path: Path) -> None:
    write_shared(tmp_path / "shared")
    with pytest.raises(AssertionError, match="4 features, not 448"):
        generator.build(tmp_path / "shared", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_committed_files_are_rebuilt_from_the_shared_data(
    generator: ModuleType, tmp_path: Path
) -> None:
    old = shared_file(
        "berlin-lor-plr-until-2020", "berlin-lor-planning-areas-until-2020.geojson"
    )
    shared_file("berlin-lor-2021", "lor_planungsraeume_2021.shp")
    built = generator.build(old.parents[1], tmp_path)
    assert built.areas == 447
    for name in ("areas.geojson", "lineage.csv"):
        assert (tmp_path / name).read_bytes() == (COMMITTED / name).read_bytes(), name
    assert sum(p.stat().st_size for p in COMMITTED.iterdir()) < 1_000_000
