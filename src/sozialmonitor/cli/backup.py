"""``backup`` and ``restore``: the whole database in one portable file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.access.roles import Action
from sozialmonitor.cli.caller import TokenOption, UserOption, authorised, use_caller
from sozialmonitor.cli.console import DbOption, shown_url, use_db, user_errors


def backup(
    file: Annotated[
        Path,
        typer.Argument(help="The backup file to write (.zip; replaced if it exists)."),
    ],
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Back up the whole database into one file (a consistent snapshot; the portal
    keeps serving). On a server database with --user or --token allowed to
    manage-settings: the file holds everything, accounts too."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.store.backup import backup as write_backup

    with user_errors():
        eng, _ = authorised(Action.MANAGE_SETTINGS, init=True)
        manifest = write_backup(eng, file)
    rows = sum(t.rows for t in manifest.tables)
    typer.echo(
        f"Wrote {file}: {len(manifest.tables)} tables, {rows:,} rows, "
        f"schema {manifest.schema_revision}."
    )


def restore(
    file: Annotated[
        Path, typer.Argument(help="A file written by 'sozialmonitor backup'.")
    ],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Drop everything in the database first, even data."
        ),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Restore a backup into an empty (new or freshly initialised) database; all or
    nothing. On a server database that has accounts, with --user or --token allowed
    to manage-settings."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.store.backup import restore as read_backup

    with user_errors():
        eng, _ = authorised(Action.MANAGE_SETTINGS, init=True, first_setup=True)
        result = read_backup(file, eng, replace=replace)
    rows = sum(t.rows for t in result.manifest.tables)
    typer.echo(
        f"Restored {rows:,} rows from {file} (taken "
        f"{result.manifest.created_at:%Y-%m-%d %H:%M} UTC) into {shown_url(eng)}, "
        f"schema {result.schema_revision}."
    )
