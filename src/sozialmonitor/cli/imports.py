"""``sozialmonitor import``: areas, the indicator catalogue, observations, official
statistics exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.access.roles import Action
from sozialmonitor.cli.caller import (
    TokenOption,
    UserOption,
    actor_of,
    authorised,
    use_caller,
)
from sozialmonitor.cli.console import (
    AsJson,
    DbOption,
    print_json,
    state,
    use_db,
    user_errors,
)
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.report import ImportOutcome

import_app = typer.Typer(help="Import areas, the indicator catalogue or observations.")

DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Only validate; write nothing.")
]
FileArg = Annotated[Path, typer.Argument(help="The file to import.")]


def _import(run: Callable[[], ImportOutcome], as_json: bool, dry_run: bool) -> None:
    """Run an import and print its report (exit 2 when the file is invalid)."""
    with user_errors():
        try:
            outcome = run()
        except ImportValidationError as exc:
            if not as_json or state.debug:
                raise
            print_json(exc.report.to_dict())  # type: ignore[attr-defined]
            raise typer.Exit(2) from None
    report = outcome.report
    if as_json:
        data = report.to_dict()
        data["rows_written"] = outcome.rows_written
        data["release"] = outcome.release.name if outcome.release else None
        print_json(data)
        return
    if report.findings:
        typer.echo(report.to_text(), err=True)
    name = report.path.name
    if dry_run:
        typer.echo(f"{name}: valid, {report.rows_valid} rows; nothing written.")
    else:
        into = f" into release '{outcome.release.name}'" if outcome.release else ""
        typer.echo(f"{name}: {outcome.rows_written} new or changed{into}.")


@import_app.command("observations")
def import_observations_command(
    file: FileArg,
    release: Annotated[
        str | None,
        typer.Option(
            help="Draft release to import into (created if new; default: the "
            "newest draft, else a new one)."
        ),
    ] = None,
    indicator: Annotated[
        str | None,
        typer.Option(help="Indicator id for a file without an indicator column."),
    ] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import values (long or wide layout; CSV or Excel)."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.ingest.observations import import_observations

    def run() -> ImportOutcome:
        eng, caller = authorised(Action.IMPORT)
        return import_observations(
            eng,
            file,
            release=release,
            indicator=indicator,
            dry_run=dry_run,
            actor=actor_of(caller),
            address=caller.address,
        )

    _import(run, as_json, dry_run)


@import_app.command("indicators")
def import_indicators_command(
    file: FileArg,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import the indicator catalogue (YAML or CSV)."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.ingest.indicators import import_indicators

    def run() -> ImportOutcome:
        eng, caller = authorised(Action.IMPORT)
        return import_indicators(
            eng, file, dry_run=dry_run, actor=actor_of(caller), address=caller.address
        )

    _import(run, as_json, dry_run)


@import_app.command("areas")
def import_areas_command(
    file: FileArg,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import areas and boundaries (GeoJSON, GeoPackage, Shapefile or CSV)."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.ingest.areas import import_areas

    def run() -> ImportOutcome:
        eng, caller = authorised(Action.IMPORT)
        return import_areas(
            eng, file, dry_run=dry_run, actor=actor_of(caller), address=caller.address
        )

    _import(run, as_json, dry_run)


ReleaseOption = Annotated[
    str | None,
    typer.Option(
        help="Draft release to import into (created if new; default: the newest "
        "draft, else a new one)."
    ),
]


@import_app.command("official")
def import_official_command(
    file: FileArg,
    release: ReleaseOption = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import an official statistics export (GENESIS, Regionalstatistik) as
    downloaded, through the mapping shipped for its table."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.ingest.official.importer import import_official

    def run() -> ImportOutcome:
        eng, caller = authorised(Action.IMPORT)
        return import_official(
            eng,
            file,
            release=release,
            dry_run=dry_run,
            actor=actor_of(caller),
            address=caller.address,
        )

    _import(run, as_json, dry_run)


@import_app.command("mapped")
def import_mapped_command(
    mapping: Annotated[
        Path, typer.Argument(help="The mapping file (YAML, see docs/mapping-files.md).")
    ],
    file: FileArg,
    release: ReleaseOption = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import an official statistics export through a mapping of your own."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.ingest.official.importer import import_official

    def run() -> ImportOutcome:
        eng, caller = authorised(Action.IMPORT)
        return import_official(
            eng,
            file,
            mapping=mapping,
            release=release,
            dry_run=dry_run,
            actor=actor_of(caller),
            address=caller.address,
        )

    _import(run, as_json, dry_run)
