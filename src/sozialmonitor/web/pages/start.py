"""Start page: what the portal is, the topics with key figures, the release."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.release import Release
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href
from sozialmonitor.web.values import shown_value, top_values

router = APIRouter()
FIGURES_PER_TOPIC = 3


@dataclass(frozen=True, kw_only=True)
class KeyFigure:
    """The newest value of an indicator for its top-level area."""

    indicator: Indicator
    area: Area
    period: str
    value: float | None
    text: str
    """``12,5 %`` (or ``–``)."""
    period_text: str
    url: str


@dataclass(frozen=True, kw_only=True)
class TopicSummary:
    name: str
    name_en: str
    """English name (empty: none; the English page shows the German one)."""
    slug: str
    url: str
    indicator_count: int
    figures: tuple[KeyFigure, ...]


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


def start_page(conn: Connection, snap: Snapshot, lang: Language) -> StartPage:
    chosen: dict[str, list[tuple[Indicator, Area, str]]] = {}
    for topic in snap.topics:
        picks = []
        for indicator in topic.indicators:
            scope = next(
                (s for s in snap.scopes_for(indicator) if s.root.level in s.levels),
                None,
            )
            if scope is not None and scope.latest:
                picks.append((indicator, scope.root, scope.latest))
            if len(picks) == FIGURES_PER_TOPIC:
                break
        chosen[topic.slug] = picks
    top = top_values(conn, snap)
    topics = []
    for topic in snap.topics:
        figures = []
        for indicator, area, period in chosen[topic.slug]:
            value = shown_value(top.get((indicator.id, area.code), {}).get(period))
            figures.append(
                KeyFigure(
                    indicator=indicator,
                    area=area,
                    period=period,
                    value=value,
                    text=formatting.with_unit(value, indicator, lang),
                    period_text=formatting.period_label(period, lang),
                    url=href(f"/indikator/{indicator.id}", lang),
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
            )
        )
    return StartPage(
        release=snap.release,
        topics=tuple(topics),
        levels=tuple(
            LevelCount(label=lvl.label, count=n)
            for lvl in snap.levels
            if (n := snap.level_counts.get(lvl.code, 0))
        ),
        indicator_count=len(snap.indicators),
    )


def _page(request: Request) -> tuple[Snapshot, StartPage]:
    snap = current_snapshot(request)
    with request.app.state.engine.connect() as conn:
        return snap, start_page(conn, snap, request_language(request))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def start_html(request: Request) -> HTMLResponse:
    snap, page = _page(request)
    t = Translator(lang=request_language(request))
    frame = frame_for(request, snap, title=t("Sozialmonitor – Daten zur sozialen Lage"))
    return render(request, "start.html", frame=frame, page=page)


@router.get("/api/v1/pages/start", tags=["pages"])
def start_json(request: Request) -> JSONResponse:
    """The start page's content as JSON."""
    return json_response(_page(request)[1])
