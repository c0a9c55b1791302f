"""What every demo set shares: the number format, the observation rows, the
catalogue entries, and the writers and checks of the project's own input formats
(``docs/formats.md``)."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import yaml
from shapely.geometry import mapping

from .english import english

DEMO_MAPPINGS = Path(__file__).resolve().parents[1] / "demo_mappings"
WGS84_DECIMALS = 5
OBS_COLUMNS = [
    "indicator",
    "area",
    "period",
    "value",
    "numerator",
    "denominator",
    "flags",
    "note",
]
CATALOGUE_FIELDS = {
    "id": "",
    "name": "",
    "short_name": "",
    "unit": "",
    "topic": "",
    "definition": "",
    "kind": "",
    "numerator": "",
    "denominator": "",
    "multiplier": 1,
    "decimals": 1,
    "polarity": "neutral",
    "source": "",
    "licence": "",
    "update_cycle": "jährlich",
    "visibility": "public",
    "min_count": 3,
    "first_period": "",
    "last_period": "",
    "keywords": [],
}
"""Every catalogue field in the documented order, with its default."""
LINK_FIELDS = {
    "denominator": ("numerator_indicator", "denominator_indicator"),
    "last_period": ("change_of", "change_base"),
}
"""Optional fields (links between indicators), written after the field named
only where an entry has them. The English texts (``english.py``) come last."""

DL_DE = "dl-de/by-2-0"
ZENSUS_NOTE = (
    "Zeitreihenbruch: ab 31.12.2011 Bevölkerungsfortschreibung auf Basis des "
    "Zensus 2011"
)


@dataclass(kw_only=True)
class DemoSet:
    """One folder of ``src/sozialmonitor/demo``: what the driver writes."""

    name: str
    areas: list[dict[str, Any]]
    catalogue: list[dict[str, Any]]
    rows: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)
    """Consistency notes of the build, listed in ATTRIBUTION.md."""


def fmt(value: float | int | str | Decimal, places: int | None = None) -> str:
    """A number as plain decimal text: ``.`` as decimal point, no exponent, no
    thousands separator, no trailing zeros; rounded to ``places`` if given."""
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        number = Decimal(value.strip().replace(",", "."))
    else:
        number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def short_name(name: str) -> str:
    """The municipality name without INKAR's / GENESIS' type suffix."""
    return name.split(",")[0].strip()


def catalogue_entry(fields: dict[str, Any]) -> dict[str, Any]:
    """A catalogue entry with every field, in the documented order."""
    entry: dict[str, Any] = {}
    for key, default in CATALOGUE_FIELDS.items():
        entry[key] = fields.get(key, default)
        for link in LINK_FIELDS.get(key, ()):
            if fields.get(link):
                entry[link] = fields[link]
    entry["short_name"] = entry["short_name"] or entry["name"]
    entry["definition"] = " ".join(str(entry["definition"]).split())
    entry["keywords"] = list(entry["keywords"])
    return entry | english(entry)


def demo_entries() -> dict[str, dict[str, Any]]:
    """The catalogue entries of ``scripts/demo_mappings/indicators.yaml``."""
    text = (DEMO_MAPPINGS / "indicators.yaml").read_text(encoding="utf-8")
    return {e["id"]: catalogue_entry(e) for e in yaml.safe_load(text)}


def obs(
    indicator_id: str,
    area: str,
    period: str,
    value: str | None,
    *,
    numerator: str = "",
    denominator: str = "",
    flags: str = "",
    note: str = "",
) -> dict[str, str]:
    return {
        "indicator": indicator_id,
        "area": area,
        "period": period,
        "value": "" if value is None else value,
        "numerator": numerator,
        "denominator": denominator,
        "flags": flags,
        "note": note,
    }


def round_coords(geom: Any) -> Any:
    """GeoJSON geometry with coordinates rounded to WGS84_DECIMALS, kept valid."""
    if geom is None or geom.is_empty:
        return None
    snapped = shapely.set_precision(geom, 10**-WGS84_DECIMALS)
    # RFC 7946: exterior rings counterclockwise, holes clockwise.
    data = mapping(shapely.orient_polygons(snapped))

    def walk(coords: Any) -> Any:
        if isinstance(coords[0], (int, float)):
            return [round(float(c), WGS84_DECIMALS) for c in coords]
        return [walk(c) for c in coords]

    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def write_geojson(path: Path, areas: Iterable[dict[str, Any]]) -> None:
    lines = []
    for area in areas:
        props = {
            k: area[k]
            for k in ("code", "name", "level", "parent", "valid_from", "valid_to")
            if k in area
        }
        feature = {
            "type": "Feature",
            "properties": props,
            "geometry": round_coords(area["geometry"]),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_yaml(path: Path, catalogue: list[dict[str, Any]]) -> None:
    text = yaml.safe_dump(
        catalogue, allow_unicode=True, sort_keys=False, width=88, indent=2
    )
    path.write_text(text, encoding="utf-8")


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    rows = sorted(rows, key=lambda r: (r["indicator"], r["area"], r["period"]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=OBS_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def check_set(
    city: str,
    folder: Path,
    catalogue: list[dict[str, Any]],
    rows: list[dict[str, str]],
) -> None:
    """Re-read the written files and check them against each other."""
    areas = gpd.read_file(folder / "areas.geojson")
    if areas.crs is None or areas.crs.to_epsg() != 4326:
        raise AssertionError(f"{city}: areas not in EPSG:4326")
    if not areas["code"].is_unique:
        raise AssertionError(f"{city}: duplicate area codes")
    if not areas.geometry.is_valid.all():
        raise AssertionError(f"{city}: invalid geometries")
    codes = set(areas["code"])
    parents = areas["parent"].dropna() if "parent" in areas else pd.Series([])
    orphans = sorted(set(parents) - codes)
    if orphans:
        raise AssertionError(f"{city}: parents not in file: {orphans}")
    roots = areas[areas["parent"].isna()] if "parent" in areas else areas
    if len(roots) != 1:
        raise AssertionError(f"{city}: expected one root, got {list(roots['code'])}")
    ids = [c["id"] for c in catalogue]
    if len(ids) != len(set(ids)):
        raise AssertionError(f"{city}: duplicate indicator ids")
    loaded = yaml.safe_load((folder / "indicators.yaml").read_text(encoding="utf-8"))
    if loaded != catalogue:
        raise AssertionError(f"{city}: indicators.yaml does not round-trip")
    frame = pd.read_csv(folder / "observations.csv", dtype=str, keep_default_na=False)
    if list(frame.columns) != OBS_COLUMNS or len(frame) != len(rows):
        raise AssertionError(f"{city}: observations.csv columns or length differ")
    if frame.duplicated(["indicator", "area", "period"]).any():
        raise AssertionError(f"{city}: duplicate observation keys")
    if not set(frame["area"]) <= codes:
        raise AssertionError(f"{city}: unknown areas {set(frame['area']) - codes}")
    if not set(frame["indicator"]) <= set(ids):
        raise AssertionError(f"{city}: unknown indicators")
    raw = (folder / "observations.csv").read_bytes()
    if raw.startswith(b"\xef\xbb\xbf") or b"\r" in raw:
        raise AssertionError(f"{city}: BOM or CR in observations.csv")
    for col in ("value", "numerator", "denominator"):
        bad = frame[col][
            (frame[col] != "") & ~frame[col].str.fullmatch(r"-?\d+(\.\d+)?")
        ]
        if len(bad):
            raise AssertionError(f"{city}: bad numbers in {col}: {list(bad[:5])}")
    kinds = {c["id"]: c["kind"] for c in catalogue}
    for row in frame.itertuples():
        if row.numerator and row.denominator and kinds[row.indicator] == "share":
            expected = Decimal(row.numerator) / Decimal(row.denominator) * 100
            if abs(expected - Decimal(row.value)) > Decimal("0.0051"):
                raise AssertionError(f"{city}: value != parts in {row}")


def lookup(rows: list[dict[str, str]], ind: str, area: str, period: str) -> str | None:
    for row in rows:
        if (row["indicator"], row["area"], row["period"]) == (ind, area, period):
            return row["value"]
    return None


def summary(
    city: str, areas: list[dict[str, Any]], cat: list[dict[str, Any]], rows: list[dict]
) -> list[str]:
    levels = Counter(a["level"] for a in areas)
    out = [
        f"== {city}: {len(areas)} areas ({dict(levels)}), {len(cat)} indicators, "
        f"{len(rows)} observations"
    ]
    by_ind: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_ind[row["indicator"]].append(row)
    for c in cat:
        own = by_ind.get(c["id"], [])
        periods = sorted({r["period"] for r in own})
        values = sum(1 for r in own if r["value"] != "")
        span = f"{periods[0]} … {periods[-1]}" if periods else "-"
        out.append(
            f"  {c['id']:<50} {c['kind']:<6} {c['unit']:<30} {span:<25} "
            f"{len(periods):>2} periods {values:>5} values"
        )
    return out
