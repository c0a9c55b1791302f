"""Server-rendered SVG maps: a choropleth of one indicator and a locator map.

The maps are inline ``<svg>`` elements: no base map, no script, no third-party request.
Boundaries (GeoJSON text in WGS84) are projected to ETRS89 / LAEA Europe (EPSG:3035,
equal-area, the projection the EU uses for statistical maps), fitted into a viewBox of
at most ``VIEW_SIZE`` units either way with the y axis pointing down, simplified as a
coverage (neighbours keep their shared edges) with a tolerance of about one unit,
rounded to whole units and written as relative path commands after an absolute
start per area.

Preparing the paths is the expensive part, so it is cached per ``cache_key``; a render
only adds the per-request colours and labels. The key must identify the set of areas
passed (e.g. ``"<db-identity>:<level>:<parent>"``), as their extent sets the viewBox;
areas and boundaries do not change while the process runs.

A choropleth of up to ``INTERACTIVE_LIMIT`` areas has one labelled link per area; a
larger one is a single image with one path per class. Colours are fill attributes;
the one style rule (the outline of a hovered or focused area) is in the portal's
stylesheet, not in the ``<svg>``: the pages' Content-Security-Policy allows no inline
style. The class colours and the legend are :mod:`sozialmonitor.web.maplegend`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from markupsafe import escape
from pyproj import Transformer

from sozialmonitor.errors import MissingBoundariesError, UnknownAreaError
from sozialmonitor.lru import Lru

# The palette and the legend live in maplegend; ``X as X`` keeps them importable
# from here as before.
from sozialmonitor.web.maplegend import NO_VALUE_LABEL as NO_VALUE_LABEL
from sozialmonitor.web.maplegend import Legend as Legend
from sozialmonitor.web.maplegend import LegendEntry as LegendEntry
from sozialmonitor.web.maplegend import build_legend as build_legend
from sozialmonitor.web.maplegend import legend_html as legend_html
from sozialmonitor.web.maplegend import palette as palette
from sozialmonitor.web.positions import Positions

VIEW_SIZE = 800
"""Width of the viewBox, or its height if the areas are taller than wide."""
MARGIN = 2
"""Space around the areas (viewBox units), so outlines at the edge are not clipped."""
TOLERANCE = 1.0
"""``shapely.coverage_simplify`` tolerance in viewBox units (about one pixel)."""
INTERACTIVE_LIMIT = 3000
"""Above this many areas a choropleth is one image, not one link per area.

10,997 linked and labelled municipalities need about 380 KB gzip, over the page budget
of 300 KB, and nobody tabs through them; one path per class needs about 125 KB. The
page's table carries the values either way.
"""
CACHE_SIZE = 32
"""Prepared maps kept; the least recently used is dropped first."""
LOCATOR_FILL = "#e0e0e0"
LOCATOR_HIGHLIGHT = "#0b4f8a"
OUTLINE = "#111"
"""Also the hover/focus outline in ``static/css/portal.css`` (``.sm-map a:hover``)."""
_HATCH = (
    '<rect width="6" height="6" fill="#fff"/>'
    '<path d="M0 0v6" stroke="#767676" stroke-width="2"/>'
)
_HIGHLIGHT_STROKE = f'stroke="{OUTLINE}" stroke-width="2.5"'


@dataclass(slots=True, kw_only=True)
class MapArea:
    """One area as the map draws it (slots, not frozen: a map of Germany's
    municipalities makes 11,000 of them per request, and a frozen dataclass sets
    each field through ``object.__setattr__``)."""

    code: str
    """Official area code."""
    name: str
    """Official name."""
    geometry: str | None
    """Boundary as GeoJSON geometry text in WGS84; None = not drawn."""
    label: str
    """What hover and focus show, formatted (``Laatzen: 12,3 %``)."""
    class_index: int | None
    """Class ``0 … k-1``; None = no value."""
    href: str | None = None
    """Link target (the area profile); None = not a link."""


@dataclass(frozen=True, kw_only=True)
class _PreparedMap:
    """The boundaries of a map as path data, by position; ``codes`` maps codes."""

    width: int
    height: int
    codes: Positions
    """The areas' codes → positions."""
    d: list[str]
    """An area's path data: an absolute ``M x y`` to its first ring, so that the
    areas of a class join into one path by plain concatenation."""


_cache = Lru(CACHE_SIZE)


def prepare(areas: Sequence[MapArea], cache_key: str) -> None:
    """Prepare the paths of a set of areas before its first map is asked for (the
    expensive part: about a second for Germany's 11,000 municipalities)."""
    _prepared(areas, cache_key)


def _prepared(areas: Sequence[MapArea], cache_key: str) -> _PreparedMap:
    # a rare double preparation (two requests at once) is harmless
    return _cache.get_or_make(cache_key, lambda: _prepare(areas))


LAEA_EUROPE = (
    "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
    "+step +proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80"
)
"""EPSG:4326 → EPSG:3035 as the PROJ pipeline PROJ itself chooses for it, written
out: made from text, a transformer is set up in a new thread in 0.3 ms instead of
~55 ms (looking the codes up in proj.db), and each server thread needs its own."""


@functools.cache
def _to_laea() -> Transformer:
    return Transformer.from_pipeline(LAEA_EUROPE)


def _prepare(areas: Sequence[MapArea]) -> _PreparedMap:
    drawn = [a for a in areas if a.geometry]
    geoms = shapely.from_geojson([a.geometry for a in drawn])
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(geoms), (3, 6))):
        parts = shapely.get_parts(geoms[i])  # keep a collection's polygons
        geoms[i] = shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])
    keep = ~shapely.is_empty(geoms)
    codes = [a.code for a, kept in zip(drawn, keep, strict=True) if kept]
    laea = _to_laea()
    geoms = shapely.transform(
        geoms[keep], lambda xy: np.column_stack(laea.transform(*xy.T))
    )
    if not codes:
        return _PreparedMap(
            width=VIEW_SIZE, height=VIEW_SIZE // 2, codes=Positions([]), d=[]
        )
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    scale = (VIEW_SIZE - 2 * MARGIN) / max(maxx - minx, maxy - miny, 1e-9)
    origin, factor = np.array([minx, maxy]), np.array([scale, -scale])
    geoms = shapely.transform(geoms, lambda xy: (xy - origin) * factor + MARGIN)
    # Shells one way round, holes the other: the default nonzero fill leaves holes.
    geoms = shapely.orient_polygons(shapely.coverage_simplify(geoms, TOLERANCE))
    first, rest = _rings(geoms)
    return _PreparedMap(
        width=int(np.ceil((maxx - minx) * scale)) + 2 * MARGIN,
        height=int(np.ceil((maxy - miny) * scale)) + 2 * MARGIN,
        codes=Positions(codes),
        # After an absolute M further pairs would be absolute lines: say l.
        d=[
            f"M{x} {y}l{r}" if r else f"M{x} {y}"
            for (x, y), r in zip(first.tolist(), rest, strict=True)
        ],
    )


def _numbers(values: list[int]) -> str:
    """``3 -2 1 4`` as ``3-2 1 4``: a minus sign separates numbers by itself."""
    return " ".join(map(str, values)).replace(" -", "-")


def _rings(geoms: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Round to whole units and write each area's rings as relative moves/lines:
    the start of each area's first ring, and the rest of its path data."""
    parts, part_area = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    points = np.rint(coords).astype(np.int64)
    repeat = np.zeros(len(points), dtype=bool)  # rounding makes points repeat
    repeat[1:] = (points[1:] == points[:-1]).all(axis=1)
    repeat[1:] &= coord_ring[1:] == coord_ring[:-1]
    points, coord_ring = points[~repeat], coord_ring[~repeat]
    steps = np.diff(points, axis=0).ravel().tolist()
    bounds = np.searchsorted(coord_ring, np.arange(len(rings) + 1)).tolist()
    first = np.zeros((len(geoms), 2), np.int64)
    last = np.zeros((len(geoms), 2), np.int64)  # start of the ring written last
    pieces: list[list[str]] = [[] for _ in geoms]
    for ring, area in enumerate(part_area[ring_part].tolist()):
        start, end = bounds[ring], bounds[ring + 1] - 1  # the end closes the ring
        if end - start >= 3:
            ring_steps = steps[2 * start : 2 * (end - 1)]
        elif pieces[area] or end < start:
            continue  # a hole or island smaller than a unit
        else:  # the whole area is smaller than a unit: still show and link it
            ring_steps = [1, 0, 0, 1, -1, 0]
        x, y = points[start].tolist()
        if pieces[area]:  # a further ring: move relative to the last ring's start
            move = [x - last[area, 0], y - last[area, 1]]
            pieces[area].append(f"m{_numbers(move + ring_steps)}z")
        else:
            first[area] = x, y
            text = _numbers(ring_steps)
            pieces[area] = [text if text[0] == "-" else " " + text, "z"]
        last[area] = x, y
    return first, ["".join(p) for p in pieces]


def _uid(*parts: str | None) -> str:
    """An id unique per map on a page and the same in every render."""
    text = "\0".join(p or "" for p in parts)
    return "map-" + hashlib.blake2s(text.encode(), digest_size=5).hexdigest()


def _svg(
    prepared: _PreparedMap, body: list[str], *, uid: str, title: str, role: str
) -> str:
    text = escape(title)
    width = ".5" if len(prepared.d) <= 2000 else ".2"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sm-map" id="{uid}" '
        f'viewBox="0 0 {prepared.width} {prepared.height}" role="{role}" '
        f'aria-label="{text}"><title>{text}</title>'
        f'<defs><pattern id="{uid}-nv" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">{_HATCH}'
        f'</pattern></defs><g stroke="#fff" stroke-width="{width}" '
        f'stroke-linejoin="round">{"".join(body)}</g></svg>'
    )


def _area_path(
    area: MapArea, d: str, paint: str, *, link: bool, current: bool = False
) -> str:
    """One area: a link (if ``href``), a labelled image or (``link=False``) a path."""
    label = escape(area.label)
    paint += f" {_HIGHLIGHT_STROKE}" if current else ""
    aria_current = ' aria-current="true"' if current else ""
    if not link:
        return f'<path {paint} d="{d}"><title>{label}</title></path>'
    if area.href is None:
        return (
            f'<path role="img" aria-label="{label}" {paint} d="{d}">'
            f"<title>{label}</title></path>"
        )
    return (
        f'<a href="{escape(area.href)}" aria-label="{label}" class="map-area" '
        f'data-code="{escape(area.code)}"{aria_current}>'
        f'<path {paint} d="{d}"><title>{label}</title></path></a>'
    )


def _index(area: MapArea) -> int:
    """Position of the area's paint: its class, or -1 (the hatch) without a value."""
    return -1 if area.class_index is None else area.class_index


def _paints(k: int, uid: str, colours: Sequence[str] | None = None) -> list[str]:
    """Fill of each class (``colours``, else the sequential palette), and last
    (index -1) the map's hatch for no value."""
    fills = palette(k) if colours is None else tuple(colours)
    if len(fills) != k:
        raise ValueError(f"{len(fills)} colours for {k} classes.")
    paints = [f'class="c{i}" fill="{escape(c)}"' for i, c in enumerate(fills)]
    paints.append(f'class="nv" fill="url(#{uid}-nv)"')
    return paints


def _class_paths(
    prepared: _PreparedMap,
    positions: npt.NDArray[np.int64],
    classes: npt.NDArray[np.int64],
    paints: list[str],
) -> list[str]:
    """One path per class (-1, no value, first), its areas joined in the given
    order."""
    d = prepared.d
    return [
        f'<path {paints[i]} d="{"".join([d[j] for j in group])}"/>'
        for i in np.unique(classes).tolist()
        if (group := positions[classes == i].tolist())
    ]


def class_image_svg(
    areas: Sequence[MapArea],
    classes: Sequence[int | None],
    *,
    k: int,
    title: str,
    cache_key: str,
    colours: Sequence[str] | None = None,
) -> str:
    """The choropleth ``choropleth_svg`` draws as one image (``interactive=False``),
    with the classes as a column: ``classes[i]`` is the class of ``areas[i]`` (None
    = no value), the areas' own labels and classes are not read. For the maps of
    many areas (11,000 municipalities), which then need no object per area and
    request.

    Raises
    ------
    ValueError
        If ``k`` or a class is out of range.

    Examples
    --------
    >>> square = '{"type":"Polygon","coordinates":[[[9,52],[10,52],[10,53],[9,52]]]}'
    >>> area = MapArea(code="1", name="A", geometry=square, label="A", class_index=0)
    >>> svg = class_image_svg([area], [0], k=2, title="Karte", cache_key="doctest")
    >>> svg == choropleth_svg(
    ...     [area], k=2, title="Karte", cache_key="doctest", interactive=False
    ... )
    True
    >>> svg = class_image_svg([area], [1], k=2, title="Karte", cache_key="doctest")
    >>> 'class="c1"' in svg
    True
    """
    uid = _uid("choropleth", cache_key, title, None)
    paints = _paints(k, uid, colours)
    prepared = _prepared(areas, cache_key)
    positions = prepared.codes.of([a.code for a in areas])
    wanted = np.array(classes, dtype=float)  # None becomes NaN
    if len(wanted) != len(areas):
        raise ValueError(f"{len(wanted)} classes for {len(areas)} areas.")
    outside = (wanted < 0) | (wanted >= k)
    if outside.any():
        at = int(np.flatnonzero(outside)[0])
        raise ValueError(f"Area {areas[at].code}: class {classes[at]} is not < {k}.")
    painted = np.where(np.isnan(wanted), -1, wanted).astype(np.int64)
    drawn = positions >= 0
    body = _class_paths(prepared, positions[drawn], painted[drawn], paints)
    return _svg(prepared, body, uid=uid, title=title, role="img")


def choropleth_svg(
    areas: Sequence[MapArea],
    *,
    k: int,
    title: str,
    cache_key: str,
    highlight: str | None = None,
    interactive: bool | None = None,
    colours: Sequence[str] | None = None,
) -> str:
    """Render a choropleth: each area filled by its class, a hatch where no value.

    Parameters
    ----------
    areas : sequence of MapArea
        The areas of one level; those without geometry are not drawn.
    k : int
        Number of classes; ``class_index`` must lie in ``0 … k-1``.
    title : str
        Accessible name of the map (``SGB-II-Quote 2021 nach Planungsraum``).
    cache_key : str
        Identifies the set of areas; the paths prepared for it are reused.
    highlight : str, optional
        Code of an area outlined strongly and drawn on top.
    interactive : bool, optional
        One labelled path (a link if ``href``) per area, in a ``role="group"``; or
        one ``role="img"`` with a path per class. By default interactive up to
        ``INTERACTIVE_LIMIT`` areas.
    colours : sequence of str, optional
        The fill of each class for categories (a class indicator's declared
        colours, hot-spot clusters); by default the sequential palette of ``k``
        classes.

    Returns
    -------
    str
        An ``<svg>`` element.

    Raises
    ------
    ValueError
        If ``k`` or a ``class_index`` is out of range.

    Examples
    --------
    >>> square = '{"type":"Polygon","coordinates":[[[9,52],[10,52],[10,53],[9,52]]]}'
    >>> area = MapArea(code="1", name="A", geometry=square, label="A", class_index=0)
    >>> svg = choropleth_svg([area], k=2, title="Karte", cache_key="doctest")
    >>> svg.count('aria-label="A"')
    1
    """
    uid = _uid("choropleth", cache_key, title, highlight)
    paints = _paints(k, uid, colours)
    prepared = _prepared(areas, cache_key)
    drawn = [a for a in areas if a.code in prepared.codes]
    for area in drawn:
        if area.class_index is not None and not 0 <= area.class_index < k:
            raise ValueError(
                f"Area {area.code}: class {area.class_index} is not < {k}."
            )
    if interactive is None:
        interactive = len(drawn) <= INTERACTIVE_LIMIT
    d, position = prepared.d, prepared.codes
    rest = [a for a in drawn if a.code != highlight]
    top = [a for a in drawn if a.code == highlight]  # last: no neighbour covers it
    if interactive:
        body = [
            _area_path(a, d[position[a.code]], paints[_index(a)], link=True)
            for a in rest
        ]
    else:
        body = _class_paths(
            prepared,
            np.array([position[a.code] for a in rest], dtype=np.int64),
            np.array([_index(a) for a in rest], dtype=np.int64),
            paints,
        )
    for area in top:
        paint = paints[_index(area)].replace('class="', 'class="hl ')
        body.append(
            _area_path(
                area, d[position[area.code]], paint, link=interactive, current=True
            )
        )
    role = "group" if interactive else "img"
    return _svg(prepared, body, uid=uid, title=title, role=role)


def locator_svg(
    areas: Sequence[MapArea], *, highlight: str, title: str, cache_key: str
) -> str:
    """Render a locator map: one area dark among light grey neighbours, no links.

    The map is one image (``role="img"``) named by ``title``; only the highlighted
    area has a ``<title>``, for the mouse.

    Parameters
    ----------
    areas : sequence of MapArea
        The areas to draw (e.g. the highlighted area and its siblings).
    highlight : str
        Code of the area to show.
    title : str
        Accessible name (``Lage von Laatzen in der Region Hannover``).
    cache_key : str
        Identifies the set of areas; the paths prepared for it are reused.

    Returns
    -------
    str
        An ``<svg>`` element.

    Raises
    ------
    UnknownAreaError
        If no area has the code ``highlight``.
    MissingBoundariesError
        If the highlighted area has no boundary to draw.
    """
    if all(a.code != highlight for a in areas):
        raise UnknownAreaError(f"Area '{highlight}' is not among the map's areas.")
    prepared = _prepared(areas, cache_key)
    if highlight not in prepared.codes:
        raise MissingBoundariesError(
            f"Area '{highlight}' has no boundary; show its profile without a map."
        )
    others = [
        prepared.codes[a.code]
        for a in areas
        if a.code != highlight and a.code in prepared.codes
    ]
    target = next(a for a in areas if a.code == highlight)
    paint = f'class="hl" fill="{LOCATOR_HIGHLIGHT}"'
    joined = "".join([prepared.d[i] for i in others])
    body = [
        f'<path fill="{LOCATOR_FILL}" d="{joined}"/>' if others else "",
        _area_path(
            target,
            prepared.d[prepared.codes[highlight]],
            paint,
            link=False,
            current=True,
        ),
    ]
    uid = _uid("locator", cache_key, title, highlight)
    return _svg(prepared, body, uid=uid, title=title, role="img")
