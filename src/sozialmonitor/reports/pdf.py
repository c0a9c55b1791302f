"""The report as a PDF, made by WeasyPrint from the report's HTML file: tagged
(PDF/UA-1 as far as WeasyPrint goes), with bookmarks from the headings, page
numbers, the table of contents with page numbers and the document's title and
language in its metadata.

Nothing is fetched while the PDF is made: the fetcher allows ``data:`` URLs only
(the logo, charts and maps are inline); fonts are the system's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sozialmonitor.errors import SozialmonitorError

PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF with the structure PDF/UA asks for (title, language, figures' text
alternatives)."""
ALLOWED_SCHEMES = ("data",)
MAX_HTML_CHARS = 50_000_000
"""The largest report WeasyPrint is given (a bound on time and memory)."""


class ReportTooLargeError(SozialmonitorError):
    code = "report-too-large"


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=ALLOWED_SCHEMES, timeout=1)


def pdf_bytes(html: str, *, made: dt.datetime | None = None) -> bytes:
    """The PDF of a report's HTML file.

    Parameters
    ----------
    html
        The file from :func:`sozialmonitor.reports.document.report_document`.
    made
        The date the PDF's metadata gives (the release's publication, so that
        rendering twice gives the same file); None: WeasyPrint's default.

    Raises
    ------
    ReportTooLargeError
        For a report above :data:`MAX_HTML_CHARS`.
    """
    if len(html) > MAX_HTML_CHARS:
        raise ReportTooLargeError(
            f"The report is too large for a PDF ({len(html):,} characters, at most "
            f"{MAX_HTML_CHARS:,}). Render it for fewer areas or topics."
        )
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_fetcher(), base_url="data:,").render(
        pdf_variant=PDF_VARIANT, pdf_tags=True
    )
    if made is not None:
        stamp = made.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        document.metadata.created = stamp
        document.metadata.modified = stamp
    pdf: bytes = document.write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, pdf_identifier=b"sozialmonitor"
    )
    return pdf
