"""Moran's I and LISA on lattices with known patterns and esda's published examples."""

from __future__ import annotations

import json
import warnings

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pytest
import shapely

from sozialmonitor.analysis.spatial import (
    MIN_AREAS,
    Cluster,
    analyse,
    contiguity_weights,
)

RTOL = 1e-9
PUBLISHED_3DP = 0.5e-3
MONTE_CARLO = 0.015
"""Two pseudo p-values of 9,999 permutations each differ by chance: by at most
0.007 in one standard deviation (p = 0.5), so three of them bound them both."""


def square(x: float, y: float, size: float = 1.0) -> str:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def grid(rows: int, cols: int) -> tuple[list[str], list[str]]:
    """Codes r{row}c{col} and unit squares, row by row."""
    codes = [f"r{r}c{c}" for r in range(rows) for c in range(cols)]
    shapes = [square(c, r) for r in range(rows) for c in range(cols)]
    return codes, shapes


def example(shapefile: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    frame = gpd.read_file(libpysal.examples.get_path(shapefile))
    return frame, [shapely.to_geojson(g) for g in frame.geometry]


def test_checkerboard_with_rook_is_minus_one():
    codes, shapes = grid(5, 5)
    values = [float((r + c) % 2) for r in range(5) for c in range(5)]
    found = analyse(codes, shapes, values, rule="rook")
    assert found.moran is not None
    assert found.moran.i == pytest.approx(-1.0, rel=RTOL)
    assert found.moran.expected == pytest.approx(-1 / 24, rel=RTOL)
    assert found.moran.p_value == pytest.approx(1 / 1000)  # none as extreme
    # with queen contiguity the diagonal neighbours share the colour
    assert analyse(codes, shapes, values, rule="queen").moran.i > -1  # type: ignore[union-attr]


def test_gradient_is_strongly_positive():
    codes, shapes = grid(6, 6)
    values = [float(c) for r in range(6) for c in range(6)]
    found = analyse(codes, shapes, values, rule="rook")
    assert found.moran is not None
    assert found.moran.i > 0.7
    assert found.moran.p_value == pytest.approx(1 / 1000)
    assert found.moran.p_normal < 1e-6


@pytest.mark.parametrize("n", [4, 7, 12])
def test_expectation_is_minus_one_over_n_minus_one(n: int):
    codes = [f"a{i}" for i in range(n)]
    shapes = [square(i, 0) for i in range(n)]
    values = list(np.random.default_rng(n).normal(size=n))
    found = analyse(codes, shapes, values)
    assert found.moran is not None
    assert found.moran.expected == pytest.approx(-1 / (n - 1), rel=RTOL)


@pytest.mark.parametrize(
    ("shapefile", "column", "i", "p_normal"),
    [
        # esda's Moran docstring, "SIDS example replicating OpenGeoda" (sids2.gal is
        # the rook contiguity of the boundaries): I = 0.248, p_norm 0.000115833…
        ("sids2.shp", "SIDR74", 0.248, 0.0001158330781489969),
        # esda's Moran docstring, St. Louis homicides (stl.gal, rook): I = 0.244,
        # p_norm 0.000271478…
        ("stl_hom.shp", "HR8893", 0.244, 0.00027147862770937614),
    ],
)
def test_esda_published_examples(
    shapefile: str, column: str, i: float, p_normal: float
):
    frame, shapes = example(shapefile)
    codes = [str(k) for k in range(len(frame))]
    found = analyse(codes, shapes, list(frame[column]), rule="rook")
    assert found.moran is not None
    assert found.moran.i == pytest.approx(i, abs=PUBLISHED_3DP)
    assert found.moran.p_normal == pytest.approx(p_normal, rel=1e-6)
    assert found.moran.expected == pytest.approx(-1 / (len(frame) - 1), rel=RTOL)


def test_same_numbers_as_esda_on_columbus():
    # Moran's I, its z and each local I are esda's to rounding; the pseudo p-values
    # come from another random stream (analysis/permutation.py), so they agree up
    # to chance, and the clusters agree wherever esda's p is clearly on one side.
    frame, shapes = example("columbus.shp")
    codes = [f"{k:02d}" for k in range(len(frame))]
    y = frame["CRIME"].to_numpy(dtype=float)
    found = analyse(codes, shapes, list(y), rule="queen", seed=7, permutations=9999)
    w = libpysal.weights.Queen.from_dataframe(frame, use_index=False)
    w.transform = "r"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moran = esda.Moran(y, w, permutations=9999)
        lisa = esda.Moran_Local(y, w, permutations=9999, seed=7)
    assert found.moran is not None
    assert found.moran.i == pytest.approx(moran.I, rel=RTOL)
    assert found.moran.z == pytest.approx(moran.z_norm, rel=RTOL)
    assert found.moran.p_normal == pytest.approx(moran.p_norm, rel=RTOL)
    assert found.moran.p_value == pytest.approx(moran.p_sim, abs=0.002)  # both tiny
    quadrant = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
    for result, local_i, p, q in zip(
        found.local, lisa.Is, lisa.p_sim, lisa.q, strict=True
    ):
        assert result.local_i == pytest.approx(local_i, rel=RTOL)
        assert result.p_value == pytest.approx(p, abs=MONTE_CARLO)
        if p < 0.03 or p > 0.07:  # clearly significant or not at 5 %
            expected = quadrant[int(q)] if p <= 0.05 else "not_significant"
            assert result.cluster.value == expected


def test_lisa_finds_hot_and_cold_spots():
    codes, shapes = grid(7, 7)
    values = []
    for r in range(7):
        for c in range(7):
            high = r < 3 and c < 3
            low = r > 3 and c > 3
            values.append(10.0 if high else 0.0 if low else 5.0)
    found = analyse(codes, shapes, values)
    clusters = {result.area: result.cluster for result in found.local}
    assert clusters["r0c0"] is Cluster.HIGH_HIGH
    assert clusters["r1c1"] is Cluster.HIGH_HIGH
    assert clusters["r6c6"] is Cluster.LOW_LOW
    assert clusters["r5c5"] is Cluster.LOW_LOW
    assert Cluster.HIGH_HIGH.label == "hoch-hoch (Hot Spot)"
    assert Cluster.LOW_LOW.label == "niedrig-niedrig (Cold Spot)"


def test_quadrants_match_value_and_neighbour_mean():
    codes, shapes = grid(6, 6)
    y = np.random.default_rng(3).normal(size=36) + np.repeat(np.arange(6), 6)
    found = analyse(codes, shapes, list(y), alpha=1.0)  # every area "significant"
    w = contiguity_weights(codes, shapes, "queen")
    z = y - y.mean()
    lag = w.matrix @ z / w.counts  # the neighbours' mean
    for result, zi, li in zip(found.local, z, lag, strict=True):
        expected = ("high" if zi > 0 else "low") + "-" + ("high" if li > 0 else "low")
        assert result.cluster.value == expected


def test_values_stay_with_their_areas_whatever_the_code_order():
    # libpysal sorts ids; codes out of sorted order must not shuffle the values.
    codes, shapes = grid(5, 5)
    y = [float(c * c + r) for r in range(5) for c in range(5)]
    renamed = [f"z{99 - i}" if i % 2 else f"a{i}" for i in range(25)]
    assert sorted(renamed) != renamed
    first = analyse(codes, shapes, y).moran
    second = analyse(renamed, shapes, y).moran
    assert first is not None and second is not None
    assert second.i == pytest.approx(first.i, rel=RTOL)


def test_seeded_results_repeat():
    codes, shapes = grid(5, 5)
    y = list(np.random.default_rng(11).normal(size=25))
    assert analyse(codes, shapes, y, seed=1) == analyse(codes, shapes, y, seed=1)


def test_islands_are_reported_and_left_out():
    codes, shapes = grid(4, 4)
    values = [float(c) for r in range(4) for c in range(4)]
    with_island = analyse(
        [*codes, "far"], [*shapes, square(100, 100)], [*values, 99.0], rule="rook"
    )
    alone = analyse(codes, shapes, values, rule="rook")
    assert with_island.islands == ("far",)
    assert with_island.local[-1].cluster is Cluster.NO_NEIGHBOURS
    assert with_island.n == 16
    assert with_island.moran == alone.moran


def test_missing_values_and_boundaries_are_left_out():
    codes, shapes = grid(4, 4)
    values: list[float | None] = [float(c) for r in range(4) for c in range(4)]
    values[0] = None  # e.g. "nicht indexiert (< 300 EW)"
    geometries: list[str | None] = list(shapes)
    geometries[5] = None
    found = analyse(codes, geometries, values)
    assert found.left_out == ("r0c0", "r1c1")
    assert found.n == 14
    assert found.local[0].cluster is Cluster.NOT_ANALYSED
    assert found.local[5].cluster is Cluster.NOT_ANALYSED


def test_single_area_and_too_few_areas():
    single = analyse(["a"], [square(0, 0)], [4.2])
    assert single.moran is None
    assert single.islands == ("a",)
    assert "needs at least 4" in single.note
    three = analyse(list("abc"), [square(i, 0) for i in range(3)], [1.0, 2.0, 3.0])
    assert three.moran is None
    assert "3 area(s) with a value and a neighbour" in three.note
    assert [r.cluster for r in three.local] == [Cluster.NOT_ANALYSED] * 3
    assert MIN_AREAS == 4
    empty = analyse([], [], [])
    assert empty.moran is None and empty.local == ()


def test_equal_values_have_no_pattern():
    codes, shapes = grid(3, 3)
    found = analyse(codes, shapes, [5.0] * 9)
    assert found.moran is None
    assert "equal" in found.note


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        analyse(["a"], [], [1.0])
    with pytest.raises(ValueError, match="unique"):
        analyse(["a", "a"], [square(0, 0), square(1, 0)], [1.0, 2.0])


def test_stored_wgs84_boundaries_of_the_demo():
    path = "src/sozialmonitor/demo/hannover/areas.geojson"
    with open(path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    towns = [f for f in features if f["properties"]["level"] == "municipality"]
    codes = [f["properties"]["code"] for f in towns]
    shapes = [json.dumps(f["geometry"]) for f in towns]
    w = contiguity_weights(codes, shapes)
    hannover = "03241001"
    assert "03241010" in w.of(hannover)  # Langenhagen borders Hannover
    found = analyse(codes, shapes, [float(i) for i in range(len(codes))])
    assert len(found.local) == len(codes)
