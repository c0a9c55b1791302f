"""The web report (issue 14): ``/berichte`` lists the shipped report templates,
``/berichte/{template}`` shows one report in chapters with a navigation of its
chapters, the "app instead of the 80-page PDF".

A report is made from the newest published release as the visitor's audience may
see it (:func:`sozialmonitor.web.session.audience_of`: the public, or signed-in
staff with their scope), by the same engine as the files
(:mod:`sozialmonitor.reports`), once per data version (kept with the snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup

from sozialmonitor.domain.collation import german_key
from sozialmonitor.errors import UnknownAreaError
from sozialmonitor.reports.engine import RenderedReport
from sozialmonitor.reports.making import make_report
from sozialmonitor.reports.template import (
    ReportParameterError,
    ReportTemplate,
    UnknownTemplateError,
    list_templates,
    load_template,
)
from sozialmonitor.store.published_reports import PublishedReport, published_reports
from sozialmonitor.web import formatting
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
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.pages.published_report import published_path
from sozialmonitor.web.session import engine_of
from sozialmonitor.web.site import Site
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

router = APIRouter()

LIST_PATH = "/berichte"
REPORTS_KEPT = 64
"""Reports kept per snapshot (a few hundred kB each): a bound however many areas
are asked for."""
INTRO = "einleitung"
"""The chapter parameter of the report's first page (its intro and contents)."""


@dataclass(frozen=True, kw_only=True)
class ReportEntry:
    """A template on the list, with a link to its report for the default area."""

    name: str
    title: str
    description: str
    kind: str
    url: str
    """The report of the default area (and the first topic); empty without any."""
    needs_area: bool
    needs_topic: bool
    needs_other: bool
    """A comparison: the form asks for a second area."""


@dataclass(frozen=True, kw_only=True)
class PublishedEntry:
    """A report published as a page: its title, release and day."""

    title: str
    release: str
    published: str
    """The day it was published (formatted)."""
    url: str


@dataclass(frozen=True, kw_only=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, kw_only=True)
class ReportsPage:
    """The content of ``/berichte``."""

    title: str
    release: str
    """The newest published release the reports are made from (empty: none)."""
    default_area: str
    reports: tuple[ReportEntry, ...]
    topics: tuple[Choice, ...]
    """The topics a focus report can be made of."""
    published: tuple[PublishedEntry, ...] = ()
    """Reports the editors published as pages, newest first."""


@dataclass(frozen=True, kw_only=True)
class ChapterLink:
    id: str
    title: str
    url: str
    current: bool


@dataclass(frozen=True, kw_only=True)
class ReportPage:
    """The content of ``/berichte/{template}``: one chapter of the report."""

    template: str
    title: str
    release: str
    published: str
    area: str | None
    topic: str | None
    other: str | None
    chapter: str
    """The chapter shown (``einleitung``: the intro and the contents)."""
    chapter_title: str
    chapters: tuple[ChapterLink, ...]
    previous: ChapterLink | None
    next: ChapterLink | None
    list_url: str
    html: Markup = html_only()


def default_area(snap: Snapshot, site: Site) -> str:
    """The area the list's links make reports of: the site's compare area, else
    the top-level area with the most areas below it (empty: no areas)."""
    if site.compare_area in snap.areas:
        return site.compare_area
    roots = [a for a in snap.areas.values() if not a.parent]
    if not roots:
        return ""
    best = max(
        roots,
        key=lambda a: (len(snap.children.get(a.code, ())), german_key(a.name)),
    )
    return best.code


def _report_url(
    name: str,
    lang: Language,
    area: str | None,
    topic: str | None,
    chapter: str = "",
    other: str | None = None,
) -> str:
    return href(
        f"{LIST_PATH}/{name}",
        lang,
        gebiet=area,
        vergleich=other,
        thema=topic,
        kapitel=chapter or None,
    )


def published_entries(
    stored: list[PublishedReport], lang: Language
) -> tuple[PublishedEntry, ...]:
    return tuple(
        PublishedEntry(
            title=p.title,
            release=p.release_name,
            published=formatting.date(p.published_at, lang),
            url=href(published_path(p.id), lang),
        )
        for p in stored
    )


def reports_page(
    snap: Snapshot,
    site: Site,
    lang: Language,
    published: tuple[PublishedEntry, ...] = (),
) -> ReportsPage:
    """The list of the shipped reports and of the published ones."""
    t = Translator(lang=lang)
    area = default_area(snap, site)
    topics = site.order.arrange(snap.topics)
    first_topic = topics[0].slug if topics else None

    def entry(template: ReportTemplate) -> ReportEntry:
        needs_area = "area" in template.parameters
        needs_topic = "topic" in template.parameters
        needs_other = "other" in template.parameters
        usable = (
            (area or not needs_area)
            and (first_topic or not needs_topic)
            and not needs_other
        )
        return ReportEntry(
            name=template.name,
            title=t(template.kind_label),
            description=template.text("description", lang),
            kind=template.kind,
            url=_report_url(
                template.name,
                lang,
                area if needs_area else None,
                first_topic if needs_topic else None,
            )
            if usable
            else "",
            needs_area=needs_area,
            needs_topic=needs_topic,
            needs_other=needs_other,
        )

    return ReportsPage(
        title=t("Berichte"),
        release=snap.release.name if snap.release else "",
        default_area=area,
        reports=tuple(entry(template) for template in list_templates()),
        topics=tuple(
            Choice(value=topic.slug, label=topic.name_en or topic.name)
            if lang == "en"
            else Choice(value=topic.slug, label=topic.name)
            for topic in topics
        ),
        published=published,
    )


def _made(
    request: Request,
    snap: Snapshot,
    name: str,
    area: str | None,
    topic: str | None,
    other: str | None,
) -> RenderedReport:
    """The report, made once per data version, audience and site order (the last
    :data:`REPORTS_KEPT` of them are kept)."""
    lang = request_language(request)
    site = site_of(request)
    return snap.lru("web-reports", REPORTS_KEPT).get_or_make(
        (name, area, topic, other, lang, site.order.key, site.name),
        lambda: make_report(
            request.app.state.engine,
            name,
            area=area,
            topic=topic,
            other=other,
            audience=snap.audience,
            lang=lang,
            site=site,
        ),
    )


def report_page(
    request: Request, snap: Snapshot, name: str
) -> tuple[ReportPage, RenderedReport]:
    """One chapter of a report (``?kapitel=``) with the links to all.

    Raises
    ------
    UnknownTemplateError, UnknownAreaError, ReportParameterError
        For a template, area or topic that cannot be used.
    """
    lang = request_language(request)
    t = Translator(lang=lang)
    template = load_template(name)
    params = request.query_params
    area = params.get("gebiet") or None
    topic = params.get("thema") or None
    other = params.get("vergleich") or None
    if "area" in template.parameters and area is None:
        area = default_area(snap, site_of(request)) or None
    if "topic" in template.parameters and topic is None:
        arranged = site_of(request).order.arrange(snap.topics)
        topic = arranged[0].slug if arranged else None
    for code in (area, other):
        if code is not None:
            snap.area(code)  # the clear error for an unknown code
    report = _made(request, snap, name, area, topic, other)
    asked = params.get("kapitel") or INTRO
    ids = [c.id for c in report.chapters]
    chapter = asked if asked in ids else INTRO
    links = tuple(
        ChapterLink(
            id=c.id,
            title=c.title,
            url=_report_url(name, lang, area, topic, c.id, other),
            current=c.id == chapter,
        )
        for c in report.chapters
    )
    intro_link = ChapterLink(
        id=INTRO,
        title=t("Einleitung und Inhalt"),
        url=_report_url(name, lang, area, topic, other=other),
        current=chapter == INTRO,
    )
    order = [intro_link, *links]
    at = next(i for i, c in enumerate(order) if c.id == chapter)
    shown = (
        report.intro
        if chapter == INTRO
        else next(c.html for c in report.chapters if c.id == chapter)
    )
    page = ReportPage(
        template=name,
        title=report.title,
        release=report.release,
        published=report.published,
        area=area,
        topic=topic,
        other=other,
        chapter=chapter,
        chapter_title=order[at].title,
        chapters=links,
        previous=order[at - 1] if at > 0 else None,
        next=order[at + 1] if at + 1 < len(order) else None,
        list_url=href(LIST_PATH, lang),
        html=shown,
    )
    return page, report


# --- routes -----------------------------------------------------------------------


def _list(request: Request, snap: Snapshot) -> ReportsPage:
    lang = request_language(request)
    with engine_of(request).connect() as conn:
        stored = published_reports(conn)
    return reports_page(snap, site_of(request), lang, published_entries(stored, lang))


@router.get(LIST_PATH, response_class=HTMLResponse, include_in_schema=False)
def reports_html(request: Request) -> HTMLResponse:
    snap = current_snapshot(request)
    page = _list(request, snap)
    frame = frame_for(request, snap, title=page.title)
    return render(request, "reports.html", frame=frame, page=page)


@router.get("/api/v1/pages/berichte", tags=["pages"])
def reports_json(request: Request) -> JSONResponse:
    """The shipped reports as JSON, with links to them."""
    return json_response(_list(request, current_snapshot(request)))


@router.get(
    LIST_PATH + "/{template}", response_class=HTMLResponse, include_in_schema=False
)
def report_html(request: Request, template: str) -> HTMLResponse:
    snap = current_snapshot(request)
    try:
        page, _ = report_page(request, snap, template)
    except (UnknownTemplateError, UnknownAreaError, ReportParameterError) as error:
        return not_found(request, snap, error)
    t = Translator(lang=request_language(request))
    title = (
        page.title if page.chapter == INTRO else f"{page.chapter_title} – {page.title}"
    )
    frame = frame_for(request, snap, title=title, crumbs=((t("Berichte"), LIST_PATH),))
    return render(request, "report.html", frame=frame, page=page)


@router.get("/api/v1/pages/berichte/{template}", tags=["pages"])
def report_json(request: Request, template: str) -> JSONResponse:
    """One report's chapter as JSON: its title, release and chapters (a problem
    for an unknown template, area or topic)."""
    page, _ = report_page(request, current_snapshot(request), template)
    return json_response(page)
