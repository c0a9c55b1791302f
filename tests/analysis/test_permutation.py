"""The fast permutation tests against plain loops over the same draws, and against
esda on real boundaries (libpysal's Columbus example, the demo's Berlin planning
areas)."""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pytest
import shapely
from libpysal.weights import W

from sozialmonitor.analysis import permutation
from sozialmonitor.analysis.permutation import (
    distinct_draws,
    folded_p,
    global_simulated,
    local_larger,
)
from sozialmonitor.analysis.spatial import Neighbours, analyse, contiguity_weights

RTOL = 1e-9
MONTE_CARLO = 0.03
"""Two pseudo p-values of 9,999 permutations each: 0.007 apart in one standard
deviation (at p = 0.5); the largest of hundreds of such differences stays within
about four."""
DEMO = Path(__file__).resolve().parents[2] / "src" / "sozialmonitor" / "demo"


def columbus() -> tuple[np.ndarray, Neighbours]:
    """libpysal's Columbus example: crime in 49 neighbourhoods, queen contiguity."""
    frame = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    codes = [f"{k:02d}" for k in range(len(frame))]
    shapes = [str(shapely.to_geojson(g)) for g in frame.geometry]
    return frame["CRIME"].to_numpy(dtype=float), contiguity_weights(codes, shapes)


def reference_local_larger(
    y: np.ndarray, w: Neighbours, drawn: np.ndarray
) -> np.ndarray:
    """The conditional randomisation spelt out: area i keeps its value, its k
    neighbours' values are the first k drawn areas other than i."""
    larger = np.zeros(len(y), dtype=np.int64)
    mean = y.mean()
    for i in range(len(y)):
        k = int(w.counts[i])
        near = w.matrix.indices[w.matrix.indptr[i] : w.matrix.indptr[i + 1]]
        observed = y[near].sum()
        for row in drawn:
            others = [j for j in row if j != i][:k]
            simulated = y[others].sum()
            # z_i * (sum - k * mean) compared: the sign of z_i decides the side.
            if y[i] > mean:
                larger[i] += simulated >= observed
            elif y[i] < mean:
                larger[i] += simulated <= observed
            else:
                larger[i] += 1
    return larger


def test_local_counts_equal_the_plain_loop_on_columbus() -> None:
    y, w = columbus()
    z = (y - y.mean()) / y.std()
    found = local_larger(z, w.matrix, 199, np.random.default_rng(5))
    drawn = distinct_draws(
        np.random.default_rng(5), len(y), 199, int(w.counts.max()) + 1
    )
    assert found.tolist() == reference_local_larger(y, w, drawn).tolist()


def test_local_ties_count_as_at_least_as_extreme() -> None:
    # Whole numbers: many simulated sums equal the observed one exactly, which
    # the standardised floating-point sums must not split by rounding.
    codes = [f"r{r}c{c}" for r in range(6) for c in range(6)]
    pairs = [
        (f"r{r}c{c}", f"r{r + dr}c{c + dc}")
        for r in range(6)
        for c in range(6)
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1))
        if 0 <= r + dr < 6 and 0 <= c + dc < 6
    ]
    w = Neighbours.from_pairs(codes, pairs)
    y = np.array([float((r * 7 + c * 3) % 4) for r in range(6) for c in range(6)])
    z = (y - y.mean()) / y.std()
    found = local_larger(z, w.matrix, 299, np.random.default_rng(8))
    drawn = distinct_draws(np.random.default_rng(8), 36, 299, int(w.counts.max()) + 1)
    assert found.tolist() == reference_local_larger(y, w, drawn).tolist()


def test_global_statistics_equal_esda_formula_of_each_permutation() -> None:
    y, w = columbus()
    z = y - y.mean()
    weights = w.matrix / w.counts[:, None]
    found = global_simulated(z, weights.tocsr(), 50, np.random.default_rng(9))
    lw = W({c: list(w.of(c)) for c in w.codes}, id_order=list(w.codes))
    lw.transform = "r"
    rng = np.random.default_rng(9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [
            esda.Moran(rng.permuted(z), lw, permutations=0).I for _ in range(50)
        ]
    assert found == pytest.approx(expected, rel=RTOL)


def test_global_chunks_do_not_change_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    y, w = columbus()
    z = y - y.mean()
    weights = (w.matrix / w.counts[:, None]).tocsr()
    whole = global_simulated(z, weights, 99, np.random.default_rng(4))
    monkeypatch.setattr(permutation, "CHUNK_BYTES", 3 * 8 * len(z) * 7)  # 7 rows
    chunked = global_simulated(z, weights, 99, np.random.default_rng(4))
    assert chunked == pytest.approx(whole, rel=RTOL)  # the same permutations


def test_distinct_draws_are_distinct_and_even() -> None:
    drawn = distinct_draws(np.random.default_rng(2), 10, 20_000, 4)
    assert all(len(set(row)) == 4 for row in drawn.tolist())
    assert drawn.min() == 0 and drawn.max() == 9
    # each value in each column about 2,000 times (binomial sd ~42)
    for col in range(4):
        counts = np.bincount(drawn[:, col], minlength=10)
        assert np.all(np.abs(counts - 2000) < 250)
    with pytest.raises(ValueError, match="cannot draw"):
        distinct_draws(np.random.default_rng(2), 3, 1, 4)


def test_folded_p_is_esdas() -> None:
    assert folded_p(np.array([0, 499, 500, 999]), 999).tolist() == pytest.approx(
        [0.001, 0.5, 0.5, 0.001]
    )


def test_berlin_planning_areas_against_esda() -> None:
    # The demo's real boundaries and MSS child poverty of Berlin's planning areas.
    features = json.loads(
        (DEMO / "berlin" / "areas.geojson").read_text(encoding="utf-8")
    )["features"]
    values = _berlin_child_poverty()
    towns = [
        f
        for f in features
        if f["properties"]["level"] == "planning_area"
        and values.get(f["properties"]["code"]) is not None
    ]
    codes = [f["properties"]["code"] for f in towns]
    shapes = [json.dumps(f["geometry"]) for f in towns]
    y = np.array([values[c] for c in codes])
    found = analyse(codes, shapes, list(y), permutations=9999, seed=3)
    w = contiguity_weights(codes, shapes)
    keep = [c for c in codes if c not in set(w.islands)]
    lw = W({c: list(w.among(keep).of(c)) for c in keep}, id_order=keep)
    lw.transform = "r"
    yk = np.array([values[c] for c in keep])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moran = esda.Moran(yk, lw, permutations=0)
        lisa = esda.Moran_Local(yk, lw, permutations=9999, seed=3)
    assert found.moran is not None
    assert found.moran.i == pytest.approx(moran.I, rel=RTOL)
    assert found.moran.p_normal == pytest.approx(moran.p_norm, rel=1e-6)
    by_code = {r.area: r for r in found.local}
    quadrant = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
    clear = 0
    for code, local_i, p, q in zip(keep, lisa.Is, lisa.p_sim, lisa.q, strict=True):
        result = by_code[code]
        assert result.local_i == pytest.approx(local_i, rel=RTOL, abs=1e-12)
        assert result.p_value == pytest.approx(p, abs=MONTE_CARLO)
        if p < 0.03 or p > 0.07:
            clear += 1
            expected = quadrant[int(q)] if p <= 0.05 else "not_significant"
            assert result.cluster.value == expected
    assert clear > 0.8 * len(keep)  # most areas are clear cases
    mine = np.array([by_code[c].p_value for c in keep])
    assert np.abs(mine - lisa.p_sim).mean() < 0.006  # chance alone: some 0.004


def _berlin_child_poverty() -> dict[str, float]:
    """The demo's MSS child poverty share (S4) of the newest period."""
    found: dict[tuple[str, str], float] = {}
    for path in sorted((DEMO / "berlin").glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("indicator") == "mss_s4_child_poverty" and row.get("value"):
                    try:
                        found[(row["period"], row["area"])] = float(row["value"])
                    except ValueError:
                        continue
    if not found:
        pytest.skip("no MSS child poverty in the demo's Berlin files")
    newest = max(period for period, _ in found)
    return {area: v for (period, area), v in found.items() if period == newest}
