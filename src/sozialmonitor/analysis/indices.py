"""Composite indices (Sozialindex): status and dynamics, their classes, focus areas.

Pure computation on pandas. The input is one value per area and index indicator (the
columns are the indicators' keys, e.g. ``s1``) and the population per area; the output
(``IndexResult``) holds for every area the z-score of each indicator, the sums, the
index values, the classes with their official labels and the combined cell (``2-``),
or the reason the area was left out ("nicht indexiert (< 300 EW)", "Ausreißer").
Reading the inputs through the read gate is in ``index_inputs``; storing the results
as derived indicators in ``index_derived``.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd

from sozialmonitor.analysis.index_definition import (
    IndexClass,
    IndexDefinition,
    IndexDimension,
)
from sozialmonitor.analysis.index_methods import combine, standardise
from sozialmonitor.analysis.index_result import Driver, FocusArea, IndexResult
from sozialmonitor.errors import IndexInputError

MISSING_POPULATION = "nicht indexiert (Einwohnerzahl fehlt)"


def too_small(min_population: float) -> str:
    """The reason for an area below the population threshold.

    Examples
    --------
    >>> too_small(300)
    'nicht indexiert (< 300 EW)'
    >>> too_small(1000)
    'nicht indexiert (< 1.000 EW)'
    """
    return f"nicht indexiert (< {min_population:,.0f} EW)".replace(",", ".")


def classify(values: pd.Series, classes: Sequence[IndexClass]) -> pd.Series:
    """The class code of each value (``<NA>`` for a missing value).

    A class with ``below: b`` takes the values ``< b``, one with ``up_to: u`` the
    values ``<= u`` (each only those no earlier class took); the last takes the rest.

    Examples
    --------
    >>> from sozialmonitor.analysis.index_definition import find_definition
    >>> status = find_definition("mss").status.classes
    >>> classify(pd.Series([-1.2, -1.0, 1.0, 1.2, 1.5, 2.0, None]), status).tolist()
    [1, 2, 2, 3, 3, 4, <NA>]
    """
    codes = pd.Series(pd.NA, index=values.index, dtype="Int64")
    open_ = values.notna()
    for cls in classes:
        if cls.below is not None:
            hit = open_ & (values < cls.below)
        elif cls.up_to is not None:
            hit = open_ & (values <= cls.up_to)
        else:
            hit = open_
        codes[hit] = cls.code
        open_ &= ~hit
    return codes


def compute_index(
    definition: IndexDefinition,
    inputs: pd.DataFrame,
    *,
    population: pd.Series | None = None,
    names: Mapping[str, str] | None = None,
    period: str | None = None,
) -> IndexResult:
    """Compute an index: z-scores, sums, index values, classes and focus areas.

    Parameters
    ----------
    definition
        The index definition.
    inputs
        One row per area (index: area code), one column per index indicator key
        holding its value (for dynamics: the change). Areas missing from ``inputs``
        but present in ``population`` are listed as left out.
    population
        Inhabitants per area (for the threshold and weighted z-scores).
    names
        Area names by code, for the output.
    period
        The period computed (default: the definition's reference period).

    Raises
    ------
    IndexInputError
        When a needed column is missing or an indicator does not vary.

    Examples
    --------
    >>> from sozialmonitor.analysis.index_definition import parse_definition
    >>> d = parse_definition('''
    ... id: tiny
    ... name: Tiny
    ... level: social_quarter
    ... period: 2022
    ... min_population: 100
    ... status:
    ...   name: Status-Index
    ...   indicators: [{key: a, label: A, indicator: a_share}]
    ...   classes:
    ...     - {code: 1, label: hoch, below: -1}
    ...     - {code: 2, label: mittel, up_to: 1}
    ...     - {code: 3, label: niedrig}
    ... ''')
    >>> inputs = pd.DataFrame({"a": [1.0, 2.0, 3.0, 9.0, 5.0]},
    ...                       index=["q1", "q2", "q3", "q4", "q5"])
    >>> pop = pd.Series([500, 800, 400, 600, 50], index=inputs.index)
    >>> r = compute_index(d, inputs, population=pop)
    >>> r.areas["z_a"].round(2).tolist()
    [-0.88, -0.56, -0.24, 1.69, nan]
    >>> r.areas["status_label"].tolist()
    ['mittel', 'mittel', 'mittel', 'niedrig', '']
    >>> r.excluded["reason"].to_dict()
    {'q5': 'nicht indexiert (< 100 EW)'}
    >>> [(f.code, f.reasons, f.drivers[0].key) for f in r.focus]
    [('q4', ('Status niedrig',), 'a')]
    """
    keys = [i.key for i in definition.indicators]
    missing = [k for k in keys if k not in inputs.columns]
    if missing:
        raise IndexInputError(f"The inputs lack the indicators {', '.join(missing)}.")
    codes = inputs.index.union(population.index if population is not None else [])
    frame = pd.DataFrame(index=pd.Index(codes, name="code"))
    frame["name"] = _names(frame.index, names)
    # Every column carries the frame's own index object: pandas aligns a column with
    # another (even equal) index by comparing every area code, per column.
    pop = (
        population.reindex(frame.index).astype(float).set_axis(frame.index)
        if population is not None
        else pd.Series(np.nan, index=frame.index)
    )
    frame["population"] = pop
    values = inputs.reindex(frame.index)[keys].astype(float).set_axis(frame.index)
    frame["reason"] = _reasons(definition, values, pop)
    frame["included"] = frame["reason"].isna()
    # Positions, not labels: selecting and re-aligning millions of area codes by
    # label costs seconds; a boolean mask keeps the frame's order at array speed.
    included = frame["included"].to_numpy(dtype=bool)
    if included.sum() < 2:
        raise IndexInputError(
            f"Only {included.sum()} area(s) of level '{definition.level}' can be "
            "indexed; an index needs at least two."
        )
    weights = pop[included] if definition.standardisation == "zscore_weighted" else None
    for ind in definition.indicators:
        frame[f"value_{ind.key}"] = values[ind.key]
        z = standardise(values[ind.key][included], definition.standardisation, weights)
        frame[f"z_{ind.key}"] = _spread(z, included) * ind.sign
    for dim_name, dim in definition.dimensions.items():
        _dimension(frame, definition, dim_name, dim, included, weights)
    if definition.dynamics is not None:
        _cells(frame, definition)
    return IndexResult(
        definition=definition,
        period=period or definition.period,
        areas=frame,
        focus=_focus(frame, definition),
    )


def _names(codes: pd.Index, names: Mapping[str, str] | None) -> np.ndarray:
    """The name of each area ("" when unknown)."""
    if not names:
        return np.full(len(codes), "", dtype=object)
    found = pd.Series(dict(names), dtype=object).reindex(codes, fill_value="")
    text: np.ndarray = found.to_numpy(dtype=object)
    return text


def _spread(values: pd.Series, included: np.ndarray) -> np.ndarray:
    """``values`` of the included areas back at their rows; NaN elsewhere."""
    full = np.full(len(included), np.nan)
    full[included] = values.to_numpy(dtype=float)
    return full


def _reasons(
    definition: IndexDefinition, values: pd.DataFrame, population: pd.Series
) -> pd.Series:
    """Why each area is left out (None: indexed). The first reason wins."""
    reason = pd.Series(None, index=values.index, dtype=object)
    for area in definition.excluded_areas:
        if area.code in reason.index:
            reason[area.code] = area.reason
    if definition.min_population:
        open_ = reason.isna()
        reason[open_ & population.isna()] = MISSING_POPULATION
        small = open_ & population.notna() & (population < definition.min_population)
        reason[small] = too_small(definition.min_population)
    gaps = reason.isna() & values.isna().any(axis="columns")
    if gaps.any():
        reason[gaps] = _missing_values(values[gaps])
        shown = ", ".join(values.index[gaps][:5])
        more = f" and {gaps.sum() - 5} more" if gaps.sum() > 5 else ""
        warnings.warn(
            f"Index '{definition.id}': {gaps.sum()} area(s) left out for missing "
            f"values: {shown}{more}.",
            stacklevel=3,
        )
    return reason


def _missing_values(values: pd.DataFrame) -> np.ndarray:
    """The reason for each row of ``values`` that lacks a value, naming the columns.

    One text per pattern of missing columns (a bit per column), not per row.
    """
    lacking = values.isna().to_numpy()
    pattern = lacking @ (1 << np.arange(lacking.shape[1], dtype=np.int64))
    _, first, where = np.unique(pattern, return_index=True, return_inverse=True)
    texts = np.array(
        [
            "nicht indexiert (fehlende Werte: "
            + ", ".join(
                str(c) for c, m in zip(values.columns, lacking[row], strict=True) if m
            )
            + ")"
            for row in first
        ],
        dtype=object,
    )
    return texts[where.reshape(-1)]


def _dimension(
    frame: pd.DataFrame,
    definition: IndexDefinition,
    name: str,
    dim: IndexDimension,
    included: np.ndarray,
    weights: pd.Series | None,
) -> None:
    z = frame.loc[included, [f"z_{i.key}" for i in dim.indicators]]
    z.columns = pd.Index([i.key for i in dim.indicators])
    total = combine(
        z, definition.aggregation, pd.Series({i.key: i.weight for i in dim.indicators})
    )
    total.name = f"{name}_sum"
    index = (
        standardise(total, definition.standardisation, weights)
        if definition.standardise_index
        else total
    )
    frame[f"{name}_sum"] = _spread(total, included)
    frame[f"{name}_index"] = _spread(index, included)
    codes = classify(frame[f"{name}_index"], dim.classes)
    frame[f"{name}_class"] = codes
    labels = np.full(len(frame), "", dtype=object)
    for cls in dim.classes:
        labels[(codes == cls.code).to_numpy(dtype=bool, na_value=False)] = cls.label
    frame[f"{name}_label"] = labels


def _cells(frame: pd.DataFrame, definition: IndexDefinition) -> None:
    """The combined cell of each area: one render per pair of classes."""
    matrix = definition.combined
    status, dynamics = definition.status, definition.dynamics
    assert matrix is not None and dynamics is not None  # the definition ensures it
    size = len(frame)
    cells = np.full(size, "", dtype=object)
    labels = np.full(size, "", dtype=object)
    numbers = np.zeros(size, dtype=np.int64)
    known = np.zeros(size, dtype=bool)
    status_codes = frame["status_class"].to_numpy(dtype=float, na_value=np.nan)
    dynamics_codes = frame["dynamics_class"].to_numpy(dtype=float, na_value=np.nan)
    for s in status.classes:
        in_status = status_codes == s.code
        for d in dynamics.classes:
            hit = in_status & (dynamics_codes == d.code)
            if not hit.any():
                continue
            cells[hit], numbers[hit], labels[hit] = matrix.render(s, d)
            known |= hit
    frame["cell"] = cells
    frame["cell_code"] = pd.arrays.IntegerArray(numbers, ~known)
    frame["cell_label"] = labels


DIMENSION_WORDS = {"status": "Status", "dynamics": "Dynamik"}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small objects are made.

    Each collection scans every object made since the last one, so making hundreds
    of thousands of focus areas with the collector on costs about twice as much. The
    objects made form no reference cycles: the collector would find nothing in them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def focus_areas(
    frame: pd.DataFrame, definition: IndexDefinition
) -> tuple[FocusArea, ...]:
    """The focus areas of a frame of classes and z-scores, with their drivers.

    The frame has, per area (index: code), ``name``, ``included``, ``<dim>_class``
    per dimension, ``z_<key>`` per indicator and, with dynamics, ``cell``: what
    :func:`compute_index` makes, or the stored results of an index read back
    (the portal's index page), so both name the same focus areas and drivers.
    """
    return _focus(frame, definition)


def _focus(frame: pd.DataFrame, definition: IndexDefinition) -> tuple[FocusArea, ...]:
    """The focus areas in the frame's order, with their drivers.

    An area is a focus area when a dimension's class is one of its focus classes;
    its drivers are the indicators of those dimensions with the largest positive
    z-scores (ties in the order of the definition). The selection and the ranking
    are done on whole arrays, one set of focus dimensions at a time; only the
    result objects are made one by one.
    """
    included = frame["included"].to_numpy(dtype=bool)
    dimensions = list(definition.dimensions.items())
    pattern = np.zeros(len(frame), dtype=np.int64)
    words = []
    for bit, (dim_name, dim) in enumerate(dimensions):
        codes = frame[f"{dim_name}_class"]
        chosen = definition.focus_classes(dim_name)
        pattern |= (included & codes.isin(chosen).to_numpy(dtype=bool)).astype(
            np.int64
        ) << bit
        texts = np.full(len(frame), "", dtype=object)
        for cls in dim.classes:
            if cls.code in chosen:
                hit = (codes == cls.code).to_numpy(dtype=bool, na_value=False)
                texts[hit] = f"{DIMENSION_WORDS[dim_name]} {cls.label}"
        words.append(texts)
    with _collector_paused():
        return _focus_areas(frame, definition, pattern, words)


def _focus_areas(
    frame: pd.DataFrame,
    definition: IndexDefinition,
    pattern: np.ndarray,
    words: list[np.ndarray],
) -> tuple[FocusArea, ...]:
    """The focus areas of the rows with a ``pattern`` (bit per focus dimension)."""
    dimensions = list(definition.dimensions.items())
    rows = np.flatnonzero(pattern)
    patterns = pattern[rows]
    reasons: list[tuple[str, ...]] = [()] * len(rows)
    drivers: list[tuple[Driver, ...]] = [()] * len(rows)
    for chosen_bits in np.unique(patterns).tolist():
        bits = [bit for bit in range(len(dimensions)) if chosen_bits >> bit & 1]
        keys = [i for bit in bits for i in dimensions[bit][1].indicators]
        at = np.flatnonzero(patterns == chosen_bits)
        mine = rows[at]
        z = frame[[f"z_{i.key}" for i in keys]].to_numpy(dtype=float)[mine]
        order = np.argsort(-z, axis=1, kind="stable")[:, : definition.focus.drivers]
        top = np.take_along_axis(z, order, axis=1)
        counts = (top > 0).sum(axis=1).tolist()
        # Sorted from the largest down, the positive z-scores come first.
        by_rank = [
            [
                Driver(key=keys[k].key, label=keys[k].label, zscore=score)
                if count > rank
                else None
                for k, score, count in zip(
                    order[:, rank].tolist(), top[:, rank].tolist(), counts, strict=True
                )
            ]
            for rank in range(order.shape[1])
        ]
        ranked = zip(*by_rank, strict=True)
        why = zip(*(words[bit][mine].tolist() for bit in bits), strict=True)
        for position, found, count, because in zip(
            at.tolist(), ranked, counts, why, strict=True
        ):
            drivers[position] = found[:count]
            reasons[position] = because
    cells = (
        frame["cell"].to_numpy(dtype=object)[rows].tolist()
        if "cell" in frame
        else [""] * len(rows)
    )
    return tuple(
        FocusArea(
            code=code,
            name=name,
            reasons=because,
            cell=cell or None,
            drivers=found,
        )
        for code, name, because, cell, found in zip(
            map(str, frame.index.to_numpy()[rows].tolist()),
            map(str, frame["name"].to_numpy(dtype=object)[rows].tolist()),
            reasons,
            cells,
            drivers,
            strict=True,
        )
    )
