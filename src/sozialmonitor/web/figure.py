"""A value as the area tables show it: formatted with its signs, its series and
its changes.

The area profile (:mod:`sozialmonitor.web.pages.area`) and the comparison of two
areas (:mod:`sozialmonitor.web.pages.compare`) show each value as a :class:`Figure`
(``9,1 %``, ``9,1 % p`` for a provisional value, ``.`` suppressed, ``–`` no value)
and each series as points with gaps and an inline sparkline; the profile also shows
the changes of the latest value (:func:`change_cells`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from sozialmonitor.analysis.changes import changes as changes_of
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.errors import InvalidPeriodError
from sozialmonitor.web import formatting
from sozialmonitor.web.charts import sparkline_svg
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.values import shown_value, suppressed

PROFILE_CHANGE_SPANS = ("previous", "5y", "10y")
"""The changes a profile row has: against the previous period, over 5 and 10 years."""


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One area's value for one period, formatted."""

    area: str
    """Area code."""
    period: str
    value: float | None
    """None when missing or suppressed."""
    text: str
    """``9,1 %``, ``.`` (suppressed) or ``–`` (no value)."""
    flags: tuple[str, ...] = ()
    computed: bool = False
    """Computed from the child areas (not stored)."""


@dataclass(frozen=True, kw_only=True)
class ChangeCell:
    """A change of the latest value against an earlier period."""

    span: str
    """``previous``, ``5y`` or ``10y``."""
    base_period: str
    absolute: float | None
    """Difference (percentage points for shares); None: not available."""
    text: str
    """``+2,3 Prozentpunkte`` or ``–``."""
    title: str
    """``gegenüber 2016``"""


@dataclass(frozen=True, kw_only=True)
class SeriesPoint:
    period: str
    value: float | None


_MARKS = (
    (Flag.PROVISIONAL, "provisional"),
    (Flag.REVISED, "revised"),
    (Flag.ESTIMATED, "estimated"),
    (Flag.BREAK, "break"),
    (Flag.SUPPRESSED, "suppressed"),
    (Flag.COMPUTED, "computed"),
    (Flag.RECOMPUTED, "recomputed"),
)
_SIGNS = {"provisional": "p", "revised": "r", "estimated": "s", "recomputed": "u"}


def _marks(obs: Observation) -> tuple[str, ...]:
    return tuple(name for flag, name in _MARKS if obs.flags & flag)


def figure(
    obs: Observation | None,
    indicator: Indicator,
    lang: Language,
    *,
    area: str,
    period: str,
) -> Figure:
    """A value as the tables show it: ``9,1 %``, ``9,1 % p``, ``.`` or ``–``."""
    if obs is None:
        return Figure(
            area=area, period=period, value=None, text=formatting.NO_VALUE_SIGN
        )
    flags = _marks(obs)
    value = shown_value(obs)
    if suppressed(obs):
        text = formatting.SUPPRESSED_SIGN
    else:
        text = formatting.with_unit(value, indicator, lang)
        signs = "".join(_SIGNS[f] for f in flags if f in _SIGNS)
        if signs and value is not None:
            text = f"{text} {signs}"
    return Figure(
        area=area,
        period=period,
        value=value,
        text=text,
        flags=flags,
        computed=bool(obs.flags & Flag.COMPUTED),
    )


def series_points(
    periods: dict[str, Observation], scope_periods: Sequence[str]
) -> tuple[SeriesPoint, ...]:
    """The area's series from its first to its last period, with gaps where the
    level has a period the area has no value for."""
    own = sorted(periods, key=period_order)
    if not own:
        return ()
    first, last = period_order(own[0]), period_order(own[-1])
    axis = {p for p in scope_periods if first <= period_order(p) <= last} | set(own)
    return aligned_points(periods, sorted(axis, key=period_order))


def aligned_points(
    periods: dict[str, Observation], axis: Sequence[str]
) -> tuple[SeriesPoint, ...]:
    """The area's shown values on a given time axis; None where it has none."""
    return tuple(SeriesPoint(period=p, value=shown_value(periods.get(p))) for p in axis)


def sparkline(points: Sequence[SeriesPoint], name: str, lang: Language) -> Markup:
    """The inline sparkline of a series, named by indicator and period range."""
    if not points:
        return Markup("")
    first = formatting.period_label(points[0].period, lang)
    last = formatting.period_label(points[-1].period, lang)
    span = first if first == last else f"{first}–{last}"
    return sparkline_svg([p.value for p in points], label=f"{name}, {span}")


def change_cells(
    indicator: Indicator,
    periods: dict[str, Observation],
    latest: str,
    lang: Language,
    t: Translator,
) -> tuple[ChangeCell, ...]:
    """The changes of the latest value, one cell per :data:`PROFILE_CHANGE_SPANS`;
    ``–`` where the series has no value to compare with."""
    series = {p: shown_value(o) for p, o in periods.items()}
    try:
        found = changes_of(
            series, period=latest, share=indicator.kind is IndicatorKind.SHARE
        )
    except InvalidPeriodError:  # a series that mixes years and reference dates
        found = ()
    by_span = {c.span.value: c for c in found}
    cells = []
    for span in PROFILE_CHANGE_SPANS:
        change = by_span.get(span)
        if change is None:
            cells.append(
                ChangeCell(
                    span=span,
                    base_period="",
                    absolute=None,
                    text=formatting.NO_VALUE_SIGN,
                    title="",
                )
            )
            continue
        cells.append(
            ChangeCell(
                span=span,
                base_period=change.base_period,
                absolute=change.absolute,
                text=formatting.change(change.absolute, indicator, lang),
                title=t(
                    "gegenüber {period}",
                    period=formatting.period_label(change.base_period, lang),
                ),
            )
        )
    return tuple(cells)
