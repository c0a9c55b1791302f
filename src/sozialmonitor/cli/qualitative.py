"""``sozialmonitor qualitative``: findings and recommendations in and out as CSV or
Excel (the file format is in docs/formats.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.cli.caller import TokenOption, UserOption, reading, use_caller
from sozialmonitor.cli.console import AsJson, DbOption, use_db, user_errors
from sozialmonitor.cli.imports import DryRun, _run_import
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.store.qualitative import read_records

qualitative_app = typer.Typer(
    help="Findings and recommendations: import and export them as CSV or Excel."
)

FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


@qualitative_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="The file of findings and recommendations.")
    ],
    dry_run: DryRun = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Import findings and recommendations (CSV or Excel): new ones are added,
    stored ones (by code) updated, a new status appended to the history. A file
    with any error writes nothing."""
    from sozialmonitor.ingest.qualitative import import_records

    _run_import(
        import_records,
        file,
        dry_run=dry_run,
        as_json=as_json,
        db=db,
        user=user,
        token=token,
    )


@qualitative_app.command("export")
def export_command(
    file: Annotated[
        Path, typer.Argument(help="The file to write: .csv (UTF-8) or .xlsx.")
    ],
    internal: Annotated[
        bool,
        typer.Option(
            help="Include internal records; on a server database with --user or "
            "--token allowed to read-internal."
        ),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Write the findings and recommendations in the import's format (public ones
    only, unless --internal)."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.ingest.qualitative import records_bytes

    with user_errors():
        fmt = FORMATS.get(file.suffix.lower())
        if fmt is None:
            raise SozialmonitorError(
                f"Name a file ending in .csv or .xlsx (not '{file.name}')."
            )
        eng, audience = reading(internal)
        with eng.connect() as conn:
            records = read_records(conn, audience=audience)
        file.write_bytes(records_bytes(records, fmt))
    typer.echo(f"Wrote {len(records)} records to {file}.", err=True)
