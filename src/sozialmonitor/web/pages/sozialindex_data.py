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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Connection

from sozialmonitor.analysis.index_categories import (
    Category,
    cell_categories,
    class_categories,
    dimension_label,
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
from sozialmonitor.web.catalogue_text import CatalogueText, record_text
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.pages.indicator_data import SUPPRESSED
from sozialmonitor.web.pages.sozialindex_words import reason_text
from sozialmonitor.web.positions import Positions
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


FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
RESULTS_KEPT = 32
"""Periods of stored results kept per snapshot (all indices together): columns of
~1.5 MB each at Germany size (13 derived indicators × 11,000 municipalities)."""


@dataclass(frozen=True, kw_only=True, eq=False)
class PeriodResults:
    """The stored results of one period, as columns over ``areas``: reading a
    period takes about half a second at Germany size (13 derived indicators ×
    11,000 municipalities through the read gate), so it is done once per data
    version (``read_stored_results``) and a view counts, ranks and draws from the
    arrays. A class or index value the reader may not see (missing, left out,
    suppressed) is NaN."""

    period: str
    areas: tuple[Area, ...]
    """The areas with stored results, in German name order."""
    status_index: FloatArray
    status_class: FloatArray
    dynamics_index: FloatArray
    """All NaN without dynamics (so is ``dynamics_class`` and ``cell``)."""
    dynamics_class: FloatArray
    cell: FloatArray
    """The combined cell's code (``25`` for ``2-``)."""
    zscores: dict[str, FloatArray]
    """Indicator key → z-score (polarity applied)."""
    included: BoolArray
    """Whether the area has a status class the reader may see."""
    suppressed: BoolArray
    """Whether its class exists but may not be shown to the reader."""
    reasons: tuple[str, ...]
    """Why an area has no class: left out by the definition (the stored note);
    empty otherwise (and for a suppressed class)."""
    focus: tuple[FocusArea, ...]
    """In German name order."""
    codes: tuple[str, ...]
    """The codes of ``areas``."""
    positions: Positions
    """Area code → position in ``areas``."""
    left_out: dict[str, int]
    """Why areas have no class (not suppressed ones) → how many."""


def cells_by_code(d: IndexDefinition) -> dict[int, Category]:
    """The combined cells by their codes."""
    return {c.code: c for c in cell_categories(d)}


def read_results(
    conn: Connection,
    snap: Snapshot,
    stored: StoredIndex,
    period: str,
    as_of: str | None = None,
) -> PeriodResults:
    """The stored classes, index values and z-scores of one period through the
    read gate, and the focus areas with their drivers (kept per snapshot); as of
    a release where ``as_of`` names one (the reports)."""
    return snap.lru("index-results", RESULTS_KEPT).get_or_make(
        (stored.definition.id, period, as_of),
        lambda: _read(conn, snap, stored, period, as_of),
    )


def read_stored_results(conn: Connection, snap: Snapshot) -> None:
    """Read the stored results of every index ahead of the first visitor of its
    pages (``warm_data``), newest periods first, as many as are kept; kept with
    the snapshot."""
    wanted = sorted(
        (
            (-age, stored, period)
            for stored in stored_indices(snap).values()
            for age, period in enumerate(reversed(stored.periods))
        ),
        key=lambda item: item[0],
        reverse=True,
    )
    for _, stored, period in wanted[:RESULTS_KEPT]:
        read_results(conn, snap, stored, period)


def _columns(d: IndexDefinition) -> dict[str, str]:
    """Result column → derived indicator id."""
    wanted = {
        "status_index": f"{d.id}.status_index",
        "status_class": f"{d.id}.status_class",
        **{f"z_{i.key}": f"{d.id}.z_{i.key}" for i in d.indicators},
    }
    if d.dynamics is not None:
        wanted["dynamics_index"] = f"{d.id}.dynamics_index"
        wanted["dynamics_class"] = f"{d.id}.dynamics_class"
        wanted["cell"] = f"{d.id}.cell"
    return wanted


def _whole(values: FloatArray) -> FloatArray:
    """Class codes: a value that is no whole number is no class (NaN)."""
    return np.where(np.floor(values) == values, values, np.nan)


def _read(
    conn: Connection,
    snap: Snapshot,
    stored: StoredIndex,
    period: str,
    as_of: str | None = None,
) -> PeriodResults:
    d = stored.definition
    wanted = _columns(d)
    query = queries.ObservationQuery(
        indicators=list(wanted.values()),
        level=d.level,
        periods=[period],
        computed=False,
        as_of=as_of,
    )
    read = queries.read_stored_rows(conn, query, audience=snap.audience)
    # A row: (indicator_id, area code, period, release_id, value, numerator,
    # denominator, flags, note).
    root = stored.scope.root.code
    rows = [r for r in read.rows if r[1] in snap.areas and snap.root_of[r[1]] == root]
    areas = tuple(
        sorted(
            (snap.areas[code] for code in {r[1] for r in rows}),
            key=lambda a: (german_key(a.name), a.code),
        )
    )
    positions = Positions(a.code for a in areas)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 9
    indicator = np.array(columns[0], dtype=np.int64)
    at = positions.of(columns[1])
    flags = np.array(columns[7], dtype=np.int64)
    hidden = (flags & SUPPRESSED) != 0
    shown = np.where(hidden, np.nan, np.array(columns[4], dtype=float))
    column_of = {code: name for name, code in wanted.items()}
    found: dict[str, FloatArray] = {}
    suppressed_class = np.zeros(len(areas), dtype=bool)
    reasons = [""] * len(areas)
    for db_id, code in read.indicators.items():
        name = column_of[code]
        mine = indicator == db_id
        values = np.full(len(areas), np.nan)
        values[at[mine]] = shown[mine]
        found[name] = values
        if name == "status_class":
            suppressed_class[at[mine]] = hidden[mine]
            for i in np.flatnonzero(mine & ~hidden & np.isnan(shown)).tolist():
                reasons[int(at[i])] = _reason_of(columns[8][i])
    empty = np.full(len(areas), np.nan)
    status_class = _whole(found.get("status_class", empty))
    results = PeriodResults(
        period=period,
        areas=areas,
        status_index=found.get("status_index", empty),
        status_class=status_class,
        dynamics_index=found.get("dynamics_index", empty),
        dynamics_class=_whole(found.get("dynamics_class", empty)),
        cell=_whole(found.get("cell", empty)),
        zscores={i.key: found.get(f"z_{i.key}", empty) for i in d.indicators},
        included=~np.isnan(status_class),
        suppressed=suppressed_class,
        reasons=tuple(reasons),
        focus=(),
        codes=tuple(a.code for a in areas),
        positions=positions,
        left_out=dict(Counter(r for r in reasons if r)),
    )
    return replace(results, focus=_focus(d, results))


def _reason_of(note: str | None) -> str:
    """Why an area is left out: the stored note without the trace."""
    if not note:
        return ""
    text = note.split(NOTE_SEPARATOR)[0]
    return "" if text.startswith("Indexdefinition ") else text


def _class(obs: Observation | None) -> int | None:
    value = shown_value(obs)
    if value is None or value != value or not float(value).is_integer():
        return None
    return int(value)


def _reason(obs: Observation | None) -> str:
    """Why an area is left out (its profile): the stored note without the trace."""
    if obs is None or shown_value(obs) is not None:
        return ""
    return _reason_of(obs.note)


def whole_codes(values: FloatArray) -> pd.arrays.IntegerArray:
    """Class codes as integers with ``<NA>`` for none (tables, downloads)."""
    return pd.array(
        [None if v != v else int(v) for v in values.tolist()], dtype="Int64"
    )


def _focus(d: IndexDefinition, results: PeriodResults) -> tuple[FocusArea, ...]:
    """The focus areas as the definition's rule names them from the stored
    classes, with the indicators with the largest z-scores as drivers."""
    if not results.areas:
        return ()
    frame = pd.DataFrame(
        {
            "name": [a.name for a in results.areas],
            "included": results.included,
            "status_class": whole_codes(results.status_class),
            **{f"z_{k}": z for k, z in results.zscores.items()},
        },
        index=[a.code for a in results.areas],
    )
    if d.dynamics is not None:
        cells = cells_by_code(d)
        frame["dynamics_class"] = whole_codes(results.dynamics_class)
        frame["cell"] = [
            "" if c != c or int(c) not in cells else cells[int(c)].symbol
            for c in results.cell.tolist()
        ]
    return focus_areas(frame, d)


def class_counts(
    d: IndexDefinition, dimension: str, results: PeriodResults, lang: str = "de"
) -> list[tuple[Category, int]]:
    """Areas per class of a dimension, in class order (labels in ``lang``)."""
    counted = _counted(getattr(results, f"{dimension}_class")[results.included])
    return [(c, counted.get(c.code, 0)) for c in class_categories(d, dimension, lang)]


def cell_counts(results: PeriodResults) -> dict[int, int]:
    """Cell code → areas."""
    return _counted(results.cell[results.included])


def _counted(codes: FloatArray) -> dict[int, int]:
    """Code → how often (NaN: not counted)."""
    found, counts = np.unique(codes[~np.isnan(codes)], return_counts=True)
    return dict(zip(found.astype(int).tolist(), counts.tolist(), strict=True))


def transitions(
    d: IndexDefinition, before: PeriodResults, after: PeriodResults, lang: str = "de"
) -> dict[str, list[tuple[Category, list[int]]]]:
    """Per dimension, how many areas moved from which class (rows, ``before``) to
    which (columns, ``after``): areas with a class in both periods (labels in
    ``lang``)."""
    at = before.positions.of(after.codes)
    found = {}
    for dimension in d.dimensions:
        classes = class_categories(d, dimension, lang)
        column = f"{dimension}_class"
        ours = np.where(before.included, getattr(before, column), np.nan)
        earlier = np.where(at >= 0, ours[at], np.nan)
        later = np.where(after.included, getattr(after, column), np.nan)
        k = len(classes)
        rows = _class_positions(earlier, classes)
        columns = _class_positions(later, classes)
        both = (rows >= 0) & (columns >= 0)
        moved = np.bincount(rows[both] * k + columns[both], minlength=k * k)
        found[dimension] = [
            (row, moved[i * k : (i + 1) * k].tolist()) for i, row in enumerate(classes)
        ]
    return found


def _class_positions(
    codes: FloatArray, classes: Sequence[Category]
) -> npt.NDArray[np.int64]:
    """Each code's position among ``classes`` (-1: none of them)."""
    found = np.full(len(codes), -1, dtype=np.int64)
    for i, c in enumerate(classes):
        found[codes == c.code] = i
    return found


@dataclass(frozen=True, kw_only=True)
class IndexPosition:
    """Where an area stands in a stored index (its profile shows it)."""

    index: str
    name: CatalogueText
    """The index's (combined) name in the page's language (or German, marked)."""
    period: str
    text: str
    """``Status mittel, Dynamik negativ``, or why the area has no class."""
    cell: str
    """``2-`` (empty without one)."""
    url: str


def results_name(d: IndexDefinition, lang: Language) -> CatalogueText:
    """The name of what the index's classes are: the combined matrix's (with
    dynamics) or the status dimension's, in ``lang`` where the definition has it."""
    named = (
        d.combined if d.combined is not None and d.dynamics is not None else d.status
    )
    return record_text(named, "name", lang)


def area_positions(
    snap: Snapshot,
    area: Area,
    by_indicator: dict[str, dict[str, Observation]],
    url_of: Callable[[str, str], str],
    lang: Language,
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
            t = Translator(lang=lang)
            text = (
                t("nicht ausgewiesen")
                if suppressed(status[period])
                else reason_text(_reason(status[period]), t) or t("keine Angabe")
            )
        elif d.combined is not None and d.dynamics is not None and dynamics_class:
            cell, _, text = d.combined.render(
                d.status.find_class(status_class),
                d.dynamics.find_class(dynamics_class),
                lang=lang,
            )
        else:
            text = dimension_label("status", d.status.find_class(status_class), lang)
        found.append(
            IndexPosition(
                index=d.id,
                name=results_name(d, lang),
                period=period,
                text=text,
                cell=cell,
                url=url_of(d.id, period),
            )
        )
    return tuple(found)
