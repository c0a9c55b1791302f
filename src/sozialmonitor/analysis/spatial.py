"""Spatial clustering: global Moran's I and local clusters (LISA) of one indicator.

Neighbours are areas sharing a boundary point (queen) or a boundary segment (rook),
built with libpysal from the boundaries as stored (GeoJSON text in WGS84; contiguity
needs no projection) and kept as a sparse matrix; weights are row-standardised.
Moran's I and the local Moran statistics are esda's (Anselin 1995; the tests compare
them with esda's own figures); their permutation tests (:mod:`.permutation`) are
seeded, so the same data give the same result.

Areas without a value or boundary are left out; areas without a neighbour among the
rest (islands) are reported and left out of the statistics, whose mean and variance
would otherwise include areas that cannot take part. Fewer than :data:`MIN_AREAS`
areas, or all values equal: no statistics, and a note saying so.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

import numpy as np
import shapely
from libpysal.weights import Queen, Rook
from scipy import sparse, stats

from sozialmonitor.analysis.permutation import (
    at_least,
    folded_p,
    global_simulated,
    local_larger,
)

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
# (value above the mean, neighbours' mean above the mean) -> quadrant, as esda's
# q (1 HH, 2 LH, 3 LL, 4 HL).
_QUADRANTS = {
    (True, True): Cluster.HIGH_HIGH,
    (False, True): Cluster.LOW_HIGH,
    (False, False): Cluster.LOW_LOW,
    (True, False): Cluster.HIGH_LOW,
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
    """Pseudo p-value from the (seeded) permutations (:mod:`.permutation`)."""
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


@dataclass(frozen=True, kw_only=True, eq=False)
class Neighbours:
    """Binary contiguity of areas: which areas share a boundary point (queen) or
    segment (rook)."""

    codes: tuple[str, ...]
    """The areas, in the matrix's order."""
    matrix: sparse.csr_array
    """Symmetric, 1 where two areas are neighbours, 0 on the diagonal."""

    @cached_property
    def position(self) -> dict[str, int]:
        return {code: at for at, code in enumerate(self.codes)}

    @cached_property
    def counts(self) -> np.ndarray:
        """Each area's number of neighbours."""
        return np.diff(self.matrix.indptr)

    @property
    def islands(self) -> tuple[str, ...]:
        """Areas without a neighbour."""
        return tuple(self.codes[at] for at in np.flatnonzero(self.counts == 0))

    def of(self, code: str) -> tuple[str, ...]:
        """The neighbours of ``code``, sorted."""
        at = self.position[code]
        row = self.matrix.indices[self.matrix.indptr[at] : self.matrix.indptr[at + 1]]
        return tuple(sorted(self.codes[j] for j in row))

    def among(self, keep: Sequence[str]) -> Neighbours:
        """The contiguity among the areas ``keep`` only, in that order: whether two
        areas are neighbours depends on their boundaries alone, so this is what
        building it for ``keep`` anew gives, without the geometry work.

        Examples
        --------
        >>> chain = Neighbours.from_pairs(["a", "b", "c"], [("a", "b"), ("b", "c")])
        >>> sub = chain.among(["c", "a"])
        >>> sub.of("a"), sub.islands
        ((), ('c', 'a'))
        """
        if tuple(keep) == self.codes:
            return self
        at = np.array([self.position[code] for code in keep], dtype=np.int64)
        matrix = sparse.csr_array(self.matrix[at][:, at])
        matrix.sort_indices()
        return Neighbours(codes=tuple(keep), matrix=matrix)

    @classmethod
    def from_pairs(
        cls, codes: Sequence[str], pairs: Iterable[tuple[str, str]]
    ) -> Neighbours:
        """Contiguity from pairs of neighbouring codes (each pair once)."""
        at = {code: i for i, code in enumerate(codes)}
        found = [(at[a], at[b]) for a, b in pairs if a != b]
        rows = [i for i, j in found] + [j for i, j in found]
        cols = [j for i, j in found] + [i for i, j in found]
        matrix = sparse.csr_array(
            (np.ones(len(rows)), (rows, cols)), shape=(len(codes), len(codes))
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        matrix.sort_indices()
        return cls(codes=tuple(codes), matrix=matrix)


def contiguity_weights(
    codes: Sequence[str],
    geometries: Sequence[str],
    rule: Contiguity | str = Contiguity.QUEEN,
) -> Neighbours:
    """The contiguity of areas from their GeoJSON boundaries.

    Examples
    --------
    >>> squares = [
    ...     '{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}',
    ...     '{"type": "Polygon", "coordinates": [[[1,1],[2,1],[2,2],[1,2],[1,1]]]}',
    ... ]
    >>> contiguity_weights(["a", "b"], squares, "queen").of("a")
    ('b',)
    >>> contiguity_weights(["a", "b"], squares, "rook").of("a")
    ()
    """
    builder = Rook if Contiguity(rule) is Contiguity.ROOK else Queen
    shapes = [shapely.from_geojson(text) for text in geometries]
    with warnings.catch_warnings():  # islands are reported by the caller
        warnings.simplefilter("ignore")
        w = builder.from_iterable(shapes, ids=list(codes), silence_warnings=True)
    return Neighbours.from_pairs(
        codes, ((a, b) for a, near in w.neighbors.items() for b in near if a < b)
    )


def analyse(
    codes: Sequence[str],
    geometries: Sequence[str | None] | None,
    values: Sequence[float | None],
    *,
    rule: Contiguity | str = Contiguity.QUEEN,
    permutations: int = DEFAULT_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = DEFAULT_ALPHA,
    weights: Neighbours | None = None,
) -> SpatialAnalysis:
    """Global Moran's I and LISA clusters of one indicator's values.

    Parameters
    ----------
    codes, geometries, values
        One entry per area: its code, its boundary as GeoJSON text (None: no
        boundary) and its value (None or NaN: no value, e.g. left out for size).
        With ``weights``, ``geometries`` may be None: an area has a boundary when
        it is among ``weights.codes``.
    rule
        ``queen`` (a shared point makes neighbours) or ``rook`` (a shared edge).
    permutations, seed
        Permutations of the local and global tests (:mod:`.permutation`).
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
    if geometries is None:
        if weights is None:
            raise ValueError("without weights, the geometries are needed")
        geometries = [code if code in weights.position else None for code in codes]
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
    w: Neighbours | None = None
    if usable:
        with_value = [codes[i] for i in usable]
        w = (
            contiguity_weights(with_value, [geometries[i] or "" for i in usable], rule)
            if weights is None
            else weights.among(with_value)
        )
        islands = w.islands
        lonely = set(islands)
        usable = [i for i in usable if codes[i] not in lonely]
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
    binary = w.among(subset).matrix
    rng = np.random.default_rng(seed)
    moran = _global_moran(y, binary, permutations, rng)
    for code, local_i, p, cluster in zip(
        subset, *_local_moran(y, binary, permutations, rng), strict=True
    ):
        # An area at exactly the mean has a local I of 0 under every permutation,
        # which the folded pseudo p-value would call significant.
        significant = p <= alpha and local_i != 0
        by_code[code] = LocalResult(
            area=code,
            cluster=cluster if significant else Cluster.NOT_SIGNIFICANT,
            local_i=float(local_i),
            p_value=float(p),
        )
    return _result(codes, by_code, islands, left_out, len(usable), moran, "")


def _row_standardised(binary: sparse.csr_array) -> sparse.csr_array:
    counts = np.diff(binary.indptr)
    weights = binary.copy()
    weights.data = weights.data / np.repeat(counts, counts)
    return weights


def _global_moran(
    y: np.ndarray, binary: sparse.csr_array, permutations: int, rng: np.random.Generator
) -> GlobalMoran:
    """Moran's I as esda computes it (row-standardised weights, variance under the
    normality assumption) and its seeded permutation test."""
    n = len(y)
    w = _row_standardised(binary)
    z = y - y.mean()
    s0 = float(w.sum())
    both = w + w.T
    s1 = float((both.multiply(both)).sum()) / 2
    s2 = float(((np.asarray(w.sum(axis=1)) + np.asarray(w.sum(axis=0))) ** 2).sum())
    i = n / s0 * float(z @ (w @ z)) / float(z @ z)
    expected = -1.0 / (n - 1)
    variance = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n - 1) * (n + 1) * s0 * s0)
    z_norm = (i - expected) / math.sqrt(variance - expected * expected)
    p_value = math.nan
    if permutations:
        larger = at_least(global_simulated(z, w, permutations, rng), i)
        p_value = float(folded_p(np.array([larger]), permutations)[0])
    return GlobalMoran(
        i=i,
        expected=expected,
        z=z_norm,
        p_normal=2 * float(stats.norm.sf(abs(z_norm))),
        p_value=p_value,
        permutations=permutations,
    )


def _local_moran(
    y: np.ndarray, binary: sparse.csr_array, permutations: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, list[Cluster]]:
    """Local Moran statistics as esda computes them, their pseudo p-values
    (conditional randomisation) and quadrants."""
    n = len(y)
    with np.errstate(all="ignore"):
        z = (y - y.mean()) / y.std()
    lag = _row_standardised(binary) @ z
    local_i = (n - 1) * z * lag / float(z @ z)
    p = np.full(n, math.nan)
    if permutations:
        p = folded_p(local_larger(z, binary, permutations, rng), permutations)
    quadrants = [
        _QUADRANTS[(bool(high), bool(near))]
        for high, near in zip(z > 0, lag > 0, strict=True)
    ]
    return local_i, p, quadrants


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
