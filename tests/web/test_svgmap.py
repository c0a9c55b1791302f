"""Server-rendered SVG maps: markup, geometry, escaping, cache, size and speed."""

from __future__ import annotations

import gzip
import json
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import shapely
from bs4 import BeautifulSoup

from sozialmonitor.errors import MissingBoundariesError, UnknownAreaError
from sozialmonitor.web import svgmap
from sozialmonitor.web.svgmap import (
    LOCATOR_FILL,
    LOCATOR_HIGHLIGHT,
    NO_VALUE_LABEL,
    MapArea,
    build_legend,
    choropleth_svg,
    legend_html,
    locator_svg,
    palette,
)

SVG = "{http://www.w3.org/2000/svg}"
BERLIN = Path(svgmap.__file__).parents[1] / "demo" / "berlin" / "areas.geojson"
VG5000 = Path("/work/shared/data/germany-vg5000/VG5000_GEM.shp")
BERLIN_GZIP_LIMIT = 40_000
"""Bytes; measured 31,000 for the 542 planning areas with labels and links."""
GERMANY_GZIP_LIMIT = 150_000
"""Bytes; the budget for 10,997 municipalities, measured 129,100."""


def square(west: float, south: float, size: float = 0.01) -> str:
    """A square in WGS84 as GeoJSON text (closed, counter-clockwise)."""
    e, n = west + size, south + size
    ring = [[west, south], [e, south], [e, n], [west, n], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def grid_areas() -> list[MapArea]:
    """A 2 x 2 grid of squares near Hannover, one without value, one not drawn."""
    spec = [  # code, name, west, south, class
        ("01", "Nordwest", 9.70, 52.31, 0),
        ("02", "Nordost", 9.71, 52.31, 2),
        ("03", "Südwest", 9.70, 52.30, 1),
        ("04", 'Süd & Ost <"Mitte">', 9.71, 52.30, None),
    ]
    areas = [
        MapArea(
            code=code,
            name=name,
            geometry=square(west, south),
            label=f"{name}: {'keine Angabe' if cls is None else f'{cls},5 %'}",
            class_index=cls,
            href=f"/gebiete/{code}",
        )
        for code, name, west, south, cls in spec
    ]
    areas.append(
        MapArea(code="05", name="Ohne Grenze", geometry=None, label="x", class_index=0)
    )
    return areas


def rings(d: str) -> list[list[tuple[int, int]]]:
    """Absolute points of each ring of path data made of ``M`` (absolute) or ``m``
    (relative) moves, relative pairs (after ``M`` introduced by ``l``) and ``z``."""
    out: list[list[tuple[int, int]]] = []
    x = y = 0  # the pen; after ``z`` it is back at the ring's start
    for move, ring in re.findall(r"([Mm])([^Mmz]*)z", d):
        numbers = [int(n) for n in re.findall(r"-?\d+", ring)]
        assert numbers and len(numbers) % 2 == 0, ring
        # Pairs after M without l would be absolute lines; after m they are relative.
        assert move == "m" or re.fullmatch(r"-?\d+ -?\d+l[^A-Za-z]*", ring), ring
        if move == "M":
            x, y = numbers[0], numbers[1]
        else:
            x, y = x + numbers[0], y + numbers[1]
        points, px, py = [(x, y)], x, y
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            px, py = px + dx, py + dy
            points.append((px, py))
        out.append(points)
    assert "".join(re.findall(r"[Mm][^Mmz]*z", d)) == d, "only M/m … z rings expected"
    return out


def area_links(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {a.get("data-code", ""): a for a in root.iter(f"{SVG}a")}


def test_each_area_is_a_labelled_link_coloured_by_its_class() -> None:
    areas = grid_areas()
    svg = choropleth_svg(areas, k=3, title="Quote 2021", cache_key="test:grid")
    root = ET.fromstring(svg)
    assert root.get("role") == "group"
    assert root.get("aria-label") == "Quote 2021"
    assert root.findtext(f"{SVG}title") == "Quote 2021"
    links = area_links(svg)
    assert sorted(links) == ["01", "02", "03", "04"]  # 05 has no boundary
    colours = palette(3)
    for area in areas[:4]:
        link = links[area.code]
        assert link.get("href") == area.href
        assert link.get("aria-label") == area.label
        assert link.get("class") == "map-area"
        path = link.find(f"{SVG}path")
        assert path is not None
        assert path.findtext(f"{SVG}title") == area.label
        if area.class_index is not None:
            assert path.get("class") == f"c{area.class_index}"
            assert path.get("fill") == colours[area.class_index]


def test_area_without_value_is_hatched_with_the_maps_own_pattern() -> None:
    svg = choropleth_svg(grid_areas(), k=3, title="Quote", cache_key="test:grid")
    root = ET.fromstring(svg)
    path = area_links(svg)["04"].find(f"{SVG}path")
    assert path is not None and path.get("class") == "nv"
    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    assert pattern is not None
    assert path.get("fill") == f"url(#{pattern.get('id')})"
    assert pattern.get("id", "").startswith(root.get("id", "?"))
    # Another map on the same page gets other ids.
    other = ET.fromstring(
        choropleth_svg(grid_areas(), k=3, title="Andere", cache_key="test:grid")
    )
    assert other.get("id") != root.get("id")


def test_names_with_markup_characters_are_escaped() -> None:
    svg = choropleth_svg(grid_areas(), k=3, title='A & "B" <C>', cache_key="test:grid")
    assert '<"Mitte">' not in svg and "<C>" not in svg
    root = ET.fromstring(svg)  # parses: nothing broke out of an attribute
    assert root.get("aria-label") == 'A & "B" <C>'
    assert (
        area_links(svg)["04"].get("aria-label") == 'Süd & Ost <"Mitte">: keine Angabe'
    )


def test_the_written_out_projection_is_what_proj_chooses_for_epsg_3035() -> None:
    from pyproj import Transformer

    chosen = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    written = Transformer.from_pipeline(svgmap.LAEA_EUROPE)
    for lon, lat in [(9.73, 52.37), (6.0, 47.3), (15.0, 55.1), (-9.5, 38.7)]:
        x, y = written.transform(lon, lat)
        expected = chosen.transform(lon, lat)
        assert (x, y) == pytest.approx(expected, abs=1e-6)


def test_squares_are_projected_north_up_and_share_their_edges() -> None:
    svg = choropleth_svg(grid_areas(), k=3, title="Quote", cache_key="test:grid")
    root = ET.fromstring(svg)
    _, _, width, height = map(int, root.get("viewBox", "").split())
    assert max(width, height) == svgmap.VIEW_SIZE
    corners: dict[str, set[tuple[int, int]]] = {}
    for code, link in area_links(svg).items():
        path = link.find(f"{SVG}path")
        assert path is not None
        (ring,) = rings(path.get("d", ""))
        assert len(ring) == 4
        assert all(0 <= x <= width and 0 <= y <= height for x, y in ring)
        corners[code] = set(ring)

    def centre(code: str) -> tuple[float, float]:
        xs, ys = zip(*corners[code], strict=True)
        return sum(xs) / 4, sum(ys) / 4

    assert centre("01")[1] < centre("03")[1]  # north above south: y points down
    assert centre("01")[0] < centre("02")[0]  # west left of east
    # Neighbours share the corners of their common edge, all four the middle one.
    assert len(corners["01"] & corners["02"]) == len(corners["01"] & corners["03"]) == 2
    assert len(corners["01"] & corners["02"] & corners["03"] & corners["04"]) == 1


def test_a_hole_winds_against_its_shell_so_it_stays_empty() -> None:
    outer = [[9.0, 52.0], [9.2, 52.0], [9.2, 52.2], [9.0, 52.2], [9.0, 52.0]]
    inner = [[9.05, 52.05], [9.05, 52.15], [9.15, 52.15], [9.15, 52.05], [9.05, 52.05]]
    ring_area = MapArea(
        code="R",
        name="Ring",
        geometry=json.dumps({"type": "Polygon", "coordinates": [outer, inner]}),
        label="Ring",
        class_index=0,
        href="/gebiete/R",
    )
    svg = choropleth_svg([ring_area], k=2, title="Loch", cache_key="test:hole")
    path = area_links(svg)["R"].find(f"{SVG}path")
    assert path is not None
    shell, hole = (shapely.Polygon(r) for r in rings(path.get("d", "")))
    assert shell.contains(hole)
    assert shell.exterior.is_ccw != hole.exterior.is_ccw


def test_an_area_smaller_than_a_unit_is_still_drawn_and_linked() -> None:
    areas = [
        *grid_areas()[:4],
        MapArea(
            code="06",
            name="Winzig",
            geometry=square(9.5, 52.5, size=1e-6),
            label="Winzig: 1,0 %",
            class_index=1,
            href="/gebiete/06",
        ),
    ]
    svg = choropleth_svg(areas, k=3, title="Quote", cache_key="test:tiny")
    path = area_links(svg)["06"].find(f"{SVG}path")
    assert path is not None
    (ring,) = rings(path.get("d", ""))
    assert len(set(ring)) == 4  # a square of one unit


def test_highlighted_area_is_outlined_and_drawn_last() -> None:
    svg = choropleth_svg(
        grid_areas(), k=3, title="Quote", cache_key="test:grid", highlight="02"
    )
    links = list(ET.fromstring(svg).iter(f"{SVG}a"))
    assert links[-1].get("data-code") == "02"
    assert links[-1].get("aria-current") == "true"
    path = links[-1].find(f"{SVG}path")
    assert path is not None and "hl" in path.get("class", "").split()
    assert path.get("stroke") == svgmap.OUTLINE
    assert all(a.get("aria-current") is None for a in links[:-1])


def test_compact_map_is_one_image_with_a_path_per_class() -> None:
    areas = grid_areas()
    interactive = choropleth_svg(areas, k=3, title="Quote", cache_key="test:grid")
    compact = choropleth_svg(
        areas, k=3, title="Quote", cache_key="test:grid", interactive=False
    )
    root = ET.fromstring(compact)
    assert root.get("role") == "img"
    assert not list(root.iter(f"{SVG}a"))
    paths = root.findall(f"{SVG}g/{SVG}path")
    assert sorted(p.get("class", "") for p in paths) == ["c0", "c1", "c2", "nv"]
    # The joined rings are exactly the areas' own rings.
    own = {
        code: rings(link.find(f"{SVG}path").get("d", ""))[0]  # type: ignore[union-attr]
        for code, link in area_links(interactive).items()
    }
    code_of = {
        link.find(f"{SVG}path").get("class"): code  # type: ignore[union-attr]
        for code, link in area_links(interactive).items()
    }
    for path in paths:
        assert rings(path.get("d", "")) == [own[code_of[path.get("class")]]]


def test_class_image_draws_the_classes_it_is_given_like_the_compact_map() -> None:
    areas = grid_areas()
    classes = [a.class_index for a in areas]
    plain = [
        MapArea(code=a.code, name=a.name, geometry=a.geometry, label="", class_index=2)
        for a in areas
    ]
    image = svgmap.class_image_svg(
        plain, classes, k=3, title="Quote", cache_key="test:grid"
    )
    compact = choropleth_svg(
        areas, k=3, title="Quote", cache_key="test:grid", interactive=False
    )
    assert image == compact
    moved = svgmap.class_image_svg(
        plain, [0, 0, 0, None, 0], k=3, title="Quote", cache_key="test:grid"
    )
    paths = ET.fromstring(moved).findall(f"{SVG}g/{SVG}path")
    assert sorted(p.get("class", "") for p in paths) == ["c0", "nv"]
    with pytest.raises(ValueError, match="class 3"):
        svgmap.class_image_svg(
            plain, [0, 1, 2, 3, None], k=3, title="Quote", cache_key="test:grid"
        )
    with pytest.raises(ValueError, match="4 classes for 5 areas"):
        svgmap.class_image_svg(
            plain, [0, 1, 2, 0], k=3, title="Quote", cache_key="test:grid"
        )


def test_many_areas_make_a_compact_map_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(svgmap, "INTERACTIVE_LIMIT", 3)
    svg = choropleth_svg(grid_areas(), k=3, title="Quote", cache_key="test:grid")
    assert ET.fromstring(svg).get("role") == "img"


def test_class_outside_the_palette_is_refused() -> None:
    areas = [*grid_areas()[:3]]
    with pytest.raises(ValueError, match="class 2"):
        choropleth_svg(areas, k=2, title="Quote", cache_key="test:grid")


def test_prepared_paths_are_reused_per_cache_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    simplify = shapely.coverage_simplify

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return simplify(*args, **kwargs)

    monkeypatch.setattr(shapely, "coverage_simplify", counting)
    areas = grid_areas()
    first = choropleth_svg(areas, k=3, title="Quote", cache_key="test:cache")
    relabelled = [
        MapArea(
            code=a.code,
            name=a.name,
            geometry=a.geometry,
            label=a.name + ": 9,9 %",
            class_index=2,
            href=a.href,
        )
        for a in areas
    ]
    second = choropleth_svg(relabelled, k=3, title="Quote", cache_key="test:cache")
    assert len(calls) == 1
    assert area_links(second)["01"].get("aria-label") == "Nordwest: 9,9 %"
    assert area_links(first)["01"].get("aria-label") != "Nordwest: 9,9 %"
    locator_svg(areas, highlight="01", title="Lage", cache_key="test:cache")
    assert len(calls) == 1
    choropleth_svg(areas, k=3, title="Quote", cache_key="test:cache-other")
    assert len(calls) == 2


def test_locator_shows_one_area_dark_and_has_no_links() -> None:
    svg = locator_svg(
        grid_areas(), highlight="03", title="Lage von Südwest", cache_key="test:grid"
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Lage von Südwest"
    assert not list(root.iter(f"{SVG}a"))
    others, target = root.findall(f"{SVG}g/{SVG}path")
    assert others.get("fill") == LOCATOR_FILL
    assert len(rings(others.get("d", ""))) == 3
    assert target.get("fill") == LOCATOR_HIGHLIGHT
    assert target.get("stroke") == svgmap.OUTLINE
    assert target.findtext(f"{SVG}title") == grid_areas()[2].label


def test_locator_refuses_an_area_it_cannot_show() -> None:
    with pytest.raises(UnknownAreaError):
        locator_svg(grid_areas(), highlight="99", title="Lage", cache_key="test:grid")
    with pytest.raises(MissingBoundariesError):
        locator_svg(grid_areas(), highlight="05", title="Lage", cache_key="test:grid")


@pytest.mark.parametrize("k", range(2, 8))
def test_palette_runs_from_light_to_dark_in_distinct_steps(k: int) -> None:
    colours = palette(k)
    assert len(colours) == k == len(set(colours))

    def luminance(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    steps = [
        luminance(a) - luminance(b) for a, b in zip(colours, colours[1:], strict=False)
    ]
    assert all(step > 0.05 for step in steps), steps


def test_palette_refuses_too_many_classes() -> None:
    with pytest.raises(ValueError, match="8"):
        palette(8)


def test_legend_counts_classes_and_lists_missing_values() -> None:
    legend = build_legend(
        grid_areas(), class_labels=["unter 1 %", "1 bis < 2 %", "2 % & mehr"]
    )
    assert [(e.label, e.colour, e.count) for e in legend.entries] == [
        ("unter 1 %", palette(3)[0], 2),  # 05 has a value but no boundary
        ("1 bis < 2 %", palette(3)[1], 1),
        ("2 % & mehr", palette(3)[2], 1),
        (NO_VALUE_LABEL, None, 1),
    ]
    soup = BeautifulSoup(legend_html(legend), "html.parser")
    items = soup.select("ul.map-legend > li")
    assert [li.get_text(" ", strip=True) for li in items] == [
        "unter 1 % (2 Gebiete)",
        "1 bis < 2 % (1 Gebiet)",
        "2 % & mehr (1 Gebiet)",
        "keine Angabe (1 Gebiet)",
    ]
    fills = [li.select_one("svg rect")["fill"] for li in items]  # type: ignore[index]
    assert fills[:3] == list(palette(3))
    assert items[3].select("svg path"), "the hatch swatch has its lines"
    assert all(li.svg["aria-hidden"] == "true" for li in items)  # type: ignore[index]


def test_legend_without_missing_values_has_no_such_entry() -> None:
    legend = build_legend(grid_areas()[:3], class_labels=["a", "b", "c"])
    assert NO_VALUE_LABEL not in [e.label for e in legend.entries]


def labelled(features: list[tuple[str, str, str]]) -> list[MapArea]:
    """Areas with seeded values in five classes, one in 40 without a value."""
    rng = random.Random(42)
    areas = []
    for code, name, geometry in features:
        value = rng.uniform(0, 40)
        missing = rng.random() < 1 / 40
        areas.append(
            MapArea(
                code=code,
                name=name,
                geometry=geometry,
                label=f"{name}: "
                + ("keine Angabe" if missing else f"{value:.1f} %".replace(".", ",")),
                class_index=None if missing else int(value // 8),
                href=f"/gebiete/{code}",
            )
        )
    return areas


def test_berlin_planning_areas_fit_the_page_budget() -> None:
    collection = json.loads(BERLIN.read_text(encoding="utf-8"))
    areas = labelled(
        [
            (
                f["properties"]["code"],
                f["properties"]["name"],
                json.dumps(f["geometry"]),
            )
            for f in collection["features"]
            if f["properties"]["level"] == "planning_area"
        ]
    )
    svg = choropleth_svg(areas, k=5, title="Quote", cache_key="test:berlin")
    root = ET.fromstring(svg)
    assert len(list(root.iter(f"{SVG}a"))) == 542
    assert len(list(root.iter(f"{SVG}path"))) == 542 + 1  # and the hatch's line
    assert len(gzip.compress(svg.encode(), 6)) < BERLIN_GZIP_LIMIT


@pytest.mark.skipif(not VG5000.exists(), reason="BKG VG5000 boundaries not present")
def test_all_german_municipalities_fit_the_page_budget() -> None:
    # How fast it draws is measured by bench/portal.py, not timed here.
    import geopandas as gpd

    frame = gpd.read_file(VG5000).to_crs(4326)
    areas = labelled(
        list(zip(frame.AGS, frame.GEN, shapely.to_geojson(frame.geometry), strict=True))
    )
    svg = choropleth_svg(areas, k=5, title="Quote", cache_key="test:germany")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"  # too many areas for one link each
    assert len(gzip.compress(svg.encode(), 6)) < GERMANY_GZIP_LIMIT
