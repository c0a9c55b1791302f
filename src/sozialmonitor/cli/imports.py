"""``sozialmonitor import``: areas, the indicator catalogue, observations, official
statistics exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

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
from sozialmonitor.config import SETTINGS, setting
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


def _run_import(
    importer: Callable[..., ImportOutcome],
    source: Any,
    *,
    dry_run: bool,
    as_json: bool,
    db: str | None,
    user: str | None,
    token: str | None,
    **options: Any,
) -> None:
    """``importer(engine, source, **options)`` as the caller (who must be allowed
    to import), recorded under the caller's name and address; its report printed."""
    use_db(db)
    use_caller(user, token)

    def run() -> ImportOutcome:
        eng, caller = authorised(Action.IMPORT)
        return importer(
            eng,
            source,
            dry_run=dry_run,
            actor=actor_of(caller),
            address=caller.address,
            **options,
        )

    _import(run, as_json, dry_run)


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
    from sozialmonitor.ingest.observations import import_observations

    _run_import(
        import_observations,
        file,
        release=release,
        indicator=indicator,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )


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
    from sozialmonitor.ingest.indicators import import_indicators

    _run_import(
        import_indicators,
        file,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )


def _field_option(role: str, example: str) -> Any:
    return typer.Option(
        help=f"The file's field with the {role} (e.g. {example}); default: a field "
        "with the usual name."
    )


@import_app.command("areas")
def import_areas_command(
    file: FileArg,
    code_field: Annotated[str | None, _field_option("area code", "AGS, PLR_ID")] = None,
    name_field: Annotated[str | None, _field_option("name", "GEN, PLR_NAME")] = None,
    parent_field: Annotated[
        str | None, _field_option("parent area's code", "BEZ")
    ] = None,
    level_field: Annotated[str | None, _field_option("level code", "EBENE")] = None,
    level: Annotated[
        str | None,
        typer.Option(
            help="The level of every area in the file (e.g. municipality), for a "
            "file with one level and no level field (BKG VG250/VG5000, LOR)."
        ),
    ] = None,
    parent_prefix: Annotated[
        int | None,
        typer.Option(
            help="The parent's code is the first this many characters of the "
            "area's code: AGS 5 for a municipality's district, 2 for a "
            "district's state; LOR 6 for a planning area's Bezirksregion."
        ),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            help="Import only the features with FIELD=VALUE, e.g. GF=9 for the "
            "land parts of BKG's states (without their waters)."
        ),
    ] = None,
    valid_from: Annotated[
        str | None,
        typer.Option(
            help="First day of validity (2021-01-01) of every area whose row "
            "gives none."
        ),
    ] = None,
    valid_to: Annotated[
        str | None,
        typer.Option(
            help="Last day of validity (2020-12-31) of every area whose row gives none."
        ),
    ] = None,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import areas and boundaries (GeoJSON, GeoPackage, Shapefile or CSV)."""
    from sozialmonitor.ingest.area_fields import AreaFields, parse_date, parse_only
    from sozialmonitor.ingest.areas import import_areas

    try:
        fields = AreaFields(
            code_field=code_field,
            name_field=name_field,
            parent_field=parent_field,
            level_field=level_field,
            level=level,
            parent_prefix=parent_prefix,
            only=parse_only(only) if only is not None else None,
            valid_from=parse_date(valid_from, "--valid-from"),
            valid_to=parse_date(valid_to, "--valid-to"),
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    _run_import(
        import_areas,
        file,
        fields=fields,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )


@import_app.command("lineage")
def import_lineage_command(
    file: FileArg,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import area lineage: a correspondence table of old and new areas (CSV or
    Excel: old_code, new_code, kind, valid_on, share, basis)."""
    from sozialmonitor.ingest.lineage import import_lineage

    _run_import(
        import_lineage,
        file,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )


OnlyKnownAreas = Annotated[
    bool,
    typer.Option(
        "--only-known-areas",
        help="Leave out the values of areas the database does not have (counted "
        "in one warning), e.g. a nationwide download into a county's installation; "
        "without it each such area is an error.",
    ),
]
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
    only_known_areas: OnlyKnownAreas = False,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import an official statistics export (GENESIS, Regionalstatistik) as
    downloaded, through the mapping shipped for its table."""
    from sozialmonitor.ingest.official.importer import import_official

    _run_import(
        import_official,
        file,
        release=release,
        only_known_areas=only_known_areas,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )


@import_app.command("mapped")
def import_mapped_command(
    mapping: Annotated[
        Path, typer.Argument(help="The mapping file (YAML, see docs/mapping-files.md).")
    ],
    file: FileArg,
    release: ReleaseOption = None,
    only_known_areas: OnlyKnownAreas = False,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import an official statistics export through a mapping of your own."""
    from sozialmonitor.ingest.official.importer import import_official

    _run_import(
        import_official,
        file,
        mapping=mapping,
        release=release,
        only_known_areas=only_known_areas,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )


@import_app.command("genesis")
def import_genesis_command(
    table: Annotated[
        str,
        typer.Argument(help="The table's code, e.g. 12411-01-01-4 or 12411-0013."),
    ],
    instance: Annotated[
        str | None,
        typer.Option(
            "--instance",
            "--genesis-instance",
            help=SETTINGS["genesis-instance"].help
            + f" Environment: {SETTINGS['genesis-instance'].env}; default: "
            f"{SETTINGS['genesis-instance'].default}.",
        ),
    ] = None,
    release: ReleaseOption = None,
    only_known_areas: OnlyKnownAreas = False,
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Fetch a table from the GENESIS web service (credentials from
    SOZIALMONITOR_GENESIS_USER and SOZIALMONITOR_GENESIS_PASSWORD) and import it
    through the mapping shipped for it, as `import official` does."""
    from sozialmonitor.errors import ConfigurationError
    from sozialmonitor.ingest.official.importer import import_genesis
    from sozialmonitor.ingest.official.webservice import GenesisAccess, base_url

    def fetch_and_import(eng: Any, code: str, **options: Any) -> ImportOutcome:
        account = setting("genesis-user")
        if not account:
            raise ConfigurationError(
                "No account for the GENESIS web service: set "
                "SOZIALMONITOR_GENESIS_USER and SOZIALMONITOR_GENESIS_PASSWORD (or "
                "an API token in SOZIALMONITOR_GENESIS_USER). Or download the table "
                "as CSV and use `sozialmonitor import official FILE`."
            )
        access = GenesisAccess(
            base_url=base_url(setting("genesis-instance", instance)),
            user=account,
            password=setting("genesis-password"),
        )
        return import_genesis(eng, code, access, **options)

    _run_import(
        fetch_and_import,
        table,
        release=release,
        only_known_areas=only_known_areas,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )
