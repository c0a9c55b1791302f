"""The pages a German public website must have: Impressum (§ 5 DDG),
Datenschutzerklärung (Art. 13 DSGVO) and Erklärung zur Barrierefreiheit (BITV 2.0,
with its feedback contact), from the site file's Markdown (``web/site``).

Without a site file, or where it names no text, the page says plainly that the
operator of the portal has to provide it. The texts are German; the English view
says so and marks them ``lang="de"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup

from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    html_only,
    json_response,
    render,
    request_language,
    site_of,
)
from sozialmonitor.web.site import Site

router = APIRouter()

PAGES = {
    "impressum": ("imprint", "Impressum"),
    "datenschutz": ("privacy", "Datenschutzerklärung"),
    "barrierefreiheit": ("accessibility", "Erklärung zur Barrierefreiheit"),
}
"""Path → (the site file's key under ``[legal]``, the page's title)."""


@dataclass(frozen=True, kw_only=True)
class LegalPage:
    """One legal page."""

    key: str
    """``imprint``, ``privacy`` or ``accessibility``."""
    title: str
    provided: bool
    """Whether the site file gives the text."""
    markdown: str
    """The text as written in the site file (German); empty when not provided."""
    german_only: bool
    """Whether the page is shown in another language than its text's."""
    contact: str
    """Where to report a barrier (``mailto:…`` or ``https://…``), on the
    accessibility statement; empty elsewhere or when the site gives none."""
    contact_text: str
    """The contact as shown: the address without ``mailto:``."""
    html: Markup = html_only()


def legal_page(site: Site, slug: str, lang: Language) -> LegalPage:
    """The legal page at ``/{slug}`` (``impressum``, ``datenschutz``,
    ``barrierefreiheit``) from the site configuration."""
    key, title = PAGES[slug]
    t = Translator(lang=lang)
    text = site.legal.get(key)
    contact = site.accessibility_contact if key == "accessibility" else ""
    return LegalPage(
        key=key,
        title=t(title),
        provided=text is not None,
        markdown=text.source if text else "",
        german_only=lang != "de" and text is not None,
        contact=contact,
        contact_text=contact.removeprefix("mailto:"),
        html=text.html if text else Markup(""),
    )


def _html(request: Request, slug: str) -> HTMLResponse:
    lang = request_language(request)
    page = legal_page(site_of(request), slug, lang)
    frame = frame_for(request, current_snapshot(request), title=page.title)
    return render(request, "legal.html", frame=frame, page=page)


def _json(request: Request, slug: str) -> JSONResponse:
    return json_response(legal_page(site_of(request), slug, request_language(request)))


@router.get("/impressum", response_class=HTMLResponse, include_in_schema=False)
def imprint_html(request: Request) -> HTMLResponse:
    return _html(request, "impressum")


@router.get("/datenschutz", response_class=HTMLResponse, include_in_schema=False)
def privacy_html(request: Request) -> HTMLResponse:
    return _html(request, "datenschutz")


@router.get("/barrierefreiheit", response_class=HTMLResponse, include_in_schema=False)
def accessibility_html(request: Request) -> HTMLResponse:
    return _html(request, "barrierefreiheit")


@router.get("/api/v1/pages/impressum", tags=["pages"])
def imprint_json(request: Request) -> JSONResponse:
    """The Impressum as JSON (its Markdown as the site file gives it)."""
    return _json(request, "impressum")


@router.get("/api/v1/pages/datenschutz", tags=["pages"])
def privacy_json(request: Request) -> JSONResponse:
    """The Datenschutzerklärung as JSON."""
    return _json(request, "datenschutz")


@router.get("/api/v1/pages/barrierefreiheit", tags=["pages"])
def accessibility_json(request: Request) -> JSONResponse:
    """The Erklärung zur Barrierefreiheit as JSON, with its feedback contact."""
    return _json(request, "barrierefreiheit")
