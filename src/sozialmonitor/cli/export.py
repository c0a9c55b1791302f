"""``sozialmonitor export``: values of indicators as CSV or Excel."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.cli.caller import TokenOption, UserOption, reading, use_caller
from sozialmonitor.cli.console import (
    AsOf,
    DbOption,
    use_db,
    user_errors,
)
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.store import queries


class ExportFormat(StrEnum):
    csv = "csv"
    csv_de = "csv-de"
    xlsx = "xlsx"


def export(
    indicator: Annotated[list[str], typer.Option(help="Indicator id (repeatable).")],
    area: Annotated[
        list[str] | None, typer.Option(help="Area code (repeatable).")
    ] = None,
    level: Annotated[str | None, typer.Option(help="All areas of this level.")] = None,
    period_from: Annotated[
        str | None, typer.Option("--from", help="First period.")
    ] = None,
    period_to: Annotated[str | None, typer.Option("--to", help="Last period.")] = None,
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
    """Values of indicators as CSV (default, to standard output) or Excel."""
    use_db(db)
    use_caller(user, token)
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
