"""Build the example files in ``examples/`` from the committed demo data.

The README's commands and ``docs/first-steps.md`` use these files; they are cut from
the Region Hannover demo set (``src/sozialmonitor/demo/hannover/``, see its
ATTRIBUTION.md), so every value is a real, published one:

- ``gemeinden.geojson``: the region and its 21 municipalities with their boundaries
  (the demo file, unchanged);
- ``kennzahlen.yaml``: three catalogue entries (unemployed, working-age population,
  unemployment share), copied from the demo catalogue;
- ``werte-2020.csv``: their values of 2020 in the long layout, as a German
  spreadsheet writes CSV (``;``, decimal comma, German column names);
- ``werte-2021.xlsx``: the same for 2021 as an Excel workbook;
- ``werte-2021-fehlerhaft.csv``: a deliberately broken copy of the 2021 values
  (a percent sign in a value, an area code that does not exist), for the
  validation report of the walkthrough;
- ``vg5000/VG5000_KRS.shp`` and ``vg5000/VG5000_GEM.shp`` (with their ``.shx``,
  ``.dbf``, ``.prj``, ``.cpg``): the region and its municipalities from
  ``gemeinden.geojson`` as Shapefiles in the layout of BKG's VG5000 download
  (one level per file, the code in ``AGS``, the name in ``GEN``, ETRS89 / UTM
  zone 32N), for the README's import of boundary files as published.

Usage::

    .venv/bin/python scripts/build_examples.py           # rewrite examples/
    .venv/bin/python scripts/build_examples.py --check   # compare with a rebuild
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

import openpyxl
import yaml

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "src" / "sozialmonitor" / "demo" / "hannover"
TARGET = REPO / "examples"
INDICATORS = ("unemployed", "working_age_population", "unemployment_share")
HEAD = ["Indikator", "Gebiet", "Jahr", "Wert", "Zähler", "Nenner"]
BROKEN_VALUE_ROW = 45
"""Data row (1-based) of the broken file whose value gets a percent sign."""
BROKEN_AREA_ROW = 4
"""Data row (1-based) of the broken file whose area code is replaced."""
UNKNOWN_AREA = "03241099"
FILES = (
    "gemeinden.geojson",
    "kennzahlen.yaml",
    "werte-2020.csv",
    "werte-2021.xlsx",
    "werte-2021-fehlerhaft.csv",
    "vg5000/VG5000_KRS.shp",
    "vg5000/VG5000_GEM.shp",
)
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
BKG_CRS = "EPSG:25832"
"""The CRS of BKG's VG5000 (ETRS89 / UTM zone 32N)."""
DBF_DATE = bytes([121, 1, 1])
"""The date a Shapefile's .dbf header carries (years since 1900, month, day):
VG5000's reference date 01.01.2021 instead of the day of the build."""

Row = tuple[str, str, str, float, float | None, float | None]
"""indicator, area, year, value, numerator, denominator"""


def _values(year: str) -> list[Row]:
    """The demo's values of the example indicators in ``year``, in file order."""
    rows: list[Row] = []
    with (DEMO / "observations.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["indicator"] not in INDICATORS or r["period"] != year:
                continue
            if r["flags"] or not r["value"]:
                continue

            def number(text: str) -> float | None:
                return float(text) if text else None

            rows.append(
                (
                    r["indicator"],
                    r["area"],
                    r["period"],
                    float(r["value"]),
                    number(r["numerator"]),
                    number(r["denominator"]),
                )
            )
    order = {ind: i for i, ind in enumerate(INDICATORS)}
    return sorted(rows, key=lambda r: (order[r[0]], r[1]))


def _german(value: float | None) -> str:
    """A number as a German spreadsheet writes it: decimal comma, no grouping."""
    if value is None:
        return ""
    text = f"{value:.0f}" if value == int(value) else repr(value)
    return text.replace(".", ",")


def _cells(row: Row) -> list[str]:
    return [row[0], row[1], row[2], *(_german(v) for v in row[3:])]


def _write_csv(path: Path, lines: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\n").writerows([HEAD, *lines])


def build(target: Path) -> None:
    """Write every example file into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    geojson = (DEMO / "areas.geojson").read_bytes()
    (target / "gemeinden.geojson").write_bytes(geojson)

    catalogue = yaml.safe_load((DEMO / "indicators.yaml").read_text("utf-8"))
    chosen = [entry for entry in catalogue if entry["id"] in INDICATORS]
    (target / "kennzahlen.yaml").write_text(
        yaml.safe_dump(chosen, allow_unicode=True, sort_keys=False, width=88),
        encoding="utf-8",
    )

    _write_csv(target / "werte-2020.csv", [_cells(r) for r in _values("2020")])

    values_2021 = _values("2021")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Werte"
    sheet.append(HEAD)
    for ind, area, year, value, num, den in values_2021:
        sheet.append([ind, area, int(year), value, num, den])
    book.save(target / "werte-2021.xlsx")

    broken = [_cells(r) for r in values_2021]
    broken[BROKEN_VALUE_ROW - 1][3] += "%"
    broken[BROKEN_AREA_ROW - 1][1] = UNKNOWN_AREA
    _write_csv(target / "werte-2021-fehlerhaft.csv", broken)
    _write_bkg_layout(target / "gemeinden.geojson", target / "vg5000")


def _write_bkg_layout(geojson: Path, folder: Path) -> None:
    """The areas of ``geojson`` as VG5000's district and municipality files."""
    import geopandas as gpd

    areas = gpd.read_file(geojson).to_crs(BKG_CRS)
    folder.mkdir(exist_ok=True)
    for name, level in (("VG5000_KRS", "region"), ("VG5000_GEM", "municipality")):
        chosen = areas[areas["level"] == level].sort_values("code")
        layout = gpd.GeoDataFrame(
            {"AGS": list(chosen["code"]), "GEN": list(chosen["name"])},
            geometry=list(chosen.geometry),
            crs=BKG_CRS,
        )
        layout.to_file(
            folder / f"{name}.shp", driver="ESRI Shapefile", encoding="UTF-8"
        )
        with (folder / f"{name}.dbf").open("r+b") as dbf:
            dbf.seek(1)
            dbf.write(DBF_DATE)


def _content(path: Path) -> object:
    """What a file holds: its bytes, or a workbook's cell values (its metadata
    carry the time it was written)."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return {s.title: list(s.iter_rows(values_only=True)) for s in book.worksheets}
    if path.suffix == ".shp":
        return _shapefile_content(path)
    return path.read_bytes()


def _shapefile_content(path: Path) -> object:
    """A Shapefile's fields, CRS and geometries to the centimetre (its .prj text
    and the last digits of the coordinates depend on the GDAL and PROJ versions)."""
    import geopandas as gpd
    import shapely

    if not all(path.with_suffix(part).is_file() for part in SHAPEFILE_PARTS):
        return None
    frame = gpd.read_file(path)
    shapes = shapely.set_precision(frame.geometry.values, 0.01)
    return (
        frame.crs.to_epsg() if frame.crs else None,
        frame.drop(columns="geometry").to_dict("records"),
        [shapely.normalize(g).wkt for g in shapes],
    )


def differences(committed: Path) -> list[str]:
    """The example files in ``committed`` that differ from a rebuild."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        build(fresh)
        return [
            name
            for name in FILES
            if not (committed / name).exists()
            or _content(committed / name) != _content(fresh / name)
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="Compare examples/ with a rebuild."
    )
    args = parser.parse_args()
    if args.check:
        differ = differences(TARGET)
        for name in differ:
            print(f"examples/{name} differs from a rebuild", file=sys.stderr)
        return 1 if differ else 0
    build(TARGET)
    return 0


if __name__ == "__main__":
    sys.exit(main())
