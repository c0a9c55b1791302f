"""How an index turns indicator values into z-scores and z-scores into one figure.

Two small families, each a base class with one hook and a registry by name (as
mapclassify's classifiers): standardisations (``zscore``, ``zscore_weighted``) and
aggregations (``sum``, ``mean``). An index definition names one of each.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
import pandas as pd

from sozialmonitor.errors import IndexInputError

# --- standardisation --------------------------------------------------------------


class Standardisation(ABC):
    """Centre and scale values over the included areas: (x - centre) / spread."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def _centre_and_spread(
        self, values: pd.Series, weights: pd.Series | None
    ) -> tuple[float, float]:
        """The hook: the centre and the spread of ``values``."""

    def __call__(
        self, values: pd.Series, weights: pd.Series | None = None
    ) -> pd.Series:
        centre, spread = self._centre_and_spread(values, weights)
        if not np.isfinite(spread) or spread == 0:
            raise IndexInputError(
                f"'{values.name}' has the same value in every included area (or "
                "fewer than two areas): a z-score needs values that vary."
            )
        return (values - centre) / spread


class ZScore(Standardisation):
    """z = (x - mean) / standard deviation, every area counting once.

    The standard deviation is the population one (``ddof=0``), as Berlin's MSS uses.

    Examples
    --------
    >>> ZScore()(pd.Series([1.0, 2.0, 3.0], name="x")).round(4).tolist()
    [-1.2247, 0.0, 1.2247]
    """

    name = "zscore"
    description = "z-Wert: Mittelwert und Standardabweichung der Gebiete (ungewichtet)"

    def _centre_and_spread(
        self,
        values: pd.Series,
        weights: pd.Series | None,  # noqa: ARG002 (the hook's signature; unweighted)
    ) -> tuple[float, float]:
        return float(values.mean()), float(values.std(ddof=0))


class WeightedZScore(Standardisation):
    """z = (x - weighted mean) / weighted standard deviation, weighted by population.

    Large areas pull the mean towards their value; the weighted standard deviation is
    ``sqrt(sum(w (x - mean)^2) / sum(w))``.

    Examples
    --------
    >>> values = pd.Series([1.0, 3.0], name="x")
    >>> WeightedZScore()(values, pd.Series([3.0, 1.0])).round(4).tolist()
    [-0.5774, 1.7321]
    """

    name = "zscore_weighted"
    description = (
        "z-Wert: nach Einwohnerzahl gewichteter Mittelwert und Standardabweichung"
    )

    def _centre_and_spread(
        self, values: pd.Series, weights: pd.Series | None
    ) -> tuple[float, float]:
        if weights is None or weights.isna().any() or (weights < 0).any():
            raise IndexInputError(
                "A population-weighted z-score needs the population of every "
                "included area. Name the population indicator in the definition."
            )
        w = weights.to_numpy(dtype=float)
        x = values.to_numpy(dtype=float)
        total = w.sum()
        if total <= 0:
            return float("nan"), float("nan")
        mean = float((w * x).sum() / total)
        return mean, float(np.sqrt((w * (x - mean) ** 2).sum() / total))


STANDARDISATIONS: dict[str, type[Standardisation]] = {
    cls.name: cls for cls in (ZScore, WeightedZScore)
}
"""Standardisations by the name an index definition uses."""


def standardise(
    values: pd.Series, method: str = "zscore", weights: pd.Series | None = None
) -> pd.Series:
    """Standardise ``values`` with the method named ``method``.

    Parameters
    ----------
    values
        One value per area (the included areas only).
    method
        A key of ``STANDARDISATIONS``.
    weights
        The population per area, for ``zscore_weighted``.

    Returns
    -------
    pandas.Series
        The z-scores, same index as ``values``.

    Raises
    ------
    IndexInputError
        When every value is the same (no spread) or weights are missing.

    Examples
    --------
    >>> standardise(pd.Series([2.0, 4.0, 6.0, 8.0], name="x")).round(3).tolist()
    [-1.342, -0.447, 0.447, 1.342]
    """
    return STANDARDISATIONS[method]()(values, weights)


# --- aggregation ------------------------------------------------------------------


class Aggregation(ABC):
    """Combine the weighted z-scores of a dimension's indicators into one figure."""

    name: ClassVar[str]
    description: ClassVar[str]

    @abstractmethod
    def _combine(self, weighted: pd.DataFrame, weights: pd.Series) -> pd.Series:
        """The hook: one figure per area from the weighted z-scores (columns)."""

    def __call__(self, zscores: pd.DataFrame, weights: pd.Series) -> pd.Series:
        weighted = zscores.mul(weights, axis="columns")
        return self._combine(weighted, weights)


class Sum(Aggregation):
    """The sum of the weighted z-scores (MSS: "Status-Summe").

    Examples
    --------
    >>> z = pd.DataFrame({"a": [1.0, -1.0], "b": [0.5, 0.5]})
    >>> Sum()(z, pd.Series({"a": 1.0, "b": 2.0})).tolist()
    [2.0, 0.0]
    """

    name = "sum"
    description = "Summe der (gewichteten) z-Werte"

    def _combine(
        self,
        weighted: pd.DataFrame,
        weights: pd.Series,  # noqa: ARG002 (the hook's signature; a sum needs none)
    ) -> pd.Series:
        return weighted.sum(axis="columns", skipna=False)


class Mean(Aggregation):
    """The weighted mean of the z-scores.

    Examples
    --------
    >>> z = pd.DataFrame({"a": [1.0, -1.0], "b": [0.5, 0.5]})
    >>> Mean()(z, pd.Series({"a": 1.0, "b": 3.0})).tolist()
    [0.625, 0.125]
    """

    name = "mean"
    description = "Mittelwert der (gewichteten) z-Werte"

    def _combine(self, weighted: pd.DataFrame, weights: pd.Series) -> pd.Series:
        return weighted.sum(axis="columns", skipna=False) / float(weights.sum())


AGGREGATIONS: dict[str, type[Aggregation]] = {cls.name: cls for cls in (Sum, Mean)}
"""Aggregations by the name an index definition uses."""


def combine(
    zscores: pd.DataFrame, method: str = "sum", weights: pd.Series | None = None
) -> pd.Series:
    """Combine z-scores (one column per indicator) with the method named ``method``.

    Examples
    --------
    >>> z = pd.DataFrame({"a": [1.0, -1.0], "b": [0.5, 0.5]})
    >>> combine(z, "mean").tolist()
    [0.75, -0.25]
    """
    if weights is None:
        weights = pd.Series(1.0, index=zscores.columns)
    return AGGREGATIONS[method]()(zscores, weights)
