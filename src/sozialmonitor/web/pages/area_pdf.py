"""The area profile as a PDF (issue 14): ``/gebiet/{code}/profil.pdf``, the shipped
"Gebietsprofil" report of the area made from the newest published release.

It reads through the same gate as the profile page: an anonymous visitor gets the
public values only; a signed-in reader gets their view (internal values within
their scope), marked confidential in the PDF, and the answer is ``private,
no-store`` (``web/security.py``). The public PDF is made once per data version
(kept with the snapshot); an internal one is made for each request.

Making a PDF takes a second or two of one core: one process makes one at a time.
A request that finds the maker busy waits up to :data:`WAIT_SECONDS`, then gets a
``503`` with ``Retry-After``.
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sozialmonitor.errors import StillComputingError, UnknownAreaError
from sozialmonitor.reports.document import report_document
from sozialmonitor.reports.files import file_name
from sozialmonitor.reports.making import make_report
from sozialmonitor.reports.pdf import pdf_bytes
from sozialmonitor.reports.template import load_template
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.page import current_snapshot, request_language, site_of
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.site import Site
from sozialmonitor.web.snapshot import Snapshot

router = APIRouter()

TEMPLATE = "gebietsprofil"
PDFS_KEPT = 32
"""Public profile PDFs kept per data version (some 100 kB each)."""
WAIT_SECONDS = 20.0
"""How long a request waits for the PDF maker another request is using."""
RETRY_AFTER = 10
MAKER = threading.Semaphore(1)
"""One PDF at a time in this process: a bound on the CPU and memory WeasyPrint takes
however many ask at once."""


def profile_pdf_url(code: str, lang: Language) -> str:
    """``/gebiet/03241001/profil.pdf`` (``?lang=en`` for English).

    Examples
    --------
    >>> profile_pdf_url("03241001", "en")
    '/gebiet/03241001/profil.pdf?lang=en'
    """
    path = f"/gebiet/{code}/profil.pdf"
    return path if lang == "de" else f"{path}?lang={lang}"


def _make(request: Request, snap: Snapshot, code: str, lang: Language) -> bytes:
    """The PDF, made while holding :data:`MAKER`."""
    site: Site = site_of(request)
    if not MAKER.acquire(timeout=WAIT_SECONDS):
        raise StillComputingError(
            "Another area profile PDF is being made. Please try again in a few "
            "seconds.",
            retry_after=RETRY_AFTER,
        )
    try:
        report = make_report(
            request.app.state.engine,
            TEMPLATE,
            area=code,
            audience=snap.audience,
            lang=lang,
            site=site,
        )
        html = report_document(report, site, confidential=snap.audience.internal)
        return pdf_bytes(html, made=report.made_at)
    finally:
        MAKER.release()


def profile_pdf(request: Request, snap: Snapshot, code: str) -> bytes:
    """The profile PDF of ``code`` as the snapshot's audience may see it.

    Raises
    ------
    UnknownAreaError
        For an area the audience does not see.
    StillComputingError
        When the maker stays busy longer than :data:`WAIT_SECONDS`.
    """
    snap.area(code)  # the gate's clear error for an area the audience lacks
    lang = request_language(request)
    if snap.audience.internal:
        return _make(request, snap, code, lang)
    site = site_of(request)
    made: bytes = snap.lru("profile-pdf", PDFS_KEPT).get_or_make(
        (code, lang, site.order.key, site.name),
        lambda: _make(request, snap, code, lang),
    )
    return made


@router.get("/gebiet/{code}/profil.pdf", include_in_schema=False, response_model=None)
def area_pdf(request: Request, code: str) -> Response:
    snap = current_snapshot(request)
    try:
        data = profile_pdf(request, snap, code)
    except UnknownAreaError as error:
        return not_found(request, snap, error)
    name = file_name(load_template(TEMPLATE).file_stem, code, "pdf")
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
