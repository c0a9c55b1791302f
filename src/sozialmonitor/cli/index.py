"""``sozialmonitor index``: composite indices (Sozialindex)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sozialmonitor.access.roles import Action
from sozialmonitor.cli.caller import (
    TokenOption,
    UserOption,
    authorised,
    reading,
    use_caller,
)
from sozialmonitor.cli.console import (
    AsJson,
    AsOf,
    DbOption,
    ReadInternal,
    number,
    print_json,
    use_db,
    user_errors,
)

if TYPE_CHECKING:
    from sozialmonitor.analysis.index_result import IndexResult

index_app = typer.Typer(
    help="Composite indices (Sozialindex): definitions, results, storing them."
)

IndexRef = Annotated[
    str,
    typer.Argument(
        metavar="CONFIG|ID",
        help="A YAML index definition, or the id of a shipped one (index list).",
    ),
]
IndexPeriod = Annotated[
    str | None,
    typer.Option("--period", help="Reference period (default: the definition's)."),
]


@index_app.command("list")
def index_list(as_json: AsJson = False) -> None:
    """The index definitions shipped with Sozialmonitor."""
    from sozialmonitor.analysis.index_definition import shipped_definitions

    with user_errors():
        found = shipped_definitions()
    if as_json:
        print_json([d.to_dict() for d in found.values()])
        return
    for d in found.values():
        typer.echo(f"{d.id}\t{d.level}\t{d.period}\t{d.name}")


@index_app.command("show")
def index_show(
    definition: IndexRef,
    period: IndexPeriod = None,
    as_of: AsOf = None,
    internal: ReadInternal = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Compute an index and print every area's z-scores, indices and classes."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.analysis.index_definition import find_definition
    from sozialmonitor.analysis.index_inputs import compute_from_database

    with user_errors():
        found = find_definition(definition)
        eng, audience = reading(internal)
        with eng.connect() as conn:
            result = compute_from_database(
                conn, found, period=period, as_of=as_of, audience=audience
            )
    if as_json:
        # Marked as the API marks it: computed from the administration's view.
        print_json(
            {"internal": audience.internal, "scope": audience.scope, **result.to_dict()}
        )
        return
    _print_index_table(result)
    _print_index_summary(result)


@index_app.command("compute")
def index_compute(
    definition: IndexRef,
    period: IndexPeriod = None,
    release: Annotated[
        str | None,
        typer.Option(
            help="Draft release to store the results in (created if new; default: "
            "the newest draft, else a new one)."
        ),
    ] = None,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Compute an index and store it as derived indicators in a draft release (on a
    server database with --user or --token allowed to import)."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.analysis.index_definition import find_definition
    from sozialmonitor.analysis.index_derived import compute_and_store

    with user_errors():
        found = find_definition(definition)
        eng, _ = authorised(Action.IMPORT)
        stored = compute_and_store(eng, found, period=period, release=release)
    if as_json:
        data = stored.result.to_dict()
        data["release"] = stored.release.name
        data["derived_indicators"] = list(stored.indicators)
        data["rows_written"] = stored.rows_written
        print_json(data)
        return
    _print_index_summary(stored.result)
    typer.echo(
        f"Stored {stored.rows_written} new or changed values of "
        f"{len(stored.indicators)} derived indicators ({stored.indicators[0]} …) "
        f"into the draft '{stored.release.name}'. Publish it with: sozialmonitor "
        f"release publish '{stored.release.name}'"
    )


def _print_index_table(result: IndexResult) -> None:
    """One line per area: z-scores, then per dimension index and class."""
    d = result.definition
    keys = [i.key for i in d.indicators]
    dims = list(d.dimensions)
    head = ["code", "name", *[f"z_{k}" for k in keys]]
    head += [f"{dim}_{x}" for dim in dims for x in ("index", "class")]
    typer.echo("\t".join([*head, "cell" if d.dynamics else "", "reason"]).rstrip())
    for code, row in result.areas.iterrows():
        cells = [str(code), str(row["name"])]
        cells += [number(row[f"z_{k}"]) for k in keys]
        for dim in dims:
            cells += [number(row[f"{dim}_index"]), str(row[f"{dim}_label"])]
        if d.dynamics:
            cells.append(str(row["cell"]))
        cells.append("" if row["included"] else str(row["reason"]))
        typer.echo("\t".join(cells).rstrip())


def _print_index_summary(result: IndexResult) -> None:
    """Counts per class, areas left out, focus areas with their drivers."""
    d = result.definition
    counts = result.counts()
    typer.echo(
        f"{d.name} ({d.id}), {result.period}: {len(result.included)} areas indexed, "
        f"{len(result.excluded)} left out."
    )
    for dim_name, dim in d.dimensions.items():
        per_class = ", ".join(f"{label} {n}" for label, n in counts[dim_name].items())
        typer.echo(f"  {dim.name}: {per_class}")
    for reason, n in counts["excluded"].items():
        typer.echo(f"  left out: {reason}: {n}")
    typer.echo(f"Focus areas ({len(result.focus)}):")
    for f in result.focus:
        drivers = ", ".join(f"{x.label} z={x.zscore:.2f}" for x in f.drivers)
        cell = f" [{f.cell}]" if f.cell else ""
        typer.echo(
            f"  {f.code} {f.name}{cell}: {'; '.join(f.reasons)} – {drivers}".rstrip()
        )
