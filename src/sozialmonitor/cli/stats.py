"""``sozialmonitor stats``: statistics on published values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from sqlalchemy import Connection

from sozialmonitor.cli.console import (
    AsJson,
    AsOf,
    DbOption,
    ReadInternal,
    engine,
    number,
    print_json,
    print_table,
    read_as,
    use_db,
    user_errors,
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
    with user_errors(), engine().connect() as conn:
        report = run(conn, read_as(internal))
    if as_json:
        print_json(report.to_dict())
        return
    show(report.to_dict())


def _heading(data: dict[str, Any], *rest: str) -> None:
    ind = data["indicator"]
    parts = [f"{ind['name']} ({ind['id']}, {ind['unit']})", *rest]
    typer.echo(", ".join(p for p in parts if p))


def _footer(data: dict[str, Any]) -> None:
    for text in [*data.get("warnings", []), data.get("note", "")]:
        if text:
            typer.echo(f"Note: {text}", err=True)


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
) -> None:
    """Areas against a benchmark, with confidence intervals (Wilson, Byar)."""
    use_db(db)
    from sozialmonitor.analysis.service import compare_areas

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        _heading(
            data, data["period"] or "", f"{data['confidence']:.1%} confidence interval"
        )
        rows = []
        for c in data["comparisons"]:
            ci, bench = c["interval"] or {}, c["benchmark"] or {}
            rows.append(
                [
                    c["area"]["code"],
                    c["area"]["name"],
                    number(c["value"], d),
                    number(ci.get("lower"), d),
                    number(ci.get("upper"), d),
                    bench.get("name", ""),
                    number(bench.get("value"), d),
                    c["result"]["text"],
                    c["reason"],
                ]
            )
        head = ["code", "name", "value", "lower", "upper", "benchmark"]
        print_table([*head, "benchmark value", "result", "reason"], rows)
        _footer(data)

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
        show=show,
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
) -> None:
    """Trend of an area's series (Mann-Kendall, Sen's slope) and its changes."""
    use_db(db)
    from sozialmonitor.analysis.service import area_trend

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        place = data["area"]
        _heading(data, f"{place['name']} ({place['code']})")
        periods = data["periods"]
        span = f"{periods[0]}–{periods[-1]}" if periods else "no values"
        typer.echo(
            f"Trend {span} ({data['method']}): {data['direction']['label']}"
            + (f", p = {data['p_value']:.3g}" if data["p_value"] is not None else "")
            + (
                f", Sen's slope {number(data['sen_slope'], d + 2, sign=True)} per year"
                if data["sen_slope"] is not None
                else ""
            )
        )
        typer.echo(f"Missing periods: {', '.join(data['missing_periods']) or 'none'}")
        if data["breaks"]:
            typer.echo(f"Breaks in the series: {', '.join(data['breaks'])}")
        rows = [
            [
                c["label"],
                c["base_period"],
                c["period"],
                number(c["absolute"], d, sign=True),
                "percentage points" if c["percentage_points"] else "",
                number(c["relative"], 1, sign=True) + (" %" if c["relative"] else ""),
            ]
            for c in data["changes"]
        ]
        print_table(["change", "from", "to", "absolute", "", "relative"], rows)
        _footer(data)

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
        show=show,
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
) -> None:
    """Map classes of an indicator on a level, with German legend labels."""
    use_db(db)
    from sozialmonitor.analysis.service import classify_level

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        _heading(
            data, data["level"]["label"], data["period"] or "", data["scheme"]["label"]
        )
        print_table(
            ["class", "legend", "areas"],
            [
                [str(x["class"] + 1), x["label"], str(x["count"])]
                for x in data["legend"]
            ],
        )
        typer.echo("")
        print_table(
            ["code", "name", "value", "class"],
            [
                [
                    a["code"],
                    a["name"],
                    number(a["value"], d),
                    "" if a["class"] is None else f"{a['class'] + 1} {a['label']}",
                ]
                for a in data["areas"]
            ],
        )
        _footer(data)

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
        show=show,
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
) -> None:
    """Moran's I and each area's LISA cluster, from the stored boundaries."""
    use_db(db)
    from sozialmonitor.analysis.service import spatial_level

    def show(data: dict[str, Any]) -> None:
        d = data["indicator"]["decimals"]
        _heading(data, data["level"]["label"], data["period"] or "", data["rule"])
        m = data["moran"]
        if m:
            typer.echo(
                f"Moran's I = {m['i']:.3f} (expected {m['expected']:.3f}), pseudo "
                f"p = {m['p_value']:.3f} ({m['permutations']} permutations), "
                f"z = {m['z']:.2f}; {data['n']} areas"
            )
        print_table(
            ["code", "name", "value", "cluster", "local I", "p"],
            [
                [
                    a["code"],
                    a["name"],
                    number(a["value"], d),
                    a["cluster"]["label"],
                    number(a["local_i"], 3),
                    number(a["p_value"], 3),
                ]
                for a in data["areas"]
            ],
        )
        _footer(data)

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
        show=show,
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
) -> None:
    """Group the areas of a level into types by several indicators."""
    use_db(db)
    from sozialmonitor.analysis.service import typology_level

    def show(data: dict[str, Any]) -> None:
        names = ", ".join(i["short_name"] for i in data["indicators"])
        typer.echo(f"{data['level']['label']}, {data['period'] or ''}: {names}")
        for t in data["types"]:
            typer.echo(f"Typ {t['type']} ({t['size']} Gebiete): {t['description']}")
        typer.echo("")
        print_table(
            ["code", "name", "type"],
            [
                [a["code"], a["name"], "" if a["type"] is None else str(a["type"])]
                for a in data["areas"]
            ],
        )
        if data["left_out"]:
            typer.echo(
                f"Left out (a value missing): {', '.join(data['left_out'])}", err=True
            )
        _footer(data)

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
        show=show,
    )
