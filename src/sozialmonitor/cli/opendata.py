"""``sozialmonitor opendata``: the public data of a published release as a
Frictionless Data Package and as DCAT-AP.de metadata for GovData."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.cli.console import DbOption, engine, use_db, user_errors
from sozialmonitor.errors import SozialmonitorError

opendata_app = typer.Typer(
    help="Open data: the public values of a published release as a Data Package, "
    "and the catalogue as DCAT-AP.de.",
    no_args_is_help=True,
)

ReleaseOption = Annotated[
    str | None,
    typer.Option(
        "--release", help="A published release (default: the newest published one)."
    ),
]


class DcatFormatOption(StrEnum):
    turtle = "turtle"
    json_ld = "json-ld"


@opendata_app.command("datapackage")
def datapackage(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="A new or empty folder.")
    ],
    release: ReleaseOption = None,
    db: DbOption = None,
) -> None:
    """Write the Frictionless Data Package of a published release: datapackage.json,
    one CSV of values per public indicator, indicators.csv and areas.csv."""
    use_db(db)
    from sozialmonitor.opendata.datapackage import write_datapackage

    with user_errors():
        outcome = write_datapackage(engine(), output, release=release)
    typer.echo(
        f"Wrote the Data Package of '{outcome.release}' to {outcome.path}: "
        f"{outcome.indicators} indicators, {outcome.values} values.",
        err=True,
    )


@opendata_app.command("dcat")
def dcat(
    base_url: Annotated[
        str,
        typer.Option(
            help="The portal's public address (https://…), from which every link "
            "in the document is built."
        ),
    ],
    publisher: Annotated[
        str, typer.Option(help="The publishing body, e.g. 'Region Hannover'.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    contributor_id: Annotated[
        str,
        typer.Option(
            help="GovData's contributor IRI of the publishing body "
            "(dcatde:contributorID), if it has one."
        ),
    ] = "",
    fmt: Annotated[
        DcatFormatOption, typer.Option("--format", help="turtle or json-ld.")
    ] = DcatFormatOption.turtle,
    release: ReleaseOption = None,
    db: DbOption = None,
) -> None:
    """Write the DCAT-AP.de description of the public catalogue: a dataset per
    public indicator with its licence, coverage and download addresses."""
    use_db(db)
    from sozialmonitor.opendata.dcat import Publisher, dcat_document, dcat_graph

    with user_errors():
        if not base_url.startswith(("https://", "http://")):
            raise SozialmonitorError(
                f"--base-url '{base_url}' is not a web address: give the portal's "
                "public address, e.g. https://sozialmonitor.example.org."
            )
        if contributor_id and not contributor_id.startswith(("https://", "http://")):
            raise SozialmonitorError(
                f"--contributor-id '{contributor_id}' is not an IRI: give GovData's "
                "address of the publishing body, or leave it out."
            )
        graph = dcat_graph(
            engine(),
            base_url=base_url,
            publisher=Publisher(name=publisher, contributor_id=contributor_id),
            release=release,
        )
        output.write_text(dcat_document(graph, fmt.value), encoding="utf-8")
    typer.echo(f"Wrote the DCAT-AP.de document to {output}.", err=True)
