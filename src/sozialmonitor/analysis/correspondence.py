"""A correspondence between two boundary vintages from the overlap of their areas,
for when no official table (Umsteigeschlüssel) exists: the share of each old area
that lies in each new one (basis ``area``).

The shares are of surface, not of inhabitants: where people live unevenly (a park, a
lake, a new estate), an official or population-weighted table is better.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence

import shapely
from shapely.geometry import shape

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis

EQUAL_AREA_CRS = "EPSG:3035"
"""ETRS89 / LAEA Europe: areas in m² measured without distortion across Europe."""
MIN_SHARE = 0.01
"""Overlaps below this share of the old area are taken for slivers (the two
vintages digitised a common boundary a little differently), not for a move."""
SHARE_DECIMALS = 4


def _projected(areas: Sequence[Area]) -> dict[str, shapely.Geometry]:
    """The areas' boundaries in the equal-area CRS, made valid."""
    import geopandas as gpd

    with_geometry = [a for a in areas if a.geometry]
    frame = gpd.GeoSeries(
        [shape(json.loads(a.geometry or "null")) for a in with_geometry],
        index=[a.code for a in with_geometry],
        crs="EPSG:4326",
    ).to_crs(EQUAL_AREA_CRS)
    return {
        code: shapely.make_valid(geometry)
        for code, geometry in frame.items()
        if geometry is not None and not geometry.is_empty
    }


def overlap_links(
    old: Sequence[Area],
    new: Sequence[Area],
    *,
    valid_on: dt.date,
    min_share: float = MIN_SHARE,
) -> list[AreaLink]:
    """Links from each old area to the new areas it overlaps, with the share of its
    surface in each (shares of one old area sum to 1).

    Old areas that overlap no new area (or lack a boundary) get no link. The kind:
    ``split`` when an old area goes to several new ones, else ``merged`` when its
    new area comes from several old ones, else ``renamed`` when the name changed,
    else ``recoded``.

    Examples
    --------
    >>> import datetime as dt, json
    >>> from shapely.geometry import box, mapping
    >>> def area(code, name, *bounds):
    ...     geometry = json.dumps(mapping(box(*bounds)))
    ...     return Area(code=code, name=name, level="district", geometry=geometry)
    >>> old = [area("01", "Nord", 13.0, 52.0, 13.2, 52.1)]
    >>> new = [area("11", "Nord-West", 13.0, 52.0, 13.1, 52.1),
    ...        area("12", "Nord-Ost", 13.1, 52.0, 13.2, 52.1)]
    >>> [(x.successor, x.kind.value, round(x.share, 2))
    ...  for x in overlap_links(old, new, valid_on=dt.date(2021, 1, 1))]
    [('11', 'split', 0.5), ('12', 'split', 0.5)]
    """
    import geopandas as gpd

    old_shapes, new_shapes = _projected(old), _projected(new)
    if not old_shapes or not new_shapes:
        return []
    new_series = gpd.GeoSeries(list(new_shapes.values()), crs=EQUAL_AREA_CRS)
    new_codes = list(new_shapes)
    shares: dict[str, dict[str, float]] = {}
    for code, geometry in old_shapes.items():
        size = geometry.area
        if size <= 0:
            continue
        overlaps: dict[str, float] = {}
        for position in new_series.sindex.query(geometry, predicate="intersects"):
            part = shapely.intersection(geometry, new_series.iloc[position]).area
            if part / size >= min_share:
                overlaps[new_codes[position]] = part
        total = sum(overlaps.values())
        if total > 0:
            shares[code] = {c: part / total for c, part in overlaps.items()}
    predecessors: dict[str, int] = defaultdict(int)
    for targets in shares.values():
        for target in targets:
            predecessors[target] += 1
    names = {a.code: a.name for a in (*old, *new)}
    links = []
    for code in sorted(shares):
        targets = shares[code]
        for target in sorted(targets):
            if len(targets) > 1:
                kind = LineageKind.SPLIT
            elif predecessors[target] > 1:
                kind = LineageKind.MERGED
            elif names[code] != names[target]:
                kind = LineageKind.RENAMED
            else:
                kind = LineageKind.RECODED
            links.append(
                AreaLink(
                    predecessor=code,
                    successor=target,
                    kind=kind,
                    valid_on=valid_on,
                    share=round(targets[target], SHARE_DECIMALS),
                    basis=ShareBasis.AREA,
                )
            )
    return links
