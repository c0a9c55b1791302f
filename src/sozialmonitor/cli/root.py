"""The root command: global options, ``init``, the commands and the command groups."""

from __future__ import annotations

from typing import Annotated

import typer

from sozialmonitor import __version__
from sozialmonitor.cli.backup import backup, restore
from sozialmonitor.cli.caller import TokenOption, UserOption
from sozialmonitor.cli.console import (
    DB_HELP,
    DbOption,
    engine,
    shown_url,
    state,
    use_db,
    user_errors,
)
from sozialmonitor.cli.entry import Language, RootGroup
from sozialmonitor.cli.export import export_app
from sozialmonitor.cli.gaps import gaps_app
from sozialmonitor.cli.imports import import_app
from sozialmonitor.cli.index import index_app
from sozialmonitor.cli.levels import level_app
from sozialmonitor.cli.lineage import lineage_app
from sozialmonitor.cli.opendata import opendata_app
from sozialmonitor.cli.publish import publish
from sozialmonitor.cli.qualitative import qualitative_app
from sozialmonitor.cli.releases import release_app
from sozialmonitor.cli.reports import report_app
from sozialmonitor.cli.serve import demo, serve
from sozialmonitor.cli.stats import stats_app
from sozialmonitor.cli.users import audit_app, user_app
from sozialmonitor.store.database import init_database

app = typer.Typer(
    cls=RootGroup,
    help="Sozialmonitor: the indicator database and portal for social monitoring.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    """``--version``: eager, so it answers before Click asks for a command."""
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    user: UserOption = None,
    token: TokenOption = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks.")] = False,
    lang: Annotated[  # noqa: ARG001 (RootGroup reads it before the command runs)
        Language | None,
        typer.Option(
            "--lang",
            help="Language of the help: de (German) or en (English); default: from "
            "the locale (LC_ALL, LC_MESSAGES, LANG), else English.",
        ),
    ] = None,
    version: Annotated[  # noqa: ARG001 (its callback prints it)
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    state.db = db
    state.user = user
    state.token = token
    state.debug = debug


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database, or upgrade it to the newest schema."""
    use_db(db)
    with user_errors():
        eng = engine(init=True)
        init_database(eng)
        typer.echo(f"Database ready: {shown_url(eng)}")


# The order here is the order of ``sozialmonitor --help``.
app.add_typer(export_app, name="export")
app.add_typer(opendata_app, name="opendata")
app.command()(publish)
app.command()(serve)
app.command()(demo)
app.command()(backup)
app.command()(restore)
app.add_typer(import_app, name="import")
app.add_typer(release_app, name="release")
app.add_typer(level_app, name="level")
app.add_typer(lineage_app, name="lineage")
app.add_typer(index_app, name="index")
app.add_typer(stats_app, name="stats")
app.add_typer(gaps_app, name="gaps")
app.add_typer(qualitative_app, name="qualitative")
app.add_typer(report_app, name="report")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
