"""A report published by an editor (issue 14): ``/berichte/veroeffentlicht/{id}``
shows it as it was stored, its PDF is made from the stored HTML file on request,
and ``/api/v1/pages/berichte/veroeffentlicht/{id}`` is its JSON twin. A published
report was made for the public, so it is the same for every visitor; a withdrawn
one is gone (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from sozialmonitor.reports.files import file_name
from sozialmonitor.reports.pdf import pdf_bytes
from sozialmonitor.reports.template import UnknownTemplateError, load_template
from sozialmonitor.store.published_reports import (
    PublishedReport,
    published_report_by_id,
)
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    html_only,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages.not_found import unknown_path
from sozialmonitor.web.problems import problem
from sozialmonitor.web.session import engine_of
from sozialmonitor.web.urls import href

router = APIRouter()

PATH = "/berichte/veroeffentlicht"
PDFS_KEPT = 16


def published_path(report_id: int) -> str:
    """``/berichte/veroeffentlicht/3``."""
    return f"{PATH}/{report_id}"


@dataclass(frozen=True, kw_only=True)
class PublishedPage:
    """The content of a published report's page."""

    id: int
    title: str
    template: str
    area: str | None
    topic: str | None
    release: str
    """The release (Datenstand) every figure is from."""
    published: str
    """The day it was published (formatted)."""
    pdf_url: str
    html: Markup = html_only()


def _stored(request: Request, report_id: int) -> PublishedReport | None:
    with engine_of(request).connect() as conn:
        found = published_report_by_id(conn, report_id)
    return None if found is None or found.withdrawn_at is not None else found


def published_page(report: PublishedReport, lang: Language) -> PublishedPage:
    return PublishedPage(
        id=report.id,
        title=report.title,
        template=report.template,
        area=report.area,
        topic=report.topic,
        release=report.release_name,
        published=formatting.date(report.published_at, lang),
        pdf_url=href(f"{published_path(report.id)}/bericht.pdf", lang),
        # stored as the engine rendered it (escaped text and elements)
        html=Markup(report.body),  # nosec B704
    )


@router.get(PATH + "/{report_id}", response_class=HTMLResponse, include_in_schema=False)
def published_html(request: Request, report_id: int) -> Response:
    report = _stored(request, report_id)
    if report is None:
        return unknown_path(request)
    t = Translator(lang=request_language(request))
    page = published_page(report, t.lang)
    frame = frame_for(
        request,
        current_snapshot(request),
        title=page.title,
        crumbs=((t("Berichte"), "/berichte"),),
    )
    return render(request, "published_report.html", frame=frame, page=page)


@router.get(PATH + "/{report_id}/bericht.pdf", include_in_schema=False)
def published_pdf(request: Request, report_id: int) -> Response:
    report = _stored(request, report_id)
    if report is None:
        return unknown_path(request)
    data: bytes = (
        current_snapshot(request)
        .lru("published-pdf", PDFS_KEPT)
        .get_or_make(
            report.id,
            lambda: pdf_bytes(report.document, made=report.published_at),
        )
    )
    try:
        stem = load_template(report.template).file_stem
    except UnknownTemplateError:
        stem = report.template
    name = file_name(stem, report.area, "pdf")
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/api/v1/pages" + PATH + "/{report_id}", tags=["pages"])
def published_json(request: Request, report_id: int) -> Response:
    """A published report: its title, template, area, topic and release."""
    report = _stored(request, report_id)
    if report is None:
        return problem(404, "Not found", "No such published report.", "http-404")
    page = published_page(report, request_language(request))
    response: JSONResponse = json_response(page)
    return response
