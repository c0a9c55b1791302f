"""What every command shares: the global options, the database, errors and printing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from sozialmonitor.config import SETTINGS, setting
from sozialmonitor.errors import ImportValidationError, SozialmonitorError
from sozialmonitor.store.database import connect, schema_is_current


class State:
    db: str | None = None
    debug: bool = False
    user: str | None = None
    token: str | None = None


state = State()
DB_HELP = SETTINGS["db"].help + f" Environment: {SETTINGS['db'].env}."
DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
AsJson = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="Read as of this release.")]
ReadInternal = Annotated[
    bool,
    typer.Option(
        help="Read as the administration (drafts, internal); on a server database "
        "with --user or --token allowed to read-internal."
    ),
]


def use_db(db: str | None) -> None:
    """``--db`` works before the command and after it."""
    if db:
        state.db = db


@contextmanager
def user_errors() -> Iterator[None]:
    """Print our errors as messages (exit 1; 2 for an invalid file), not tracebacks."""
    try:
        yield
    except SozialmonitorError as exc:
        if state.debug:
            raise
        typer.echo(exc.message, err=True)
        raise typer.Exit(2 if isinstance(exc, ImportValidationError) else 1) from None


def engine(*, init: bool = False) -> Engine:
    """The engine of the chosen database; it must be initialised unless ``init``."""
    eng = connect(setting("db", state.db))
    if init:
        return eng
    if not schema_is_current(eng):
        raise SozialmonitorError(
            f"The database {shown_url(eng)} is not "
            "initialised or not up to date. Run 'sozialmonitor init' first."
        )
    return eng


def shown_url(eng: Engine) -> str:
    """The database's URL as we print it: without the password."""
    return eng.url.render_as_string(hide_password=True)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(head: list[str], rows: list[list[str]]) -> None:
    """Columns aligned with two spaces between them."""
    widths = [
        max(len(cell) for cell in column) for column in zip(head, *rows, strict=True)
    ]
    for line in [head, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=True)]
        typer.echo("  ".join(cells).rstrip())


def number(value: float | None, decimals: int = 2, *, sign: bool = False) -> str:
    """A table cell: ``decimals`` places, ``+`` with ``sign``; none or NaN is empty."""
    if value is None or value != value:
        return ""
    return f"{value:{'+' if sign else ''}.{decimals}f}"
