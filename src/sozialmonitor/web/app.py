"""The FastAPI app factory: the portal's pages, the JSON API, static files."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from sozialmonitor import __version__
from sozialmonitor.web import problems
from sozialmonitor.web.api import indices, statistics, v1
from sozialmonitor.web.pages import (
    area,
    area_index,
    compare,
    indicator,
    methods,
    search,
    start,
    topic,
)

PAGE_ROUTERS = (
    start.router,
    topic.router,
    indicator.router,
    area_index.router,
    area.router,
    compare.router,
    methods.router,
    search.router,
)


def create_app(engine: Engine) -> FastAPI:
    # No Swagger UI: it loads its scripts from a CDN, and no page may request
    # anything from another server. The OpenAPI description stays.
    app = FastAPI(
        title="Sozialmonitor",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.engine = engine
    # Level 5: on an 11,000-area map page level 9 costs 210 ms for 142 KB, level 5
    # 17 ms for 155 KB.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=5)
    problems.install(app)
    app.include_router(v1.router)
    app.include_router(indices.router)
    app.include_router(statistics.router)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount(
        "/static",
        StaticFiles(directory=str(files("sozialmonitor.web").joinpath("static"))),
        name="static",
    )
    return app


def warm_up(engine: Engine) -> None:
    """Do the slow first-time work before the first visitor: read the catalogue
    snapshot (with the coverage of every indicator) and start the chart compiler."""
    from sozialmonitor.web.charts import warm_up as start_chart_compiler
    from sozialmonitor.web.snapshot import snapshot

    snapshot(engine)
    start_chart_compiler()
