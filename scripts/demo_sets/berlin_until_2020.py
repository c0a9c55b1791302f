"""Berlin's planning areas until 2020 and their lineage to those of 2021.

Writes ``src/sozialmonitor/demo/berlin-2020/``:

    areas.geojson   the 447 LOR planning areas (Planungsräume) before the 2021
                    reform, level ``planning_area``, parent the borough, valid to
                    OLD_LAST_DAY
    lineage.csv     old → new planning area with the share of the old area's
                    surface in each new one (``sozialmonitor import lineage``)

from ``berlin-lor-plr-until-2020`` (old boundaries) and ``berlin-lor-2021`` (new
boundaries) of a folder laid out like ``../shared/data``. The two key errors its
SOURCE.md documents are fixed (a Charlottenburg feature carries Steglitz's key
06010102; Allende II is split in two features). No official correspondence table is
at hand, so the lineage is derived from the overlap of the two official boundary
vintages with the project's own ``analysis/correspondence.py``: shares of surface,
not of inhabitants.

The dates: the official LOR 2021 are valid from 01.01.2021, but Berlin publishes the
stock of 31.12.2020 (MSS 2021, the population register) already on the 542 new
planning areas. A period's values belong to the areas valid on its last day, so in
the data the new areas begin on 31.12.2020 and the old ones end on 30.12.2020.

Usage::

    .venv/bin/python scripts/demo_sets/berlin_until_2020.py [--shared PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import mapping

from sozialmonitor.analysis.correspondence import overlap_links
from sozialmonitor.cli.lineage import write_links
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.lineage import AreaLink

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "src" / "sozialmonitor" / "demo" / "berlin-2020"

OLD_FILE = Path(
    "berlin-lor-plr-until-2020", "berlin-lor-planning-areas-until-2020.geojson"
)
NEW_FILE = Path("berlin-lor-2021", "lor_planungsraeume_2021.shp")
OLD_COUNT = 447
NEW_COUNT = 542
OLD_LAST_DAY = dt.date(2020, 12, 30)
"""Last day of the old planning areas in the data (officially 31.12.2020)."""
NEW_FIRST_DAY = dt.date(2020, 12, 31)
"""First day of the new ones in the data: the MSS 2021 reference date."""
METRIC_CRS = "EPSG:25833"
"""ETRS89 / UTM 33N, the CRS of Berlin's official boundaries (metres)."""
SIMPLIFY_M = 5.5
"""Tolerance of the coverage simplification, as for the 542 planning areas."""
WGS84_DECIMALS = 5

MISKEYED = "06010102"
"""Occurs twice; the feature west of this longitude is Charlottenburg's PLR."""
MISKEYED_WEST_OF = 13.31
CHARLOTTENBURG_SCHLOSSSTRASSE = "04030417"
ALLENDE_II = "09041402"
KAEMMEREIHEIDE = "09041403"
"""Allende II is split into 09041402 (Siedlung Kämmereiheide) and 09041403 (Allende
II) in the file; the MSS 2013–2019 know one 09041402 Allende II, their union."""


@dataclass(frozen=True, kw_only=True)
class Built:
    """What ``build`` wrote."""

    areas: int
    """Old planning areas written."""
    links: int
    """Lineage rows written."""
    notes: tuple[str, ...]
    """What was fixed or found, for ATTRIBUTION and the build summary."""


def read_old(
    shared: Path, count: int = OLD_COUNT
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The ``count`` old planning areas (code, name, geometry in METRIC_CRS), keys
    fixed, with notes on the fixes."""
    frame = gpd.read_file(shared / OLD_FILE)
    if len(frame) != count + 1:
        raise AssertionError(f"{OLD_FILE}: {len(frame)} features, not {count + 1}")
    frame = frame.rename(columns={"id": "code"})[["code", "name", "geometry"]]
    notes = []
    twins = frame.index[frame["code"] == MISKEYED]
    west = [i for i in twins if frame.geometry[i].bounds[2] < MISKEYED_WEST_OF]
    if len(twins) != 2 or len(west) != 1:
        raise AssertionError(f"{MISKEYED}: expected two features, one in the west")
    frame.loc[west[0], "code"] = CHARLOTTENBURG_SCHLOSSSTRASSE
    notes.append(
        f"{MISKEYED} occurs twice in the old boundaries; the feature in "
        f"Charlottenburg (west of {MISKEYED_WEST_OF}° E) was given its real key "
        f"{CHARLOTTENBURG_SCHLOSSSTRASSE} Schloßstraße"
    )
    parts = frame[frame["code"].isin([ALLENDE_II, KAEMMEREIHEIDE])]
    names = dict(zip(parts["code"], parts["name"], strict=True))
    if names != {ALLENDE_II: "Siedlung Kämmereiheide", KAEMMEREIHEIDE: "Allende II"}:
        raise AssertionError(f"Allende II: unexpected features {names}")
    frame = frame.to_crs(METRIC_CRS)
    union = shapely.union_all(frame.geometry[parts.index].values)
    frame = frame.drop(index=parts.index[parts["code"] == KAEMMEREIHEIDE])
    keep = frame.index[frame["code"] == ALLENDE_II][0]
    frame.loc[keep, "name"] = "Allende II"
    frame.loc[keep, "geometry"] = union
    notes.append(
        f"{ALLENDE_II} Siedlung Kämmereiheide and {KAEMMEREIHEIDE} Allende II were "
        f"dissolved into {ALLENDE_II} Allende II, the planning area of the MSS "
        "2013–2019"
    )
    if len(frame) != count or not frame["code"].is_unique:
        raise AssertionError(f"old planning areas: keys are not {count} unique codes")
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame.sort_values("code").reset_index(drop=True), notes


def read_new(shared: Path, count: int = NEW_COUNT) -> gpd.GeoDataFrame:
    """The ``count`` planning areas of 2021 (code, name, geometry in METRIC_CRS)."""
    frame = gpd.read_file(shared / NEW_FILE)
    if frame.crs is None or frame.crs.to_epsg() != 25833 or len(frame) != count:
        raise AssertionError(f"{NEW_FILE}: expected {count} areas in EPSG:25833")
    frame = frame.rename(columns={"PLR_ID": "code", "PLR_NAME": "name"})
    return frame[["code", "name", "geometry"]]


def as_areas(frame: gpd.GeoDataFrame) -> list[Area]:
    """The frame's rows as areas with WGS84 boundaries (for the overlap)."""
    wgs84 = frame.to_crs("EPSG:4326")
    return [
        Area(
            code=row.code,
            name=row.name,
            level="planning_area",
            geometry=json.dumps(mapping(row.geometry)),
        )
        for row in wgs84.itertuples()
    ]


def lineage(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> list[AreaLink]:
    """Old → new links from the overlap of the unsimplified boundaries."""
    links = overlap_links(as_areas(old), as_areas(new), valid_on=NEW_FIRST_DAY)
    linked = {link.predecessor for link in links}
    if linked != set(old["code"]):
        missing = sorted(set(old["code"]) - linked)
        raise AssertionError(f"old planning areas without a successor: {missing}")
    return links


def snapped(geom: Any) -> dict[str, Any]:
    """GeoJSON geometry snapped to WGS84_DECIMALS, exterior rings counterclockwise."""
    geom = shapely.orient_polygons(shapely.set_precision(geom, 10**-WGS84_DECIMALS))
    data = mapping(geom)

    def walk(coords: Any) -> Any:
        if isinstance(coords[0], (int, float)):
            return [round(float(c), WGS84_DECIMALS) for c in coords]
        return [walk(c) for c in coords]

    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def write_areas(path: Path, old: gpd.GeoDataFrame) -> None:
    """The old planning areas, simplified together as one coverage, as GeoJSON."""
    simple = gpd.GeoSeries(
        shapely.coverage_simplify(old.geometry.values, SIMPLIFY_M), crs=METRIC_CRS
    ).to_crs("EPSG:4326")
    lines = []
    for row, geom in zip(old.itertuples(), simple, strict=True):
        props = {
            "code": row.code,
            "name": row.name,
            "level": "planning_area",
            "parent": row.code[:2],
            "valid_to": OLD_LAST_DAY.isoformat(),
        }
        feature = {"type": "Feature", "properties": props, "geometry": snapped(geom)}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def build(
    shared: Path, out: Path, *, counts: tuple[int, int] = (OLD_COUNT, NEW_COUNT)
) -> Built:
    """Write ``areas.geojson`` and ``lineage.csv`` of the old planning areas to
    ``out`` from the original files in ``shared`` (``counts``: how many old and new
    planning areas they must hold)."""
    old, notes = read_old(shared, counts[0])
    new = read_new(shared, counts[1])
    links = lineage(old, new)
    out.mkdir(parents=True, exist_ok=True)
    write_areas(out / "areas.geojson", old)
    with (out / "lineage.csv").open("w", encoding="utf-8", newline="") as handle:
        write_links(links, handle)
    kinds: dict[str, int] = {}
    for link in links:
        kinds[link.kind.value] = kinds.get(link.kind.value, 0) + 1
    notes.append(
        "lineage: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        + f" rows; {len({x.successor for x in links})} of {len(new)} new planning "
        "areas have a predecessor"
    )
    return Built(areas=len(old), links=len(links), notes=tuple(notes))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.shared / OLD_FILE).is_file():
        parser.error(f"{args.shared / OLD_FILE} is not there: pass --shared PATH")
    built = build(args.shared.resolve(), args.out)
    print(f"{built.areas} old planning areas, {built.links} lineage rows")
    for note in built.notes:
        print(f"  {note}")
    for path in sorted(args.out.iterdir()):
        print(f"  {path}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
