"""How ``sozialmonitor stats`` prints a statistic: the API's JSON as text tables."""

from __future__ import annotations

from typing import Any

import typer

from sozialmonitor.cli.console import number, print_table


def _heading(data: dict[str, Any], *rest: str) -> None:
    ind = data["indicator"]
    parts = [f"{ind['name']} ({ind['id']}, {ind['unit']})", *rest]
    typer.echo(", ".join(p for p in parts if p))


def _footer(data: dict[str, Any]) -> None:
    for text in [*data.get("warnings", []), data.get("note", "")]:
        if text:
            typer.echo(f"Note: {text}", err=True)


def print_comparisons(data: dict[str, Any]) -> None:
    """Areas, intervals, benchmarks and results, one line each."""
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


def print_trend(data: dict[str, Any]) -> None:
    """The trend's line, missing periods and breaks, then the changes."""
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


def print_classes(data: dict[str, Any]) -> None:
    """The legend with each class's count, then each area's class."""
    d = data["indicator"]["decimals"]
    _heading(
        data, data["level"]["label"], data["period"] or "", data["scheme"]["label"]
    )
    print_table(
        ["class", "legend", "areas"],
        [[str(x["class"] + 1), x["label"], str(x["count"])] for x in data["legend"]],
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


def print_clusters(data: dict[str, Any]) -> None:
    """Moran's I, then each area's value and LISA cluster."""
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


def print_types(data: dict[str, Any]) -> None:
    """Each type with its description, then each area's type."""
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
