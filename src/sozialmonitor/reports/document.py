"""A rendered report as one self-contained HTML file: the site's logo, the title,
the release, a table of contents and the text, with its stylesheet inline and
nothing loaded from elsewhere (the PDF is made from the same file)."""

from __future__ import annotations

import base64
from importlib import resources

from markupsafe import Markup

from sozialmonitor.reports.engine import RenderedReport
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.site import Site


def stylesheet(lang: str) -> str:
    """The report's CSS, with the page numbers' words in ``lang``."""
    css = (
        resources.files("sozialmonitor.reports")
        .joinpath("report.css")
        .read_text(encoding="utf-8")
    )
    words = (
        '"Page " counter(page) " of " counter(pages)'
        if lang == "en"
        else '"Seite " counter(page) " von " counter(pages)'
    )
    return css.replace("PAGE_NUMBERS", words)


def logo(site: Site) -> Markup:
    """The site's logo as an inline image (empty without one)."""
    if site.logo is None:
        return Markup("")
    data = base64.b64encode(site.logo.data).decode("ascii")
    return Markup('<img class="report-logo" alt="{}" src="data:{};base64,{}">').format(
        site.logo.alt or site.name, site.logo.media_type, data
    )


def release_line(report: RenderedReport, t: Translator) -> str:
    """``Datenstand: Demo 2021, veröffentlicht am 07.12.2026``."""
    if report.published:
        return t(
            "Datenstand: {release}, veröffentlicht am {date}",
            release=report.release,
            date=report.published,
        )
    return t(
        "Datenstand: {release} (Entwurf, nicht veröffentlicht)", release=report.release
    )


def table_of_contents(report: RenderedReport, t: Translator) -> Markup:
    """The chapters (``##``) as a numbered list of links."""
    items = Markup("").join(
        Markup('<li><a href="#{}">{}</a></li>').format(h.id, h.text)
        for h in report.headings
        if h.level == 2
    )
    return Markup(
        '<nav class="report-toc" aria-labelledby="report-toc-title">'
        '<h2 id="report-toc-title">{}</h2><ol>{}</ol></nav>'
    ).format(t("Inhalt"), items)


CONFIDENTIAL = (
    "Vertraulich: Dieser Bericht zeigt die Sicht der Verwaltung, auch interne und "
    "vertrauliche Werte. Nur für den Dienstgebrauch – nicht weitergeben."
)


def confidential_note(confidential: bool, t: Translator) -> Markup:
    """The note a report made for the administration's view carries at its top
    (empty for a public report)."""
    if not confidential:
        return Markup("")
    return Markup('<p class="report-confidential" role="note">{}</p>').format(
        t(CONFIDENTIAL)
    )


def report_document(
    report: RenderedReport, site: Site, *, confidential: bool = False
) -> str:
    """The report as one HTML file; ``confidential``: made for the
    administration's view, and says so under its title."""
    t = Translator(lang=report.lang)
    return str(
        Markup(
            '<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            "<title>{title}</title>"
            '<meta name="author" content="{author}">'
            '<meta name="description" content="{description}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<style>{css}</style></head><body>"
            '<header class="report-head">{logo}<p class="report-site">{site}</p>'
            '<h1>{title}</h1><p class="report-release">{release}</p>{note}</header>'
            "{toc}<main>{body}</main></body></html>\n"
        ).format(
            lang=report.lang,
            title=report.title,
            author=site.publisher or site.name,
            description=release_line(report, t),
            # the shipped stylesheet: no user text in it
            css=Markup(stylesheet(report.lang)),  # nosec B704
            logo=logo(site),
            site=site.name,
            release=release_line(report, t),
            note=confidential_note(confidential, t),
            toc=table_of_contents(report, t),
            body=report.body,
        )
    )
