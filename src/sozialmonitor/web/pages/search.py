"""Search: indicators by name, synonym and keyword, areas by name or code, topics.

The indicator search is the catalogue's ``IndicatorSearch`` (umlaut and word-form
tolerant). Areas and topics are matched here with the same normalisation: every
query word must be the start of a word of the name (or, from ``MIN_INFIX`` letters
on, a part of it: "koelln" in "Neukölln"); a query of digits also finds area codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.search import MIN_INFIX, IndicatorSearch, SearchHit, normalise
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
    site_of,
)
from sozialmonitor.web.pages.area_lineage import validity_text
from sozialmonitor.web.site.config import NO_ORDER, Order
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href, slug

router = APIRouter()

INDICATOR_LIMIT = 50
AREA_LIMIT = 25
MAX_QUERY = 200
"""Longer queries are cut (nobody types more; it bounds the work)."""

FIELD_WORDS = {
    "name": "Name",
    "short_name": "Kurzname",
    "keywords": "Stichwörter",
    "topic": "Themenfeld",
    "definition": "Definition",
    "numerator": "Zähler",
    "denominator": "Nenner",
    "source": "Quelle",
}


@dataclass(frozen=True, kw_only=True)
class IndicatorResult:
    id: str
    name: str
    url: str
    topic: str
    topic_url: str
    unit: str
    keywords: tuple[str, ...]
    """The indicator's keywords that match the query."""
    matched: tuple[str, ...]
    """Fields with a match (``name``, ``keywords`` …)."""
    matched_text: str
    """The fields in words (``Name, Definition``); keywords are listed apart."""
    score: float


@dataclass(frozen=True, kw_only=True)
class AreaResult:
    code: str
    name: str
    level: str
    level_label: str
    within: str
    """Name of the top-level area it belongs to (empty for a top-level area)."""
    url: str
    ended: str = ""
    """``gültig bis 30.12.2020`` for an area that ended (a boundary change): not to
    be mistaken for today's area of the same name; else empty."""


@dataclass(frozen=True, kw_only=True)
class TopicResult:
    name: str
    slug: str
    url: str
    indicator_count: int


@dataclass(frozen=True, kw_only=True)
class SearchPage:
    query: str
    indicators: tuple[IndicatorResult, ...]
    areas: tuple[AreaResult, ...]
    area_total: int
    """All matching areas (``areas`` shows the first ``AREA_LIMIT``)."""
    topics: tuple[TopicResult, ...]
    status: str
    """The announced result count, e.g. ``3 Kennzahlen, 1 Gebiet, 1 Themenfeld``."""
    suggestions: tuple[TopicResult, ...]
    """All topics, offered when nothing (or nothing yet) was searched or found."""


@dataclass(frozen=True, kw_only=True)
class _AreaIndex:
    """Normalised area names, built once per snapshot."""

    entries: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(code, normalised name, its words)."""


def _area_index(snap: Snapshot) -> _AreaIndex:
    return _AreaIndex(
        entries=tuple(
            (code, (norm := normalise(area.name)), tuple(norm.split()))
            for code, area in snap.areas.items()
        )
    )


def _word_match(word: str, name: str, words: tuple[str, ...]) -> int:
    """0: no match; 3 whole word, 2 start of a word, 1 inside a word."""
    if word in words:
        return 3
    if any(w.startswith(word) for w in words):
        return 2
    if len(word) >= MIN_INFIX and word in name:
        return 1
    return 0


def find_areas(snap: Snapshot, query: str) -> list[tuple[int, str]]:
    """Areas whose name has every query word (or whose code starts with the query).

    Parameters
    ----------
    snap
        The catalogue with the areas.
    query
        As typed; case and umlaut spelling do not matter.

    Returns
    -------
    list of (rank, code)
        Best first: the whole name, then code, whole words, word starts, parts of
        words; larger areas before smaller ones, then by name.
    """
    words = normalise(query).split()
    if not words:
        return []
    index = snap.remember("search-areas", lambda: _area_index(snap))
    plain = "".join(words)
    found: list[tuple[int, str]] = []
    for code, name, name_words in index.entries:
        if name == " ".join(words):
            found.append((100, code))
            continue
        if plain.isdigit() and code.startswith(plain):
            found.append((90 if code == plain else 50, code))
            continue
        quality = min(_word_match(w, name, name_words) for w in words)
        if quality:
            found.append((quality * 10, code))
    levels = {lvl.code: lvl.rank for lvl in snap.levels}
    found.sort(
        key=lambda item: (
            -item[0],
            levels.get(snap.areas[item[1]].level, 0),
            german_key(snap.areas[item[1]].name),
            item[1],
        )
    )
    return found


def _matching_keywords(indicator: Indicator, query: str) -> tuple[str, ...]:
    """The indicator's keywords that any query word finds."""
    if not indicator.keywords:
        return ()
    words = normalise(query).split()
    pseudo = IndicatorSearch(
        Indicator(id=f"k{n}", name=keyword, unit="")
        for n, keyword in enumerate(indicator.keywords)
    )
    hits: set[str] = set()
    for word in words:
        hits.update(hit.indicator.name for hit in pseudo.find(word))
    return tuple(k for k in indicator.keywords if k in hits)


def _indicator_result(hit: SearchHit, query: str, t: Translator) -> IndicatorResult:
    indicator = hit.indicator
    keywords = _matching_keywords(indicator, query)
    shown = [
        f
        for f in hit.matched
        if not (f == "short_name" and indicator.short_name == indicator.name)
        and not (f == "keywords" and keywords)
    ]
    return IndicatorResult(
        id=indicator.id,
        name=indicator.name,
        url=href(f"/indikator/{indicator.id}", t.lang),
        topic=indicator.topic,
        topic_url=href(f"/thema/{slug(indicator.topic)}", t.lang),
        unit=formatting.unit(indicator, t.lang),
        keywords=keywords,
        matched=hit.matched,
        matched_text=", ".join(t(FIELD_WORDS[f]) for f in shown),
        score=round(hit.score, 4),
    )


def _topic_results(
    snap: Snapshot, lang: Language, order: Order
) -> tuple[TopicResult, ...]:
    return tuple(
        TopicResult(
            name=topic.name,
            slug=topic.slug,
            url=href(f"/thema/{topic.slug}", lang),
            indicator_count=len(topic.indicators),
        )
        for topic in order.arrange(snap.topics)
    )


def _status(indicators: int, areas: int, topics: int, t: Translator) -> str:
    """``Gefunden: 3 Kennzahlen, 1 Gebiet`` (parts without hits are left out)."""
    parts = []
    if indicators:
        parts.append(t.plural("{n} Kennzahl", "{n} Kennzahlen", indicators))
    if areas:
        parts.append(t.plural("{n} Gebiet", "{n} Gebiete", areas))
    if topics:
        parts.append(t.plural("{n} Themenfeld", "{n} Themenfelder", topics))
    return t("Gefunden: {parts}", parts=", ".join(parts))


def search_page(
    snap: Snapshot, lang: Language, q: str, order: Order = NO_ORDER
) -> SearchPage:
    """Indicators, areas and topics matching ``q`` (no value is read).

    Parameters
    ----------
    snap
        The catalogue.
    lang
        Language of texts and links.
    q
        The query as typed.
    order
        The site's order of topics (found topics and suggestions).

    Returns
    -------
    SearchPage
        Empty results and all topics as suggestions for an empty query or when
        nothing is found.
    """
    t = Translator(lang=lang)
    query = " ".join(q.split())[:MAX_QUERY]
    all_topics = _topic_results(snap, lang, order)
    if not normalise(query):
        return SearchPage(
            query=query,
            indicators=(),
            areas=(),
            area_total=0,
            topics=(),
            status=t("Bitte geben Sie einen Suchbegriff ein."),
            suggestions=all_topics,
        )
    indicators = tuple(
        _indicator_result(hit, query, t)
        for hit in snap.search.find(query, limit=INDICATOR_LIMIT)
    )
    found_areas = find_areas(snap, query)
    areas = []
    for _rank, code in found_areas[:AREA_LIMIT]:
        area = snap.areas[code]
        level = snap.level_by_code.get(area.level)
        top = snap.top_area(code)
        areas.append(
            AreaResult(
                code=code,
                name=area.name,
                level=area.level,
                level_label=level.label if level else area.level,
                within=top.name if top.code != code else "",
                url=href(f"/gebiet/{code}", lang),
                ended=validity_text(area, lang, t) if area.valid_to else "",
            )
        )
    words = normalise(query).split()
    topics = tuple(
        result
        for result in all_topics
        if all(
            _word_match(w, (n := normalise(result.name)), tuple(n.split()))
            for w in words
        )
    )
    total = len(indicators) + len(found_areas) + len(topics)
    status = (
        _status(len(indicators), len(found_areas), len(topics), t)
        if total
        else t("Nichts gefunden für „{query}“.", query=query)
    )
    return SearchPage(
        query=query,
        indicators=indicators,
        areas=tuple(areas),
        area_total=len(found_areas),
        topics=topics,
        status=status,
        suggestions=() if total else all_topics,
    )


def _page(request: Request, q: str) -> tuple[Snapshot, SearchPage]:
    snap = current_snapshot(request)
    return snap, search_page(snap, request_language(request), q, site_of(request).order)


@router.get("/suche", response_class=HTMLResponse, include_in_schema=False)
def search_html(request: Request, q: str = "") -> HTMLResponse:
    snap, page = _page(request, q)
    t = Translator(lang=request_language(request))
    title = t("Suche nach „{query}“", query=page.query) if page.query else t("Suche")
    frame = frame_for(request, snap, title=title, crumbs=((t("Start"), "/"),))
    return render(request, "search.html", frame=frame, page=page)


@router.get("/api/v1/pages/suche", tags=["pages"])
def search_json(request: Request, q: str = "") -> JSONResponse:
    """Search results as JSON (``q``: the query)."""
    return json_response(_page(request, q)[1])
