"""The FastAPI app factory and its routes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources import files
from itertools import groupby
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from sozialmonitor import __version__
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.release import Release
from sozialmonitor.store import queries
from sozialmonitor.web import problems
from sozialmonitor.web.api import indices, statistics, v1

templates = Jinja2Templates(
    directory=str(files("sozialmonitor.web").joinpath("templates"))
)
PORTAL_ZONE = ZoneInfo("Europe/Berlin")


def german_date(moment: dt.datetime) -> str:
    """``31.12.2021`` in German local time."""
    return moment.astimezone(PORTAL_ZONE).strftime("%d.%m.%Y")


templates.env.filters["german_date"] = german_date


@dataclass(frozen=True, kw_only=True)
class StartContext:
    """What the start page shows."""

    release: Release | None
    topics: list[tuple[str, list[Indicator]]]
    area_counts: list[tuple[str, int]]
    """Level label and number of areas, for levels that have areas."""
    version: str


def start_context(engine: Engine) -> StartContext:
    with engine.connect() as conn:
        indicators = queries.list_indicators(conn, audience=Audience.PUBLIC)
        release = queries.latest_published(conn)
        levels = queries.list_levels(conn)
        areas = queries.list_areas(conn)
    counts = [(lvl.label, sum(a.level == lvl.code for a in areas)) for lvl in levels]
    return StartContext(
        release=release,
        topics=[
            (t, list(group)) for t, group in groupby(indicators, key=lambda i: i.topic)
        ],
        area_counts=[(label, n) for label, n in counts if n],
        version=__version__,
    )


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(
        title="Sozialmonitor",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.engine = engine
    problems.install(app)
    app.include_router(v1.router)
    app.include_router(indices.router)
    app.include_router(statistics.router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def start(request: Request) -> HTMLResponse:
        context = start_context(request.app.state.engine)
        return templates.TemplateResponse(request, "start.html", {"page": context})

    return app
