"""The Gebietsstand of a time series: on today's areas (values before a boundary
change recomputed from the predecessors, flagged ``recomputed``) or as it was
(each area's own values only) — issue 12.

The switch is a permalink parameter, ``gebietsstand=heute|damals``. Without it, a
series shows today's areas when one of its areas has predecessors: a planner who
picks an area that exists since a boundary reform wants its history, and the
recomputed values say plainly that they are recomputed (sign ``u``, a note naming
the predecessors and their shares). For areas without predecessors, or whose
predecessors have no value to recompute (Berlin's planning areas of 2021 in the
demo), the two states are the same series, so the switch is not offered unless asked
for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.analysis.recomputed import series_on_today_areas
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.lineage import AreaLink
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.store.lineage import list_links
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.snapshot import Snapshot

TODAY = "heute"
AS_IT_WAS = "damals"
STATES: dict[str, str] = {
    TODAY: "heutige Gebiete (umgerechnet)",
    AS_IT_WAS: "wie damals",
}
"""``gebietsstand`` value → label of the switch."""


@dataclass(frozen=True, kw_only=True)
class StateLink:
    """One side of the switch."""

    value: str
    """``heute`` or ``damals``."""
    label: str
    url: str
    current: bool


@dataclass(frozen=True, kw_only=True)
class BoundarySwitch:
    """ "Gebietsstand: heutige Gebiete (umgerechnet) | wie damals"."""

    state: str
    """The state shown: ``heute`` or ``damals``."""
    links: tuple[StateLink, ...]
    notes: tuple[str, ...]
    """One per area with recomputed values: its predecessors and their shares."""


def predecessors(conn: Connection, snap: Snapshot) -> dict[str, tuple[AreaLink, ...]]:
    """Area code → the links to its predecessors, for every area that has some
    (read once per snapshot: lineage tables are small)."""

    def read() -> dict[str, tuple[AreaLink, ...]]:
        found: dict[str, list[AreaLink]] = {}
        for link in list_links(conn):
            found.setdefault(link.successor, []).append(link)
        return {code: tuple(links) for code, links in found.items()}

    return snap.remember("boundary-predecessors", read)


def parse_state(raw: str | None) -> str | None:
    """The ``gebietsstand`` asked for; None when absent or unknown (the default)."""
    return raw if raw in STATES else None


def chosen_state(asked: str | None, with_predecessors: bool) -> str:
    """The state shown: as asked, else today's areas when an area has predecessors."""
    if asked is not None:
        return asked
    return TODAY if with_predecessors else AS_IT_WAS


def today_values(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    codes: Iterable[str],
) -> dict[tuple[str, str], Observation]:
    """(area, period) → value on today's areas for the areas among ``codes`` that
    have predecessors, read through the read gate for the snapshot's audience."""
    known = predecessors(conn, snap)
    found: dict[tuple[str, str], Observation] = {}
    for code in codes:
        if code not in known:
            continue
        for obs in series_on_today_areas(
            conn, indicator.id, code, audience=snap.audience
        ):
            found[(code, obs.period)] = obs
    return found


def is_recomputed(obs: Observation | None) -> bool:
    return obs is not None and bool(obs.flags & Flag.RECOMPUTED)


def recomputed_note(
    snap: Snapshot,
    links: tuple[AreaLink, ...],
    name: str,
    periods: list[str],
    t: Translator,
) -> str:
    """``Ahlem: Werte 2019–2020 umgerechnet aus Altgemeinde (40 %), …``"""
    lang = t.lang
    ordered = sorted(periods, key=period_order)
    span = "–".join(
        dict.fromkeys(
            formatting.period_label(p, lang) for p in (ordered[0], ordered[-1])
        )
    )
    parts = []
    for link in links:
        area = snap.areas.get(link.predecessor)
        label = area.name if area else link.predecessor
        share = 1.0 if link.share is None else link.share
        parts.append(f"{label} ({formatting.number(share * 100, 0, lang)}\u202f%)")
    return t(
        "{area}: Werte {periods} umgerechnet auf das heutige Gebiet aus {sources}.",
        area=name,
        periods=span,
        sources=", ".join(parts),
    )


def boundary_switch(
    state: str,
    url: Callable[[str], str],
    t: Translator,
    notes: tuple[str, ...] = (),
) -> BoundarySwitch:
    """The switch with a permalink (``url`` of a state) for each side."""
    return BoundarySwitch(
        state=state,
        links=tuple(
            StateLink(
                value=value, label=t(label), url=url(value), current=value == state
            )
            for value, label in STATES.items()
        ),
        notes=notes,
    )
