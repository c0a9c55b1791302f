"""The time series and the change view of the indicator page.

The chart shows every period of the top-level area and of the areas the user added
(``gebiete``, at most eight lines); the change view compares two periods of the
level (``von``, ``bis``). Both come with the Vega spec the page compiles when it
renders (``Later``) and a data table as their alternative.
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
from sozialmonitor.web.pages.boundary_state import (
    TODAY,
    BoundarySwitch,
    boundary_switch,
    chosen_state,
    is_recomputed,
    predecessors,
    recomputed_note,
    today_values,
)
from sozialmonitor.web.pages.indicator_context import (
    ChoiceGroup,
    Context,
    Paging,
    SortLink,
    choice_group,
    paged,
    quoted,
    sort_links,
    sorted_positions,
)
from sozialmonitor.web.pages.indicator_views import (
    entry_flags,
    extremes,
    first_by_name,
)
from sozialmonitor.web.values import shown_value


@dataclass(frozen=True, kw_only=True)
class SeriesColumn:
    code: str
    name: str
    remove_url: str | None
    """Link that removes the area from the chart (None for the top-level area)."""


@dataclass(frozen=True, kw_only=True)
class SeriesRow:
    period: str
    period_text: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]
    flags: tuple[tuple[str, ...], ...]
    """Each value's flag names (``recomputed`` on today's areas)."""


@dataclass(frozen=True, kw_only=True)
class ChartView:
    chart_id: str
    title: str
    columns: tuple[SeriesColumn, ...]
    rows: tuple[SeriesRow, ...]
    has_values: bool
    choice_groups: tuple[ChoiceGroup, ...]
    can_add: bool
    boundary: BoundarySwitch | None
    """The Gebietsstand switch; None when no area of the chart has predecessors."""
    spec: Later = made_later()
    """The compiled Vega spec as JSON, safe inside ``<script>``."""


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


def distinct_names(areas: list[Area]) -> list[str]:
    """Area names for a chart, with the code added where two areas share a name."""
    names = [a.name for a in areas]
    return [
        f"{a.name} ({a.code})" if names.count(a.name) > 1 else a.name for a in areas
    ]


# --- the time series -------------------------------------------------------------


def boundary_state(ctx: Context) -> tuple[str, bool]:
    """The chart's Gebietsstand, and whether one of its areas has predecessors
    (else both states are the same series)."""
    known = predecessors(ctx.conn, ctx.snap)
    changed = any(code in known for code in ctx.view.gebiete)
    return chosen_state(ctx.view.gebietsstand, changed), changed


def series_data(
    ctx: Context,
) -> tuple[list[Area], list[str], dict[tuple[str, str], Observation]]:
    """Areas (top area first), periods with a value, and the values of the chart:
    on today's areas (recomputed before a boundary change) or as they were."""
    root = ctx.root
    areas = [root, *(ctx.snap.areas[c] for c in ctx.view.gebiete)]
    scope_periods = {
        p for periods in ctx.scope.periods_by_level.values() for p in periods
    }
    values = data.area_series(ctx.conn, ctx.snap, ctx.indicator, ctx.view.gebiete)
    state, changed = boundary_state(ctx)
    if changed and state == TODAY:
        values.update(today_values(ctx.conn, ctx.snap, ctx.indicator, ctx.view.gebiete))
    for period, obs in data.root_values(
        ctx.conn, ctx.snap, ctx.indicator, root.code, scope_periods
    ).items():
        values[(root.code, period)] = obs
    periods = data.ordered_periods(p for _, p in values)
    return areas, periods, values


def series_spec(ctx: Context) -> dict[str, Any]:
    """The Vega-Lite spec of the view's time series."""
    areas, periods, values = series_data(ctx)
    return _series_spec(ctx, areas, periods, values)


def _series_spec(
    ctx: Context,
    areas: list[Area],
    periods: list[str],
    values: dict[tuple[str, str], Observation],
) -> dict[str, Any]:
    return charts.time_series_spec(
        title=ctx.indicator.name,
        unit=ctx.indicator.unit,
        series=[
            charts.Series(
                name,
                [
                    (ctx.period(p), shown_value(values.get((a.code, p))))
                    for p in periods
                ],
            )
            for a, name in zip(areas, distinct_names(areas), strict=True)
        ],
        lang=ctx.lang,
        decimals=ctx.indicator.decimals,
    )


def chart_view(ctx: Context) -> tuple[ChartView, str]:
    """The time series with its data table, the add-area form and a summary."""
    areas, periods, values = series_data(ctx)
    names = distinct_names(areas)
    rows = tuple(
        SeriesRow(
            period=p,
            period_text=ctx.period(p),
            values=tuple(shown_value(values.get((a.code, p))) for a in areas),
            texts=tuple(ctx.value(values.get((a.code, p))) for a in areas),
            flags=tuple(entry_flags(values.get((a.code, p))) for a in areas),
        )
        for p in periods
    )
    has_values = any(v is not None for r in rows for v in r.values)
    groups = (
        choice_group(ctx, level, leave_out=areas)
        for level in ctx.scope.levels
        if level != ctx.root.level
    )
    spec = Later()
    if has_values:
        chart = _series_spec(ctx, areas, periods, values)
        spec = Later(partial(charts.compiled_script, chart, ctx.lang), off_thread=True)
    view = ChartView(
        chart_id="chart-series",
        title=ctx.t("Zeitreihe: {name}", name=ctx.indicator.name),
        columns=tuple(
            SeriesColumn(
                code=a.code,
                name=name,
                remove_url=None
                if a.code == ctx.root.code
                else ctx.url(gebiete=[c for c in ctx.view.gebiete if c != a.code]),
            )
            for a, name in zip(areas, names, strict=True)
        ),
        rows=rows,
        has_values=has_values,
        choice_groups=tuple(g for g in groups if g.count),
        can_add=len(ctx.view.gebiete) < charts.MAX_AREAS - 1,
        boundary=_switch(ctx, areas, values),
        spec=spec,
    )
    return view, series_summary(ctx, names, rows)


def _switch(
    ctx: Context, areas: list[Area], values: dict[tuple[str, str], Observation]
) -> BoundarySwitch | None:
    """The Gebietsstand switch and the notes on the recomputed values."""
    state, changed = boundary_state(ctx)
    if not changed:
        return None
    known = predecessors(ctx.conn, ctx.snap)
    notes = []
    for area in areas:
        recomputed = [
            p
            for (code, p), obs in values.items()
            if code == area.code and is_recomputed(obs)
        ]
        if recomputed and area.code in known:
            notes.append(
                recomputed_note(
                    ctx.snap, known[area.code], area.name, recomputed, ctx.t
                )
            )
    if state == TODAY and not notes and ctx.view.gebietsstand is None:
        return None  # no predecessor has a value to recompute: both are the same
    return boundary_switch(
        state,
        lambda value: ctx.url(gebietsstand=value),
        ctx.t,
        tuple(notes),
    )


def series_summary(ctx: Context, names: list[str], rows: tuple[SeriesRow, ...]) -> str:
    """``„Name“ 2001–2021: Region Hannover von 5,1 % (2001) auf 6,5 % (2021); …``"""
    parts = []
    for index, name in enumerate(names):
        points = [r for r in rows if r.values[index] is not None]
        if not points:
            parts.append(ctx.t("{area}: keine Werte", area=name))
        elif len(points) == 1:
            parts.append(f"{name}: {points[0].texts[index]} ({points[0].period_text})")
        else:
            parts.append(
                ctx.t(
                    "{area} von {first} ({first_period}) auf {last} ({last_period})",
                    area=name,
                    first=points[0].texts[index],
                    first_period=points[0].period_text,
                    last=points[-1].texts[index],
                    last_period=points[-1].period_text,
                )
            )
    span = ""
    if rows:
        span = " " + "–".join(
            dict.fromkeys((rows[0].period_text, rows[-1].period_text))
        )
    return f"{quoted(ctx.indicator.name, ctx.lang)}{span}: " + "; ".join(parts) + "."


# --- the change between two periods ------------------------------------------------


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
        title=ctx.t("Veränderung: {name}", name=ctx.indicator.name),
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
            name=quoted(ctx.indicator.name, ctx.lang),
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
                name=ctx.indicator.name,
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
