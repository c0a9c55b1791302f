"""Whether a recommendation works: for each of its outcome indicators, the values of
its areas from the period of the decision (the first status at or past
"beschlossen") on, read through the one read gate (``store.queries``) with the
page's audience — a suppressed value shows its sign, an internal indicator only
signed in (``read_records`` leaves it out of the record otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.domain.period import Period, parse_period, period_order
from sozialmonitor.domain.qualitative import QualitativeRecord, Status
from sozialmonitor.store.queries import read_observations
from sozialmonitor.store.resolution import ObservationQuery
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.pages.indicator_data import value_text
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

DECIDED_OR_LATER = frozenset({Status.DECIDED, Status.IN_PROGRESS, Status.IMPLEMENTED})
"""A status that says the recommendation was decided (steps may be skipped)."""
MAX_AREAS = 20
"""Areas shown per outcome indicator (a recommendation about a whole region's
municipalities stays readable)."""
MAX_PERIODS = 8
"""The newest periods shown since the decision."""


@dataclass(frozen=True, kw_only=True)
class OutcomeRow:
    area: str
    url: str
    values: tuple[str, ...]
    """One text per period: ``12,5 %``, ``.`` (secret) or ``–`` (none)."""


@dataclass(frozen=True, kw_only=True)
class OutcomeTable:
    """One outcome indicator's values of the recommendation's areas."""

    indicator: str
    url: str
    periods: tuple[str, ...]
    """The periods' labels, oldest first (empty: no value since the decision)."""
    rows: tuple[OutcomeRow, ...]


@dataclass(frozen=True, kw_only=True)
class Outcomes:
    """The values since the decision of a recommendation."""

    since_text: str
    """``seit dem Beschluss am 20.06.2024``."""
    tables: tuple[OutcomeTable, ...]


def decision_date(record: QualitativeRecord) -> dt.date | None:
    """The date of the first status at or past "beschlossen" (None: not decided)."""
    return next((h.on for h in record.history if h.status in DECIDED_OR_LATER), None)


def outcomes(
    conn: Connection, snap: Snapshot, record: QualitativeRecord, lang: Language
) -> Outcomes | None:
    """The outcome indicators' values of a decided recommendation's areas since the
    period of the decision; None when it is not decided or names no outcome
    indicator or area the audience may see."""
    return outcomes_of(conn, snap, [record], lang).get(record.code)


def outcomes_of(
    conn: Connection,
    snap: Snapshot,
    records: Sequence[QualitativeRecord],
    lang: Language,
) -> dict[str, Outcomes]:
    """``outcomes`` of each record that has them, by code, in one read of the
    values (a list of fifty decided recommendations is one query, not fifty)."""
    wanted: dict[str, tuple[dt.date, list[str], list[str]]] = {}
    for record in records:
        decided = decision_date(record)
        indicators = [c for c in record.outcome_indicators if c in snap.indicator_by_id]
        areas = [c for c in record.areas if c in snap.areas][:MAX_AREAS]
        if decided is not None and indicators and areas:
            wanted[record.code] = (decided, indicators, areas)
    if not wanted:
        return {}
    found = read_observations(
        conn,
        ObservationQuery(
            indicators=sorted({c for _, i, _ in wanted.values() for c in i}),
            areas=sorted({c for _, _, a in wanted.values() for c in a}),
            period_from=Period.date_of(min(d for d, _, _ in wanted.values())),
        ),
        audience=snap.audience,
    )
    ends = {p: parse_period(p).end for p in {o.period for o in found}}
    by_cell = {(o.indicator, o.area, o.period): o for o in found}
    t = Translator(lang=lang)
    shown = {}
    for code, (decided, indicators, areas) in wanted.items():
        tables = []
        for indicator_code in indicators:
            indicator = snap.indicator_by_id[indicator_code]
            periods = sorted(
                {
                    o.period
                    for o in found
                    if o.indicator == indicator_code
                    and o.area in areas
                    and ends[o.period] >= decided
                },
                key=period_order,
            )[-MAX_PERIODS:]
            rows = tuple(
                OutcomeRow(
                    area=snap.areas[area].name,
                    url=href(f"/gebiet/{area}", lang),
                    values=tuple(
                        value_text(
                            by_cell.get((indicator_code, area, p)), indicator, lang
                        )
                        for p in periods
                    ),
                )
                for area in areas
            )
            tables.append(
                OutcomeTable(
                    indicator=indicator.text_in("name", lang)[0],
                    url=href(f"/indikator/{indicator_code}", lang),
                    periods=tuple(formatting.period_label(p, lang) for p in periods),
                    rows=rows if periods else (),
                )
            )
        shown[code] = Outcomes(
            since_text=t(
                "seit dem Beschluss am {date}", date=formatting.date(decided, lang)
            ),
            tables=tuple(tables),
        )
    return shown
