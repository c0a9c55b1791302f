"""The URLs ``portal.py`` times: distinct views of every page type, built from the
database itself (see ``portal.py`` and bench/README.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import cycle, islice, zip_longest
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine

if TYPE_CHECKING:
    from sozialmonitor.web.snapshot import Scope, Snapshot

WORD = re.compile(r"[^\W\d_]{4,}")
"""A word of a name used as a search or filter term: four letters or more."""
T = TypeVar("T")


@dataclass(frozen=True)
class PageCase:
    """One page type and its URLs: the page is timed on the first half, the JSON
    twin on the second."""

    name: str
    urls: tuple[str, ...]

    @property
    def pages(self) -> tuple[str, ...]:
        return self.urls[: len(self.urls) // 2]

    @property
    def twins(self) -> tuple[str, ...]:
        return tuple(json_url(u) for u in self.urls[len(self.urls) // 2 :])

    @property
    def distinct(self) -> int:
        return len(set(self.urls))


def json_url(url: str) -> str:
    path, _, query = url.partition("?")
    twin = "/api/v1/pages" + ("/start" if path == "/" else path)
    return twin + (f"?{query}" if query else "")


# --- the URLs -----------------------------------------------------------------------


def _words(texts: Iterable[str]) -> list[str]:
    """The words of ``texts`` (first spelling, case aside), in order of appearance."""
    found: dict[str, str] = {}
    for piece in texts:
        for word in WORD.findall(piece):
            found.setdefault(word.casefold(), word)
    return list(found.values())


def _spread(items: Sequence[T], count: int, phase: float = 0.0) -> list[T]:
    """``count`` items evenly over ``items`` (every k-th, shifted by ``phase`` of a
    step), or all of them when there are no more."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int((i + phase) * step)] for i in range(count)]


def _interleave(*groups: Sequence[T]) -> list[T]:
    return [x for row in zip_longest(*groups) for x in row if x is not None]


def _rotated(items: Sequence[T], start: int) -> list[T]:
    start = start % len(items) if items else 0
    return [*items[start:], *items[:start]]


def _halves(views: Iterable[str], runs: int) -> tuple[str, ...]:
    """``2 * runs`` URLs from the first distinct views: the page gets the even ones,
    the twin the odd ones (so both halves sample alike), each half cycling over its
    own views when there are too few."""
    unique = list(islice(dict.fromkeys(views), 2 * runs))
    if not unique:
        raise SystemExit("no URL for a page type: is the database empty?")
    pages, twins = unique[0::2], unique[1::2] or unique
    return (*islice(cycle(pages), runs), *islice(cycle(twins), runs))


def _english(url: str) -> str:
    """The URL with ``lang=en``: a view of its own (texts, numbers, links)."""
    return url + ("&" if "?" in url else "?") + "lang=en"


def _paired_languages(urls: Sequence[str]) -> list[str]:
    """Each URL, then its English view: for few views, so that the page (even
    places) and the twin (odd places) each meet every one of them once."""
    return [u for url in urls for u in (url, _english(url))]


def indicator_views(
    snap: Snapshot, level: str, period: str
) -> list[tuple[str, Scope, str]]:
    """(indicator, scope, period) for every indicator with values at ``level``
    below a top area with several areas of it: ``period`` first, then the others
    from the newest; the catalogue's order within each."""
    found: list[tuple[int, str, Scope, str]] = []
    for indicator in snap.indicators:
        scope = next(
            (
                s
                for s in snap.scopes_for(indicator)
                if level in s.periods_by_level
                and len(snap.areas_in(s.root.code, level)) > 1
            ),
            None,
        )
        if scope is None:
            continue
        for age, value in enumerate(reversed(scope.periods_by_level[level])):
            rank = 0 if value == period else age + 1
            found.append((rank, indicator.id, scope, value))
    found.sort(key=lambda item: item[0])
    return [(ind, scope, value) for _, ind, scope, value in found]


def _indicator_urls(
    snap: Snapshot, level: str, period: str, count: int
) -> dict[str, Iterator[str]]:
    """Map, chart, table, change and hot spots: each starts ``count`` (indicator,
    period) pairs further on, so that no two of them share the values they read."""
    from sozialmonitor.web.pages.indicator_params import CHANGE_STEPS
    from sozialmonitor.web.urls import href

    views = indicator_views(snap, level, period)
    if not views:
        raise SystemExit(f"no indicator has values at the level {level!r}")

    def url(ind: str, scope: Scope, value: str, ansicht: str, **extra: Any) -> str:
        params = {"raum": scope.root.code, "ebene": level, "zeitraum": value}
        link: str = href(f"/indikator/{ind}", "de", **params, ansicht=ansicht, **extra)
        return link

    def chart() -> Iterator[str]:
        pools: dict[str, list[str]] = {}
        for n, (ind, scope, value) in enumerate(_rotated(views, count)):
            root = scope.root.code
            if root not in pools:
                codes = sorted(a.code for a in snap.areas_in(root, level))
                pools[root] = _spread(codes, count, 0.25)
            area = pools[root][n % len(pools[root])]
            yield url(ind, scope, value, "diagramm", gebiete=area)

    def change() -> Iterator[str]:
        for ind, scope, value in _rotated(views, 3 * count):
            periods = scope.periods_by_level[level]
            at = periods.index(value)
            if at:
                von = periods[max(0, at - CHANGE_STEPS)]
                yield url(ind, scope, value, "veraenderung", von=von, bis=value)

    return {
        "indicator: map": (url(*v, "karte") for v in views),
        "indicator: chart": chart(),
        "indicator: table": (url(*v, "tabelle") for v in _rotated(views, 2 * count)),
        "indicator: change": change(),
        "indicator: hot spots": (
            url(*v, "hotspots") for v in _rotated(views, 4 * count)
        ),
    }


def _compare_urls(codes: Sequence[str], count: int) -> Iterator[str]:
    """Pairs of areas spread over the level (between the profiles' areas): each
    with the next one, then with the one after, and so on."""
    pool = _spread(codes, count, 0.5)
    for step in range(1, max(2, len(pool) // 2 + 1)):
        for i, code in enumerate(pool):
            other = pool[(i + step) % len(pool)]
            if other != code:
                yield f"/vergleich?gebiete={code}&gebiete={other}"


def _methods_urls(snap: Snapshot, words: Sequence[str]) -> list[str]:
    """Filtered by topic, by word, then by both; then all of them in English
    (kinds in blocks: the page and its twin take every other URL of each)."""
    from sozialmonitor.web.urls import href

    slugs = [t.slug for t in snap.topics]
    views = [href("/methoden", "de", thema=s) for s in slugs]
    views += [href("/methoden", "de", q=w) for w in words]
    views += [href("/methoden", "de", thema=s, q=w) for w in words for s in slugs]
    return [*views, *(_english(v) for v in views)]


def cases(engine: Engine, *, level: str, period: str, runs: int) -> list[PageCase]:
    """The page types with ``2 * runs`` URLs each, built from the database.

    A fresh engine reads the catalogue, so that ``engine`` keeps nothing of it.
    """
    from sozialmonitor.store.database import connect
    from sozialmonitor.web.snapshot import snapshot
    from sozialmonitor.web.urls import href

    count = 2 * runs
    fresh = connect(engine.url.render_as_string(hide_password=False))
    try:
        snap = snapshot(fresh)
    finally:
        fresh.dispose()
    codes = sorted(a.code for a in snap.areas.values() if a.level == level)
    if not codes:
        raise SystemExit(f"no area at the level {level!r}")
    indicator_words = _words(i.name for i in snap.indicators)
    topic_words = _words(t.name for t in snap.topics)
    area_words = _words(snap.areas[c].name for c in _spread(codes, 4 * count))
    words = list(dict.fromkeys(indicator_words + topic_words))
    search_words = _words(_interleave(indicator_words, topic_words, area_words))
    views: dict[str, Iterable[str]] = {
        "start": _paired_languages(["/"]),
        "topic": _paired_languages([f"/thema/{t.slug}" for t in snap.topics]),
        **_indicator_urls(snap, level, period, count),
        "area profile": (f"/gebiet/{c}" for c in _spread(codes, count)),
        "compare": _compare_urls(codes, count),
        "methods": _methods_urls(snap, words),
        "search": (href("/suche", "de", q=w) for w in search_words),
    }
    # The Sozialindex pages of the stored indices, each period in both languages
    # (the demo's MSS 2021; at Germany size the SYNTHETIC benchmark index that
    # portal_index.py stores; without a stored index the case is left out).
    from sozialmonitor.web.pages.sozialindex_data import stored_indices

    index_urls = [
        f"/sozialindex/{index}?zeitraum={period}"
        for index, stored in stored_indices(snap).items()
        for period in stored.periods
    ]
    if index_urls:
        views["sozialindex"] = _paired_languages(index_urls)
    return [PageCase(name, _halves(urls, runs)) for name, urls in views.items()]
