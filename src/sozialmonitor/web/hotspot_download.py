"""The hot-spot view's download columns: each area's LISA cluster — the class the
map shows, from the page's own cached analysis
(:func:`~sozialmonitor.web.pages.indicator_hotspots.hotspot_result`) — and the
pseudo p-value of its local Moran statistic, from the same service function with
the same rule (:func:`~sozialmonitor.analysis.service.clusters.spatial_level`).

Both read through the read gate: an area whose value is hidden has no value here,
is not classified (``not_analysed``) and has no p-value. The p-values come from an
analysis run while the request waits, so only for levels the page also analyses
in the request (``IN_REQUEST_LIMIT`` areas); a larger level's file has the
clusters and an empty p-value column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sozialmonitor.analysis.service.clusters import spatial_level
from sozialmonitor.analysis.spatial import Cluster
from sozialmonitor.errors import MissingBoundariesError, StillComputingError
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.pages import indicator_hotspots as hotspots
from sozialmonitor.web.pages.indicator_context import Context

HOTSPOT_COLUMNS = ("cluster", "cluster_label", "p_value")
"""Columns after ``value``: the cluster's code (``high-high``), its label as the
map's legend writes it (``hoch-hoch (Hot Spot)``) and the pseudo p-value of the
local Moran statistic (permutations, as ``stats spatial``)."""
P_VALUE_CACHE = 16
"""Analyses (indicator × level × period) whose p-values are kept per data
version; a few KB each at the in-request size."""
RETRY_AFTER = 10
"""Seconds a download of a level still analysed in the background waits."""


@dataclass(frozen=True, kw_only=True)
class LocalClusters:
    """The page's analysis (each area's cluster) and area code → pseudo p-value
    (None: not analysed)."""

    result: hotspots.HotspotResult
    p_values: dict[str, float | None]


def local_clusters(ctx: Context) -> LocalClusters:
    """The clusters the hot-spot map shows and their pseudo p-values.

    Raises
    ------
    StillComputingError
        While the page's analysis of a large level runs in the background.
    """
    view = ctx.view
    assert view.ebene is not None and view.zeitraum is not None
    size = hotspots.level_size(ctx.snap, view.ebene)
    result = hotspots.hotspot_result(ctx, size)
    if result is None:
        raise StillComputingError(
            "The hot-spot analysis of this level is being computed in the "
            "background; download the file again in a few seconds.",
            RETRY_AFTER,
        )
    # The page's limit, read when asked (a setting of the page's module).
    in_request = size <= hotspots.IN_REQUEST_LIMIT
    p_values = _p_values(ctx) if in_request else {}
    return LocalClusters(result=result, p_values=p_values)


def _p_values(ctx: Context) -> dict[str, float | None]:
    view = ctx.view
    assert view.ebene is not None and view.zeitraum is not None
    ebene, zeitraum = view.ebene, view.zeitraum

    def make() -> dict[str, float | None]:
        try:
            report = spatial_level(
                ctx.conn,
                indicator=ctx.indicator.id,
                level=ebene,
                period=zeitraum,
                rule=hotspots.RULE.value,
                audience=ctx.snap.audience,
            )
        except MissingBoundariesError:
            return {}
        return {
            area.code: local.p_value
            for area, local in zip(report.areas, report.analysis.local, strict=True)
        }

    key = (ctx.indicator.id, ebene, zeitraum)
    found: dict[str, float | None] = ctx.snap.lru(
        "hotspot-p-values", P_VALUE_CACHE
    ).get_or_make(key, make)
    return found


def cluster_cells(area: str, found: LocalClusters, t: Translator) -> dict[str, Any]:
    """The hot-spot columns of one area's row."""
    cluster = found.result.cluster(area)
    analysed = cluster is not Cluster.NOT_ANALYSED
    return {
        "cluster": cluster.value,
        "cluster_label": t(cluster.label),
        "p_value": found.p_values.get(area) if analysed else None,
    }
