"""``sozialmonitor serve`` and ``sozialmonitor demo``: the portal on a local port."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import Engine

from sozialmonitor.cli.console import (
    DbOption,
    engine,
    shown_url,
    state,
    use_db,
    user_errors,
)
from sozialmonitor.config import DEMO_DB_URL, SETTINGS, setting
from sozialmonitor.ingest.demo import DEMO_SITES, demo_site
from sozialmonitor.store.database import connect
from sozialmonitor.web.site import load_site

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]
IdleMinutes = Annotated[
    str | None,
    typer.Option("--session-idle-minutes", help=SETTINGS["session-idle-minutes"].help),
]
MaxHours = Annotated[
    str | None,
    typer.Option("--session-max-hours", help=SETTINGS["session-max-hours"].help),
]
Cookies = Annotated[
    str | None, typer.Option("--cookies", help=SETTINGS["cookies"].help)
]
FrameAncestors = Annotated[
    str | None,
    typer.Option("--frame-ancestors", help=SETTINGS["frame-ancestors"].help),
]
BaseUrl = Annotated[
    str | None, typer.Option("--base-url", help=SETTINGS["base-url"].help)
]
SiteFile = Annotated[str | None, typer.Option("--site", help=SETTINGS["site"].help)]
DemoSite = Annotated[
    str | None,
    typer.Option(
        "--site",
        help="A shipped demo site (" + ", ".join(DEMO_SITES) + ") or a site file "
        "(TOML): " + SETTINGS["site"].help,
    ),
]


def _serve(
    eng: Engine,
    host: str,
    port: int,
    *,
    idle_minutes: str | None = None,
    max_hours: str | None = None,
    cookies: str | None = None,
    frame_ancestors: str | None = None,
    base_url: str | None = None,
    site: str | None = None,
) -> None:
    import uvicorn

    from sozialmonitor.web.app import create_app, settle_memory, warm_up
    from sozialmonitor.web.session import AccessSettings
    from sozialmonitor.web.snapshot import snapshot

    with user_errors():
        access = AccessSettings.from_settings(
            idle_minutes=idle_minutes, max_hours=max_hours, cookies=cookies
        )
        app = create_app(eng, ancestors=frame_ancestors, public_url=base_url, site=site)
    app.state.access = access
    warm_up(eng)
    for line in app.state.site.unknown_names(snapshot(eng)):
        typer.echo(f"Warning: {line}", err=True)
    settle_memory()
    typer.echo(f"Sozialmonitor runs at http://{host}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    session_idle_minutes: IdleMinutes = None,
    session_max_hours: MaxHours = None,
    cookies: Cookies = None,
    frame_ancestors: FrameAncestors = None,
    base_url: BaseUrl = None,
    site: SiteFile = None,
    db: DbOption = None,
) -> None:
    """Serve the portal and the API."""
    use_db(db)
    with user_errors():
        eng = engine()
    _serve(
        eng,
        host,
        port,
        idle_minutes=session_idle_minutes,
        max_hours=session_max_hours,
        cookies=cookies,
        frame_ancestors=frame_ancestors,
        base_url=base_url,
        site=site,
    )


def demo(
    port: Port = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Only build the database.")
    ] = False,
    site: DemoSite = None,
    db: DbOption = None,
) -> None:
    """Build (or reuse) the demo database from real public data and serve it."""
    use_db(db)
    from sozialmonitor.ingest.demo import build_demo_database

    with user_errors():
        if site:  # refused before the database is built, not after
            load_site(demo_site(site))
        eng = connect(setting("db", state.db) if state.db else DEMO_DB_URL)
        url = shown_url(eng)
        typer.echo(f"Building the demo database {url} …")
        built = build_demo_database(eng)
        typer.echo(("Built" if built else "Reusing") + f" the demo database {url}.")
    if not no_serve:
        _serve(eng, "127.0.0.1", port, site=demo_site(site) if site else None)
