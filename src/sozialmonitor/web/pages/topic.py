"""Topic pages: the list of Themenfelder and one Themenfeld with its indicators.

A topic page shows, for each of its indicators, the newest value of the top-level
area (the region), the change against the previous period and over five periods, and
a small trend line, from the top areas' values kept per data version
(``web.values.top_values``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.web import formatting
from sozialmonitor.web.charts import sparkline_svg
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
from sozialmonitor.web.pages.recommendations import QualitativeBlock, linked_block
from sozialmonitor.web.pages.sozialindex_list import IndexLink, index_links
from sozialmonitor.web.problems import problem
from sozialmonitor.web.site.config import NO_ORDER, Order
from sozialmonitor.web.snapshot import Scope, Snapshot, Topic
from sozialmonitor.web.urls import href
from sozialmonitor.web.values import Series, shown_value, suppressed, top_values

router = APIRouter()

LONG_CHANGE_STEPS = 5
"""The longer change reaches this many periods back ("über 5 Zeiträume")."""
NAMES_IN_INDEX = 6
"""Indicator names listed per topic on the topic index."""


@dataclass(frozen=True, kw_only=True)
class SeriesPoint:
    period: str
    value: float | None
    """None when missing or suppressed."""
    suppressed: bool


@dataclass(frozen=True, kw_only=True)
class Change:
    """The newest value against an earlier period."""

    since: str
    """The earlier period."""
    since_text: str
    value: float | None
    text: str
    """``+0,4 Prozentpunkte`` (or ``–``)."""


@dataclass(frozen=True, kw_only=True)
class TopicRow:
    """One indicator under one top-level area."""

    indicator: Indicator
    url: str
    area: Area | None
    """The top-level area; None when the indicator has no values yet."""
    note: str
    """Why there is no value of the top area, e.g. ``Werte ab Ebene Planungsraum``."""
    period: str | None
    period_text: str
    value: float | None
    value_text: str
    change: Change | None
    """Against the previous period of the series."""
    long_change: Change | None
    """Against the period ``LONG_CHANGE_STEPS`` periods earlier."""
    series: tuple[SeriesPoint, ...]
    trend_text: str
    """``von 7,1 % (2012) auf 6,5 % (2021)``; the trend line's accessible name."""
    sparkline: Markup = html_only()


@dataclass(frozen=True, kw_only=True)
class TopicLink:
    name: str
    name_en: str
    """English name (empty: none; the English page shows the German one)."""
    slug: str
    url: str
    indicator_count: int
    indicator_names: tuple[str, ...]
    """The first ``NAMES_IN_INDEX`` short names."""
    more: int
    """How many more indicators the topic has."""


@dataclass(frozen=True, kw_only=True)
class TopicPage:
    name: str
    name_en: str
    slug: str
    rows: tuple[TopicRow, ...]
    other_topics: tuple[TopicLink, ...]
    indices: tuple[IndexLink, ...] = ()
    """The stored Sozialindex results of the topic or reading its indicators."""
    qualitative: QualitativeBlock | None = None
    """The findings and recommendations filed under the topic (None: none)."""


@dataclass(frozen=True, kw_only=True)
class TopicIndexPage:
    topics: tuple[TopicLink, ...]
    missing: str
    """The slug asked for that does not exist (404), else empty."""


def _topic_link(topic: Topic, lang: Language) -> TopicLink:
    return TopicLink(
        name=topic.name,
        name_en=topic.name_en,
        slug=topic.slug,
        url=href(f"/thema/{topic.slug}", lang),
        indicator_count=len(topic.indicators),
        indicator_names=tuple(i.short_name for i in topic.indicators[:NAMES_IN_INDEX]),
        more=max(0, len(topic.indicators) - NAMES_IN_INDEX),
    )


def topic_index_page(
    snap: Snapshot, lang: Language, missing: str = "", order: Order = NO_ORDER
) -> TopicIndexPage:
    """All topics with their number of indicators.

    Parameters
    ----------
    snap
        The catalogue.
    lang
        Language of links.
    missing
        A topic slug that was asked for and does not exist.
    order
        The site's order of topics and indicators.

    Returns
    -------
    TopicIndexPage
    """
    return TopicIndexPage(
        topics=tuple(_topic_link(t, lang) for t in order.arrange(snap.topics)),
        missing=missing,
    )


def _with_top_values(snap: Snapshot, topic: Topic) -> list[tuple[Indicator, Scope]]:
    return [
        (indicator, scope)
        for indicator in topic.indicators
        for scope in snap.scopes_for(indicator)
        if scope.root.level in scope.periods_by_level
    ]


def topic_series(conn: Connection, snap: Snapshot, topic: Topic) -> Series:
    """The topic's top-area series (kept per data version with all top values)."""
    top = top_values(conn, snap)
    return {
        key: top[key]
        for indicator, scope in _with_top_values(snap, topic)
        if (key := (indicator.id, scope.root.code)) in top
    }


def _point(period: str, obs: Observation | None) -> SeriesPoint:
    return SeriesPoint(
        period=period, value=shown_value(obs), suppressed=suppressed(obs)
    )


def _value_text(point: SeriesPoint | None, indicator: Indicator, lang: Language) -> str:
    if point is not None and point.suppressed:
        return formatting.SUPPRESSED_SIGN
    return formatting.with_unit(point.value if point else None, indicator, lang)


def _change(
    series: tuple[SeriesPoint, ...], steps: int, indicator: Indicator, lang: Language
) -> Change | None:
    if len(series) <= steps:
        return None
    latest, earlier = series[-1], series[-1 - steps]
    value = (
        latest.value - earlier.value
        if latest.value is not None and earlier.value is not None
        else None
    )
    return Change(
        since=earlier.period,
        since_text=formatting.period_label(earlier.period, lang),
        value=value,
        text=formatting.change(value, indicator, lang),
    )


def trend_text(
    series: tuple[SeriesPoint, ...], indicator: Indicator, t: Translator
) -> str:
    """``von 7,1 % (2012) auf 6,5 % (2021)``: first and last value of a series.

    Parameters
    ----------
    series
        The points in time order.
    indicator
        For unit and decimals.
    t
        The translator of the page's language.

    Returns
    -------
    str
        Empty when the series has no value.
    """
    known = [p for p in series if p.value is not None]
    if not known:
        return ""
    lang = t.lang
    first, last = known[0], known[-1]
    if first is last:
        # The row shows the value beside it: a long one ("3.769.962 Personen")
        # would widen the table beyond a desktop window (issue 16).
        return t(
            "nur ein Wert ({period})",
            period=formatting.period_label(last.period, lang),
        )
    return t(
        "von {first} ({first_period}) auf {last} ({last_period})",
        first=formatting.with_unit(first.value, indicator, lang),
        first_period=formatting.period_label(first.period, lang),
        last=formatting.with_unit(last.value, indicator, lang),
        last_period=formatting.period_label(last.period, lang),
    )


def _row(
    indicator: Indicator,
    scope: Scope | None,
    series_of: dict[str, Observation],
    snap: Snapshot,
    t: Translator,
) -> TopicRow:
    lang = t.lang
    # With values under several top areas, the row opens the indicator at its own.
    several = scope is not None and len(snap.scopes_for(indicator)) > 1
    url = href(
        f"/indikator/{indicator.id}",
        lang,
        raum=scope.root.code if scope is not None and several else None,
    )
    if scope is None:
        return TopicRow(
            indicator=indicator,
            url=url,
            area=None,
            note=t("Noch keine Werte veröffentlicht"),
            period=None,
            period_text=formatting.NO_VALUE_SIGN,
            value=None,
            value_text=formatting.NO_VALUE_SIGN,
            change=None,
            long_change=None,
            series=(),
            trend_text="",
        )
    periods = scope.periods_by_level.get(scope.root.level)
    if periods is None:
        largest = scope.levels[0]
        level = snap.level_by_code.get(largest)
        latest = scope.periods_by_level[largest][-1]
        return TopicRow(
            indicator=indicator,
            url=url,
            area=scope.root,
            note=t("Werte ab Ebene {level}", level=level.label if level else largest),
            period=latest,
            period_text=formatting.period_label(latest, lang),
            value=None,
            value_text=formatting.NO_VALUE_SIGN,
            change=None,
            long_change=None,
            series=(),
            trend_text="",
        )
    series = tuple(_point(p, series_of.get(p)) for p in periods)
    latest_point = series[-1]
    trend = trend_text(series, indicator, t)
    label = f"{indicator.short_name}, {scope.root.name}: {trend}" if trend else ""
    return TopicRow(
        indicator=indicator,
        url=url,
        area=scope.root,
        note="",
        period=latest_point.period,
        period_text=formatting.period_label(latest_point.period, lang),
        value=latest_point.value,
        value_text=_value_text(latest_point, indicator, lang),
        change=_change(series, 1, indicator, lang),
        long_change=_change(series, LONG_CHANGE_STEPS, indicator, lang),
        series=series,
        trend_text=trend,
        sparkline=sparkline_svg([p.value for p in series], label=label)
        if len(series) > 1 and trend
        else Markup(""),
    )


def topic_page(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    topic: Topic,
    order: Order = NO_ORDER,
) -> TopicPage:
    """One topic: its indicators with the top area's newest value, changes, trend.

    Parameters
    ----------
    conn
        A connection for the read gate.
    snap
        The catalogue.
    lang
        Language of texts and numbers.
    topic
        The topic shown.
    order
        The site's order of topics and of the indicators within a topic.

    Returns
    -------
    TopicPage
        One row per indicator and top-level area (an indicator without values
        gets one row saying so).
    """
    t = Translator(lang=lang)
    topic = order.within(topic)
    series = topic_series(conn, snap, topic)
    rows: list[TopicRow] = []
    for indicator in topic.indicators:
        scopes = snap.scopes_for(indicator)
        if not scopes:
            rows.append(_row(indicator, None, {}, snap, t))
        for scope in scopes:
            found = series.get((indicator.id, scope.root.code), {})
            rows.append(_row(indicator, scope, found, snap, t))
    return TopicPage(
        name=topic.name,
        name_en=topic.name_en,
        slug=topic.slug,
        rows=tuple(rows),
        other_topics=tuple(
            _topic_link(other, lang)
            for other in order.arrange(snap.topics)
            if other.slug != topic.slug
        ),
        indices=index_links(snap, lang, topic.name),
        qualitative=linked_block(conn, snap, lang, topic=topic.name),
    )


# --- routes -----------------------------------------------------------------------


@router.get("/thema", response_class=HTMLResponse, include_in_schema=False)
def topic_index_html(request: Request) -> HTMLResponse:
    snap = current_snapshot(request)
    lang = request_language(request)
    t = Translator(lang=lang)
    frame = frame_for(
        request, snap, title=t("Themenfelder"), crumbs=((t("Start"), "/"),)
    )
    page = topic_index_page(snap, lang, order=site_of(request).order)
    return render(request, "topic_index.html", frame=frame, page=page)


@router.get("/api/v1/pages/thema", tags=["pages"])
def topic_index_json(request: Request) -> JSONResponse:
    """The list of topics as JSON."""
    snap = current_snapshot(request)
    return json_response(
        topic_index_page(snap, request_language(request), order=site_of(request).order)
    )


@router.get("/thema/{slug}", response_class=HTMLResponse, include_in_schema=False)
def topic_html(request: Request, slug: str) -> HTMLResponse:
    snap = current_snapshot(request)
    lang = request_language(request)
    t = Translator(lang=lang)
    crumbs = ((t("Start"), "/"), (t("Themenfelder"), "/thema"))
    topic = snap.topic(slug)
    if topic is None:
        frame = frame_for(
            request, snap, title=t("Themenfeld nicht gefunden"), crumbs=crumbs
        )
        response = render(
            request,
            "topic_index.html",
            frame=frame,
            page=topic_index_page(
                snap, lang, missing=slug, order=site_of(request).order
            ),
        )
        response.status_code = 404
        return response
    with request.app.state.engine.connect() as conn:
        page = topic_page(conn, snap, lang, topic, site_of(request).order)
    title = topic.name_en if lang == "en" and topic.name_en else topic.name
    frame = frame_for(request, snap, title=title, crumbs=crumbs)
    return render(request, "topic.html", frame=frame, page=page)


@router.get("/api/v1/pages/thema/{slug}", tags=["pages"], response_model=None)
def topic_json(request: Request, slug: str) -> Response:
    """One topic's page content as JSON (404 problem for an unknown topic)."""
    snap = current_snapshot(request)
    topic = snap.topic(slug)
    if topic is None:
        known = ", ".join(t.slug for t in snap.topics) or "none yet"
        return problem(
            404,
            "Not found",
            f"There is no topic '{slug}'. Topics: {known}.",
            "unknown-topic",
        )
    with request.app.state.engine.connect() as conn:
        page = topic_page(
            conn, snap, request_language(request), topic, site_of(request).order
        )
    return json_response(page)
