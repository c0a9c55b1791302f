"""``sozialmonitor level``: the area levels."""

from __future__ import annotations

from typing import Annotated

import typer

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Action
from sozialmonitor.cli.caller import (
    TokenOption,
    UserOption,
    actor_of,
    authorised,
    use_caller,
)
from sozialmonitor.cli.console import DbOption, engine, use_db, user_errors
from sozialmonitor.domain.indicator import Visibility
from sozialmonitor.store import queries, writes

level_app = typer.Typer(help="The area levels (Raumebenen).")


@level_app.command("list")
def level_list(db: DbOption = None) -> None:
    """The levels, from the largest areas to the smallest."""
    use_db(db)
    with user_errors(), engine().connect() as conn:
        for lvl in queries.list_levels(conn):
            shown = "internal" if lvl.internal else "public"
            typer.echo(f"{lvl.code}\t{lvl.label}\t{shown}")


@level_app.command("add")
def level_add(
    code: str,
    label: str,
    after: Annotated[str | None, typer.Option(help="The level it lies below.")] = None,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Add a level (e.g. a city's own kind of quarter)."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, _ = authorised(Action.EDIT_METADATA)
        with eng.begin() as conn:
            writes.add_level(conn, code, label, after=after)
    typer.echo(f"Added level '{code}'.")


@level_app.command("visibility")
def level_visibility(
    code: str,
    visibility: Annotated[
        Visibility,
        typer.Argument(
            help="public, or internal: values at this level "
            "only for the signed-in administration."
        ),
    ],
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Make a level's values public or internal (e.g. blocks internal)."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.EDIT_METADATA)
        with eng.begin() as conn:
            writes.set_level_visibility(conn, code, visibility)
            audit.record(
                conn,
                "level-visibility-changed",
                actor=actor_of(caller),
                address=caller.address,
                target=code,
                detail={"visibility": visibility.value},
            )
    typer.echo(f"Values at level '{code}' are now {visibility.value}.")
