"""Findings and recommendations: the list ``/empfehlungen`` with its filters, and the
short block of linked records on the topic, indicator and area pages.

Every record comes through ``store.qualitative.read_records`` with the snapshot's
audience: the public never gets an internal one; the administration sees them
marked confidential.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.access.roles import Role
from sozialmonitor.domain.qualitative import (
    Addressee,
    QualitativeRecord,
    RecordKind,
    Status,
    label,
)
from sozialmonitor.store.qualitative import RecordFilter, read_records
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    html_only,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages.outcome_values import Outcomes, outcomes_of
from sozialmonitor.web.session import current_user
from sozialmonitor.web.site.markdown import render_markdown
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href, slug

router = APIRouter()

LIST_PATH = "/empfehlungen"


def record_path(code: str) -> str:
    """The path of a record's own page."""
    return f"{LIST_PATH}/{quote(code, safe='')}"


BLOCK_ITEMS = 5
"""Records named in the block on a topic, indicator or area page (then a link to
all of them in the list)."""


@dataclass(frozen=True, kw_only=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True, kw_only=True)
class HistoryEntry:
    status: str
    status_text: str
    date_text: str
    by: str
    """Who recorded it: only for the administration (empty for the public)."""


@dataclass(frozen=True, kw_only=True)
class RecordView:
    """One finding or recommendation as the list shows it."""

    code: str
    kind: str
    kind_text: str
    """``Ergebnis`` or ``Handlungsempfehlung``."""
    title: str
    text: str
    """The Markdown as written."""
    internal: bool
    """Only the administration sees it (marked confidential)."""
    topic: Link | None
    period_text: str
    source_text: str
    """``Fokusgruppe „Fachkräfte“, 05.03.2024, 12 Teilnehmende`` (findings)."""
    indicators: tuple[Link, ...]
    areas: tuple[Link, ...]
    addressee_text: str
    responsible_unit: str
    cost_text: str
    findings: tuple[Link, ...]
    """The findings a recommendation builds on (anchors in the list)."""
    outcome_indicators: tuple[Link, ...]
    status: str
    status_text: str
    history: tuple[HistoryEntry, ...]
    rationale: str
    url: str = ""
    """The record's own page."""
    outcomes: Outcomes | None = None
    """A decided recommendation's outcome values since the decision."""
    text_html: Markup = html_only()
    rationale_html: Markup = html_only()


@dataclass(frozen=True, kw_only=True)
class RecommendationsPage:
    findings: tuple[RecordView, ...]
    recommendations: tuple[RecordView, ...]
    topics: tuple[Option, ...]
    areas: tuple[Option, ...]
    statuses: tuple[Option, ...]
    addressees: tuple[Option, ...]
    kinds: tuple[Option, ...]
    filtered: bool
    """Whether a filter is in use."""
    may_edit: bool = False
    """Editors and above: links to create and edit records."""
    messages: tuple[str, ...]
    """Filter values that were not understood (and left out)."""


@dataclass(frozen=True, kw_only=True)
class BlockItem:
    title: str
    kind_text: str
    status_text: str
    internal: bool
    url: str


@dataclass(frozen=True, kw_only=True)
class QualitativeBlock:
    """The findings and recommendations linked to a topic, indicator or area."""

    items: tuple[BlockItem, ...]
    more: int
    """How many more there are than ``items`` shows."""
    list_url: str
    """The list filtered to them."""


def _indicator_links(
    codes: tuple[str, ...], snap: Snapshot, lang: Language
) -> tuple[Link, ...]:
    known = snap.indicator_by_id
    return tuple(
        Link(text=known[c].name, url=href(f"/indikator/{c}", lang))
        for c in codes
        if c in known
    )


def _source_text(record: QualitativeRecord, t: Translator) -> str:
    source = record.source
    if source is None:
        return ""
    parts = [t(label(source.kind))]
    if source.group:
        parts[0] += f" „{source.group}“"
    if source.date:
        parts.append(formatting.date(source.date, t.lang))
    if source.participants:
        parts.append(
            t(
                "{n} Teilnehmende",
                n=formatting.number(source.participants, 0, t.lang),
            )
        )
    return ", ".join(parts)


def record_view(
    record: QualitativeRecord,
    snap: Snapshot,
    t: Translator,
    codes: set[str],
    titles: dict[str, str],
) -> RecordView:
    """A record as the list shows it; ``codes``: the records on the page (findings
    linked from a recommendation link to their place in the list); ``titles``:
    the titles of the records the reader may see, by code."""
    lang = t.lang
    topic = next((x for x in snap.topics if x.name == record.topic), None)
    status = record.status
    return RecordView(
        code=record.code,
        kind=record.kind.value,
        kind_text=t(label(record.kind)),
        title=record.title,
        text=record.text,
        internal=record.internal,
        topic=Link(
            text=topic.name_en if lang == "en" and topic.name_en else topic.name,
            url=href(f"/thema/{topic.slug}", lang),
        )
        if topic
        else None,
        period_text=formatting.period_label(record.period, lang)
        if record.period
        else "",
        source_text=_source_text(record, t),
        indicators=_indicator_links(record.indicators, snap, lang),
        areas=tuple(
            Link(text=snap.areas[c].name, url=href(f"/gebiet/{c}", lang))
            for c in record.areas
            if c in snap.areas
        ),
        addressee_text=t(label(record.addressee)) if record.addressee else "",
        responsible_unit=record.responsible_unit,
        cost_text=t(
            "{value} Euro",
            value=formatting.number(record.estimated_cost, 0, lang),
        )
        if record.estimated_cost is not None
        else "",
        findings=tuple(
            Link(
                text=titles.get(c, c),
                url=f"#{c}" if c in codes else href(LIST_PATH, lang) + f"#{c}",
            )
            for c in record.findings
        ),
        outcome_indicators=_indicator_links(record.outcome_indicators, snap, lang),
        status=status.value if status else "",
        status_text=t(label(status)) if status else "",
        history=tuple(
            HistoryEntry(
                status=h.status.value,
                status_text=t(label(h.status)),
                date_text=formatting.date(h.on, lang),
                by=h.by if snap.audience.internal else "",
            )
            for h in record.history
        ),
        rationale=record.rationale,
        url=href(record_path(record.code), lang),
        text_html=render_markdown(record.text),
        rationale_html=render_markdown(record.rationale)
        if record.rationale
        else Markup(""),
    )


def _options(
    values: list[tuple[str, str]], selected: str | None, t: Translator
) -> tuple[Option, ...]:
    everything = Option(value="", label=t("alle"), selected=not selected)
    return (
        everything,
        *(Option(value=v, label=text, selected=v == selected) for v, text in values),
    )


E = TypeVar("E", Status, Addressee, RecordKind)


def _enum(
    value: str | None, kind: type[E], messages: list[str], t: Translator
) -> E | None:
    """The filter value as ``kind`` (None: no filter, or unknown and named in
    ``messages``)."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        messages.append(t("Der Filterwert „{value}“ ist unbekannt.", value=value))
        return None


def recommendations_page(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    *,
    topic: str | None = None,
    area: str | None = None,
    status: str | None = None,
    addressee: str | None = None,
    kind: str | None = None,
) -> RecommendationsPage:
    """The findings and recommendations the snapshot's audience may see, filtered.

    Parameters
    ----------
    conn
        A connection for the records' read gate.
    snap
        The catalogue and the audience.
    lang
        Language of texts and dates.
    topic, area, status, addressee, kind
        Filters as in the URL: a topic's slug, an area code, a status
        (``proposed`` …), an addressee (``council`` …), ``finding`` or
        ``recommendation``; unknown values are named in ``messages`` and left out.

    Returns
    -------
    RecommendationsPage
    """
    t = Translator(lang=lang)
    messages: list[str] = []
    topic_name = None
    if topic:
        found = snap.topic(topic)
        if found is None:
            messages.append(t("Das Themenfeld „{value}“ gibt es nicht.", value=topic))
            topic = None
        else:
            topic_name = found.name
    if area and area not in snap.areas:
        messages.append(t("Das Gebiet „{value}“ gibt es nicht.", value=area))
        area = None
    where = RecordFilter(
        topic=topic_name,
        area=area,
        status=_enum(status, Status, messages, t),
        addressee=_enum(addressee, Addressee, messages, t),
        kind=_enum(kind, RecordKind, messages, t),
    )
    everything = read_records(conn, audience=snap.audience)
    records = (
        read_records(conn, audience=snap.audience, where=where)
        if where != RecordFilter()
        else everything
    )
    codes = {r.code for r in records}
    titles = {r.code: r.title for r in everything}
    shown = outcomes_of(conn, snap, records, lang)
    views = [
        replace(record_view(r, snap, t, codes, titles), outcomes=shown.get(r.code))
        for r in records
    ]
    linked_areas = sorted(
        {c for r in everything for c in r.areas if c in snap.areas},
        key=lambda c: snap.areas[c].name,
    )
    used_topics = {r.topic for r in everything if r.topic}
    return RecommendationsPage(
        findings=tuple(v for v in views if v.kind == RecordKind.FINDING.value),
        recommendations=tuple(
            v for v in views if v.kind == RecordKind.RECOMMENDATION.value
        ),
        topics=_options(
            [
                (x.slug, x.name_en if lang == "en" and x.name_en else x.name)
                for x in snap.topics
                if x.name in used_topics
            ],
            topic,
            t,
        ),
        areas=_options([(c, snap.areas[c].name) for c in linked_areas], area, t),
        statuses=_options([(s.value, t(label(s))) for s in Status], status, t),
        addressees=_options([(a.value, t(label(a))) for a in Addressee], addressee, t),
        kinds=_options([(k.value, t(label(k))) for k in RecordKind], kind, t),
        filtered=where != RecordFilter(),
        messages=tuple(messages),
    )


def linked_block(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    *,
    topic: str | None = None,
    indicator: str | None = None,
    area: str | None = None,
) -> QualitativeBlock | None:
    """The records linked to one topic (its German name), indicator or area that
    the snapshot's audience may see; None when there are none.

    A record counts for an indicator when it names the indicator, or it as one of
    the indicators that show whether it works; for a topic when it is filed under it.
    """
    t = Translator(lang=lang)
    where = RecordFilter(topic=topic, indicator=indicator, area=area)
    records = read_records(conn, audience=snap.audience, where=where)
    if not records:
        return None
    params: dict[str, object] = {"gebiet": area}
    if topic is not None:
        params["thema"] = slug(topic)
    if indicator is not None:
        found = snap.indicator_by_id.get(indicator)
        params["thema"] = slug(found.topic) if found else None
    items = tuple(
        BlockItem(
            title=r.title,
            kind_text=t(label(r.kind)),
            status_text=t(label(r.status)) if r.status else "",
            internal=r.internal,
            url=href(record_path(r.code), lang),
        )
        for r in records[:BLOCK_ITEMS]
    )
    return QualitativeBlock(
        items=items,
        more=max(0, len(records) - BLOCK_ITEMS),
        list_url=href(LIST_PATH, lang, **params),
    )


# --- routes -----------------------------------------------------------------------


def _page(request: Request) -> tuple[Snapshot, RecommendationsPage]:
    snap = current_snapshot(request)
    params = request.query_params
    with request.app.state.engine.connect() as conn:
        page = recommendations_page(
            conn,
            snap,
            request_language(request),
            topic=params.get("thema"),
            area=params.get("gebiet"),
            status=params.get("status"),
            addressee=params.get("adressat"),
            kind=params.get("art"),
        )
    user = current_user(request)
    return snap, replace(page, may_edit=user is not None and user.role >= Role.EDITOR)


@router.get(LIST_PATH, response_class=HTMLResponse, include_in_schema=False)
def recommendations_html(request: Request) -> HTMLResponse:
    snap, page = _page(request)
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request,
        snap,
        title=t("Erkenntnisse und Empfehlungen"),
        crumbs=((t("Start"), "/"),),
    )
    return render(request, "recommendations.html", frame=frame, page=page)


@router.get(f"/api/v1/pages{LIST_PATH}", tags=["pages"])
def recommendations_json(request: Request) -> JSONResponse:
    """Findings and recommendations as JSON (the same filters: ``thema``,
    ``gebiet``, ``status``, ``adressat``, ``art``)."""
    return json_response(_page(request)[1])
