"""Methods & data, the catalogue part: every public indicator by topic with its
kind and polarity in words, and the sources with their licences.

Both come from the snapshot alone (no read). The catalogue follows the page's
filter (a topic, and words for the indicator search: :func:`shown_indicators`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator, IndicatorKind, Polarity
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.site.config import NO_ORDER, Order
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

KIND_WORDS: dict[IndicatorKind, str] = {
    IndicatorKind.SHARE: "Anteil",
    IndicatorKind.RATE: "Rate (je Bezugsgröße)",
    IndicatorKind.COUNT: "Anzahl",
    IndicatorKind.MEAN: "Mittelwert",
    IndicatorKind.MEDIAN: "Median",
    IndicatorKind.INDEX: "Index",
}
POLARITY_WORDS: dict[Polarity, str] = {
    Polarity.HIGHER_IS_BETTER: "Höhere Werte sind günstiger.",
    Polarity.HIGHER_IS_WORSE: "Höhere Werte sind ungünstiger.",
    Polarity.NEUTRAL: "Neutral: höhere Werte sind weder günstiger noch ungünstiger.",
}
NOT_GIVEN = "ohne Angabe"


@dataclass(frozen=True, kw_only=True)
class CatalogueEntry:
    indicator: Indicator
    url: str
    kind_text: str
    polarity_text: str


@dataclass(frozen=True, kw_only=True)
class CatalogueTopic:
    name: str
    slug: str
    url: str
    entries: tuple[CatalogueEntry, ...]


@dataclass(frozen=True, kw_only=True)
class IndicatorLink:
    id: str
    name: str
    url: str


@dataclass(frozen=True, kw_only=True)
class SourceEntry:
    source: str
    licences: tuple[str, ...]
    indicators: tuple[IndicatorLink, ...]


def indicator_link(indicator: Indicator, lang: Language) -> IndicatorLink:
    """The indicator as a link to its page."""
    return IndicatorLink(
        id=indicator.id,
        name=indicator.name,
        url=href(f"/indikator/{indicator.id}", lang),
    )


def shown_indicators(
    snap: Snapshot, thema: str, q: str
) -> tuple[list[Indicator], bool]:
    """The indicators the filter keeps, in catalogue order; and if thema is unknown."""
    topic = snap.topic(thema) if thema else None
    chosen = list(topic.indicators) if topic else list(snap.indicators)
    if q.strip():
        found = {
            h.indicator.id for h in snap.search.find(q, limit=len(snap.indicators))
        }
        chosen = [i for i in chosen if i.id in found]
    return chosen, bool(thema) and topic is None


def catalogue(
    snap: Snapshot, shown: list[Indicator], t: Translator, order: Order = NO_ORDER
) -> tuple[CatalogueTopic, ...]:
    """The shown indicators by topic in the site's ``order``; within a topic the
    indicators the site names first, in its order, the others in German name
    order."""
    lang = t.lang
    ids = {i.id for i in shown}
    by_name = tuple(
        replace(topic, indicators=tuple(sorted(topic.indicators, key=_german_name)))
        for topic in snap.topics
    )
    found = []
    for topic in order.arrange(by_name):
        entries = tuple(
            CatalogueEntry(
                indicator=i,
                url=href(f"/indikator/{i.id}", lang),
                kind_text=t(KIND_WORDS[i.kind]),
                polarity_text=t(POLARITY_WORDS[i.polarity]),
            )
            for i in topic.indicators
            if i.id in ids
        )
        if entries:
            found.append(
                CatalogueTopic(
                    name=topic.name,
                    slug=topic.slug,
                    url=href(f"/thema/{topic.slug}", lang),
                    entries=entries,
                )
            )
    return tuple(found)


def _german_name(indicator: Indicator) -> str:
    return german_key(indicator.name)


def sources(snap: Snapshot, t: Translator) -> tuple[SourceEntry, ...]:
    """Every source with its licences and indicators; indicators without one last."""
    by_source: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in snap.indicators:
        by_source[indicator.source.strip()].append(indicator)
    return tuple(
        SourceEntry(
            source=source or t(NOT_GIVEN),
            licences=tuple(
                sorted(
                    {i.licence.strip() or t(NOT_GIVEN) for i in found}, key=german_key
                )
            ),
            indicators=tuple(
                indicator_link(i, t.lang)
                for i in sorted(found, key=lambda i: german_key(i.name))
            ),
        )
        for source, found in sorted(
            by_source.items(), key=lambda item: (not item[0], german_key(item[0]))
        )
    )
