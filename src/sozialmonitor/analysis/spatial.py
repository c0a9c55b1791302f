"""Spatial clustering: global Moran's I and local clusters (LISA) of one indicator.

Neighbours are areas sharing a boundary point (queen) or a boundary segment (rook),
built with libpysal from the boundaries as stored (GeoJSON text in WGS84; contiguity
needs no projection); weights are row-standardised. Moran's I and the local Moran
statistics come from esda (Anselin 1995). The permutation tests are seeded, so the
same data give the same result.

Areas without a value or boundary are left out; areas without a neighbour among the
rest (islands) are reported and left out of the statistics, whose mean and variance
would otherwise include areas that cannot take part. Fewer than :data:`MIN_AREAS`
areas, or all values equal: no statistics, and a note saying so.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import esda
import numpy as np
import shapely
from libpysal.weights import Queen, Rook, W

MIN_AREAS = 4
"""Fewest areas with neighbours: Moran's I's variance under randomisation needs 4."""
DEFAULT_PERMUTATIONS = 999
DEFAULT_SEED = 20_211_231
DEFAULT_ALPHA = 0.05


class Contiguity(StrEnum):
    QUEEN = "queen"
    ROOK = "rook"


class Cluster(StrEnum):
    """An area's local cluster type; the value is the code, ``label`` German."""

    HIGH_HIGH = "high-high"
    LOW_LOW = "low-low"
    HIGH_LOW = "high-low"
    LOW_HIGH = "low-high"
    NOT_SIGNIFICANT = "not_significant"
    NO_NEIGHBOURS = "no_neighbours"
    NOT_ANALYSED = "not_analysed"

    @property
    def label(self) -> str:
        return _CLUSTER_LABELS[self]


_CLUSTER_LABELS = {
    Cluster.HIGH_HIGH: "hoch-hoch (Hot Spot)",
    Cluster.LOW_LOW: "niedrig-niedrig (Cold Spot)",
    Cluster.HIGH_LOW: "hoch-niedrig (Ausreißer)",
    Cluster.LOW_HIGH: "niedrig-hoch (Ausreißer)",
    Cluster.NOT_SIGNIFICANT: "nicht signifikant",
    Cluster.NO_NEIGHBOURS: "ohne Nachbargebiet",
    Cluster.NOT_ANALYSED: "nicht untersucht",
}
# esda's quadrants (geoda_quads=False): 1 HH, 2 LH, 3 LL, 4 HL.
_QUADRANTS = {
    1: Cluster.HIGH_HIGH,
    2: Cluster.LOW_HIGH,
    3: Cluster.LOW_LOW,
    4: Cluster.HIGH_LOW,
}


@dataclass(frozen=True, kw_only=True)
class GlobalMoran:
    """Global Moran's I with its expectation and two p-values."""

    i: float
    """Moran's I."""
    expected: float
    """Its expectation without spatial autocorrelation, -1 / (n - 1)."""
    z: float
    """Standardised I under the normality assumption."""
    p_normal: float
    """Two-sided p-value under the normality assumption."""
    p_value: float
    """Pseudo p-value from the (seeded) permutations, as esda computes it."""
    permutations: int
    """Number of permutations."""


@dataclass(frozen=True, kw_only=True)
class LocalResult:
    """One area's local Moran statistic and cluster type."""

    area: str
    cluster: Cluster
    local_i: float | None = None
    p_value: float | None = None
    """Pseudo p-value from the permutations (conditional randomisation)."""


@dataclass(frozen=True, kw_only=True)
class SpatialAnalysis:
    """Global and local spatial autocorrelation of one indicator on one level."""

    n: int
    """Number of areas in the statistics."""
    moran: GlobalMoran | None
    """Global Moran's I; None when it could not be computed (see ``note``)."""
    local: tuple[LocalResult, ...]
    """Every area given, in input order."""
    islands: tuple[str, ...]
    """Areas without a neighbour among those with a value."""
    left_out: tuple[str, ...]
    """Areas without a value or without a boundary."""
    note: str = ""
    """Why there are no statistics, if there are none."""


def contiguity_weights(
    codes: Sequence[str],
    geometries: Sequence[str],
    rule: Contiguity | str = Contiguity.QUEEN,
) -> W:
    """Contiguity weights of areas from their GeoJSON boundaries (not standardised).

    Examples
    --------
    >>> squares = [
    ...     '{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}',
    ...     '{"type": "Polygon", "coordinates": [[[1,1],[2,1],[2,2],[1,2],[1,1]]]}',
    ... ]
    >>> contiguity_weights(["a", "b"], squares, "queen").neighbors
    {'a': ['b'], 'b': ['a']}
    >>> contiguity_weights(["a", "b"], squares, "rook").neighbors
    {'a': [], 'b': []}
    """
    builder = Rook if Contiguity(rule) is Contiguity.ROOK else Queen
    shapes = [shapely.from_geojson(text) for text in geometries]
    with warnings.catch_warnings():  # islands are reported by the caller
        warnings.simplefilter("ignore")
        w = builder.from_iterable(shapes, ids=list(codes), silence_warnings=True)
        # libpysal sorts the ids; the rows must follow the values' order.
        w.id_order = list(codes)
    return w


def restricted(w: W, keep: Sequence[str]) -> W:
    """Binary contiguity ``w`` among the areas ``keep`` only, in that order: whether
    two areas are neighbours depends on their boundaries alone, so this is what
    building the weights of ``keep`` anew gives, without the geometry work.

    Examples
    --------
    >>> w = W({"a": ["b"], "b": ["a", "c"], "c": ["b"]})
    >>> sub = restricted(w, ["c", "a"])
    >>> sub.neighbors, sub.id_order, sorted(sub.islands)
    ({'c': [], 'a': []}, ['c', 'a'], ['a', 'c'])
    """
    kept = set(keep)
    neighbours = {code: [n for n in w.neighbors[code] if n in kept] for code in keep}
    with warnings.catch_warnings():  # islands are reported by the caller
        warnings.simplefilter("ignore")
        return W(neighbours, id_order=list(keep), silence_warnings=True)


def analyse(
    codes: Sequence[str],
    geometries: Sequence[str | None],
    values: Sequence[float | None],
    *,
    rule: Contiguity | str = Contiguity.QUEEN,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
    weights: W | None = None,
) -> SpatialAnalysis:
    """Global Moran's I and LISA clusters of one indicator's values.

    Parameters
    ----------
    codes, geometries, values
        One entry per area: its code, its boundary as GeoJSON text (None: no
        boundary) and its value (None or NaN: no value, e.g. left out for size).
    rule
        ``queen`` (a shared point makes neighbours) or ``rook`` (a shared edge).
    permutations, seed
        Conditional randomisation of the local and global tests.
    alpha
        Local results with a pseudo p-value above this are "nicht signifikant".
    weights
        The contiguity of (at least) every area with a boundary, as
        :func:`contiguity_weights` builds it with the same ``rule``: saves building
        it again (at Germany size some seconds); by default built here.

    Examples
    --------
    >>> square = '{{"type":"Polygon","coordinates":[[[{0},0],[{1},0],[{1},1],[{0},1],[{0},0]]]}}'
    >>> row = [square.format(x, x + 1) for x in range(5)]
    >>> found = analyse(list("abcde"), row, [1.0, 2.0, 3.0, 4.0, 5.0])
    >>> round(found.moran.i, 3), found.moran.expected
    (0.6, -0.25)
    >>> {r.cluster.value for r in found.local}
    {'not_significant'}
    >>> single = analyse(["a"], row[:1], [1.0])
    >>> single.note
    "0 area(s) with a value and a neighbour, 1 without a neighbour: Moran's I needs at least 4."
    >>> single.moran is None, single.local[0].cluster.value
    (True, 'no_neighbours')
    """  # noqa: E501
    if not len(codes) == len(geometries) == len(values):
        raise ValueError("codes, geometries and values must have the same length")
    if len(set(codes)) < len(codes):
        raise ValueError("area codes must be unique")
    usable = [
        i
        for i, (geometry, value) in enumerate(zip(geometries, values, strict=True))
        if geometry and value is not None and not math.isnan(value)
    ]
    kept = set(usable)
    left_out = tuple(code for i, code in enumerate(codes) if i not in kept)
    islands: tuple[str, ...] = ()
    w: W | None = None
    if usable:
        with_value = [codes[i] for i in usable]
        w = (
            contiguity_weights(with_value, [geometries[i] or "" for i in usable], rule)
            if weights is None
            else restricted(weights, with_value)
        )
        islands = tuple(str(code) for code in w.islands)
        usable = [i for i in usable if codes[i] not in islands]
    by_code: dict[str, LocalResult] = {
        code: LocalResult(area=code, cluster=Cluster.NO_NEIGHBOURS) for code in islands
    }
    y = np.array([values[i] for i in usable], dtype=float)
    note = ""
    if len(usable) < MIN_AREAS:
        note = (
            f"{len(usable)} area(s) with a value and a neighbour, "
            f"{len(islands)} without a neighbour: Moran's I needs at least {MIN_AREAS}."
        )
    elif np.ptp(y) == 0:
        note = "All values are equal: there is no spatial pattern to test."
    if note:
        return _result(codes, by_code, islands, left_out, len(usable), None, note)
    subset = [codes[i] for i in usable]
    # Leaving the islands out takes no neighbour from any other area.
    assert w is not None
    w = restricted(w, subset)
    w.transform = "r"
    moran = _global_moran(y, w, permutations, seed)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # esda announces a future change of its default alternative; its pseudo
        # p-value (folded, as GeoDa's) is what we report and keep.
        warnings.simplefilter("ignore")
        lisa = esda.Moran_Local(y, w, permutations=permutations, seed=seed, n_jobs=1)
    for code, local_i, p, quadrant in zip(
        subset, lisa.Is, lisa.p_sim, lisa.q, strict=True
    ):
        # An area at exactly the mean has a local I of 0 under every permutation,
        # which esda's folded pseudo p-value would call significant.
        significant = p <= alpha and local_i != 0
        cluster = _QUADRANTS[int(quadrant)] if significant else Cluster.NOT_SIGNIFICANT
        by_code[code] = LocalResult(
            area=code, cluster=cluster, local_i=float(local_i), p_value=float(p)
        )
    return _result(codes, by_code, islands, left_out, len(usable), moran, "")


def _global_moran(y: np.ndarray, w: W, permutations: int, seed: int) -> GlobalMoran:
    """esda's Moran's I, with the permutations drawn from a seeded generator.

    esda.Moran draws from NumPy's global random state; ours does not touch it.
    """
    found = esda.Moran(y, w, permutations=0)
    p_value = math.nan
    if permutations:
        z = y - y.mean()
        rng = np.random.default_rng(seed)
        shuffled = np.array([rng.permutation(z) for _ in range(permutations)])
        lagged = np.asarray(w.sparse @ shuffled.T).T
        simulated = len(y) / w.s0 * (shuffled * lagged).sum(axis=1) / (z @ z)
        larger = int((simulated >= found.I).sum())
        larger = min(larger, permutations - larger)  # folded, as esda does
        p_value = (larger + 1) / (permutations + 1)
    return GlobalMoran(
        i=float(found.I),
        expected=float(found.EI),
        z=float(found.z_norm),
        p_normal=float(found.p_norm),
        p_value=p_value,
        permutations=permutations,
    )


def _result(
    codes: Sequence[str],
    by_code: dict[str, LocalResult],
    islands: tuple[str, ...],
    left_out: tuple[str, ...],
    n: int,
    moran: GlobalMoran | None,
    note: str,
) -> SpatialAnalysis:
    local = tuple(
        by_code.get(code, LocalResult(area=code, cluster=Cluster.NOT_ANALYSED))
        for code in codes
    )
    return SpatialAnalysis(
        n=n, moran=moran, local=local, islands=islands, left_out=left_out, note=note
    )
