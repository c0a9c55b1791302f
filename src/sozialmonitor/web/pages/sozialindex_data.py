"""The stored results of an index, read back for the index page.

An index computed into a release (``analysis/index_derived``) is a set of derived
indicators ``<id>.status_class``, ``<id>.z_s1`` …; the page reads them through the
read gate like every other page — so a reader sees exactly the classes and z-scores
the audience may see (internal ones only signed in, suppressed cells suppressed) —
and counts, ranks and names focus areas from them. The definition is the one the
stored classes carry (:func:`stored_definition`), not the shipped file, which may
have changed since.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from sozialmonitor.analysis.index_categories import (
    Category,
    cell_categories,
    class_categories,
    stored_definition,
)
from sozialmonitor.analysis.index_definition import IndexDefinition
from sozialmonitor.analysis.index_result import FocusArea
from sozialmonitor.analysis.indices import focus_areas
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.store import queries
from sozialmonitor.web.snapshot import Scope, Snapshot
from sozialmonitor.web.values import shown_value, suppressed

NOTE_SEPARATOR = " · "
"""Between the reason an area is left out and the trace in a stored note."""


@dataclass(frozen=True, kw_only=True)
class StoredIndex:
    """An index whose results the snapshot holds."""

    definition: IndexDefinition
    scope: Scope
    """Where its classes have values (the top area, the periods of its level)."""

    @property
    def periods(self) -> tuple[str, ...]:
        """Periods with results, oldest first."""
        return self.scope.periods_by_level.get(self.definition.level, ())


def stored_indices(snap: Snapshot) -> dict[str, StoredIndex]:
    """Index id → the index, for every index stored in the snapshot's catalogue
    with values at its level (kept per snapshot)."""

    def find() -> dict[str, StoredIndex]:
        found: dict[str, StoredIndex] = {}
        for indicator in snap.indicators:
            if not indicator.id.endswith(".status_class"):
                continue
            definition = stored_definition(indicator)
            if definition is None or indicator.id != f"{definition.id}.status_class":
                continue
            for scope in snap.scopes_for(indicator):
                if definition.level in scope.periods_by_level:
                    found[definition.id] = StoredIndex(
                        definition=definition, scope=scope
                    )
                    break
        return found

    return snap.remember("stored-indices", find)


def indices_of_topic(snap: Snapshot, topic: str) -> list[StoredIndex]:
    """The stored indices whose results belong to ``topic`` or read one of its
    indicators."""
    ids = {i.id for t in snap.topics if t.name == topic for i in t.indicators}
    return [
        stored
        for stored in stored_indices(snap).values()
        if stored.definition.topic == topic
        or ids & set(stored.definition.source_indicators)
    ]


@dataclass(frozen=True, kw_only=True)
class AreaResult:
    """One area's stored results in one period."""

    area: Area
    included: bool
    """Whether the area has a status class the reader may see."""
    reason: str
    """Why it has none: left out by the definition (the stored note), or
    ``suppressed``."""
    suppressed: bool
    status_index: float | None
    status_class: int | None
    dynamics_index: float | None
    dynamics_class: int | None
    cell: Category | None
    zscores: dict[str, float | None] = field(default_factory=dict)
    """Indicator key → z-score (polarity applied)."""


@dataclass(frozen=True, kw_only=True)
class PeriodResults:
    """The stored results of one period."""

    period: str
    areas: tuple[AreaResult, ...]
    """In German name order."""
    focus: tuple[FocusArea, ...]

    @property
    def included(self) -> list[AreaResult]:
        return [a for a in self.areas if a.included]


def _class(obs: Observation | None) -> int | None:
    value = shown_value(obs)
    if value is None or value != value or not float(value).is_integer():
        return None
    return int(value)


def _reason(obs: Observation | None) -> str:
    """Why an area is left out: the stored note without the trace."""
    if obs is None or not obs.note or shown_value(obs) is not None:
        return ""
    text = obs.note.split(NOTE_SEPARATOR)[0]
    return "" if text.startswith("Indexdefinition ") else text


def read_results(
    conn: Connection, snap: Snapshot, stored: StoredIndex, period: str
) -> PeriodResults:
    """The stored classes, index values and z-scores of one period through the
    read gate, and the focus areas with their drivers (kept per snapshot)."""
    return snap.lru("index-results", 16).get_or_make(
        (stored.definition.id, period),
        lambda: _read(conn, snap, stored, period),
    )


def read_newest_results(conn: Connection, snap: Snapshot) -> None:
    """Read the newest period of every stored index ahead of the first visitor of
    its page (``warm_data``); kept with the snapshot."""
    for stored in stored_indices(snap).values():
        if stored.periods:
            read_results(conn, snap, stored, stored.periods[-1])


def _read(
    conn: Connection, snap: Snapshot, stored: StoredIndex, period: str
) -> PeriodResults:
    d = stored.definition
    wanted = {
        "status_index": f"{d.id}.status_index",
        "status_class": f"{d.id}.status_class",
        **{f"z_{i.key}": f"{d.id}.z_{i.key}" for i in d.indicators},
    }
    if d.dynamics is not None:
        wanted["dynamics_index"] = f"{d.id}.dynamics_index"
        wanted["dynamics_class"] = f"{d.id}.dynamics_class"
        wanted["cell"] = f"{d.id}.cell"
    column_of = {v: k for k, v in wanted.items()}
    query = queries.ObservationQuery(
        indicators=list(wanted.values()),
        level=d.level,
        periods=[period],
        computed=False,
    )
    by_area: dict[str, dict[str, Observation]] = {}
    for obs in queries.read_observations(conn, query, audience=snap.audience):
        if snap.root_of.get(obs.area) == stored.scope.root.code:
            by_area.setdefault(obs.area, {})[column_of[obs.indicator]] = obs
    cells = {c.code: c for c in cell_categories(d)}
    results = []
    for code, found in by_area.items():
        area = snap.areas.get(code)
        if area is None:
            continue
        status = found.get("status_class")
        status_class = _class(status)
        hidden = suppressed(status)
        cell_code = _class(found.get("cell"))
        results.append(
            AreaResult(
                area=area,
                included=status_class is not None,
                reason=_reason(status),
                suppressed=hidden,
                status_index=shown_value(found.get("status_index")),
                status_class=status_class,
                dynamics_index=shown_value(found.get("dynamics_index")),
                dynamics_class=_class(found.get("dynamics_class")),
                cell=cells.get(cell_code) if cell_code is not None else None,
                zscores={
                    i.key: shown_value(found.get(f"z_{i.key}")) for i in d.indicators
                },
            )
        )
    results.sort(key=lambda r: (german_key(r.area.name), r.area.code))
    return PeriodResults(period=period, areas=tuple(results), focus=_focus(d, results))


def _focus(d: IndexDefinition, results: list[AreaResult]) -> tuple[FocusArea, ...]:
    """The focus areas as the definition's rule names them from the stored
    classes, with the indicators with the largest z-scores as drivers."""
    if not results:
        return ()
    frame = pd.DataFrame(
        {
            "name": [r.area.name for r in results],
            "included": [r.included for r in results],
            "status_class": pd.array([r.status_class for r in results], dtype="Int64"),
            **{
                f"z_{i.key}": np.array(
                    [
                        np.nan if r.zscores[i.key] is None else r.zscores[i.key]
                        for r in results
                    ],
                    dtype=float,
                )
                for i in d.indicators
            },
        },
        index=[r.area.code for r in results],
    )
    if d.dynamics is not None:
        frame["dynamics_class"] = pd.array(
            [r.dynamics_class for r in results], dtype="Int64"
        )
        frame["cell"] = [r.cell.symbol if r.cell else "" for r in results]
    return focus_areas(frame, d)


def class_counts(
    d: IndexDefinition, dimension: str, results: PeriodResults
) -> list[tuple[Category, int]]:
    """Areas per class of a dimension, in class order."""
    attribute = f"{dimension}_class"
    counted = Counter(getattr(r, attribute) for r in results.included)
    return [(c, counted.get(c.code, 0)) for c in class_categories(d, dimension)]


def cell_counts(results: PeriodResults) -> dict[int, int]:
    """Cell code → areas."""
    return dict(Counter(r.cell.code for r in results.included if r.cell is not None))


def transitions(
    d: IndexDefinition, dimension: str, before: PeriodResults, after: PeriodResults
) -> list[tuple[Category, list[int]]]:
    """How many areas moved from which class (rows, ``before``) to which
    (columns, ``after``): areas with a class in both periods."""
    attribute = f"{dimension}_class"
    earlier = {r.area.code: getattr(r, attribute) for r in before.included}
    moved = Counter(
        (earlier[r.area.code], getattr(r, attribute))
        for r in after.included
        if r.area.code in earlier
    )
    classes = class_categories(d, dimension)
    return [
        (row, [moved.get((row.code, column.code), 0) for column in classes])
        for row in classes
    ]


@dataclass(frozen=True, kw_only=True)
class IndexPosition:
    """Where an area stands in a stored index (its profile shows it)."""

    index: str
    name: str
    """The index's (combined) name."""
    period: str
    text: str
    """``Status mittel, Dynamik negativ``, or why the area has no class."""
    cell: str
    """``2-`` (empty without one)."""
    url: str


def area_positions(
    snap: Snapshot,
    area: Area,
    by_indicator: dict[str, dict[str, Observation]],
    url_of: Callable[[str, str], str],
) -> tuple[IndexPosition, ...]:
    """The area's classes in each stored index of its level, newest period, from
    the values its profile read (through the read gate)."""
    found = []
    for stored in stored_indices(snap).values():
        d = stored.definition
        if d.level != area.level or snap.root_of.get(area.code) != (
            stored.scope.root.code
        ):
            continue
        status = by_indicator.get(f"{d.id}.status_class", {})
        if not status:
            continue
        period = max(status, key=period_order)
        status_class = _class(status[period])
        dynamics_class = _class(
            by_indicator.get(f"{d.id}.dynamics_class", {}).get(period)
        )
        cell = ""
        if status_class is None:
            text = (
                "nicht ausgewiesen"
                if suppressed(status[period])
                else _reason(status[period]) or "keine Angabe"
            )
        elif d.combined is not None and d.dynamics is not None and dynamics_class:
            cell, _, text = d.combined.render(
                d.status.find_class(status_class), d.dynamics.find_class(dynamics_class)
            )
        else:
            text = f"Status {d.status.find_class(status_class).label}"
        found.append(
            IndexPosition(
                index=d.id,
                name=d.combined.name if d.combined and d.dynamics else d.status.name,
                period=period,
                text=text,
                cell=cell,
                url=url_of(d.id, period),
            )
        )
    return tuple(found)
