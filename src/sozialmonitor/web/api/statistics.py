"""``/api/v1/statistics``: comparisons, trends, map classes, spatial clusters, types.

Each endpoint calls one query function of :mod:`sozialmonitor.analysis.service` (the
same the ``sozialmonitor stats`` commands call) on the public read gate, so the JSON
here and ``stats … --json`` are the same.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from sozialmonitor.analysis import service
from sozialmonitor.analysis.classify import SCHEMES
from sozialmonitor.analysis.intervals import DEFAULT_CONFIDENCE
from sozialmonitor.analysis.spatial import Contiguity
from sozialmonitor.store import queries
from sozialmonitor.web.session import audience_of

router = APIRouter(prefix="/api/v1/statistics", tags=["statistics"])

IndicatorParam = Annotated[str, Query(description="Indicator id.")]
PeriodParam = Annotated[
    str | None, Query(description="Period (default: the latest with values).")
]
AsOfParam = Annotated[str | None, Query(description="Read as of this release.")]
LevelParam = Annotated[str, Query(description="Area level, e.g. municipality.")]


def _ids(values: list[str]) -> list[str]:
    """Repeated parameters and comma-separated lists both work."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@router.get("/compare")
def compare(
    request: Request,
    indicator: IndicatorParam,
    area: Annotated[str | None, Query(description="One area's code.")] = None,
    parent: Annotated[
        str | None, Query(description="Compare all children of this area.")
    ] = None,
    level: Annotated[
        str | None, Query(description="Compare all areas of this level.")
    ] = None,
    benchmark: Annotated[
        str | None,
        Query(description="Benchmark area's code (default: each area's parent)."),
    ] = None,
    period: PeriodParam = None,
    confidence: Annotated[
        float, Query(description="Confidence level, between 0 and 1.", gt=0, lt=1)
    ] = DEFAULT_CONFIDENCE,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Areas against a benchmark: value, confidence interval (Wilson for shares,
    Byar / exact Poisson for rates) and the result (``better`` … with its German
    label). Name one of ``area``, ``parent`` or ``level`` (when several are named,
    the most specific counts); none: the top-level areas."""
    audience = audience_of(request)
    with request.app.state.engine.connect() as conn:
        return service.compare_areas(
            conn,
            indicator=indicator,
            area=area or None,
            parent=parent or None,
            level=level or None,
            benchmark=benchmark or None,
            period=period,
            confidence=confidence,
            as_of=as_of,
            audience=audience,
        ).to_dict()


@router.get("/trend")
def trend(
    request: Request,
    indicator: IndicatorParam,
    area: Annotated[str, Query(description="The area's code.")],
    method: Annotated[
        str,
        Query(
            description="mann_kendall, or logit for shares with their counts.",
            json_schema_extra={"enum": list(service.TREND_METHODS)},
        ),
    ] = "mann_kendall",
    period: Annotated[
        str | None,
        Query(description="Period whose changes are shown (default: the latest)."),
    ] = None,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Direction, p-value and Sen's slope of an area's series, its changes against
    the previous period and over 5 and 10 years, and missing periods."""
    audience = audience_of(request)
    with request.app.state.engine.connect() as conn:
        return service.area_trend(
            conn,
            indicator=indicator,
            area=area,
            method=method,
            period=period,
            as_of=as_of,
            audience=audience,
        ).to_dict()


@router.get("/classes")
def classes(
    request: Request,
    indicator: IndicatorParam,
    level: LevelParam,
    period: PeriodParam = None,
    scheme: Annotated[
        str,
        Query(
            description="natural_breaks, quantiles, equal_interval or std_mean.",
            json_schema_extra={"enum": list(SCHEMES)},
        ),
    ] = "natural_breaks",
    k: Annotated[
        int, Query(description="Number of classes, 2 to 10.", ge=2, le=10)
    ] = 5,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Map classes: bins, German legend labels and each area's class."""
    audience = audience_of(request)
    with request.app.state.engine.connect() as conn:
        return service.classify_level(
            conn,
            indicator=indicator,
            level=level,
            period=period,
            scheme=scheme,
            k=k,
            as_of=as_of,
            audience=audience,
        ).to_dict()


@router.get("/spatial")
def spatial(
    request: Request,
    indicator: IndicatorParam,
    level: LevelParam,
    period: PeriodParam = None,
    rule: Annotated[
        str,
        Query(
            description="queen or rook contiguity.",
            json_schema_extra={"enum": [c.value for c in Contiguity]},
        ),
    ] = "queen",
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Global Moran's I and each area's LISA cluster, from the stored boundaries
    (seeded permutations: the same data give the same result)."""
    audience = audience_of(request)
    with request.app.state.engine.connect() as conn:
        return service.spatial_level(
            conn,
            indicator=indicator,
            level=level,
            period=period,
            rule=rule,
            as_of=as_of,
            audience=audience,
        ).to_dict()


@router.get("/typology")
def typology(
    request: Request,
    level: LevelParam,
    indicator: Annotated[
        list[str],
        Query(
            description="Two or more different indicator ids (repeat or commas).",
            json_schema_extra={"minItems": 2, "uniqueItems": True},
        ),
    ],
    period: PeriodParam = None,
    k: Annotated[int, Query(description="Number of types, 2 to 10.", ge=2, le=10)] = 4,
    as_of: AsOfParam = None,
) -> dict[str, Any]:
    """Area types: each area's type and each type's description."""
    audience = audience_of(request)
    named = _ids(indicator)
    with request.app.state.engine.connect() as conn:
        for found in named:  # an unknown name is a 404 before any other check
            queries.get_indicator(conn, found, audience=audience)
        return service.typology_level(
            conn,
            indicators=named,
            level=level,
            period=period,
            k=k,
            as_of=as_of,
            audience=audience,
        ).to_dict()
