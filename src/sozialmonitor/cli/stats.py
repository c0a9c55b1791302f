"""``sozialmonitor stats``: statistics on published values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from sqlalchemy import Connection

from sozialmonitor.cli.caller import TokenOption, UserOption, reading, use_caller
from sozialmonitor.cli.console import (
    AsJson,
    AsOf,
    DbOption,
    ReadInternal,
    print_json,
    use_db,
    user_errors,
)
from sozialmonitor.cli.stats_tables import (
    print_classes,
    print_clusters,
    print_comparisons,
    print_trend,
    print_types,
)
from sozialmonitor.domain.access import Audience

stats_app = typer.Typer(
    help="Statistics on published values: comparisons with a benchmark, trends, "
    "map classes, spatial clusters, area types."
)

StatsIndicator = Annotated[str, typer.Option("--indicator", help="Indicator id.")]
StatsLevel = Annotated[
    str, typer.Option("--level", help="Area level, e.g. municipality.")
]
StatsPeriod = Annotated[
    str | None,
    typer.Option("--period", help="Period (default: the latest with values)."),
]
StatsK = Annotated[int, typer.Option("--k", help="Number of classes or types, 2-10.")]


def _stats(
    run: Callable[[Connection, Audience], Any],
    *,
    internal: bool,
    as_json: bool,
    show: Callable[[Any], None],
) -> None:
    """Run a statistic on the read gate; print ``show``'s table or the API's JSON."""
    with user_errors():
        eng, audience = reading(internal)
        with eng.connect() as conn:
            report = run(conn, audience)
    if as_json:
        print_json(report.to_dict())
        return
    show(report.to_dict())


@stats_app.command("compare")
def stats_compare(
    indicator: StatsIndicator,
    area: Annotated[str | None, typer.Option(help="One area's code.")] = None,
    parent: Annotated[
        str | None, typer.Option(help="Compare all children of this area.")
    ] = None,
    level: Annotated[
        str | None, typer.Option(help="Compare all areas of this level.")
    ] = None,
    benchmark: Annotated[
        str | None,
        typer.Option(help="Benchmark area's code (default: each area's parent)."),
    ] = None,
    period: StatsPeriod = None,
    confidence: Annotated[
        float, typer.Option(help="Confidence level, between 0 and 1.")
    ] = 0.95,
    as_of: AsOf = None,
    internal: ReadInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Areas against a benchmark, with confidence intervals (Wilson, Byar)."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.analysis.service import compare_areas

    _stats(
        lambda conn, audience: compare_areas(
            conn,
            indicator=indicator,
            area=area,
            parent=parent,
            level=level,
            benchmark=benchmark,
            period=period,
            confidence=confidence,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=print_comparisons,
    )


@stats_app.command("trend")
def stats_trend(
    indicator: StatsIndicator,
    area: Annotated[str, typer.Option(help="The area's code.")],
    method: Annotated[
        str, typer.Option(help="mann_kendall, or logit for shares with their counts.")
    ] = "mann_kendall",
    period: Annotated[
        str | None,
        typer.Option(help="Period whose changes are shown (default: the latest)."),
    ] = None,
    as_of: AsOf = None,
    internal: ReadInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Trend of an area's series (Mann-Kendall, Sen's slope) and its changes."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.analysis.service import area_trend

    _stats(
        lambda conn, audience: area_trend(
            conn,
            indicator=indicator,
            area=area,
            method=method,
            period=period,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=print_trend,
    )


@stats_app.command("classes")
def stats_classes(
    indicator: StatsIndicator,
    level: StatsLevel,
    period: StatsPeriod = None,
    scheme: Annotated[
        str,
        typer.Option(help="natural_breaks, quantiles, equal_interval or std_mean."),
    ] = "natural_breaks",
    k: StatsK = 5,
    as_of: AsOf = None,
    internal: ReadInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Map classes of an indicator on a level, with German legend labels."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.analysis.service import classify_level

    _stats(
        lambda conn, audience: classify_level(
            conn,
            indicator=indicator,
            level=level,
            period=period,
            scheme=scheme,
            k=k,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=print_classes,
    )


@stats_app.command("spatial")
def stats_spatial(
    indicator: StatsIndicator,
    level: StatsLevel,
    period: StatsPeriod = None,
    rule: Annotated[str, typer.Option(help="queen or rook contiguity.")] = "queen",
    as_of: AsOf = None,
    internal: ReadInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Moran's I and each area's LISA cluster, from the stored boundaries."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.analysis.service import spatial_level

    _stats(
        lambda conn, audience: spatial_level(
            conn,
            indicator=indicator,
            level=level,
            period=period,
            rule=rule,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=print_clusters,
    )


@stats_app.command("typology")
def stats_typology(
    indicator: Annotated[
        list[str], typer.Option(help="Indicator id (repeat: two or more).")
    ],
    level: StatsLevel,
    period: StatsPeriod = None,
    k: StatsK = 4,
    as_of: AsOf = None,
    internal: ReadInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Group the areas of a level into types by several indicators."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.analysis.service import typology_level

    _stats(
        lambda conn, audience: typology_level(
            conn,
            indicators=indicator,
            level=level,
            period=period,
            k=k,
            as_of=as_of,
            audience=audience,
        ),
        internal=internal,
        as_json=as_json,
        show=print_types,
    )
