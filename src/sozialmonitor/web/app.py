"""The FastAPI app factory: the portal's pages, the JSON API, static files."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.types import ASGIApp

from sozialmonitor import __version__
from sozialmonitor.access import scope_protection
from sozialmonitor.access.oidc.provider import Provider
from sozialmonitor.access.oidc.settings import OidcSettings
from sozialmonitor.config import setting
from sozialmonitor.domain.access import Audience
from sozialmonitor.web import problems
from sozialmonitor.web.api import indices, statistics, v1
from sozialmonitor.web.api_contract import api_document
from sozialmonitor.web.nul_refusal import NulRefusal
from sozialmonitor.web.pages import (
    admin_accounts,
    administration,
    area,
    area_embed,
    area_index,
    area_pdf,
    audit_log,
    compare,
    digest,
    gaps,
    indicator,
    indicator_editing,
    indicator_embed,
    legal,
    methods,
    not_found,
    oidc_sign_in,
    published_report,
    recommendation_detail,
    recommendation_editing,
    recommendations,
    releases_admin,
    report_publishing,
    reports,
    search,
    sign_in,
    site_assets,
    sozialindex,
    sozialindex_download,
    sozialindex_list,
    start,
    topic,
    uploads,
)
from sozialmonitor.web.public_caching import PublicCaching
from sozialmonitor.web.security import SecurityHeaders, base_url, frame_ancestors
from sozialmonitor.web.site import DEFAULT_SITE, load_site
from sozialmonitor.web.typology_setting import TypologySetting, load_typology_setting

GC_THRESHOLDS = (50_000, 20, 100)
"""Collections of the young generation after 50,000 new objects, not Python's 700:
a first view of a map of 11,000 areas makes ~60,000 objects, and with the default
each such request paid for several collections (bench/portal.py: map 220 -> 160 ms
in-app, profiled)."""

REFRESH_SECONDS = 5.0
"""How often a running portal looks for a new data version (an import or a
publication by another process) to read its catalogue and top values ahead of the
visitors."""

PAGE_ROUTERS = (
    start.router,
    topic.router,
    indicator.router,
    indicator_embed.router,
    area_embed.router,
    area_index.router,
    area_pdf.router,
    area.router,
    compare.router,
    sozialindex_list.router,
    sozialindex.router,
    sozialindex_download.router,
    recommendations.router,
    recommendation_detail.router,
    published_report.router,
    reports.router,
    methods.router,
    gaps.router,
    digest.router,
    search.router,
    sign_in.router,
    oidc_sign_in.router,
    administration.router,
    admin_accounts.router,
    audit_log.router,
    uploads.router,
    releases_admin.router,
    indicator_editing.router,
    recommendation_editing.router,
    report_publishing.router,
    legal.router,
    site_assets.router,
)


class Portal(FastAPI):
    """FastAPI with the security headers (``web/security.py``) outermost: around
    Starlette's own error handling too, so that every response carries them, a 500
    included."""

    frame_ancestors: str = "'none'"

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), self.frame_ancestors)

    def openapi(self) -> dict[str, Any]:
        """The API's document with the answers it really gives
        (``web/api_contract.py``)."""
        return api_document(self)


def create_app(
    engine: Engine,
    *,
    refresh_seconds: float = REFRESH_SECONDS,
    ancestors: str | None = None,
    public_url: str | None = None,
    site: str | None = None,
    typology: TypologySetting | None = None,
) -> FastAPI:
    """The portal on ``engine``; while served, it keeps the current data version's
    catalogue and top values read (every ``refresh_seconds``, see ``warm_data``).

    ``ancestors``: the sites that may frame the portal (CSP ``frame-ancestors``),
    else the ``frame-ancestors`` setting (``SOZIALMONITOR_FRAME_ANCESTORS``).
    ``public_url``: the portal's public address for absolute links in downloads,
    else the ``base-url`` setting (``SOZIALMONITOR_BASE_URL``); never the request's
    ``Host`` header.
    ``site``: the site file that makes the portal the municipality's own site
    (``web/site``), else the ``site`` setting (``SOZIALMONITOR_SITE``); none: the
    portal's own look.
    ``typology``: the area typology the profiles show (each area of its level with
    its type; see :mod:`sozialmonitor.web.typology_setting`), else the site file's
    ``typology``, else none.

    Sign-in through OpenID Connect is configured by the ``oidc-*`` settings (the
    environment, see ``config.SETTINGS``).

    Raises
    ------
    ConfigurationError
        For a ``frame-ancestors`` value that is not a list of CSP sources, a
        ``base_url`` that is not an http(s) address, or ``oidc-*`` settings that
        cannot work, or a site or typology file that is refused (``load_site``,
        ``load_typology_setting``).
    """
    site_file = setting("site", site)
    checked_site = load_site(site_file) if site_file else DEFAULT_SITE
    if typology is None and checked_site.typology is not None:
        typology = load_typology_setting(checked_site.typology)
    checked_ancestors = frame_ancestors(setting("frame-ancestors", ancestors))
    checked_base_url = base_url(setting("base-url", public_url))
    oidc_settings = OidcSettings.from_settings(checked_base_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threading.Thread(
            target=_keep_warm,
            args=(engine, stop, refresh_seconds),
            name="sozialmonitor-keep-warm",
            daemon=True,
        ).start()
        # Scopes left pending by a process that ended get their patterns now.
        scope_protection.resume(engine)
        yield
        stop.set()

    # No Swagger UI: it loads its scripts from a CDN, and no page may request
    # anything from another server. The OpenAPI description stays.
    app = Portal(
        title="Sozialmonitor",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    app.frame_ancestors = checked_ancestors
    app.state.engine = engine
    app.state.base_url = checked_base_url
    app.state.site = checked_site
    app.state.typology = typology
    # Sign-in through OpenID Connect, when configured (``access/oidc``).
    app.state.oidc = Provider(oidc_settings) if oidc_settings else None
    # ETag, Cache-Control and 304 on public answers (``web/public_caching.py``),
    # on the body before compression.
    app.add_middleware(PublicCaching)
    # Level 4: on an 11,000-area map page (470 KB) level 9 costs 210 ms for 142 KB,
    # level 5 18 ms for 154 KB, level 4 8 ms for 160 KB, level 1 5 ms for 179 KB.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=4)
    # A NUL in the address is refused before any route (``web/nul_refusal.py``).
    app.add_middleware(NulRefusal)
    problems.install(app)
    app.include_router(v1.router)
    app.include_router(indices.router)
    app.include_router(statistics.router)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    # An address no route has: the German page with the search (JSON under /api/).
    app.router.default = not_found.unknown_address
    app.mount(
        "/static",
        StaticFiles(directory=str(files("sozialmonitor.web").joinpath("static"))),
        name="static",
    )
    return app


def warm_up(engine: Engine) -> None:
    """Do the slow first-time work before the first visitor: read the current data
    (``warm_data``), compile the page templates and start the chart compiler; the
    map of data gaps is computed in the background (its page says so meanwhile)."""
    from sozialmonitor.web.charts import warm_up as start_chart_compiler
    from sozialmonitor.web.page import compile_templates
    from sozialmonitor.web.pages.gaps_matrix import (
        COUNTED,
        chosen_top,
        start_gap_matrix,
    )
    from sozialmonitor.web.snapshot import snapshot

    warm_data(engine, gaps=False, hotspots=False)
    for audience in COUNTED:
        start_gap_matrix(engine, audience, chosen_top(snapshot(engine, audience), ""))
    compile_templates()
    start_chart_compiler()


def settle_memory() -> None:
    """After start-up, before the first request: keep what was loaded out of the
    garbage collector's full passes (``gc.freeze``), whose pause would otherwise land
    on a request, and collect the young generation less often (``GC_THRESHOLDS``).
    Only for a process that serves the portal: the thresholds are process-wide."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def warm_data(engine: Engine, *, gaps: bool = True, hotspots: bool = True) -> None:
    """Read what the pages of the current data version share, for the public and
    for the signed-in administration: the catalogue snapshot (with the coverage of
    every indicator), the top areas' values, the map paths of the levels, what
    the profiles derive from the catalogue and — with ``gaps`` — the map of data
    gaps (one scan of the values for both: half a minute at Germany size, so not
    before the first request but in the keep-warm thread). Nearly free when the
    data version has not changed. (The release digest is not made here: the
    public one is stored when a release is published, ``store.publication``.)
    (A reader with an area scope builds its own on first use.) With ``hotspots``,
    then the hot-spot analyses of the levels too large to analyse during a
    request, for the public and then for the
    administration (``indicator_hotspots.precompute``: minutes of a worker
    process at Germany size, once per data version)."""
    from sozialmonitor.web.pages.area_values import derive, warm_benchmarks
    from sozialmonitor.web.pages.gaps_matrix import chosen_top, matrix_for
    from sozialmonitor.web.pages.indicator_hotspots import precompute
    from sozialmonitor.web.pages.indicator_views import prepare_maps
    from sozialmonitor.web.pages.sozialindex_data import read_stored_results
    from sozialmonitor.web.snapshot import snapshot
    from sozialmonitor.web.values import top_values

    for audience in (Audience.PUBLIC, Audience.INTERNAL):
        snap = snapshot(engine, audience)
        with engine.connect() as conn:
            top_values(conn, snap)
            snap.remember("maps-prepared", partial(prepare_maps, conn, snap))
            read_stored_results(conn, snap)
        derive(snap)
        with engine.connect() as conn:
            # Once per data version (the keep-warm thread calls every few seconds).
            snap.remember("benchmarks-warm", partial(warm_benchmarks, conn, snap))
        if gaps:
            matrix_for(engine, audience, chosen_top(snap, ""))
    if hotspots:
        for audience in (Audience.PUBLIC, Audience.INTERNAL):
            precompute(engine, audience)


def _keep_warm(engine: Engine, stop: threading.Event, seconds: float) -> None:
    while not stop.wait(seconds):
        try:
            warm_data(engine)
        except Exception:  # a database briefly away must not end the loop
            logging.getLogger(__name__).exception("Reading the new data failed.")
