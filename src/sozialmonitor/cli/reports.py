"""``sozialmonitor report``: the shipped report templates, made from one release
into an HTML file or a PDF; ``--parent`` makes one report per area below it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sozialmonitor.cli.caller import TokenOption, UserOption, reading, use_caller
from sozialmonitor.cli.console import (
    AsJson,
    DbOption,
    print_json,
    print_table,
    use_db,
    user_errors,
)
from sozialmonitor.cli.serve import DemoSite
from sozialmonitor.errors import SozialmonitorError

report_app = typer.Typer(
    help="Reports: the social report, focus reports and area profiles as HTML or PDF."
)


class Format(StrEnum):
    HTML = "html"
    PDF = "pdf"


class ReportLanguage(StrEnum):
    DE = "de"
    EN = "en"


@report_app.command("list")
def list_command(as_json: AsJson = False) -> None:
    """The shipped report templates: name, kind, what they need and what they show."""
    from sozialmonitor.reports.template import list_templates

    templates = list_templates()
    if as_json:
        print_json(
            [
                {
                    "name": t.name,
                    "kind": t.kind,
                    "parameters": list(t.parameters),
                    "description": t.description,
                }
                for t in templates
            ]
        )
        return
    print_table(
        ["name", "kind", "needs", "description"],
        [
            [t.name, t.kind, ", ".join(t.parameters) or "-", t.description]
            for t in templates
        ],
    )


@report_app.command("render")
def render_command(
    template: Annotated[
        str,
        typer.Argument(help="The template's name (see 'sozialmonitor report list')."),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            help="The file to write; with --parent the folder to write one file per "
            "area into (made if missing).",
        ),
    ],
    area: Annotated[
        str | None, typer.Option("--area", help="The area's code (AGS, LOR, …).")
    ] = None,
    parent: Annotated[
        str | None,
        typer.Option(
            "--parent",
            help="Make one report for each area directly below this one (e.g. "
            "03241: the 21 municipalities of Region Hannover).",
        ),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="The topic of a focus report (name or slug)."),
    ] = None,
    other: Annotated[
        str | None,
        typer.Option("--other", help="The second area of a comparison (its code)."),
    ] = None,
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            help="Make it from this release; default: the newest published one. A "
            "draft needs --internal.",
        ),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="html (one file) or pdf.")
    ] = Format.PDF,
    language: Annotated[
        ReportLanguage,
        typer.Option("--language", help="The report's language: de or en."),
    ] = ReportLanguage.DE,
    site: DemoSite = None,
    internal: Annotated[
        bool,
        typer.Option(
            help="Make it for the administration: internal indicators and records, "
            "and drafts; on a server database with --user or --token allowed to "
            "read-internal. Never for publication."
        ),
    ] = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Make a report from one release as an HTML file or a PDF: for one area
    (--area), for each area below another (--parent), or for the whole database."""
    use_db(db)
    use_caller(user, token)
    from sozialmonitor.config import setting
    from sozialmonitor.ingest.demo import demo_site
    from sozialmonitor.reports.files import write_reports
    from sozialmonitor.web.site import DEFAULT_SITE, load_site
    from sozialmonitor.web.snapshot import snapshot

    with user_errors():
        if area and parent:
            raise SozialmonitorError("Give --area or --parent, not both.")
        site_file = setting("site", demo_site(site) if site else None)
        chosen_site = load_site(site_file) if site_file else DEFAULT_SITE
        eng, audience = reading(internal)
        if parent:
            snap = snapshot(eng, audience)
            snap.area(parent)  # the clear error for an unknown code
            areas: list[str | None] = [
                code
                for code in snap.children.get(parent, ())
                if snap.areas[code].valid_to is None
            ]
            if not areas:
                raise SozialmonitorError(
                    f"The area {parent} has no areas below it. Use --area {parent}."
                )
        else:
            areas = [area]
        written = write_reports(
            eng,
            template,
            areas=areas,
            folder=output if parent else None,
            output=None if parent else output,
            topic=topic,
            other=other,
            release=release,
            audience=audience,
            lang=language.value,
            site=chosen_site,
            fmt=fmt.value,
        )
    where = output if parent else written[0]
    noun = "report" if len(written) == 1 else "reports"
    typer.echo(f"Wrote {len(written)} {noun} to {where}.", err=True)
