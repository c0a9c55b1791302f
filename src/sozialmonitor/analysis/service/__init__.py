"""The statistics as one query function each, reading through the public read gate.

Each function reads values through ``queries.read_observations`` (the public sees
published releases and public indicators only; the administration may read internal
indicators and "as of" a draft), hands them to the pure functions of this package and
returns a result whose ``to_dict()`` is the JSON of ``/api/v1/statistics/…`` and of
``sozialmonitor stats … --json``, so the API, the command line and the pages agree.

* :func:`compare_areas`: an area (or all children of a parent, or a whole level)
  against a benchmark, with confidence intervals
  (:mod:`sozialmonitor.analysis.comparison`).
* :func:`area_trend`: Mann-Kendall / logit trend and changes of an area's series.
* :func:`classify_level`: map classes of one indicator on one level.
* :func:`spatial_level`: Moran's I and LISA clusters on the stored boundaries.
* :func:`typology_level`: area types from several indicators.

Degraded-but-valid results are results, not errors: the pure functions' warnings
(fewer classes than asked …) are returned in ``warnings``, and ``note`` says why a
statistic is missing (too few values or areas).
"""

from __future__ import annotations

from sozialmonitor.analysis.service.classes import ClassesReport, classify_level
from sozialmonitor.analysis.service.clusters import SpatialReport, spatial_level
from sozialmonitor.analysis.service.compare import (
    AreaComparison,
    ComparisonReport,
    compare_areas,
)
from sozialmonitor.analysis.service.shared import (
    MAX_CLASSES,
    MIN_CLASSES,
    TREND_METHODS,
)
from sozialmonitor.analysis.service.trend import TrendReport, area_trend
from sozialmonitor.analysis.service.typology import TypologyReport, typology_level

__all__ = [
    "AreaComparison",
    "ClassesReport",
    "ComparisonReport",
    "MAX_CLASSES",
    "MIN_CLASSES",
    "SpatialReport",
    "TREND_METHODS",
    "TrendReport",
    "TypologyReport",
    "area_trend",
    "classify_level",
    "compare_areas",
    "spatial_level",
    "typology_level",
]
