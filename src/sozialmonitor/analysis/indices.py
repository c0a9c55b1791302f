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

import warnings
from collections.abc import Mapping, Sequence

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
    frame["name"] = [(names or {}).get(c, "") for c in frame.index]
    pop = (
        population.reindex(frame.index).astype(float)
        if population is not None
        else pd.Series(np.nan, index=frame.index)
    )
    frame["population"] = pop
    values = inputs.reindex(frame.index)[keys].astype(float)
    frame["reason"] = _reasons(definition, values, pop)
    frame["included"] = frame["reason"].isna()
    included = frame.index[frame["included"]]
    if len(included) < 2:
        raise IndexInputError(
            f"Only {len(included)} area(s) of level '{definition.level}' can be "
            "indexed; an index needs at least two."
        )
    weights = pop[included] if definition.standardisation == "zscore_weighted" else None
    for ind in definition.indicators:
        frame[f"value_{ind.key}"] = values[ind.key]
        z = standardise(
            values.loc[included, ind.key], definition.standardisation, weights
        )
        frame[f"z_{ind.key}"] = z.reindex(frame.index) * ind.sign
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
        for code in values.index[gaps]:
            lacking = [k for k in values.columns if pd.isna(values.at[code, k])]
            reason[code] = f"nicht indexiert (fehlende Werte: {', '.join(lacking)})"
        shown = ", ".join(values.index[gaps][:5])
        more = f" and {gaps.sum() - 5} more" if gaps.sum() > 5 else ""
        warnings.warn(
            f"Index '{definition.id}': {gaps.sum()} area(s) left out for missing "
            f"values: {shown}{more}.",
            stacklevel=3,
        )
    return reason


def _dimension(
    frame: pd.DataFrame,
    definition: IndexDefinition,
    name: str,
    dim: IndexDimension,
    included: pd.Index,
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
    frame[f"{name}_sum"] = total.reindex(frame.index)
    frame[f"{name}_index"] = index.reindex(frame.index)
    codes = classify(frame[f"{name}_index"], dim.classes)
    frame[f"{name}_class"] = codes
    labels = {c.code: c.label for c in dim.classes}
    frame[f"{name}_label"] = [labels[c] if pd.notna(c) else "" for c in codes]


def _cells(frame: pd.DataFrame, definition: IndexDefinition) -> None:
    matrix = definition.combined
    status, dynamics = definition.status, definition.dynamics
    assert matrix is not None and dynamics is not None  # the definition ensures it
    cells, numbers, labels = [], [], []
    for s_code, d_code in zip(
        frame["status_class"], frame["dynamics_class"], strict=True
    ):
        if pd.isna(s_code) or pd.isna(d_code):
            cells.append("")
            numbers.append(pd.NA)
            labels.append("")
            continue
        cell, number, label = matrix.render(
            status.find_class(int(s_code)), dynamics.find_class(int(d_code))
        )
        cells.append(cell)
        numbers.append(number)
        labels.append(label)
    frame["cell"] = cells
    frame["cell_code"] = pd.array(numbers, dtype="Int64")
    frame["cell_label"] = labels


DIMENSION_WORDS = {"status": "Status", "dynamics": "Dynamik"}


def _focus(frame: pd.DataFrame, definition: IndexDefinition) -> tuple[FocusArea, ...]:
    found = []
    for code, row in frame[frame["included"]].iterrows():
        reasons, keys = [], []
        for dim_name, dim in definition.dimensions.items():
            if row[f"{dim_name}_class"] in definition.focus_classes(dim_name):
                reasons.append(
                    f"{DIMENSION_WORDS[dim_name]} {row[f'{dim_name}_label']}"
                )
                keys += list(dim.indicators)
        if not reasons:
            continue
        ranked = sorted(keys, key=lambda i: -float(row[f"z_{i.key}"]))
        drivers = tuple(
            Driver(key=i.key, label=i.label, zscore=float(row[f"z_{i.key}"]))
            for i in ranked
            if float(row[f"z_{i.key}"]) > 0
        )[: definition.focus.drivers]
        found.append(
            FocusArea(
                code=str(code),
                name=str(row["name"]),
                reasons=tuple(reasons),
                cell=(row["cell"] or None) if "cell" in frame else None,
                drivers=drivers,
            )
        )
    return tuple(found)
