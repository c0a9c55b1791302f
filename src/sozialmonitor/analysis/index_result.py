"""What an index computation returns: per-area results, counts, focus areas, JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sozialmonitor.analysis.index_definition import IndexDefinition


@dataclass(frozen=True, kw_only=True)
class Driver:
    """An indicator that pushes an area into a focus class."""

    key: str
    """The indicator's key in the index (``s4``)."""
    label: str
    """Its label (``S4 Kinderarmut``)."""
    zscore: float
    """Its z-score in the area (polarity applied)."""

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "label": self.label, "zscore": self.zscore}


@dataclass(frozen=True, kw_only=True)
class FocusArea:
    """An area in a focus class (Fokusgebiet), with the indicators that drive it."""

    code: str
    name: str
    reasons: tuple[str, ...]
    """E.g. ``Status sehr niedrig``, ``Dynamik negativ``."""
    cell: str | None
    """The combined cell (``4-``), if the index has dynamics."""
    drivers: tuple[Driver, ...]
    """The indicators with the largest positive z-scores, largest first."""

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "reasons": list(self.reasons),
            "cell": self.cell,
            "drivers": [d.to_dict() for d in self.drivers],
        }


@dataclass(frozen=True, kw_only=True)
class IndexResult:
    """An index computed for one period.

    ``areas`` has one row per area (index: area code) with the columns ``name``,
    ``population``, ``included``, ``reason``; per indicator ``value_<key>`` and
    ``z_<key>``; per dimension (``status``, ``dynamics``) ``<dim>_sum``,
    ``<dim>_index``, ``<dim>_class`` (the official number) and ``<dim>_label``; and
    with dynamics ``cell``, ``cell_code``, ``cell_label``.
    """

    definition: IndexDefinition
    period: str
    areas: pd.DataFrame
    focus: tuple[FocusArea, ...]

    @property
    def included(self) -> pd.DataFrame:
        return self.areas[self.areas["included"]]

    @property
    def excluded(self) -> pd.DataFrame:
        return self.areas[~self.areas["included"]]

    def counts(self) -> dict[str, dict[str, int]]:
        """Areas per class label (in class order) and, with dynamics, per cell."""
        found: dict[str, dict[str, int]] = {}
        for dim_name, dim in self.definition.dimensions.items():
            labels = Counter(self.included[f"{dim_name}_label"])
            found[dim_name] = {c.label: labels.get(c.label, 0) for c in dim.classes}
        if self.definition.dynamics is not None:
            cells = Counter(self.included["cell"])
            found["cells"] = {cell: cells.get(cell, 0) for cell in self.cells()}
        found["excluded"] = dict(Counter(self.excluded["reason"]))
        return found

    def cells(self) -> list[str]:
        """Every cell of the combined matrix, status class by status class."""
        return self.definition.cells()

    def area_dict(self, code: str) -> dict[str, Any]:
        """One area as JSON: z-scores by indicator key, sums, indices, classes."""
        row = self.areas.loc[code]
        data: dict[str, Any] = {
            "code": code,
            "name": row["name"],
            "population": _count(row["population"]),
            "included": bool(row["included"]),
            "reason": row["reason"] if not row["included"] else None,
            "values": {
                i.key: _number(row[f"value_{i.key}"])
                for i in self.definition.indicators
            },
            "zscores": {
                i.key: _number(row[f"z_{i.key}"]) for i in self.definition.indicators
            },
        }
        for dim_name in self.definition.dimensions:
            data[dim_name] = {
                "sum": _number(row[f"{dim_name}_sum"]),
                "index": _number(row[f"{dim_name}_index"]),
                "class": _number(row[f"{dim_name}_class"]),
                "label": row[f"{dim_name}_label"] or None,
            }
        if self.definition.dynamics is not None:
            data["cell"] = row["cell"] or None
            data["cell_code"] = _number(row["cell_code"])
            data["cell_label"] = row["cell_label"] or None
        return data

    def to_dict(self) -> dict[str, Any]:
        d = self.definition
        return {
            "index": {"id": d.id, "name": d.name, "level": d.level},
            "period": self.period,
            "definition_sha256": d.digest,
            "indicators": [
                {
                    "key": i.key,
                    "label": i.label,
                    "dimension": dim_name,
                    "indicator": i.indicator,
                    "change_of": i.change_of,
                    "periods": i.periods,
                    "weight": i.weight,
                    "polarity": i.polarity.value,
                }
                for dim_name, dim in d.dimensions.items()
                for i in dim.indicators
            ],
            "counts": self.counts(),
            "areas": [self.area_dict(code) for code in self.areas.index],
            "focus": [f.to_dict() for f in self.focus],
        }


def _number(value: Any) -> float | int | None:
    """A cell as JSON: None when missing, int for class codes."""
    if (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and np.isnan(value))
    ):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    return float(value)


def _count(value: Any) -> float | int | None:
    """A population as JSON: whole numbers as int."""
    number = _number(value)
    return int(number) if isinstance(number, float) and number.is_integer() else number
