"""Area typology (Gebietstypen): areas grouped by their standardised profiles.

Every indicator is standardised across the areas (z-scores: mean 0, standard
deviation 1 with the population formula, as ``scipy.stats.zscore``), the areas are
grouped by Ward's hierarchical clustering (``scipy.cluster.hierarchy``) and the tree
is cut into ``k`` types. Each type is described by the indicators whose mean z-score
lies furthest from 0, with their sign ("höher" / "niedriger" than the average area,
without judging which is better).

Missing values are not imputed: an area lacking a value of any indicator used is
left out and reported (listwise deletion), so no area is typed on invented values.
Indicators equal in every area carry no information; they are dropped with a
warning. Types are numbered by size (largest first, then by the smallest area
code), so the same data always give the same numbers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

TOP_FEATURES = 3
"""Indicators named per type."""


@dataclass(frozen=True, kw_only=True)
class Feature:
    """An indicator that sets a type apart."""

    indicator: str
    """Indicator id."""
    mean_z: float
    """Mean z-score of the type's areas."""

    @property
    def direction(self) -> str:
        """``higher`` or ``lower`` than the average area."""
        return "higher" if self.mean_z > 0 else "lower"

    @property
    def label(self) -> str:
        """German: ``höher`` or ``niedriger`` (no polarity)."""
        return "höher" if self.mean_z > 0 else "niedriger"


@dataclass(frozen=True, kw_only=True)
class AreaType:
    """One type: its areas and what sets them apart."""

    number: int
    """1 for the largest type, 2 for the next …"""
    areas: tuple[str, ...]
    """Area codes, sorted."""
    means: dict[str, float]
    """Mean z-score of every indicator used."""
    distinctive: tuple[Feature, ...]
    """The indicators with the largest absolute mean z-score, largest first."""


@dataclass(frozen=True, kw_only=True)
class Typology:
    """Areas grouped into types."""

    types: tuple[AreaType, ...]
    """The types, by number."""
    indicators: tuple[str, ...]
    """Indicators the grouping rests on."""
    dropped_indicators: tuple[str, ...]
    """Indicators left out because they are equal in every area."""
    left_out: tuple[str, ...]
    """Areas left out because a value is missing."""

    @property
    def k(self) -> int:
        return len(self.types)

    def type_of(self, area: str) -> int | None:
        """The number of an area's type; None if it was left out."""
        for found in self.types:
            if area in found.areas:
                return found.number
        return None


def typology(
    profiles: Mapping[str, Mapping[str, float | None]],
    k: int,
    *,
    indicators: Sequence[str] | None = None,
    top: int = TOP_FEATURES,
) -> Typology:
    """Group areas into ``k`` types by their indicator profiles.

    Parameters
    ----------
    profiles
        Area code → indicator id → value (None, NaN or absent: missing).
    k
        Number of types wanted; fewer areas than ``k`` give fewer types (warning).
    indicators
        Indicators to use, in this order; default: all that occur, sorted.
    top
        How many distinctive indicators to name per type.

    Examples
    --------
    >>> found = typology(
    ...     {
    ...         "A": {"sgb2": 20.0, "alte": 10.0},
    ...         "B": {"sgb2": 22.0, "alte": 11.0},
    ...         "C": {"sgb2": 5.0, "alte": 30.0},
    ...         "D": {"sgb2": None, "alte": 12.0},
    ...     },
    ...     k=2,
    ... )
    >>> [(t.number, t.areas) for t in found.types], found.left_out
    ([(1, ('A', 'B')), (2, ('C',))], ('D',))
    >>> [(f.indicator, f.label) for f in found.types[1].distinctive]
    [('alte', 'höher'), ('sgb2', 'niedriger')]
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    names = (
        list(indicators)
        if indicators is not None
        else sorted({name for profile in profiles.values() for name in profile})
    )
    codes = sorted(profiles)
    x = np.array(
        [[_number(profiles[code].get(name)) for name in names] for code in codes],
        dtype=float,
    ).reshape(len(codes), len(names))
    complete = ~np.isnan(x).any(axis=1)
    left_out = tuple(code for code, ok in zip(codes, complete, strict=True) if not ok)
    codes = [code for code, ok in zip(codes, complete, strict=True) if ok]
    x = x[complete]
    if not codes:
        warnings.warn("No area has values of all indicators: no types.", stacklevel=2)
        return Typology(
            types=(), indicators=tuple(names), dropped_indicators=(), left_out=left_out
        )
    spread = x.std(axis=0)
    constant = spread == 0
    dropped = tuple(name for name, c in zip(names, constant, strict=True) if c)
    if dropped:
        warnings.warn(
            f"Equal in every area, left out of the typology: {', '.join(dropped)}.",
            stacklevel=2,
        )
    names = [name for name, c in zip(names, constant, strict=True) if not c]
    z = (x[:, ~constant] - x[:, ~constant].mean(axis=0)) / spread[~constant]
    labels = _cluster(z, k)
    if labels.max() < k:
        warnings.warn(
            f"{len(codes)} area(s) with {len(np.unique(z, axis=0))} distinct "
            f"profile(s) give {labels.max()} type(s) instead of {k}.",
            stacklevel=2,
        )
    groups = [
        [i for i, label in enumerate(labels) if label == group]
        for group in np.unique(labels)
    ]
    groups.sort(key=lambda rows: (-len(rows), codes[rows[0]]))
    types = []
    for number, rows in enumerate(groups, start=1):
        means = z[rows].mean(axis=0) if names else np.zeros(0)
        order = sorted(range(len(names)), key=lambda j: (-abs(means[j]), j))
        types.append(
            AreaType(
                number=number,
                areas=tuple(codes[i] for i in rows),
                means={name: float(m) for name, m in zip(names, means, strict=True)},
                distinctive=tuple(
                    Feature(indicator=names[j], mean_z=float(means[j]))
                    for j in order[:top]
                    if abs(means[j]) > 1e-12
                ),
            )
        )
    return Typology(
        types=tuple(types),
        indicators=tuple(names),
        dropped_indicators=dropped,
        left_out=left_out,
    )


def _cluster(z: np.ndarray, k: int) -> np.ndarray:
    """Ward clusters 1 … ≤ k of the rows of ``z`` (one cluster if it cannot split)."""
    n = len(z)
    if n < 2 or k == 1 or z.shape[1] == 0 or len(np.unique(z, axis=0)) == 1:
        return np.ones(n, dtype=int)
    tree = linkage(z, method="ward")
    return np.asarray(fcluster(tree, t=min(k, n), criterion="maxclust"), dtype=int)


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)
