"""An index's inputs, read through the public read gate (``read_observations``).

The public sees an index computed from published values only; the administration may
read "as of" a draft (``index compute`` reads the draft it stores into). A dynamics
indicator is either a stored change or the change of a stored indicator over a number
of periods of its series.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from sozialmonitor.analysis.index_definition import IndexDefinition
from sozialmonitor.analysis.index_result import IndexResult
from sozialmonitor.analysis.indices import compute_index
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import IndexInputError, UnknownIndicatorError
from sozialmonitor.store import queries
from sozialmonitor.store.suppression import pending_patterns, touched_slices


@dataclass(frozen=True, kw_only=True)
class IndexInputs:
    """What an index reads for one period."""

    values: pd.DataFrame
    """One row per area of the level, one column per index indicator key."""
    population: pd.Series | None
    names: dict[str, str]
    sources: dict[str, Indicator]
    """The stored indicators read, by id."""


def read_inputs(
    conn: Connection,
    definition: IndexDefinition,
    *,
    period: str | None = None,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
    public_cells: bool = False,
) -> IndexInputs:
    """The index's inputs for ``period`` (default: the definition's), via the gate.

    ``public_cells``: leave out, as gaps, the values the gate marks confidential
    (hidden from the public by the protection of small counts) and, read as of a
    draft, those its publication will hide: for results that will be published
    (``index compute``). A z-score or sum of a hidden cell would give it away, and
    so would every other area's, through the mean and standard deviation.

    Raises
    ------
    IndexInputError
        When an indicator is unknown (to the audience) or has no values for the
        period, or a change reaches back before the first stored period.
    """
    wanted = parse_period(period or definition.period)
    target = wanted.code
    # The areas valid at the period's end: an index of 2019 indexes the areas of
    # 2019, not those that replaced them later (and not both).
    areas = queries.list_areas(conn, level=definition.level, valid_on=wanted.end)
    if not areas:
        raise IndexInputError(
            f"There are no areas of the level '{definition.level}' to compute the "
            f"index '{definition.id}' for. Import them first."
        )
    codes = pd.Index([a.code for a in areas], name="code")
    sources = {}
    for code in definition.source_indicators:
        try:
            sources[code] = queries.get_indicator(conn, code, audience=audience)
        except UnknownIndicatorError:
            raise IndexInputError(
                f"The index '{definition.id}' needs the indicator '{code}', which "
                "this database does not have (or does not show). Import it, or "
                "adapt the definition to your indicator ids."
            ) from None
    direct = [i.indicator for i in definition.indicators if i.indicator]
    if definition.population:
        direct.append(definition.population)
    found = queries.read_observations(
        conn,
        queries.ObservationQuery(
            indicators=sorted(set(direct)),
            level=definition.level,
            periods=[target],
            as_of=as_of,
            computed=False,
        ),
        audience=audience,
    )
    pending = (
        _pending(conn, as_of, definition.source_indicators) if public_cells else {}
    )
    if public_cells:
        found = _public_only(found, pending)
    at_target = _series_by_indicator(found, codes)
    columns: dict[str, pd.Series] = {}
    for ind in definition.indicators:
        if ind.indicator:
            columns[ind.key] = _needed(at_target, ind.indicator, target, definition)
    changes = sorted({i.change_of for i in definition.indicators if i.change_of})
    if changes:
        series = queries.read_observations(
            conn,
            queries.ObservationQuery(
                indicators=changes,
                level=definition.level,
                period_to=parse_period(target),
                as_of=as_of,
                computed=False,
            ),
            audience=audience,
        )
        if public_cells:
            series = _public_only(series, pending)
        for ind in definition.indicators:
            if ind.change_of and ind.periods:
                columns[ind.key] = _change(
                    series, ind.change_of, target, ind.periods, codes
                )
    population = (
        _needed(at_target, definition.population, target, definition)
        if definition.population
        else None
    )
    return IndexInputs(
        values=pd.DataFrame(columns, index=codes),
        population=population,
        names={a.code: a.name for a in areas},
        sources=sources,
    )


def _pending(
    conn: Connection, as_of: str | None, codes: tuple[str, ...]
) -> dict[tuple[str, str], frozenset[str]]:
    """(indicator, period) → the areas the draft ``as_of`` will hide from the public
    when it is published (nothing for a published release: the gate applies its
    stored patterns)."""
    if as_of is None:
        return {}
    release = queries.get_release(conn, as_of)
    if release.sequence is not None:
        return {}
    ids = {queries.indicator_id(conn, code): code for code in codes}
    slices = {s for s in touched_slices(conn, release.id) if s[0] in ids}
    return {
        (ids[indicator_id], period): areas
        for (indicator_id, period), areas in pending_patterns(
            conn, release, slices
        ).items()
    }


def _public_only(
    found: list[Observation], pending: dict[tuple[str, str], frozenset[str]]
) -> list[Observation]:
    return [
        o
        for o in found
        if not o.flags & Flag.CONFIDENTIAL
        and o.area not in pending.get((o.indicator, o.period), ())
    ]


def _series_by_indicator(
    found: list[Observation], codes: pd.Index
) -> dict[str, pd.Series]:
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for o in found:
        if o.value is not None:
            values[o.indicator][o.area] = o.value
    return {
        ind: pd.Series(by_area, dtype=float).reindex(codes)
        for ind, by_area in values.items()
    }


def _needed(
    at_target: dict[str, pd.Series],
    indicator: str,
    period: str,
    definition: IndexDefinition,
) -> pd.Series:
    if indicator not in at_target:
        raise IndexInputError(
            f"The indicator '{indicator}' has no values for {period} on the level "
            f"'{definition.level}', so the index '{definition.id}' cannot be computed "
            "for that period."
        )
    return at_target[indicator]


def _change(
    series: list[Observation],
    indicator: str,
    target: str,
    periods: int,
    codes: pd.Index,
) -> pd.Series:
    """Value at ``target`` minus value ``periods`` periods earlier in the series."""
    mine = [o for o in series if o.indicator == indicator and o.value is not None]
    stored = sorted({o.period for o in mine}, key=lambda p: parse_period(p).end)
    if target not in stored:
        raise IndexInputError(
            f"The indicator '{indicator}' has no values for {target}: its change "
            "cannot be computed."
        )
    position = stored.index(target) - periods
    if position < 0:
        raise IndexInputError(
            f"A change of '{indicator}' over {periods} period(s) up to {target} needs "
            f"{periods + 1} periods; stored are {', '.join(stored)}."
        )
    start = stored[position]
    now = pd.Series({o.area: o.value for o in mine if o.period == target}, dtype=float)
    then = pd.Series({o.area: o.value for o in mine if o.period == start}, dtype=float)
    return (now - then).reindex(codes)


def compute_from_database(
    conn: Connection,
    definition: IndexDefinition,
    *,
    period: str | None = None,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> IndexResult:
    """Read the inputs through the gate and compute the index (nothing is stored)."""
    return read_and_compute(
        conn, definition, period=period, as_of=as_of, audience=audience
    )[0]


def read_and_compute(
    conn: Connection,
    definition: IndexDefinition,
    *,
    period: str | None = None,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
    public_cells: bool = False,
) -> tuple[IndexResult, IndexInputs]:
    """The computed index and the inputs it was computed from (``public_cells``:
    see ``read_inputs``)."""
    inputs = read_inputs(
        conn,
        definition,
        period=period,
        as_of=as_of,
        audience=audience,
        public_cells=public_cells,
    )
    result = compute_index(
        definition,
        inputs.values,
        population=inputs.population,
        names=inputs.names,
        period=parse_period(period or definition.period).code,
    )
    return result, inputs
