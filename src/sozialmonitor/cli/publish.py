"""``sozialmonitor publish``: the public portal of the newest published release as
static files (``sozialmonitor.publish``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.cli.console import AsJson, DbOption, engine, use_db, user_errors
from sozialmonitor.publish.build import MAX_BYTES, MAX_FILES

SHOWN_EXAMPLES = 3


def publish(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The folder to write: new, empty, or holding an earlier build "
            "(then only changed files are written and files no longer built are "
            "deleted).",
        ),
    ],
    base_url: Annotated[
        str,
        typer.Option(
            help="The sub-path the files are served under (/sozialmonitor/), or the "
            "full public address (https://example.org/sozialmonitor/), which the "
            "DCAT-AP.de document then uses too."
        ),
    ] = "/",
    publisher: Annotated[
        str,
        typer.Option(
            help="The publishing body in the DCAT-AP.de document (default: the "
            "site's publisher)."
        ),
    ] = "",
    max_files: Annotated[
        int, typer.Option(help="Stop with a message after this many pages and files.")
    ] = MAX_FILES,
    max_bytes: Annotated[
        int, typer.Option(help="Stop with a message before writing more bytes.")
    ] = MAX_BYTES,
    as_json: AsJson = False,
    db: DbOption = None,
) -> None:
    """Write the public portal of the newest published release as static files:
    every page (folder/index.html), its JSON twin, the downloads, the style sheets
    and scripts, a search that needs no server, the Data Package and the
    DCAT-AP.de document. Only what anyone may see without signing in."""
    use_db(db)
    import json
    from dataclasses import asdict

    from sozialmonitor.publish.build import Limits, publish_site

    with user_errors():
        outcome = publish_site(
            engine(),
            out,
            base_url=base_url,
            publisher=publisher,
            limits=Limits(max_files=max_files, max_bytes=max_bytes),
        )
    if as_json:
        typer.echo(json.dumps(asdict(outcome), ensure_ascii=False, indent=1))
        return
    typer.echo(
        f"Built '{outcome.release}' into {out} (under {outcome.base}) in "
        f"{outcome.seconds:.1f} s: {outcome.files} files, {outcome.bytes:,} bytes; "
        f"{outcome.written} written, {outcome.unchanged} unchanged, "
        f"{outcome.deleted} deleted.",
        err=True,
    )
    for reason, found in outcome.left_out.items():
        typer.echo(
            f"Left out ({reason}): {found['count']}, e.g. {found['examples']}",
            err=True,
        )
    for label, items in (("Failed", outcome.failed), ("Broken links", outcome.broken)):
        if items:
            typer.echo(
                f"{label}: {len(items)}, e.g. {items[:SHOWN_EXAMPLES]}", err=True
            )
