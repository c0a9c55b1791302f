"""Trend markers: each area's trend test as a symbol and words, Fingertips style.

The test is the one ``sozialmonitor stats trend`` and ``/api/v1/statistics/trend``
report (:func:`sozialmonitor.analysis.service.trend.series_trend`: Mann-Kendall on
every period with a value); the page reads only the series of the areas it shows,
through the read gate (a suppressed value has no value and is left out), and keeps
each result for the data version in the snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.analysis.service.trend import series_trend
from sozialmonitor.analysis.trends import DEFAULT_ALPHA, MIN_POINTS, TrendDirection
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.store import queries
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.snapshot import Snapshot

TREND_METHOD = "mann_kendall"
"""The test behind the markers: the default of ``sozialmonitor stats trend``."""
TREND_CACHE = 50_000
"""Trends kept per data version (indicator × area; a few hundred bytes each)."""
SYMBOLS: dict[TrendDirection, str] = {
    TrendDirection.INCREASING: "▲",
    TrendDirection.DECREASING: "▼",
    TrendDirection.NO_TREND: "●",
    TrendDirection.NOT_TESTED: "○",
}
"""A shape per result, so that the marker never rests on colour alone."""


@dataclass(frozen=True, kw_only=True)
class TrendMarker:
    """One area's trend as the pages show it."""

    code: str
    """``increasing``, ``decreasing``, ``no_trend`` or ``not_tested``."""
    symbol: str
    """▲ ▼ ● ○ (decorative: the text says the same)."""
    text: str
    """``steigend, signifikant`` … in the page's language."""
    periods: str
    """The periods tested (``2012–2021``), empty when none."""


def marker(
    direction: TrendDirection, periods: Sequence[str], t: Translator
) -> TrendMarker:
    """The marker of a tested direction.

    Examples
    --------
    >>> m = marker(TrendDirection.DECREASING, ["2015", "2021"], Translator(lang="de"))
    >>> m.symbol, m.text, m.periods
    ('▼', 'fallend, signifikant', '2015–2021')
    """
    span = ""
    if periods:
        first = formatting.period_label(periods[0], t.lang)
        last = formatting.period_label(periods[-1], t.lang)
        span = "–".join(dict.fromkeys((first, last)))
    return TrendMarker(
        code=direction.value,
        symbol=SYMBOLS[direction],
        text=t(direction.label),
        periods=span,
    )


Direction = tuple[TrendDirection, tuple[str, ...]]
"""A kept result: the direction and the periods tested."""


Series = Mapping[tuple[str, str], Iterable[Observation]]
"""(indicator, area) → every value of the area's series, as the gate reads them."""


def _directions(
    conn: Connection,
    snap: Snapshot,
    indicators: Sequence[Indicator],
    codes: Sequence[str],
    known: Series | None = None,
) -> dict[tuple[str, str], Direction]:
    """The trends of these indicators in these areas: kept ones, those of the
    ``known`` series the page has read already (a parent area's values are sums
    of thousands of values: not read twice), the rest from one read through the
    gate."""
    cache = snap.lru("trend-markers", TREND_CACHE)
    keys = [(i.id, code) for i in indicators for code in codes]
    found, missing = cache.lookup(keys)
    if missing:
        by_id = {i.id: i for i in indicators}
        given = known or {}
        series: dict[tuple[str, str], list[Observation]] = defaultdict(list)
        for key in missing:
            if key in given:
                series[key] = list(given[key])
        unread = [key for key in missing if key not in given]
        for obs in (
            queries.read_observations(
                conn,
                queries.ObservationQuery(
                    indicators=sorted({i for i, _ in unread}),
                    areas=sorted({code for _, code in unread}),
                ),
                audience=snap.audience,
            )
            if unread
            else ()
        ):
            series[(obs.indicator, obs.area)].append(obs)
        made: dict[tuple[str, str], Direction] = {}
        for key in sorted(missing):
            result = series_trend(
                by_id[key[0]],
                series.get(key, ()),
                method=TREND_METHOD,
                with_logit=False,
            )
            made[key] = (result.direction, result.periods)
        cache.store(made)
        found.update(made)
    return found


def area_trends(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    codes: Sequence[str],
    t: Translator,
    known: Series | None = None,
) -> dict[str, TrendMarker]:
    """The trend markers of one indicator in these areas (table, chart)."""
    found = _directions(conn, snap, [indicator], codes, known)
    return {code: marker(*found[(indicator.id, code)], t) for code in codes}


def indicator_trends(
    conn: Connection,
    snap: Snapshot,
    indicators: Sequence[Indicator],
    code: str,
    t: Translator,
    known: Series | None = None,
) -> dict[str, TrendMarker]:
    """The trend markers of these indicators in one area (the area profile)."""
    found = _directions(conn, snap, indicators, [code], known)
    return {i.id: marker(*found[(i.id, code)], t) for i in indicators}


def trend_note(t: Translator) -> str:
    """The method, named once under a table or chart with markers."""
    return t(
        "Trend: Mann-Kendall-Test über alle Zeiträume mit Wert (Zeitraum je Gebiet "
        "in Klammern), zweiseitig, Signifikanzniveau {alpha} %; geprüft ab {n} "
        "Werten. ▲ steigend, signifikant · ▼ fallend, signifikant · ● kein "
        "signifikanter Trend · ○ nicht geprüft (zu wenige Werte).",
        alpha=formatting.number(DEFAULT_ALPHA * 100, 0, t.lang),
        n=MIN_POINTS,
    )
