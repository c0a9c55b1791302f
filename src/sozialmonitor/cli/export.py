"""``sozialmonitor export``: values of indicators as CSV or Excel; ``export mapped``:
a district's values in the layout of an official table (a mapping file)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Connection

from sozialmonitor import __version__
from sozialmonitor.cli.caller import TokenOption, UserOption, reading, use_caller
from sozialmonitor.cli.console import (
    AsOf,
    DbOption,
    use_db,
    user_errors,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import SozialmonitorError, UnknownAreaError
from sozialmonitor.ingest.official.mapping import Mapping
from sozialmonitor.store import queries


class ExportFormat(StrEnum):
    csv = "csv"
    csv_de = "csv-de"
    xlsx = "xlsx"


export_app = typer.Typer(
    help="Values of indicators as CSV (default, to standard output) or Excel; "
    "'export mapped' writes them in the layout of an official table.",
    invoke_without_command=True,
    no_args_is_help=False,
)


PeriodFrom = Annotated[str | None, typer.Option("--from", help="First period.")]
PeriodTo = Annotated[str | None, typer.Option("--to", help="Last period.")]


@export_app.callback()
def export(
    ctx: typer.Context,
    indicator: Annotated[
        list[str] | None, typer.Option(help="Indicator id (repeatable).")
    ] = None,
    area: Annotated[
        list[str] | None, typer.Option(help="Area code (repeatable).")
    ] = None,
    level: Annotated[str | None, typer.Option(help="All areas of this level.")] = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    as_of: AsOf = None,
    internal: Annotated[
        bool,
        typer.Option(
            help="Include internal indicators; on a server database with --user or "
            "--token allowed to read-internal."
        ),
    ] = False,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="csv (comma, decimal point), csv-de (for German Excel: semicolon, "
            "decimal comma) or xlsx.",
        ),
    ] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Values of indicators as CSV (default, to standard output) or Excel;
    'export mapped' writes them in the layout of an official table."""
    use_db(db)
    use_caller(user, token)
    if ctx.invoked_subcommand is not None:
        return
    if not indicator:
        typer.echo(
            "Give the indicators (--indicator ID), or use 'export mapped MAPPING'.",
            err=True,
        )
        raise typer.Exit(2)
    from sozialmonitor.export import observations_frame, to_bytes

    with user_errors():
        query = queries.ObservationQuery(
            indicators=indicator,
            areas=area,
            level=level,
            period_from=parse_period(period_from) if period_from else None,
            period_to=parse_period(period_to) if period_to else None,
            as_of=as_of,
        )
        eng, audience = reading(internal)
        with eng.connect() as conn:
            rows = queries.read_observations(conn, query, audience=audience)
            areas = queries.list_areas(conn, codes={o.area for o in rows})
        if fmt is ExportFormat.xlsx and output is None:
            raise SozialmonitorError("Excel goes to a file: add --output FILE.xlsx.")
        data = to_bytes(observations_frame(rows, areas), fmt.value)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {len(rows)} values to {output}.", err=True)


@export_app.command("mapped")
def export_mapped(
    mapping: Annotated[
        Path,
        typer.Argument(
            help="The mapping file of the table (docs/mapping-files.md), e.g. a "
            "shipped one from src/sozialmonitor/ingest/official/mappings/."
        ),
    ],
    area: Annotated[list[str], typer.Option(help="Area code (repeatable).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    children: Annotated[
        bool, typer.Option(help="Also the areas directly below each --area.")
    ] = False,
    period: Annotated[
        list[str] | None, typer.Option(help="Only this period (repeatable).")
    ] = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    as_of: AsOf = None,
    internal: Annotated[
        bool,
        typer.Option(
            help="Read as the administration (internal indicators, values hidden "
            "from the public); on a server database with --user or --token allowed "
            "to read-internal."
        ),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Values in the layout of an official table, as its mapping file describes
    it: keys, period labels, scaling, signs; '.' for a value you may not see."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.ingest.official.mapping import load_mapping
    from sozialmonitor.mapped_export import check_mapping, write_mapped

    with user_errors():
        rules = load_mapping(mapping)
        check_mapping(rules)  # before reading anything
        eng, audience = reading(internal)
        with eng.connect() as conn:
            areas = _areas(conn, area, children=children)
            rows = queries.read_observations(
                conn,
                queries.ObservationQuery(
                    indicators=_readable(conn, rules, audience),
                    areas=[a.code for a in areas],
                    periods=period,
                    period_from=parse_period(period_from) if period_from else None,
                    period_to=parse_period(period_to) if period_to else None,
                    as_of=as_of,
                ),
                audience=audience,
            )
            legend = _legend(conn, rules, audience)
        written = write_mapped(rules, rows, areas, legend=legend)
    output.write_bytes(written.data)
    for indicator in written.empty_indicators:
        typer.echo(
            f"No values of '{indicator}' to write: its cells are empty.", err=True
        )
    typer.echo(
        f"Wrote {written.cells} cells ({written.hidden} as '.') of {len(areas)} "
        f"areas in the layout of {rules.table} to {output}.",
        err=True,
    )


def _areas(conn: Connection, codes: list[str], *, children: bool) -> list[Area]:
    """The areas asked for, each followed by its children with ``children``."""
    known = {a.code: a for a in queries.list_areas(conn, codes=codes)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise UnknownAreaError(
            f"'{unknown[0]}' is not a known area code. Use the code of an area in the "
            "database (sozialmonitor export --level L lists values with codes)."
        )
    out: dict[str, Area] = {}
    for code in dict.fromkeys(codes):
        out[code] = known[code]
        if children:
            out.update((c.code, c) for c in queries.list_areas(conn, parent=code))
    return list(out.values())


def _readable(conn: Connection, rules: Mapping, audience: Audience) -> list[str]:
    """The mapping's indicators the audience may read (an internal one the public
    may not is as absent as one the database lacks: its cells stay empty)."""
    known = {i.id for i in queries.list_indicators(conn, audience=audience)}
    return [i for i in dict.fromkeys(o.indicator for o in rules.outputs) if i in known]


def _legend(conn: Connection, rules: Mapping, audience: Audience) -> list[str]:
    """The footer's lines: each indicator's source and licence, who wrote it."""
    wanted = {o.indicator for o in rules.outputs}
    lines = []
    for indicator in queries.list_indicators(conn, audience=audience):
        if indicator.id in wanted and (indicator.source or indicator.licence):
            parts = [p for p in (indicator.source, indicator.licence) if p]
            lines.append(f"{indicator.name}: {', '.join(parts)}")
    read = "interne Werte" if audience.internal else "öffentliche Werte"
    lines.append(f"Exportiert mit Sozialmonitor {__version__} ({read})")
    return lines
