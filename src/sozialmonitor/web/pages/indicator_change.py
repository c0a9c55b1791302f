"""The change view of the indicator page: each area's change between two periods
of the level (``von``, ``bis``), sorted and paged, with the top area's change, the
Vega bar chart the page compiles when it renders (``Later``) and a data table as
its alternative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Observation
from sozialmonitor.web import charts, formatting
from sozialmonitor.web.page import Later, made_later
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.indicator_context import (
    Context,
    Paging,
    SortLink,
    paged,
    quoted,
    sort_links,
    sorted_positions,
)
from sozialmonitor.web.pages.indicator_series import distinct_names
from sozialmonitor.web.pages.indicator_views import (
    extremes,
    first_by_name,
)
from sozialmonitor.web.values import shown_value


@dataclass(frozen=True, kw_only=True)
class ChangeRow:
    code: str
    name: str
    url: str
    before: float | None
    before_text: str
    after: float | None
    after_text: str
    change: float | None
    """Absolute change (percentage points for shares)."""
    change_text: str
    relative: float | None
    """Change in percent of the earlier value."""
    relative_text: str
    measure: float | None
    """What is charted and sorted: relative for counts, else absolute."""


@dataclass(frozen=True, kw_only=True)
class ChangeView:
    chart_id: str
    title: str
    von: str
    bis: str
    von_text: str
    bis_text: str
    measure_label: str
    """``Veränderung in Prozentpunkten`` and the like."""
    relative: bool
    """Whether counts: the relative change is charted and sorted."""
    root: ChangeRow
    rows: tuple[ChangeRow, ...]
    """The rows of this page."""
    paging: Paging
    name_sort: SortLink
    value_sort: SortLink
    break_note: str
    boundary_note: str
    """Why earlier values are missing: areas that did not exist yet (the view lists
    the areas valid in the later period)."""
    note: str
    """Why there is nothing to compare, if so."""
    spec: Later = made_later()
    """The compiled Vega spec as JSON, safe inside ``<script>``."""


class ChangeEntry(NamedTuple):
    """One area's change, unformatted: made for the rows a page shows."""

    area: Area
    before: Observation | None
    after: Observation | None
    absolute: float | None
    relative: float | None
    measure: float | None
    """Relative for counts, else absolute: what is charted and sorted."""


@dataclass(frozen=True, kw_only=True)
class Changes:
    before: data.LevelPeriod
    after: data.LevelPeriod
    absolute: data.FloatArray
    """Each area's change (NaN where a value is missing); by position."""
    relative: data.FloatArray
    """In percent of the value before (NaN also where that is 0)."""
    measure: data.FloatArray
    """Relative for counts, else absolute: what is charted and sorted."""
    order: list[int]
    """Positions of the areas, sorted as the view asks."""
    root: ChangeEntry
    breaks: list[str]
    """Periods after ``von`` up to ``bis`` that break the series."""
    newer: int
    """Areas listed (valid in ``bis``) that began after ``von`` ended."""

    def entry(self, position: int) -> ChangeEntry:
        return ChangeEntry(
            self.before.areas[position],
            self.before.observation(position),
            self.after.observation(position),
            data.known(self.absolute[position]),
            data.known(self.relative[position]),
            data.known(self.measure[position]),
        )

    @property
    def entries(self) -> list[ChangeEntry]:
        """Every area, sorted as the view asks."""
        return [self.entry(i) for i in self.order]


def change_entries(ctx: Context) -> Changes:
    """Each area's change from ``von`` to ``bis``, the top area's change, and the
    periods in between that break the series (seen in the top area's values, which
    carry the break flags of the areas below, and in the level's values of ``bis``).
    """
    view, indicator = ctx.view, ctx.indicator
    assert view.ebene and view.von and view.bis
    von, bis = view.von, view.bis
    # Both periods on the areas of the later one: an area that began in between
    # has no earlier value (the page says why).
    values = data.level_values(
        ctx.conn,
        ctx.snap,
        indicator,
        ctx.root.code,
        view.ebene,
        [von, bis],
        on=data.period_end(bis),
    )
    before, after = values[von], values[bis]
    newer = _began_after(ctx, after.areas, data.period_end(bis), data.period_end(von))
    between = view.periods[view.periods.index(von) + 1 : view.periods.index(bis) + 1]
    roots = data.root_values(
        ctx.conn, ctx.snap, indicator, ctx.root.code, [von, *between]
    )
    breaks = {p for p in between if (o := roots.get(p)) and o.flags & data.BREAK}
    if von != bis and (after.flags & data.BREAK).any():
        breaks.add(bis)
    absolute = after.shown - before.shown
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(before.shown != 0, absolute / before.shown * 100, np.nan)
    measure = relative if data.uses_relative_change(indicator) else absolute
    return Changes(
        before=before,
        after=after,
        absolute=absolute,
        relative=relative,
        measure=measure,
        order=sorted_positions(measure, view.sortierung),
        root=_root_change(ctx, roots.get(von), roots.get(bis)),
        breaks=[p for p in view.periods if p in breaks],
        newer=newer,
    )


def _began_after(
    ctx: Context, areas: Sequence[Area], valid_on: dt.date, day: dt.date
) -> int:
    """How many of the areas (those valid on ``valid_on``) began after ``day``;
    kept per data version (a level at Germany size has 11,000 areas)."""
    root, level = ctx.root.code, ctx.view.ebene
    vintage = ctx.snap.vintage(root, level, valid_on)
    return ctx.snap.remember(
        ("began-after", root, level, vintage, day),
        lambda: sum(
            1 for a in areas if a.valid_from is not None and a.valid_from > day
        ),
    )


def _root_change(
    ctx: Context, first: Observation | None, last: Observation | None
) -> ChangeEntry:
    old, new = shown_value(first), shown_value(last)
    if old is None or new is None:
        return ChangeEntry(ctx.root, first, last, None, None, None)
    absolute = new - old
    rel = absolute / old * 100 if old else None
    measure = rel if data.uses_relative_change(ctx.indicator) else absolute
    return ChangeEntry(ctx.root, first, last, absolute, rel, measure)


def change_row(ctx: Context, entry: ChangeEntry) -> ChangeRow:
    indicator, lang = ctx.indicator, ctx.lang
    return ChangeRow(
        code=entry.area.code,
        name=entry.area.name,
        url=ctx.area_url(entry.area.code),
        before=shown_value(entry.before),
        before_text=ctx.value(entry.before),
        after=shown_value(entry.after),
        after_text=ctx.value(entry.after),
        change=entry.absolute,
        change_text=formatting.change(entry.absolute, indicator, lang),
        relative=entry.relative,
        relative_text=formatting.change(entry.relative, indicator, lang, relative=True),
        measure=entry.measure,
    )


def measure_text(ctx: Context, entry: ChangeEntry) -> str:
    relative = data.uses_relative_change(ctx.indicator)
    return formatting.change(entry.measure, ctx.indicator, ctx.lang, relative=relative)


def change_spec(ctx: Context, entries: list[ChangeEntry]) -> dict[str, Any]:
    """The Vega-Lite bar chart of these areas' changes."""
    assert ctx.view.von and ctx.view.bis
    relative = data.uses_relative_change(ctx.indicator)
    names = distinct_names([e.area for e in entries])
    return charts.change_spec(
        title=ctx.t("Veränderung: {name}", name=ctx.name),
        unit=data.change_unit(ctx.indicator, ctx.lang),
        changes=[
            charts.AreaChange(n, e.measure) for n, e in zip(names, entries, strict=True)
        ],
        base_period=ctx.period(ctx.view.von),
        period=ctx.period(ctx.view.bis),
        lang=ctx.lang,
        decimals=1 if relative else ctx.indicator.decimals,
    )


def change_view(ctx: Context) -> tuple[ChangeView, str, str]:
    """The change view, its summary and a message for a page out of range.

    The chart shows the areas of the table's page (50 bars at most)."""
    view, t = ctx.view, ctx.t
    assert view.von and view.bis
    changes = change_entries(ctx)
    positions, paging, message = paged(ctx, changes.order)
    shown = [changes.entry(i) for i in positions]
    name_sort, value_sort = sort_links(ctx)
    relative = data.uses_relative_change(ctx.indicator)
    unit = data.change_unit(ctx.indicator, ctx.lang)
    note = ""
    if view.von == view.bis:
        note = (
            t(
                "Für diese Ebene gibt es nur einen Zeitraum; eine Veränderung "
                "lässt sich nicht berechnen."
            )
            if len(view.periods) < 2
            else t(
                "„Von“ und „bis“ sind gleich; wählen Sie zwei verschiedene Zeiträume."
            )
        )
    spec = Later()
    if any(e.measure is not None for e in shown) and not note:
        chart = change_spec(ctx, shown)
        spec = Later(partial(charts.compiled_script, chart, ctx.lang), off_thread=True)
    breaks = changes.breaks
    root_row = change_row(ctx, changes.root)
    break_note = ""
    if breaks:
        break_note = t(
            "Zwischen {von} und {bis} ist die Zeitreihe unterbrochen ({periods}): die "
            "Werte sind nur eingeschränkt vergleichbar.",
            von=ctx.period(view.von),
            bis=ctx.period(view.bis),
            periods=", ".join(ctx.period(p) for p in breaks),
        )
    boundary_note = ""
    if changes.newer and not note:
        boundary_note = t(
            "Die Tabelle zeigt die Gebiete mit dem Stand {bis}. {n} von ihnen gab es "
            "{von} noch nicht (Gebietsänderung); für sie fehlt der Wert von {von} "
            "und damit die Veränderung.",
            bis=ctx.period(view.bis),
            von=ctx.period(view.von),
            n=formatting.number(changes.newer, 0, ctx.lang),
        )
    summary = ""
    lowest, highest = extremes(changes.measure)
    if lowest and not note:
        low = first_by_name([changes.entry(i) for i in lowest])
        high = first_by_name([changes.entry(i) for i in highest])
        summary = t(
            "Von {von} bis {bis} veränderte sich {name} in den {n} {areas} im Gebiet "
            "{root} zwischen {low} ({low_area}) und {high} ({high_area})",
            von=ctx.period(view.von),
            bis=ctx.period(view.bis),
            name=quoted(ctx.name, ctx.lang),
            n=formatting.number(len(changes.order), 0, ctx.lang),
            areas=ctx.plural(),
            root=ctx.root.name,
            low=measure_text(ctx, low),
            low_area=low.area.name,
            high=measure_text(ctx, high),
            high_area=high.area.name,
        )
        if changes.root.measure is not None:
            summary += t(
                "; {root} insgesamt: {value}",
                root=ctx.root.name,
                value=measure_text(ctx, changes.root),
            )
        summary += "."
    elif not note:
        summary = t("Für diese Zeiträume lässt sich keine Veränderung berechnen.")
    return (
        ChangeView(
            chart_id="chart-change",
            title=t(
                "Veränderung {von}–{bis}: {name}",
                von=ctx.period(view.von),
                bis=ctx.period(view.bis),
                name=ctx.name,
            ),
            von=view.von,
            bis=view.bis,
            von_text=ctx.period(view.von),
            bis_text=ctx.period(view.bis),
            measure_label=t("Veränderung in %")
            if relative
            else t("Veränderung ({unit})", unit=unit),
            relative=relative,
            root=root_row,
            rows=tuple(change_row(ctx, e) for e in shown) if not note else (),
            paging=paging,
            name_sort=name_sort,
            value_sort=value_sort,
            break_note=break_note,
            boundary_note=boundary_note,
            note=note,
            spec=spec,
        ),
        summary or note,
        message,
    )
