"""``sozialmonitor lineage``: which areas became which on a boundary change."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from sozialmonitor.cli.console import DbOption, engine, use_db, user_errors
from sozialmonitor.domain.lineage import AreaLink
from sozialmonitor.ingest.lineage import COLUMN_NAMES

lineage_app = typer.Typer(help="Area lineage: predecessors and successors.")

HEADER = [names[0] for names in COLUMN_NAMES.values()]
"""old_code, new_code, kind, valid_on, share, basis: what ``import lineage`` reads."""


def write_links(links: list[AreaLink], out: TextIO | None) -> None:
    """The links as a correspondence table ``import lineage`` reads."""
    writer = csv.writer(out or sys.stdout, lineterminator="\n")
    writer.writerow(HEADER)
    for link in links:
        writer.writerow(
            [
                link.predecessor,
                link.successor,
                link.kind.value,
                link.valid_on.isoformat(),
                "" if link.share is None else f"{link.share:g}",
                link.basis.value if link.basis else "",
            ]
        )


@lineage_app.command("overlap")
def lineage_overlap(
    level: Annotated[str, typer.Option(help="The level of both vintages.")],
    on: Annotated[
        str,
        typer.Option(
            help="The day of the change (2021-01-01): the old areas of the level "
            "ended before it, the new ones began on it or later."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(help="Write the table to this file (default: the screen)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Compute a correspondence of old and new areas from their boundaries' overlap
    (share of surface, basis 'area'), as a table for 'import lineage': for boundary
    changes without an official table. Review it, then import it."""
    use_db(db)
    from sozialmonitor.analysis.correspondence import overlap_links
    from sozialmonitor.store.queries import list_areas

    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        raise typer.BadParameter(
            f"'{on}' is not a date. Write 2021-01-01.", param_hint="--on"
        ) from None
    with user_errors(), engine().connect() as conn:
        areas = list_areas(conn, level=level, with_geometry=True)
    old = [a for a in areas if a.valid_to is not None and a.valid_to < day]
    new = [a for a in areas if a.valid_from is not None and a.valid_from >= day]
    if not old or not new:
        typer.echo(
            f"Level '{level}' has {len(old)} areas that ended before {on} and "
            f"{len(new)} that began on it or later; both are needed. Import the "
            "vintages with --valid-to and --valid-from.",
            err=True,
        )
        raise typer.Exit(1)
    links = overlap_links(old, new, valid_on=day)
    if output is None:
        write_links(links, None)
        return
    with output.open("w", encoding="utf-8", newline="") as handle:
        write_links(links, handle)
    typer.echo(
        f"{output}: {len(links)} links of {len(old)} old and {len(new)} new areas."
    )
