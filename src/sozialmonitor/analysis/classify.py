"""Map classes (Klassen einer Choroplethenkarte) with mapclassify.

As in mapclassify's ``classify(y, scheme)``: a base class with one hook
(:meth:`Scheme.bins`), small subclasses, a registry by name and one entry point,
:func:`classify`. Classes are closed on the right, like mapclassify's: class ``i``
holds the values ``bins[i - 1] < x <= bins[i]``. Missing values (None, NaN) get no
class. With fewer distinct values than classes, ``k`` is reduced with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import mapclassify
import numpy as np
import numpy.typing as npt

from sozialmonitor.errors import InvalidQueryError

FloatArray = npt.NDArray[np.float64]
NARROW_NBSP = "\u202f"
"""Between a number and the percent sign: ``12,5 %``."""
EXTRA_DECIMALS = 3
"""Legend labels get up to this many more decimals to keep class bounds apart."""


def format_number(
    value: float, decimals: int = 1, *, unit: str = "", sign: bool = False
) -> str:
    """A number the German way: ``1.234,5``, ``12,5 %``, ``+2,3``.

    Examples
    --------
    >>> format_number(1234.5)
    '1.234,5'
    >>> format_number(12.5, unit="%")
    '12,5\\u202f%'
    >>> format_number(2.25, 2, sign=True), format_number(-0.04)
    ('+2,25', '-0,0')
    """
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if unit == "%":
        return f"{text}{NARROW_NBSP}%"
    return f"{text} {unit}" if unit else text


class Scheme:
    """A classification scheme; subclasses fill in the one hook :meth:`bins`."""

    name: ClassVar[str]
    """Registry key, e.g. ``quantiles``."""
    label: ClassVar[str]
    """German name shown in the map legend."""

    def bins(self, values: FloatArray, k: int) -> FloatArray:
        """Upper bounds of the classes for at least two distinct ``values``."""
        raise NotImplementedError


class NaturalBreaks(Scheme):
    """Fisher-Jenks optimal breaks (deterministic, unlike mapclassify.NaturalBreaks)."""

    name = "natural_breaks"
    label = "Natürliche Unterbrechungen (Jenks)"

    def bins(self, values: FloatArray, k: int) -> FloatArray:
        return np.asarray(mapclassify.FisherJenks(values, k=k).bins, dtype=float)


class Quantiles(Scheme):
    """Classes with (about) the same number of areas."""

    name = "quantiles"
    label = "Quantile"

    def bins(self, values: FloatArray, k: int) -> FloatArray:
        return np.asarray(mapclassify.Quantiles(values, k=k).bins, dtype=float)


class EqualInterval(Scheme):
    """Classes of equal width between minimum and maximum."""

    name = "equal_interval"
    label = "Gleiche Intervalle"

    def bins(self, values: FloatArray, k: int) -> FloatArray:
        return np.asarray(mapclassify.EqualInterval(values, k=k).bins, dtype=float)


class StdMean(Scheme):
    """Cuts at the mean ± 1, 2, … standard deviations (k - 1 cuts; at the mean too
    when k is even); the top class ends at the maximum. Outer classes may be empty.
    """

    name = "std_mean"
    label = "Standardabweichung"

    def bins(self, values: FloatArray, k: int) -> FloatArray:
        half = (k - 1) // 2
        steps = list(range(1, half + 1))
        multiples = sorted([-s for s in steps] + steps + ([0] if k % 2 == 0 else []))
        return np.asarray(
            mapclassify.StdMean(values, multiples=multiples).bins, dtype=float
        )


SCHEMES: dict[str, Scheme] = {
    scheme.name: scheme
    for scheme in (NaturalBreaks(), Quantiles(), EqualInterval(), StdMean())
}
"""The schemes by name."""


@dataclass(frozen=True, kw_only=True)
class Classification:
    """Classes of a set of values, ready for a map and its legend."""

    scheme: str
    """Name of the scheme."""
    k: int
    """Number of classes (may be less than asked for)."""
    bins: tuple[float, ...]
    """Upper bound of each class."""
    classes: tuple[int | None, ...]
    """Class (0-based) of each value, in input order; None for a missing value."""
    counts: tuple[int, ...]
    """Number of values in each class."""
    labels: tuple[str, ...]
    """German legend label of each class."""


def classify(
    values: Sequence[float | None],
    scheme: str = "natural_breaks",
    k: int = 5,
    *,
    decimals: int = 1,
    unit: str = "",
) -> Classification:
    """Put values into ``k`` map classes by a named scheme.

    Parameters
    ----------
    values
        One value per area; None or NaN for a missing one (no class).
    scheme
        ``natural_breaks`` (Fisher-Jenks), ``quantiles``, ``equal_interval`` or
        ``std_mean``.
    k
        Number of classes wanted.
    decimals, unit
        For the legend labels (``unit="%"`` gives ``12,5 %``).

    Raises
    ------
    InvalidQueryError
        For an unknown scheme.

    Examples
    --------
    >>> found = classify([1.0, 2.0, 3.0, 4.0, None], "equal_interval", k=3)
    >>> found.bins, found.classes
    ((2.0, 3.0, 4.0), (0, 0, 1, 2, None))
    >>> found.labels
    ('bis 2,0', 'über 2,0 bis 3,0', 'über 3,0 bis 4,0')
    """
    chosen = SCHEMES.get(scheme)
    if chosen is None:
        raise InvalidQueryError(
            f"There is no classification scheme '{scheme}'. "
            f"Use one of: {', '.join(SCHEMES)}."
        )
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    y = np.array(values, dtype=float)  # None becomes NaN
    present = y[~np.isnan(y)]
    distinct = len(np.unique(present))
    if distinct == 0:
        warnings.warn("No values to classify: no classes.", stacklevel=2)
        return Classification(
            scheme=scheme,
            k=0,
            bins=(),
            classes=(None,) * len(y),
            counts=(),
            labels=(),
        )
    wanted = min(k, distinct)
    if wanted == 1:
        bins = np.array([present.max()])
    else:
        with warnings.catch_warnings():  # ours below says what happened
            warnings.simplefilter("ignore")
            bins = np.unique(chosen.bins(present, wanted))
    if len(bins) < k and (scheme != StdMean.name or distinct < k):
        warnings.warn(
            f"{distinct} distinct value(s) give {len(bins)} class(es) with "
            f"'{scheme}' instead of {k}.",
            stacklevel=2,
        )
    found = np.minimum(np.searchsorted(bins, y, side="left"), len(bins) - 1)
    listed: list[int | None] = found.tolist()
    for at in np.flatnonzero(np.isnan(y)).tolist():
        listed[at] = None
    classes = tuple(listed)
    counts = np.bincount(found[~np.isnan(y)], minlength=len(bins))
    return Classification(
        scheme=scheme,
        k=len(bins),
        bins=tuple(float(b) for b in bins),
        classes=classes,
        counts=tuple(int(c) for c in counts),
        labels=legend_labels(bins, decimals=decimals, unit=unit),
    )


def legend_labels(
    bins: Sequence[float] | FloatArray, *, decimals: int = 1, unit: str = ""
) -> tuple[str, ...]:
    """German labels for right-closed classes: ``bis 2,0``, ``über 2,0 bis 3,0``.

    Decimals are added (up to three more) where rounding would make two bounds look
    the same.

    Examples
    --------
    >>> legend_labels([10.01, 10.04, 25.0])
    ('bis 10,01', 'über 10,01 bis 10,04', 'über 10,04 bis 25,00')
    """
    bounds = [float(b) for b in bins]
    shown = decimals
    while shown < decimals + EXTRA_DECIMALS and len(
        {round(b, shown) for b in bounds}
    ) < len(set(bounds)):
        shown += 1
    text = [format_number(b, shown, unit=unit) for b in bounds]
    if not text:
        return ()
    return (f"bis {text[0]}",) + tuple(
        f"über {low} bis {high}" for low, high in zip(text, text[1:], strict=False)
    )
