"""The map of data gaps (``/datenluecken``), its content: the filter, the legend,
the heatmap per level and the paged table — one function for the page and its JSON
twin. The matrix itself comes from :mod:`~sozialmonitor.web.pages.gaps_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from sozialmonitor.analysis.gaps import GapCell, GapStatus
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import Option
from sozialmonitor.web.pages.gaps_matrix import (
    chosen_top,
    gap_tops,
    selected_matrix,
    visible_levels,
)
from sozialmonitor.web.pages.indicator_context import PageLink, Paging
from sozialmonitor.web.pages.methods_catalogue import IndicatorLink, indicator_link
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

VIEWS = (("karte", "Heatmap"), ("tabelle", "Tabelle"))
"""``ansicht`` → label; the first is the default."""
TABLE_PAGE_SIZE = 200
"""Rows per page of the table view; the downloads hold all of them."""

SIGNS: dict[GapStatus, str] = {
    GapStatus.PRESENT: "✓",
    GapStatus.PARTLY: "◐",
    GapStatus.SUPPRESSED: ".",
    GapStatus.MISSING: "–",
}
"""The sign each status shows besides its colour (never colour alone)."""
STATUS_WORDS: dict[GapStatus, str] = {
    GapStatus.PRESENT: "vorhanden",
    GapStatus.PARTLY: "teilweise",
    GapStatus.SUPPRESSED: "geheim gehalten",
    GapStatus.MISSING: "fehlt",
}
STATUS_EXPLANATIONS: dict[GapStatus, str] = {
    GapStatus.PRESENT: "Für alle Gebiete der Raumebene gibt es einen Wert.",
    GapStatus.PARTLY: "Für einen Teil der Gebiete gibt es einen Wert (n von m).",
    GapStatus.SUPPRESSED: "Es gibt Werte, aber keiner darf gezeigt werden "
    "(Schutz kleiner Fallzahlen oder von der Quelle geheim gehalten).",
    GapStatus.MISSING: "Für kein Gebiet der Raumebene gibt es einen Wert.",
}


# --- the page's content -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GapsFilter:
    gebiet: str
    """The top area whose areas are counted, or empty when there is only one."""
    ebene: str
    """Level code, or empty for all."""
    thema: str
    """Topic slug, or empty for all."""
    ansicht: str
    """``karte`` (heatmap) or ``tabelle``."""
    tops: tuple[Option, ...]
    """The top areas to choose from (empty with a single top area)."""
    levels: tuple[Option, ...]
    topics: tuple[Option, ...]
    views: tuple[Option, ...]
    notes: tuple[str, ...]
    """What the filter could not follow (an unknown level or topic)."""


@dataclass(frozen=True, kw_only=True)
class LegendEntry:
    status: str
    sign: str
    label: str
    explanation: str


@dataclass(frozen=True, kw_only=True)
class ShownCell:
    """One cell as the page shows it: the counts, a sign and a short text (so the
    colour is never alone), and the whole statement for screen readers."""

    cell: GapCell
    sign: str
    label: str
    """The status in words (``teilweise``)."""
    short: str
    """``7/12`` (areas with values of the level's areas)."""
    marks: str
    """``p``, ``.``, ``v`` and ``Σ`` markers: provisional, suppressed, confidential
    and computed values in the cell."""
    description: str
    """``teilweise: 7 von 12 Gebieten, 2 geheim gehalten, 1 vorläufig``."""


@dataclass(frozen=True, kw_only=True)
class PeriodColumn:
    code: str
    label: str


@dataclass(frozen=True, kw_only=True)
class HeatRow:
    indicator: IndicatorLink
    topic: str
    cells: tuple[ShownCell, ...]
    """One per period column."""


@dataclass(frozen=True, kw_only=True)
class Heatmap:
    """One level: indicators × periods."""

    level: str
    label: str
    areas: int
    areas_text: str
    periods: tuple[PeriodColumn, ...]
    rows: tuple[HeatRow, ...]
    summary: str
    """``120 Zellen: 80 vorhanden, 20 teilweise, …``."""


@dataclass(frozen=True, kw_only=True)
class TableRow:
    indicator: IndicatorLink
    level_label: str
    period_label: str
    shown: ShownCell
    numbers: tuple[str, ...]
    """Areas with values, areas, suppressed, provisional (and for the
    administration confidential), formatted."""


@dataclass(frozen=True, kw_only=True)
class Download:
    label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class GapsPage:
    filter: GapsFilter
    legend: tuple[LegendEntry, ...]
    heatmaps: tuple[Heatmap, ...]
    """The heatmap view (empty in the table view)."""
    table: tuple[TableRow, ...]
    """The table view's page (empty in the heatmap view)."""
    paging: Paging | None
    """The table view's pages (None in the heatmap view)."""
    downloads: tuple[Download, ...]
    public_view: bool
    """A signed-in reader with an area scope sees the public map."""


def _shown(cell: GapCell, t: Translator) -> ShownCell:
    lang = t.lang
    marks = []
    parts = [
        t(
            "{n} von {m} Gebieten",
            n=formatting.number(cell.areas_with_values, 0, lang),
            m=formatting.number(cell.areas, 0, lang),
        )
    ]
    if cell.suppressed:
        if cell.status is not GapStatus.SUPPRESSED:
            marks.append(".")
        parts.append(
            t("{n} geheim gehalten", n=formatting.number(cell.suppressed, 0, lang))
        )
    if cell.provisional:
        marks.append("p")
        parts.append(t("{n} vorläufig", n=formatting.number(cell.provisional, 0, lang)))
    if cell.confidential:
        marks.append("v")
        parts.append(
            t("{n} vertraulich", n=formatting.number(cell.confidential, 0, lang))
        )
    if cell.computed:
        marks.append("Σ")
        parts.append(t("aus den Gebieten darunter berechnet"))
    return ShownCell(
        cell=cell,
        sign=SIGNS[cell.status],
        label=t(STATUS_WORDS[cell.status]),
        short=f"{cell.areas_with_values}/{cell.areas}",
        marks=" ".join(marks),
        description=f"{t(STATUS_WORDS[cell.status])}: " + ", ".join(parts),
    )


def _numbers(cell: GapCell, lang: Language, internal: bool) -> tuple[str, ...]:
    found = [cell.areas_with_values, cell.areas, cell.suppressed, cell.provisional]
    if internal:
        found.append(cell.confidential)
    return tuple(formatting.number(n, 0, lang) for n in found)


def _summary(cells: list[GapCell], t: Translator) -> str:
    found = dict.fromkeys(GapStatus, 0)
    for cell in cells:
        found[cell.status] += 1
    parts = ", ".join(
        f"{formatting.number(n, 0, t.lang)} {t(STATUS_WORDS[s])}"
        for s, n in found.items()
    )
    return t.plural(
        "{n} Zelle: {parts}", "{n} Zellen: {parts}", len(cells), parts=parts
    )


def _filter(
    snap: Snapshot, gebiet: str, ebene: str, thema: str, ansicht: str, t: Translator
) -> tuple[GapsFilter, str | None, str | None, str | None]:
    top = chosen_top(snap, gebiet)
    levels = visible_levels(snap, top)
    notes = []
    if gebiet and top is not None and top != gebiet:
        notes.append(
            t(
                "„{code}“ ist kein Gebiet der obersten Ebene; gezeigt wird {name}.",
                code=gebiet,
                name=snap.areas[top].name,
            )
        )
    level = ebene if any(lvl.code == ebene for lvl in levels) else None
    if ebene and level is None:
        notes.append(
            t(
                "Eine Raumebene „{code}“ gibt es nicht; gezeigt werden alle "
                "Raumebenen.",
                code=ebene,
            )
        )
    topic = snap.topic(thema) if thema else None
    if thema and topic is None:
        notes.append(
            t(
                "Ein Themenfeld „{slug}“ gibt es nicht; gezeigt werden alle "
                "Themenfelder.",
                slug=thema,
            )
        )
    view = ansicht if ansicht in dict(VIEWS) else VIEWS[0][0]
    return (
        GapsFilter(
            gebiet=top or "",
            ebene=level or "",
            thema=topic.slug if topic else "",
            ansicht=view,
            tops=tuple(
                Option(value=a.code, label=a.name, selected=a.code == top)
                for a in (gap_tops(snap) if top is not None else ())
            ),
            levels=tuple(
                Option(value=lvl.code, label=lvl.label, selected=lvl.code == level)
                for lvl in levels
            ),
            topics=tuple(
                Option(value=tp.slug, label=tp.name, selected=topic is tp)
                for tp in snap.topics
            ),
            views=tuple(
                Option(value=code, label=t(label), selected=code == view)
                for code, label in VIEWS
            ),
            notes=tuple(notes),
        ),
        level,
        topic.slug if topic else None,
        top,
    )


def gaps_page(
    engine: Engine,
    snap: Snapshot,
    lang: Language,
    *,
    gebiet: str = "",
    ebene: str = "",
    thema: str = "",
    ansicht: str = "",
    seite: int = 1,
) -> GapsPage:
    """The map of data gaps as the snapshot's audience may see it.

    Parameters
    ----------
    engine
        The database (read once per data version, through the gate's counts).
    snap
        The reader's catalogue.
    lang
        Language of texts and numbers.
    gebiet
        The top area whose areas are counted (with several top areas; default
        and for an unknown code: the first, named in ``filter.notes``).
    ebene, thema
        Level code and topic slug filtering the map; unknown ones are named in
        ``filter.notes`` and ignored.
    ansicht
        ``karte`` (heatmap per level, the default) or ``tabelle`` (one row per cell).
    seite
        The table's page (from 1; one too far shows the last).
    """
    t = Translator(lang=lang)
    shown_filter, level, topic, top = _filter(snap, gebiet, ebene, thema, ansicht, t)
    matrix = selected_matrix(engine, snap, level, topic, top)
    links = {i.id: indicator_link(i, lang) for i in matrix.indicators}
    labels = {p: formatting.period_label(p, lang) for p in matrix.periods}
    heatmaps: list[Heatmap] = []
    table: list[TableRow] = []
    paging: Paging | None = None
    params: dict[str, Any] = {"gebiet": top, "ebene": level, "thema": topic}
    if shown_filter.ansicht == "karte":
        for lvl in matrix.levels:
            cells = [
                matrix.cell(i.id, lvl.code, p)
                for i in matrix.indicators
                for p in matrix.periods
            ]
            areas = cells[0].areas if cells else 0
            heatmaps.append(
                Heatmap(
                    level=lvl.code,
                    label=lvl.label,
                    areas=areas,
                    areas_text=t.plural("{n} Gebiet", "{n} Gebiete", areas),
                    periods=tuple(
                        PeriodColumn(code=p, label=labels[p]) for p in matrix.periods
                    ),
                    rows=tuple(
                        HeatRow(
                            indicator=links[i.id],
                            topic=i.topic,
                            cells=tuple(
                                _shown(matrix.cell(i.id, lvl.code, p), t)
                                for p in matrix.periods
                            ),
                        )
                        for i in matrix.indicators
                    ),
                    summary=_summary(cells, t),
                )
            )
    else:
        level_labels = {lvl.code: lvl.label for lvl in matrix.levels}
        rows = matrix.rows()
        paging = paging_of(
            len(rows),
            seite,
            lambda n: href("/datenluecken", lang, **params, ansicht="tabelle", seite=n),
        )
        start = (paging.page - 1) * TABLE_PAGE_SIZE
        table = [
            TableRow(
                indicator=links[cell.indicator],
                level_label=level_labels[cell.level],
                period_label=labels[cell.period],
                shown=_shown(cell, t),
                numbers=_numbers(cell, lang, snap.audience.internal),
            )
            for cell in rows[start : start + TABLE_PAGE_SIZE]
        ]
    return GapsPage(
        filter=shown_filter,
        legend=tuple(
            LegendEntry(
                status=s.value,
                sign=SIGNS[s],
                label=t(STATUS_WORDS[s]),
                explanation=t(STATUS_EXPLANATIONS[s]),
            )
            for s in GapStatus
        ),
        heatmaps=tuple(heatmaps),
        table=tuple(table),
        paging=paging,
        downloads=(
            Download(
                label="CSV", url=href("/datenluecken/download.csv", lang, **params)
            ),
            Download(
                label=t("CSV für Excel (deutsch)"),
                url=href("/datenluecken/download.csv", lang, **params, format="csv-de"),
            ),
            Download(
                label="XLSX", url=href("/datenluecken/download.xlsx", lang, **params)
            ),
        ),
        public_view=snap.audience.scoped,
    )


def paging_of(total: int, page: int, url: Callable[[int], str]) -> Paging:
    """Which rows the table's page ``page`` shows (a page too far: the last), and
    links to the first, last and nearby pages."""
    pages = max(1, -(-total // TABLE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * TABLE_PAGE_SIZE
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[PageLink | None] = []
    for number in wanted:
        if links and links[-1] is not None and int(links[-1].label) < number - 1:
            links.append(None)
        links.append(
            PageLink(label=str(number), url=url(number), current=number == page)
        )
    return Paging(
        total=total,
        page=page,
        pages=pages,
        first=start + 1 if total else 0,
        last=min(total, start + TABLE_PAGE_SIZE),
        links=tuple(links) if pages > 1 else (),
        previous_url=url(page - 1) if page > 1 else None,
        next_url=url(page + 1) if page < pages else None,
    )
