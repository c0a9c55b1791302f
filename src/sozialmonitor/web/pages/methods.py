"""Methods & data (``/methoden``): the indicator catalogue, sources, release history
with what each release changed, which indicator exists for which level and years,
and how to read signs, comparisons and classes.

This module has the routes, the page's content and the one function building it;
the parts are :mod:`~sozialmonitor.web.pages.methods_catalogue` (catalogue and
sources), :mod:`~sozialmonitor.web.pages.methods_release` (release history and
changes) and :mod:`~sozialmonitor.web.pages.methods_availability` (levels and
years). Everything but the release changes comes from the snapshot (no read at all);
the changes are kept per data version and, above
:data:`~sozialmonitor.web.pages.methods_release.DIFF_VALUE_LIMIT` values, left to
the command line.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Connection

from sozialmonitor.domain.release import Release
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
    site_of,
)
from sozialmonitor.web.pages.methods_availability import Availability, availability
from sozialmonitor.web.pages.methods_catalogue import (
    CatalogueTopic,
    SourceEntry,
    catalogue,
    shown_indicators,
    sources,
)
from sozialmonitor.web.pages.methods_release import (
    ReleaseChanges,
    ReleaseEntry,
    published_releases,
    release_changes,
    release_history,
)
from sozialmonitor.web.problems import problem
from sozialmonitor.web.site.config import NO_ORDER, Order
from sozialmonitor.web.snapshot import Snapshot

router = APIRouter()


# --- content ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CatalogueFilter:
    thema: str
    """Topic slug, or empty for all."""
    q: str
    """Text filter (the indicator search)."""
    topics: tuple[Option, ...]
    unknown_topic: bool
    """Whether ``thema`` names no topic (then all topics are shown)."""


@dataclass(frozen=True, kw_only=True)
class MethodsPage:
    filter: CatalogueFilter
    catalogue: tuple[CatalogueTopic, ...]
    shown: int
    """Indicators in the (filtered) catalogue."""
    total: int
    """Public indicators."""
    sources: tuple[SourceEntry, ...]
    releases: tuple[ReleaseEntry, ...]
    changes: ReleaseChanges | None
    """Changes of the chosen (default: newest) published release."""
    unknown_release: str
    """The ``datenstand`` asked for when no release has that name, else empty."""
    availability: Availability


# --- building it ------------------------------------------------------------------


def methods_page(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    *,
    thema: str = "",
    q: str = "",
    datenstand: str | None = None,
    order: Order = NO_ORDER,
) -> MethodsPage:
    """The methods & data page.

    Parameters
    ----------
    conn
        A connection for the read gate (only the release changes read values).
    snap
        The catalogue.
    lang
        Language of texts and numbers.
    thema
        Topic slug filtering the catalogue and the availability table.
    q
        Words filtering the catalogue and the availability table (the indicator
        search: umlauts and word forms do not matter).
    datenstand
        The release whose changes are shown; default the newest published one.
    order
        The site's order of topics and indicators (filter and catalogue).

    Returns
    -------
    MethodsPage
        With ``unknown_release`` set (and no changes) when ``datenstand`` names
        no release.
    """
    t = Translator(lang=lang)
    shown, unknown_topic = shown_indicators(snap, thema, q)
    chosen: Release | None
    if datenstand:
        chosen = next((r for r in snap.releases if r.name == datenstand), None)
    else:
        published = published_releases(snap)
        chosen = published[-1] if published else None
    return MethodsPage(
        filter=CatalogueFilter(
            thema=thema,
            q=q,
            topics=tuple(
                Option(value=topic.slug, label=topic.name, selected=topic.slug == thema)
                for topic in order.arrange(snap.topics)
            ),
            unknown_topic=unknown_topic,
        ),
        catalogue=catalogue(snap, shown, t, order),
        shown=len(shown),
        total=len(snap.indicators),
        sources=sources(snap, t),
        releases=release_history(snap, chosen.name if chosen else None, t),
        changes=release_changes(conn, snap, chosen, t) if chosen else None,
        unknown_release=datenstand if datenstand and chosen is None else "",
        availability=availability(snap, shown, t),
    )


# --- routes -----------------------------------------------------------------------


def _page(
    request: Request, thema: str, q: str, datenstand: str | None
) -> tuple[Snapshot, MethodsPage]:
    snap = current_snapshot(request)
    with request.app.state.engine.connect() as conn:
        page = methods_page(
            conn,
            snap,
            request_language(request),
            thema=thema,
            q=q,
            datenstand=datenstand,
            order=site_of(request).order,
        )
    return snap, page


@router.get("/methoden", response_class=HTMLResponse, include_in_schema=False)
def methods_html(
    request: Request, thema: str = "", q: str = "", datenstand: str | None = None
) -> HTMLResponse:
    snap, page = _page(request, thema, q, datenstand)
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request, snap, title=t("Methoden & Daten"), crumbs=((t("Start"), "/"),)
    )
    response = render(request, "methods.html", frame=frame, page=page)
    if page.unknown_release:
        response.status_code = 404
    return response


@router.get("/api/v1/pages/methoden", tags=["pages"], response_model=None)
def methods_json(
    request: Request, thema: str = "", q: str = "", datenstand: str | None = None
) -> Response:
    """The methods & data page as JSON (same parameters as ``/methoden``)."""
    snap, page = _page(request, thema, q, datenstand)
    if page.unknown_release:
        known = ", ".join(r.name for r in snap.releases) or "none yet"
        return problem(
            404,
            "Not found",
            f"There is no release named '{page.unknown_release}'. Releases: {known}.",
            "unknown-release",
        )
    return json_response(page)
