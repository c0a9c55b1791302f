"""Map classes for the indicator page: quantiles, equal intervals, natural breaks.

Quantiles and equal intervals come from :func:`sozialmonitor.analysis.classify.classify`
(mapclassify). Natural breaks are the same Fisher-Jenks optimum as
``mapclassify.FisherJenks``, computed here with numpy in O(k·n²) array operations:
mapclassify's pure-Python fallback (without numba) needs about 0.4 s for Berlin's 542
planning areas and 1.6 s for 1,000 values, too slow for a page. Above
:data:`SAMPLE_SIZE` values the breaks are computed on a fixed-seed sample, as
``mapclassify.FisherJenksSampled`` does, but with a local random generator (that class
draws from numpy's global one, which is neither reproducible nor thread-safe).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sozialmonitor.analysis.classify import classify
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language

K = 5
"""Classes of every map (fewer when there are fewer distinct values)."""
SAMPLE_SIZE = 1000
"""Natural breaks of more values are computed on a sample of this size."""
SAMPLE_SEED = 5
"""Seed of that sample: the same data always give the same map."""
EXTRA_DECIMALS = 3
"""Legend bounds get up to this many more decimals to keep them apart."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class MapClasses:
    """Classes of one map; class ``i`` holds ``bins[i - 1] < x <= bins[i]``."""

    scheme: str
    """``natural_breaks``, ``quantiles`` or ``equal_interval``."""
    bins: tuple[float, ...]
    """Upper bound of each class."""
    classes: tuple[int | None, ...]
    """Class of each value, in input order; None without a value."""
    counts: tuple[int, ...]
    """Values per class."""
    sample: int = 0
    """Size of the sample the breaks come from; 0 = all values."""
    warning: str = ""
    """Why there are fewer classes than asked for, if there are."""


def fisher_jenks_bins(values: Sequence[float] | FloatArray, k: int) -> FloatArray:
    """Upper class bounds that minimise the squared deviations within the classes.

    Parameters
    ----------
    values : sequence of float
        At least ``k`` values, no NaN.
    k : int
        Number of classes.

    Returns
    -------
    numpy.ndarray
        ``k`` upper bounds, ascending; the last is the maximum.

    Examples
    --------
    >>> fisher_jenks_bins([1, 2, 3, 10, 11, 12, 30], 3).tolist()
    [3.0, 12.0, 30.0]
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if k < 1 or n < k:
        raise ValueError(f"{n} values cannot form {k} classes")
    centred = x - x.mean()  # smaller sums of squares, fewer rounding errors
    s1 = np.concatenate(([0.0], np.cumsum(centred)))
    s2 = np.concatenate(([0.0], np.cumsum(centred * centred)))
    first = np.arange(n)[:, None]  # class starts at i
    last = np.arange(n)[None, :]  # and ends at j (inclusive)
    size = last - first + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        total = s1[last + 1] - s1[first]
        cost = s2[last + 1] - s2[first] - total * total / size
    cost = np.where(size > 0, np.maximum(cost, 0.0), np.inf)
    best = cost[0].copy()  # best[j]: one class over x[0..j]
    starts: list[npt.NDArray[np.intp]] = []
    for _ in range(1, k):
        # Cost of the classes before start i (over x[0..i-1]) plus x[i..j].
        before = np.concatenate(([np.inf], best[:-1]))[:, None]
        candidates = before + cost
        chosen = np.argmin(candidates, axis=0)
        best = candidates[chosen, np.arange(n)]
        starts.append(chosen)
    upper = [n - 1]
    end = n - 1
    for chosen in reversed(starts):
        end = int(chosen[end]) - 1
        upper.append(end)
    return np.asarray(x[np.array(upper[::-1])], dtype=float)


def map_classes(values: Sequence[float | None], scheme: str, k: int = K) -> MapClasses:
    """Put the values of a map into ``k`` classes by a scheme.

    Parameters
    ----------
    values : sequence of float or None
        One value per area; None for an area without a value.
    scheme : str
        ``natural_breaks``, ``quantiles`` or ``equal_interval``.
    k : int
        Classes wanted; fewer when there are fewer distinct values.

    Returns
    -------
    MapClasses
        Bins, each value's class and the counts.

    Examples
    --------
    >>> found = map_classes([1.0, 2.0, None, 10.0, 11.0], "natural_breaks", k=2)
    >>> found.bins, found.classes, found.counts
    ((2.0, 11.0), (0, 0, None, 1, 1), (2, 2))
    """
    if scheme != "natural_breaks":
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found = classify(values, scheme, k)
        return MapClasses(
            scheme=scheme,
            bins=found.bins,
            classes=found.classes,
            counts=found.counts,
            warning=str(caught[-1].message) if caught else "",
        )
    y = np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    present = y[~np.isnan(y)]
    distinct = len(np.unique(present))
    if distinct == 0:
        return MapClasses(
            scheme=scheme, bins=(), classes=(None,) * len(y), counts=(), warning=""
        )
    wanted = min(k, distinct)
    sample = 0
    basis = present
    if len(present) > SAMPLE_SIZE:
        rng = np.random.default_rng(SAMPLE_SEED)
        basis = rng.choice(present, SAMPLE_SIZE, replace=False)
        basis[0], basis[1] = present.min(), present.max()
        sample = SAMPLE_SIZE
        wanted = min(wanted, len(np.unique(basis)))
    bins = np.unique(fisher_jenks_bins(basis, wanted))
    bins[-1] = present.max()
    position = np.minimum(np.searchsorted(bins, y, side="left"), len(bins) - 1)
    classes = tuple(
        None if math.isnan(v) else int(c) for v, c in zip(y, position, strict=True)
    )
    counts = np.bincount(position[~np.isnan(y)], minlength=len(bins))
    warning = (
        f"{distinct} distinct value(s) give {len(bins)} class(es) instead of {k}."
        if len(bins) < k
        else ""
    )
    return MapClasses(
        scheme=scheme,
        bins=tuple(float(b) for b in bins),
        classes=classes,
        counts=tuple(int(c) for c in counts),
        sample=sample,
        warning=warning,
    )


def class_labels(
    bins: Sequence[float], *, decimals: int, unit: str, lang: Language
) -> tuple[str, ...]:
    """Legend texts of right-closed classes: ``bis 2,0 %``, ``über 2,0 bis 3,0 %``.

    Bounds get more decimals (up to three) where rounding would make two look equal.

    Examples
    --------
    >>> class_labels([2.0, 3.04, 3.06], decimals=0, unit="%", lang="de")
    ('bis 2,0\\u202f%', 'über 2,0 bis 3,0\\u202f%', 'über 3,0 bis 3,1\\u202f%')
    >>> class_labels([1000.0, 2500.0], decimals=0, unit="", lang="en")
    ('up to 1,000', 'over 1,000 to 2,500')
    """
    shown = decimals
    while shown < decimals + EXTRA_DECIMALS and len(
        {formatting.rounded_as_shown(b, shown) for b in bins}
    ) < len(set(bins)):
        shown += 1
    text = [formatting.number(b, shown, lang) for b in bins]
    suffix = f"{formatting.NARROW_NBSP}{unit}" if unit else ""
    upto, over, to = ("bis", "über", "bis") if lang == "de" else ("up to", "over", "to")
    if not text:
        return ()
    return (f"{upto} {text[0]}{suffix}",) + tuple(
        f"{over} {low} {to} {high}{suffix}"
        for low, high in zip(text, text[1:], strict=False)
    )
