"""Start page: what the portal is, the topics with key figures, the release."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.release import Release
from sozialmonitor.web import formatting
from sozialmonitor.web.catalogue_text import catalogue_text
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
from sozialmonitor.web.pages.area_values import cached_values
from sozialmonitor.web.pages.sozialindex_list import IndexLink, index_links
from sozialmonitor.web.pages.start_median import LevelMedian, level_median
from sozialmonitor.web.site import DEFAULT_SITE, Site
from sozialmonitor.web.site.config import DEFAULT_NAME
from sozialmonitor.web.snapshot import Snapshot, Topic
from sozialmonitor.web.urls import href
from sozialmonitor.web.values import shown_value, top_values

router = APIRouter()
FIGURES_PER_TOPIC = 3
EXAMPLES_PER_TOPIC = 3
"""A topic without key figures names up to this many of its indicators."""


@dataclass(frozen=True, kw_only=True)
class KeyFigure:
    """The newest value of an indicator for its top-level area (or the site's
    comparison area) — or, where that area has none, the median of the areas of
    the next level below it (``median``)."""

    indicator: Indicator
    area: Area
    period: str
    value: float | None
    """The area's own value; None with ``median`` (the area has none)."""
    text: str
    """``12,5 %`` (or ``–``): the value, or the median, with the unit in the page's
    language (the German one where the catalogue has no English unit)."""
    unit_german_only: bool
    """The page is English, but the unit in ``text`` is only in German."""
    period_text: str
    url: str
    median: LevelMedian | None = None
    """The median and range of the areas below, where the area has no value."""


@dataclass(frozen=True, kw_only=True)
class Pick:
    """An indicator chosen as a key figure, with the area and period of its value
    (or the median of the areas below the area)."""

    indicator: Indicator
    area: Area
    period: str
    median: LevelMedian | None = None


@dataclass(frozen=True, kw_only=True)
class TopicSummary:
    name: str
    name_en: str
    """English name (empty: none; the English page shows the German one)."""
    slug: str
    url: str
    indicator_count: int
    figures: tuple[KeyFigure, ...]
    examples: tuple[Indicator, ...] = ()
    """Where the topic has no key figure: a few of its indicators with values, so
    that the card says what the topic holds (issue 16)."""
    more: int = 0
    """How many of its indicators with values ``examples`` leaves out."""


@dataclass(frozen=True, kw_only=True)
class LevelCount:
    label: str
    count: int


@dataclass(frozen=True, kw_only=True)
class StartPage:
    release: Release | None
    topics: tuple[TopicSummary, ...]
    levels: tuple[LevelCount, ...]
    """Levels that have areas, with their number of areas."""
    indicator_count: int
    name: str = DEFAULT_NAME
    """The portal's name (the site's)."""
    compare_area: str = ""
    """The code of the area whose key figures are shown (the site's
    ``compare_area``); empty: each indicator's top-level area."""
    introduction_german_only: bool = False
    """Whether the site's introduction is shown in German on the English page."""
    introduction: Markup = html_only()
    """The site's introduction (safe HTML); empty: the portal's own sentence."""
    indices: tuple[IndexLink, ...] = ()
    """The stored Sozialindex results (``/sozialindex/<id>``)."""


def _picks(
    conn: Connection,
    snap: Snapshot,
    topic: Topic,
    compare_area: Area | None,
    lang: Language,
) -> list[Pick]:
    """Up to ``FIGURES_PER_TOPIC`` indicators of a topic with the area and period
    of their key figure: the comparison area's newest period where it has one, else
    the median of the next level below it with values (``start_median``); without
    a comparison area the top-level area's newest period."""
    picks = []
    for indicator in topic.indicators:
        if compare_area is not None:
            root = snap.root_of[compare_area.code]
            scope = next(
                (s for s in snap.scopes_for(indicator) if s.root.code == root), None
            )
            periods = scope.periods_by_level.get(compare_area.level) if scope else None
            if periods:
                picks.append(
                    Pick(indicator=indicator, area=compare_area, period=periods[-1])
                )
            elif scope is not None:
                median = level_median(conn, snap, indicator, compare_area, scope, lang)
                if median is not None:
                    picks.append(
                        Pick(
                            indicator=indicator,
                            area=compare_area,
                            period=median.period,
                            median=median,
                        )
                    )
        else:
            scope = next(
                (s for s in snap.scopes_for(indicator) if s.root.level in s.levels),
                None,
            )
            if scope is not None and scope.latest:
                picks.append(
                    Pick(indicator=indicator, area=scope.root, period=scope.latest)
                )
        if len(picks) == FIGURES_PER_TOPIC:
            break
    return picks


def _has_values(snap: Snapshot, indicator: Indicator) -> bool:
    """Whether the indicator has a value the reader may see, on any level."""
    return any(scope.latest for scope in snap.scopes_for(indicator))


def start_page(
    conn: Connection, snap: Snapshot, lang: Language, site: Site = DEFAULT_SITE
) -> StartPage:
    """The start page: the topics (in the site's order) with key figures of the
    site's comparison area (else of each indicator's top-level area)."""
    compare_area = snap.areas.get(site.compare_area) if site.compare_area else None
    topics_in_order = site.order.arrange(snap.topics)
    chosen = {
        t.slug: _picks(conn, snap, t, compare_area, lang) for t in topics_in_order
    }
    top = top_values(conn, snap)
    below: Mapping[tuple[str, str, str], Observation | None] = {}
    if compare_area is not None and compare_area.parent:
        # An area below the top level: its values are read (or computed from its
        # children) and cached per data version.
        below = cached_values(
            conn,
            snap,
            {
                (p.indicator.id, p.area.code, p.period)
                for picks in chosen.values()
                for p in picks
                if p.median is None
            },
        )

    def observation(indicator: str, code: str, period: str) -> Observation | None:
        if (indicator, code, period) in below:
            return below[(indicator, code, period)]
        return top.get((indicator, code), {}).get(period)

    topics = []
    for topic in topics_in_order:
        with_values = [i for i in topic.indicators if _has_values(snap, i)]
        if not with_values:
            continue  # a card with a title and nothing else says nothing
        figures = []
        for pick in chosen[topic.slug]:
            indicator = pick.indicator
            value = (
                None
                if pick.median is not None
                else shown_value(observation(indicator.id, pick.area.code, pick.period))
            )
            figures.append(
                KeyFigure(
                    indicator=indicator,
                    area=pick.area,
                    period=pick.period,
                    value=value,
                    text=formatting.with_unit(
                        pick.median.value if pick.median else value, indicator, lang
                    ),
                    unit_german_only=catalogue_text(
                        indicator, "unit", lang
                    ).german_only,
                    period_text=formatting.period_label(pick.period, lang),
                    url=href(f"/indikator/{indicator.id}", lang),
                    median=pick.median,
                )
            )
        topics.append(
            TopicSummary(
                name=topic.name,
                name_en=topic.name_en,
                slug=topic.slug,
                url=href(f"/thema/{topic.slug}", lang),
                indicator_count=len(topic.indicators),
                figures=tuple(figures),
                examples=() if figures else tuple(with_values[:EXAMPLES_PER_TOPIC]),
                more=0 if figures else max(len(with_values) - EXAMPLES_PER_TOPIC, 0),
            )
        )
    introduction = site.introduction.get(lang) or site.introduction.get("de")
    return StartPage(
        release=snap.release,
        topics=tuple(topics),
        levels=tuple(
            LevelCount(label=lvl.label, count=n)
            for lvl in snap.levels
            if (n := snap.level_counts.get(lvl.code, 0))
        ),
        indicator_count=len(snap.indicators),
        name=site.name,
        compare_area=compare_area.code if compare_area is not None else "",
        introduction_german_only=lang != "de"
        and introduction is not None
        and lang not in site.introduction,
        introduction=introduction or Markup(""),
        indices=index_links(snap, lang),
    )


def _page(request: Request) -> tuple[Snapshot, StartPage]:
    snap = current_snapshot(request)
    with request.app.state.engine.connect() as conn:
        return snap, start_page(conn, snap, request_language(request), site_of(request))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def start_html(request: Request) -> HTMLResponse:
    snap, page = _page(request)
    t = Translator(lang=request_language(request))
    site = site_of(request)
    # With a site, <title> reads "Daten zur sozialen Lage – <the site's name>".
    title = (
        t("Daten zur sozialen Lage")
        if site.configured
        else t("Sozialmonitor – Daten zur sozialen Lage")
    )
    frame = frame_for(request, snap, title=title)
    return render(request, "start.html", frame=frame, page=page)


@router.get("/api/v1/pages/start", tags=["pages"])
def start_json(request: Request) -> JSONResponse:
    """The start page's content as JSON."""
    return json_response(_page(request)[1])
