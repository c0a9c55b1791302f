"""The chart of the comparison page: one indicator's time series for both areas.

Drawn as a Vega chart (compiled on the server, see :mod:`sozialmonitor.web.charts`)
with a one-sentence summary and a table alternative, one row per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.web import formatting
from sozialmonitor.web.charts import Series, compiled_script, time_series_spec
from sozialmonitor.web.figure import SeriesPoint, aligned_points, figure
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import Later, made_later
from sozialmonitor.web.pages.area import AreaRef

CHART_ID = "vergleich-diagramm"


@dataclass(frozen=True, kw_only=True)
class ChartRow:
    period: str
    period_text: str
    a: str
    b: str


@dataclass(frozen=True, kw_only=True)
class CompareChart:
    """The time series of one indicator for both areas."""

    indicator: str
    title: str
    summary: str
    rows: tuple[ChartRow, ...]
    """The table alternative: one row per period."""
    target: str = CHART_ID
    spec: Later = made_later()
    """The compiled Vega spec as JSON for the page's script element."""


def time_axis(a: dict[str, Observation], b: dict[str, Observation]) -> list[str]:
    """Every period either area has, in time order."""
    return sorted(set(a) | set(b), key=period_order)


def _chart_names(a: AreaRef, b: AreaRef) -> tuple[str, str]:
    if a.name != b.name:
        return a.name, b.name
    return f"{a.name} ({a.code})", f"{b.name} ({b.code})"


def _summary(
    names: tuple[str, str],
    series: tuple[tuple[SeriesPoint, ...], tuple[SeriesPoint, ...]],
    indicator: Indicator,
    lang: Language,
    t: Translator,
) -> str:
    parts = []
    for name, points in zip(names, series, strict=True):
        known = [p for p in points if p.value is not None]
        if not known:
            parts.append(t("{area}: keine Werte", area=name))
        elif len(known) == 1:
            parts.append(
                t(
                    "{area}: {value} ({period})",
                    area=name,
                    value=formatting.with_unit(known[0].value, indicator, lang),
                    period=formatting.period_label(known[0].period, lang),
                )
            )
        else:
            parts.append(
                t(
                    "{area}: von {first} ({first_period}) auf {last} ({last_period})",
                    area=name,
                    first=formatting.with_unit(known[0].value, indicator, lang),
                    first_period=formatting.period_label(known[0].period, lang),
                    last=formatting.with_unit(known[-1].value, indicator, lang),
                    last_period=formatting.period_label(known[-1].period, lang),
                )
            )
    return "; ".join(parts) + "."


def compare_chart(
    indicator: Indicator,
    refs: tuple[AreaRef, AreaRef],
    values: tuple[dict[str, Observation], dict[str, Observation]],
    lang: Language,
    t: Translator,
) -> CompareChart:
    """The chart of ``indicator`` for the two areas, with its table alternative."""
    axis = time_axis(*values)
    series = (aligned_points(values[0], axis), aligned_points(values[1], axis))
    names = _chart_names(*refs)
    spec = time_series_spec(
        title=indicator.name,
        unit=formatting.unit(indicator, lang),
        series=[
            Series(
                name, [(formatting.period_label(p.period, lang), p.value) for p in s]
            )
            for name, s in zip(names, series, strict=True)
        ],
        lang=lang,
        decimals=indicator.decimals,
    )

    return CompareChart(
        indicator=indicator.id,
        title=t("Zeitreihe: {name}", name=indicator.name),
        summary=_summary(names, series, indicator, lang, t),
        rows=tuple(
            ChartRow(
                period=a.period,
                period_text=formatting.period_label(a.period, lang),
                a=figure(
                    values[0].get(a.period), indicator, lang, area="", period=a.period
                ).text,
                b=figure(
                    values[1].get(b.period), indicator, lang, area="", period=b.period
                ).text,
            )
            for a, b in zip(*series, strict=True)
        ),
        spec=Later(partial(compiled_script, spec, lang), off_thread=True),
    )
