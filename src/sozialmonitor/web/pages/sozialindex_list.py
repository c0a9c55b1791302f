"""The list of stored indices: ``/sozialindex`` (and the links the start page, the
topic pages and the 404 of an unknown index show), each index with its level and
periods. One index's page is :mod:`sozialindex`."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from sozialmonitor.web import formatting
from sozialmonitor.web.catalogue_text import CatalogueText, record_text
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages import sozialindex_data as results
from sozialmonitor.web.pages.indicator_params import level_label
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

router = APIRouter()


@dataclass(frozen=True, kw_only=True)
class IndexLink:
    id: str
    name: CatalogueText
    """The definition's name in the page's language (or German, marked)."""
    url: str
    level_text: str
    periods_text: str


@dataclass(frozen=True, kw_only=True)
class IndexListPage:
    indices: tuple[IndexLink, ...]
    missing: str
    """The id asked for that has no stored results (404), else empty."""


def index_links(
    snap: Snapshot, lang: Language, topic: str | None = None
) -> tuple[IndexLink, ...]:
    """Links to the stored indices (of one topic: those whose results belong to
    it or that read one of its indicators)."""
    t = Translator(lang=lang)
    chosen = (
        results.stored_indices(snap).values()
        if topic is None
        else results.indices_of_topic(snap, topic)
    )
    return tuple(
        IndexLink(
            id=stored.definition.id,
            name=record_text(stored.definition, "name", lang),
            url=href(f"/sozialindex/{stored.definition.id}", lang),
            level_text=level_label(snap, stored.definition.level, t),
            periods_text=", ".join(
                formatting.period_label(p, lang) for p in stored.periods
            ),
        )
        for stored in chosen
    )


def index_list_page(snap: Snapshot, lang: Language, missing: str = "") -> IndexListPage:
    """Every stored index with its level and periods."""
    return IndexListPage(indices=index_links(snap, lang), missing=missing)


def unknown_index(request: Request, snap: Snapshot, index_id: str) -> HTMLResponse:
    """The list, as the 404 of an index (or period) without stored results."""
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request,
        snap,
        title=t("Sozialindex nicht gefunden"),
        crumbs=((t("Start"), "/"),),
    )
    response = render(
        request,
        "sozialindex_list.html",
        frame=frame,
        page=index_list_page(snap, request_language(request), missing=index_id),
    )
    response.status_code = 404
    return response


@router.get("/sozialindex", response_class=HTMLResponse, include_in_schema=False)
def index_list_html(request: Request) -> HTMLResponse:
    snap = current_snapshot(request)
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request, snap, title=t("Sozialindex"), crumbs=((t("Start"), "/"),)
    )
    return render(
        request,
        "sozialindex_list.html",
        frame=frame,
        page=index_list_page(snap, request_language(request)),
    )


@router.get("/api/v1/pages/sozialindex", tags=["pages"])
def index_list_json(request: Request) -> JSONResponse:
    """The stored indices as JSON."""
    snap = current_snapshot(request)
    return json_response(index_list_page(snap, request_language(request)))
