"""Reports rendered, previewed and published in the browser (``/verwaltung/berichte``),
for editors and above (issue 14): choose a template, an area, a topic and a
published release, see the report as it will be published, publish it as a page.
A publisher withdraws a published report.

A report to publish is always made for the public (``Audience.PUBLIC``), whoever
asks: nothing internal reaches it. It is stored as rendered
(``store.published_reports``) and shown from there, so it never changes when later
releases come.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from sozialmonitor.access.roles import Role
from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.reports.document import report_document, table_of_contents
from sozialmonitor.reports.engine import RenderedReport
from sozialmonitor.reports.making import make_report
from sozialmonitor.reports.template import (
    UnknownTemplateError,
    list_templates,
    load_template,
)
from sozialmonitor.store.published_reports import (
    publish_report,
    published_reports,
    withdraw_report,
)
from sozialmonitor.store.queries import list_releases
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    html_only,
    render,
    request_language,
    site_of,
)
from sozialmonitor.web.pages.administration import CRUMB, gate, translator
from sozialmonitor.web.pages.published_report import published_path
from sozialmonitor.web.session import (
    SignedIn,
    client_address,
    csrf_protected,
    engine_of,
    form_of,
    no_store,
)
from sozialmonitor.web.urls import href

router = APIRouter(dependencies=[Depends(csrf_protected)])

ADMIN_PATH = "/verwaltung/berichte"
PREVIEW_PATH = f"{ADMIN_PATH}/vorschau"
FIELDS = ("template", "gebiet", "thema", "vergleich", "datenstand")


@dataclass(frozen=True, kw_only=True)
class PublishedEntry:
    """A published report on the administration's list."""

    title: str
    release: str
    published: str
    published_by: str
    url: str
    withdraw_url: str
    """Empty for a reader who may not withdraw it (below publisher)."""


@dataclass(frozen=True, kw_only=True)
class ReportForm:
    """The content of ``/verwaltung/berichte`` and of its preview."""

    csrf_token: str
    templates: tuple[Option, ...]
    topics: tuple[Option, ...]
    releases: tuple[Option, ...]
    values: dict[str, str]
    message: str
    preview_url: str
    publish_url: str
    published: tuple[PublishedEntry, ...]
    preview_title: str = ""
    preview_release: str = ""
    preview: Markup = html_only()


def _values(form: dict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "").strip() for name in FIELDS}


def _page(
    request: Request,
    user: SignedIn,
    values: dict[str, str],
    *,
    message: str = "",
    report: RenderedReport | None = None,
    status_code: int = 200,
) -> Response:
    t, lang = translator(request), request_language(request)
    snap = current_snapshot(request)
    with engine_of(request).connect() as conn:
        releases = [
            r for r in list_releases(conn) if r.published_at and not r.withdrawn_at
        ]
        stored = published_reports(conn)
    may_withdraw = user.role >= Role.PUBLISHER
    content = ReportForm(
        csrf_token=user.csrf_token,
        templates=tuple(
            Option(
                value=x.name,
                label=t(x.kind_label),
                selected=x.name == values["template"],
            )
            for x in list_templates()
        ),
        topics=(Option(value="", label=t("kein Themenfeld"), selected=False),)
        + tuple(
            Option(
                value=x.slug,
                label=(x.name_en or x.name) if lang == "en" else x.name,
                selected=x.slug == values["thema"],
            )
            for x in site_of(request).order.arrange(snap.topics)
        ),
        releases=tuple(
            Option(value=r.name, label=r.name, selected=r.name == values["datenstand"])
            for r in reversed(releases)
        ),
        values=values,
        message=message,
        preview_url=href(PREVIEW_PATH, lang),
        publish_url=href(ADMIN_PATH, lang),
        published=tuple(
            PublishedEntry(
                title=p.title,
                release=p.release_name,
                published=formatting.date(p.published_at, lang),
                published_by=p.published_by,
                url=href(published_path(p.id), lang),
                withdraw_url=href(f"{ADMIN_PATH}/{p.id}/zurueckziehen", lang)
                if may_withdraw
                else "",
            )
            for p in stored
        ),
        preview_title=report.title if report else "",
        preview_release=report.release if report else "",
        preview=table_of_contents(report, t) + report.body if report else Markup(""),
    )
    frame = frame_for(
        request, snap, title=t("Berichte veröffentlichen"), crumbs=(CRUMB,)
    )
    response = render(request, "report_publishing.html", frame=frame, page=content)
    response.status_code = status_code
    return no_store(response)


NEEDED = {
    "area": ("gebiet", "Bitte einen Gebietsschlüssel angeben."),
    "topic": ("thema", "Bitte ein Themenfeld wählen."),
    "other": ("vergleich", "Bitte das Vergleichsgebiet (Gebietsschlüssel) angeben."),
}
"""A template's parameter: the form's field and what to tell when it is empty."""


def _missing(values: dict[str, str], t: Translator) -> str:
    """What the chosen template needs and the form left empty ("": nothing)."""
    try:
        needs = load_template(values["template"]).parameters
    except UnknownTemplateError:
        return t("Bitte eine Vorlage wählen.")
    return " ".join(t(NEEDED[name][1]) for name in needs if not values[NEEDED[name][0]])


def _render(request: Request, values: dict[str, str]) -> RenderedReport:
    """The report the form asks for, made for the public from the chosen release.

    Raises
    ------
    SozialmonitorError
        For a template, area, topic or release that cannot be used.
    """
    missing = _missing(values, translator(request))
    if missing:
        raise SozialmonitorError(missing)
    return make_report(
        engine_of(request),
        values["template"],
        area=values["gebiet"] or None,
        topic=values["thema"] or None,
        other=values["vergleich"] or None,
        release=values["datenstand"] or None,
        audience=Audience.PUBLIC,
        lang=request_language(request),
        site=site_of(request),
    )


def _refused(t: Translator, error: SozialmonitorError) -> str:
    return t(
        "Der Bericht lässt sich so nicht erstellen: {reason} Es wurde nichts "
        "veröffentlicht.",
        reason=error.message,
    )


@router.get(ADMIN_PATH, response_class=HTMLResponse)
def report_form(request: Request) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    return _page(request, user, _values(dict(request.query_params)))


@router.post(PREVIEW_PATH)
async def preview_report(request: Request) -> Response:
    """The report as it would be published (editors and above); nothing stored."""
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    values = _values(await form_of(request))
    try:
        report = _render(request, values)
    except SozialmonitorError as error:
        t = translator(request)
        return _page(request, user, values, message=_refused(t, error), status_code=422)
    return _page(request, user, values, report=report)


@router.post(ADMIN_PATH)
async def publish(request: Request) -> Response:
    """Render the report and store it as a published page (editors and above)."""
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    values = _values(await form_of(request))
    try:
        report = _render(request, values)
    except SozialmonitorError as error:
        t = translator(request)
        return _page(request, user, values, message=_refused(t, error), status_code=422)
    t = Translator(lang=report.lang)
    with engine_of(request).begin() as conn:
        found = publish_report(
            conn,
            template=report.template,
            area=report.area,
            topic=report.topic,
            lang=report.lang,
            title=report.title,
            release_name=report.release,
            body=str(table_of_contents(report, t) + report.body),
            document=report_document(report, site_of(request)),
            actor=user.account.name,
            address=client_address(request),
        )
    target = href(published_path(found), request_language(request))
    return no_store(RedirectResponse(target, status_code=303))


@router.post(ADMIN_PATH + "/{report_id}/zurueckziehen")
async def withdraw(request: Request, report_id: int) -> Response:
    """Take a published report off the list (publishers and above)."""
    user = gate(request, Role.PUBLISHER)
    if not isinstance(user, SignedIn):
        return user
    with engine_of(request).begin() as conn:
        withdraw_report(
            conn,
            report_id,
            actor=user.account.name,
            address=client_address(request),
        )
    target = href(ADMIN_PATH, request_language(request))
    return no_store(RedirectResponse(target, status_code=303))
