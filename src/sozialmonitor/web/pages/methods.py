"""Methods & data: the indicator catalogue, sources, release history with what each
release changed, which indicator exists for which level and years, and how to read
signs, comparisons and classes.

Everything but the release changes comes from the snapshot (no read at all). The
changes of a release compare the whole data as of that release with the whole data as
of the previous published one; that is cheap for a Kreis or a city (a few hundred
thousand values) and is kept per data version, but it reads every value twice, so
above ``DIFF_VALUE_LIMIT`` values the page points to the command line instead.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator, IndicatorKind, Polarity
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.store import queries
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    render,
    request_language,
    to_json,
)
from sozialmonitor.web.problems import problem
from sozialmonitor.web.snapshot import AUDIENCE, Scope, Snapshot
from sozialmonitor.web.urls import href

router = APIRouter()

DIFF_VALUE_LIMIT = 500_000
"""Largest number of stored values for which the page compares two releases itself
(about two seconds, once per data version)."""

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
STATUS_WORDS: dict[ReleaseStatus, str] = {
    ReleaseStatus.DRAFT: "Entwurf",
    ReleaseStatus.VALIDATED: "geprüft, noch nicht veröffentlicht",
    ReleaseStatus.PUBLISHED: "veröffentlicht",
    ReleaseStatus.WITHDRAWN: "zurückgezogen",
}
NOT_GIVEN = "ohne Angabe"


# --- content ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, kw_only=True)
class CatalogueFilter:
    thema: str
    """Topic slug, or empty for all."""
    q: str
    """Text filter (the indicator search)."""
    topics: tuple[Option, ...]
    unknown_topic: bool
    """Whether ``thema`` names no topic (then all topics are shown)."""


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


@dataclass(frozen=True, kw_only=True)
class ReleaseEntry:
    name: str
    status: ReleaseStatus
    status_text: str
    created_text: str
    published_text: str
    withdrawn_text: str
    note: str
    changes_url: str
    """Link to its changes (published releases only), else empty."""
    selected: bool


@dataclass(frozen=True, kw_only=True)
class IndicatorChanges:
    indicator: IndicatorLink
    new: int
    changed: int
    removed: int
    texts: tuple[str, str, str]
    """The three numbers formatted (``1.234``)."""


@dataclass(frozen=True, kw_only=True)
class ReleaseChanges:
    """What one published release changed against the previous published one."""

    release: str
    previous: str | None
    """The previous published release; None for the first publication."""
    available: bool
    """False when the page does not compute them (see ``note``)."""
    summary: str
    """``Erstveröffentlichung: 22.152 Werte`` or ``12 Werte neu, 3 geändert, …``."""
    note: str
    new: int
    changed: int
    removed: int
    texts: tuple[str, str, str]
    """The three totals formatted."""
    by_indicator: tuple[IndicatorChanges, ...]


@dataclass(frozen=True, kw_only=True)
class LevelColumn:
    code: str
    label: str


@dataclass(frozen=True, kw_only=True)
class AvailabilityCell:
    level: str
    first: str
    last: str
    periods: int
    text: str
    """``1998–2021 (24)``."""
    areas: int
    areas_text: str
    computed: bool
    """Values of this level are computed from the areas below (``berechnet``)."""


@dataclass(frozen=True, kw_only=True)
class AvailabilityRow:
    indicator: IndicatorLink
    cells: tuple[AvailabilityCell | None, ...]
    """One per level column of its group; None where the level has no values."""


@dataclass(frozen=True, kw_only=True)
class AvailabilityGroup:
    """The indicators with values below one top-level area (one table)."""

    area: Area
    levels: tuple[LevelColumn, ...]
    """The levels any of its indicators has values for, largest first."""
    rows: tuple[AvailabilityRow, ...]


@dataclass(frozen=True, kw_only=True)
class Availability:
    groups: tuple[AvailabilityGroup, ...]
    without_values: tuple[IndicatorLink, ...]
    """Shown indicators with no published value at all."""


@dataclass(frozen=True, kw_only=True)
class MethodsPage:
    filter: CatalogueFilter
    catalogue: tuple[CatalogueTopic, ...]
    shown: int
    """Indicators in the (filtered) catalogue."""
    total: int
    """Public indicators."""
    sources: tuple[SourceEntry, ...]
    releases: tuple[ReleaseEntry, ...]
    changes: ReleaseChanges | None
    """Changes of the chosen (default: newest) published release."""
    unknown_release: str
    """The ``datenstand`` asked for when no release has that name, else empty."""
    availability: Availability


# --- building it ------------------------------------------------------------------


def _link(indicator: Indicator, lang: Language) -> IndicatorLink:
    return IndicatorLink(
        id=indicator.id,
        name=indicator.name,
        url=href(f"/indikator/{indicator.id}", lang),
    )


def _shown(snap: Snapshot, thema: str, q: str) -> tuple[list[Indicator], bool]:
    """The indicators the filter keeps, in catalogue order; and if thema is unknown."""
    topic = snap.topic(thema) if thema else None
    chosen = list(topic.indicators) if topic else list(snap.indicators)
    if q.strip():
        found = {
            h.indicator.id for h in snap.search.find(q, limit=len(snap.indicators))
        }
        chosen = [i for i in chosen if i.id in found]
    return chosen, bool(thema) and topic is None


def _catalogue(
    snap: Snapshot, shown: list[Indicator], t: Translator
) -> tuple[CatalogueTopic, ...]:
    lang = t.lang
    ids = {i.id for i in shown}
    found = []
    for topic in snap.topics:
        entries = tuple(
            CatalogueEntry(
                indicator=i,
                url=href(f"/indikator/{i.id}", lang),
                kind_text=t(KIND_WORDS[i.kind]),
                polarity_text=t(POLARITY_WORDS[i.polarity]),
            )
            for i in sorted(topic.indicators, key=lambda i: german_key(i.name))
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


def _sources(snap: Snapshot, t: Translator) -> tuple[SourceEntry, ...]:
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
                _link(i, t.lang)
                for i in sorted(found, key=lambda i: german_key(i.name))
            ),
        )
        for source, found in sorted(
            by_source.items(), key=lambda item: (not item[0], german_key(item[0]))
        )
    )


def _published(snap: Snapshot) -> list[Release]:
    return sorted(
        (
            r
            for r in snap.releases
            if r.status is ReleaseStatus.PUBLISHED and r.sequence is not None
        ),
        key=lambda r: r.sequence or 0,
    )


def _date(value: object, lang: Language) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return formatting.date(value, lang)
    return formatting.NO_VALUE_SIGN


def _releases(
    snap: Snapshot, chosen: str | None, t: Translator
) -> tuple[ReleaseEntry, ...]:
    lang = t.lang
    return tuple(
        ReleaseEntry(
            name=r.name,
            status=r.status,
            status_text=t(STATUS_WORDS[r.status]),
            created_text=_date(r.created_at, lang),
            published_text=_date(r.published_at, lang),
            withdrawn_text=_date(r.withdrawn_at, lang),
            note=r.note,
            changes_url=href("/methoden", lang, datenstand=r.name) + "#aenderungen"
            if r.status is ReleaseStatus.PUBLISHED
            else "",
            selected=r.name == chosen,
        )
        for r in reversed(snap.releases)
    )


Counts = dict[str, Counter[str]]
"""Indicator id → change kind (new, changed, removed) → number of values."""


def _count_changes(
    conn: Connection, snap: Snapshot, release: Release, previous: Release | None
) -> Counts:
    """Per public indicator: values new, changed and removed by ``release``."""
    public = snap.indicator_by_id
    counts: Counts = defaultdict(Counter)
    if previous is None:
        query = queries.ObservationQuery(as_of=release.name, computed=False)
        for obs in queries.read_observations(conn, query, audience=AUDIENCE):
            counts[obs.indicator]["new"] += 1
    else:
        for change in queries.release_diff(conn, previous.name, release.name):
            if change.indicator in public:  # the diff also sees internal ones
                counts[change.indicator][change.change] += 1
    return dict(counts)


def stored_values(snap: Snapshot) -> int:
    """Upper bound of the stored values, from the coverage (no read)."""
    return sum(c.areas * len(c.periods) for c in snap.coverage)


def _counts_text(
    new: int, changed: int, removed: int, lang: Language
) -> tuple[str, str, str]:
    return (
        formatting.number(new, 0, lang),
        formatting.number(changed, 0, lang),
        formatting.number(removed, 0, lang),
    )


def release_changes(
    conn: Connection, snap: Snapshot, release: Release, t: Translator
) -> ReleaseChanges:
    """What a published release changed against the previous published one.

    Parameters
    ----------
    conn
        A connection for the read gate.
    snap
        The catalogue with the releases.
    release
        A release of ``snap.releases``.
    t
        Translator of the page's language.

    Returns
    -------
    ReleaseChanges
        Counts per indicator (kept per data version); ``available`` is False for a
        release that is not published and above ``DIFF_VALUE_LIMIT`` values.
    """
    lang = t.lang
    published = _published(snap)
    earlier = [r for r in published if (r.sequence or 0) < (release.sequence or 0)]
    previous = earlier[-1] if earlier else None

    def empty(note: str) -> ReleaseChanges:
        return ReleaseChanges(
            release=release.name,
            previous=previous.name if previous else None,
            available=False,
            summary="",
            note=note,
            new=0,
            changed=0,
            removed=0,
            texts=("", "", ""),
            by_indicator=(),
        )

    if release not in published:
        return empty(
            t("Nur veröffentlichte Datenstände haben eine Übersicht ihrer Änderungen.")
        )
    if stored_values(snap) > DIFF_VALUE_LIMIT:
        if previous is None:
            return empty(
                t(
                    "Erstveröffentlichung. Bei so vielen Werten werden sie hier "
                    "nicht gezählt."
                )
            )
        return empty(
            t(
                "Bei so vielen Werten wird die Übersicht hier nicht berechnet; "
                "die Kommandozeile zeigt sie: {command}",
                command=f"sozialmonitor release diff '{previous.name}' "
                f"'{release.name}'",
            )
        )
    counts = snap.remember(
        ("release-changes", release.name),
        lambda: _count_changes(conn, snap, release, previous),
    )
    rows = tuple(
        IndicatorChanges(
            indicator=_link(snap.indicator_by_id[code], lang),
            new=found["new"],
            changed=found["changed"],
            removed=found["removed"],
            texts=_counts_text(found["new"], found["changed"], found["removed"], lang),
        )
        for code, found in sorted(
            counts.items(),
            key=lambda item: german_key(snap.indicator_by_id[item[0]].name),
        )
    )
    new = sum(r.new for r in rows)
    changed = sum(r.changed for r in rows)
    removed = sum(r.removed for r in rows)
    if previous is None:
        summary = t(
            "Erstveröffentlichung: {n} Werte", n=formatting.number(new, 0, lang)
        )
    elif not rows:
        summary = t("Keine Änderung gegenüber {previous}.", previous=previous.name)
    else:
        summary = t(
            "Gegenüber {previous}: {new} Werte neu, {changed} geändert, "
            "{removed} entfernt.",
            previous=previous.name,
            new=formatting.number(new, 0, lang),
            changed=formatting.number(changed, 0, lang),
            removed=formatting.number(removed, 0, lang),
        )
    return ReleaseChanges(
        release=release.name,
        previous=previous.name if previous else None,
        available=True,
        summary=summary,
        note="",
        new=new,
        changed=changed,
        removed=removed,
        texts=_counts_text(new, changed, removed, lang),
        by_indicator=rows,
    )


AreaCounts = dict[tuple[str, str], dict[str, tuple[int, bool]]]
"""(indicator, top area) → level → (areas with values, computed)."""


def _area_counts(snap: Snapshot) -> AreaCounts:
    """Areas with values per indicator, top area and level, from the coverage."""
    stored: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    computable: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for item in snap.coverage:
        if item.under not in snap.areas:
            continue
        key = (item.indicator, snap.root_of[item.under])
        stored[key][item.level] += item.areas
        under = snap.areas[item.under]
        if under.level != item.level:  # the values of children: parents computable
            for area in (under, *snap.ancestors(under.code)):
                computable[key][area.level].add(area.code)
    found: AreaCounts = {}
    for key in stored.keys() | computable.keys():
        levels = {level: (n, False) for level, n in stored[key].items()}
        for level, codes in computable[key].items():
            levels.setdefault(level, (len(codes), True))
        found[key] = levels
    return found


def period_range(periods: tuple[str, ...], lang: Language) -> str:
    """``1998–2021 (24)``; one period alone without a count.

    Examples
    --------
    >>> period_range(("2019", "2020", "2021"), "de")
    '2019–2021 (3)'
    >>> period_range(("2020-12-31",), "de")
    '31.12.2020'
    """
    first = formatting.period_label(periods[0], lang)
    if len(periods) == 1:
        return first
    last = formatting.period_label(periods[-1], lang)
    return f"{first}–{last} ({len(periods)})"


def _cell(
    level: str,
    periods: tuple[str, ...] | None,
    areas: dict[str, tuple[int, bool]],
    t: Translator,
) -> AvailabilityCell | None:
    if not periods:
        return None
    n, computed = areas.get(level, (0, True))
    return AvailabilityCell(
        level=level,
        first=periods[0],
        last=periods[-1],
        periods=len(periods),
        text=period_range(periods, t.lang),
        areas=n,
        areas_text=t("1 Gebiet")
        if n == 1
        else t("{n} Gebiete", n=formatting.number(n, 0, t.lang)),
        computed=computed,
    )


def _availability(
    snap: Snapshot, shown: list[Indicator], t: Translator
) -> Availability:
    lang = t.lang
    counts = snap.remember("availability-areas", lambda: _area_counts(snap))
    by_root: dict[str, list[tuple[Indicator, Scope]]] = defaultdict(list)
    without = []
    for indicator in sorted(shown, key=lambda i: german_key(i.name)):
        scopes = snap.scopes_for(indicator)
        if not scopes:
            without.append(_link(indicator, lang))
        for scope in scopes:
            by_root[scope.root.code].append((indicator, scope))
    groups = []
    for root in sorted(by_root, key=lambda code: german_key(snap.areas[code].name)):
        found = by_root[root]
        used = {level for _i, scope in found for level in scope.periods_by_level}
        columns = tuple(
            LevelColumn(code=lvl.code, label=lvl.label)
            for lvl in snap.levels
            if lvl.code in used
        )
        rows = tuple(
            AvailabilityRow(
                indicator=_link(indicator, lang),
                cells=tuple(
                    _cell(
                        column.code,
                        scope.periods_by_level.get(column.code),
                        counts.get((indicator.id, root), {}),
                        t,
                    )
                    for column in columns
                ),
            )
            for indicator, scope in found
        )
        groups.append(
            AvailabilityGroup(area=snap.areas[root], levels=columns, rows=rows)
        )
    return Availability(groups=tuple(groups), without_values=tuple(without))


def methods_page(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    *,
    thema: str = "",
    q: str = "",
    datenstand: str | None = None,
) -> MethodsPage:
    """The methods & data page.

    Parameters
    ----------
    conn
        A connection for the read gate (only the release changes read values).
    snap
        The catalogue.
    lang
        Language of texts and numbers.
    thema
        Topic slug filtering the catalogue and the availability table.
    q
        Words filtering the catalogue and the availability table (the indicator
        search: umlauts and word forms do not matter).
    datenstand
        The release whose changes are shown; default the newest published one.

    Returns
    -------
    MethodsPage
        With ``unknown_release`` set (and no changes) when ``datenstand`` names
        no release.
    """
    t = Translator(lang=lang)
    shown, unknown_topic = _shown(snap, thema, q)
    chosen: Release | None
    if datenstand:
        chosen = next((r for r in snap.releases if r.name == datenstand), None)
    else:
        published = _published(snap)
        chosen = published[-1] if published else None
    return MethodsPage(
        filter=CatalogueFilter(
            thema=thema,
            q=q,
            topics=tuple(
                Option(value=topic.slug, label=topic.name, selected=topic.slug == thema)
                for topic in snap.topics
            ),
            unknown_topic=unknown_topic,
        ),
        catalogue=_catalogue(snap, shown, t),
        shown=len(shown),
        total=len(snap.indicators),
        sources=_sources(snap, t),
        releases=_releases(snap, chosen.name if chosen else None, t),
        changes=release_changes(conn, snap, chosen, t) if chosen else None,
        unknown_release=datenstand if datenstand and chosen is None else "",
        availability=_availability(snap, shown, t),
    )


# --- routes -----------------------------------------------------------------------


def _page(
    request: Request, thema: str, q: str, datenstand: str | None
) -> tuple[Snapshot, MethodsPage]:
    snap = current_snapshot(request)
    with request.app.state.engine.connect() as conn:
        page = methods_page(
            conn,
            snap,
            request_language(request),
            thema=thema,
            q=q,
            datenstand=datenstand,
        )
    return snap, page


@router.get("/methoden", response_class=HTMLResponse, include_in_schema=False)
def methods_html(
    request: Request, thema: str = "", q: str = "", datenstand: str | None = None
) -> HTMLResponse:
    snap, page = _page(request, thema, q, datenstand)
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request, snap, title=t("Methoden & Daten"), crumbs=((t("Start"), "/"),)
    )
    response = render(request, "methods.html", frame=frame, page=page)
    if page.unknown_release:
        response.status_code = 404
    return response


@router.get("/api/v1/pages/methoden", tags=["pages"], response_model=None)
def methods_json(
    request: Request, thema: str = "", q: str = "", datenstand: str | None = None
) -> Response:
    """The methods & data page as JSON (same parameters as ``/methoden``)."""
    snap, page = _page(request, thema, q, datenstand)
    if page.unknown_release:
        known = ", ".join(r.name for r in snap.releases) or "none yet"
        return problem(
            404,
            "Not found",
            f"There is no release named '{page.unknown_release}'. Releases: {known}.",
            "unknown-release",
        )
    return JSONResponse(to_json(page))
