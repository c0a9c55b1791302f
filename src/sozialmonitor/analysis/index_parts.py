"""The parts an index definition is built from: indicators, classes, dimensions,
excluded areas, the combined matrix and the focus rule.

Each field is declared once, with its description; ``IndexDefinition``
(``index_definition``) puts them together.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sozialmonitor.domain.indicator import Polarity

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
DEFAULT_EXCLUSION_REASON = "Ausreißer"
FROZEN = ConfigDict(frozen=True, extra="forbid")


class IndexIndicator(BaseModel):
    """One indicator of a dimension (status or dynamics)."""

    model_config = FROZEN

    key: str = Field(
        description="Short name within the index (s1, d3): names its z-score column."
    )
    label: str = Field(description="Label as the publication writes it.")
    label_en: str = Field(
        default="",
        description="English label (empty: the derived indicators "
        "have no English texts).",
    )
    indicator: str | None = Field(
        default=None, description="Id of a stored indicator whose values are used."
    )
    change_of: str | None = Field(
        default=None,
        description="Id of a stored indicator whose change over `periods` periods is "
        "used (value now minus value then: percentage points for shares).",
    )
    periods: int | None = Field(
        default=None,
        ge=1,
        description="With change_of: how many periods of its series the change spans.",
    )
    weight: float = Field(default=1.0, gt=0, description="Weight in the aggregation.")
    polarity: Polarity = Field(
        default=Polarity.HIGHER_IS_WORSE,
        description="higher_is_worse (a high value lowers the status) or "
        "higher_is_better (its z-score is reversed).",
    )

    @field_validator("key")
    @classmethod
    def _key_is_short(cls, value: str) -> str:
        if not KEY.match(value):
            raise ValueError("use lower-case letters, digits and '_' (e.g. s1)")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> IndexIndicator:
        if (self.indicator is None) == (self.change_of is None):
            raise ValueError("give either 'indicator' or 'change_of' (not both)")
        if (self.change_of is None) != (self.periods is None):
            raise ValueError("'periods' goes with 'change_of' and only with it")
        if self.polarity is Polarity.NEUTRAL:
            raise ValueError(
                "an index indicator is higher_is_worse or higher_is_better"
            )
        return self

    @property
    def source(self) -> str:
        """The stored indicator the values come from."""
        return self.indicator or self.change_of or ""

    @property
    def sign(self) -> float:
        """+1, or -1 when a higher value is better (the z-score is reversed)."""
        return -1.0 if self.polarity is Polarity.HIGHER_IS_BETTER else 1.0


class IndexClass(BaseModel):
    """One class of a dimension, with its official number and label."""

    model_config = FROZEN

    code: int = Field(
        description="Number as published (MSS: status 1-4; dynamics 1, 3, 5)."
    )
    label: str = Field(description="Official label (hoch, mittel, positiv …).")
    label_en: str = Field(
        default="",
        description="English label (high, medium, positive …); empty: an English "
        "page shows the German label and says so.",
    )
    symbol: str = Field(
        default="",
        description="Sign in the combined cell (dynamics: +, +/-, -); default: code.",
    )
    below: float | None = Field(
        default=None, description="The class holds index values below this bound (<)."
    )
    up_to: float | None = Field(
        default=None, description="The class holds index values up to this bound (<=)."
    )

    @model_validator(mode="after")
    def _one_bound(self) -> IndexClass:
        if self.below is not None and self.up_to is not None:
            raise ValueError("give 'below' or 'up_to', not both")
        if not self.symbol:
            object.__setattr__(self, "symbol", str(self.code))
        return self

    @property
    def bound(self) -> float | None:
        return self.below if self.below is not None else self.up_to


class IndexDimension(BaseModel):
    """Status or dynamics: indicators combined into one index, then classified."""

    model_config = FROZEN

    name: str = Field(description="Name of the index (Status-Index, Dynamik-Index).")
    name_en: str = Field(
        default="", description="English name (Status index, Dynamics index)."
    )
    indicators: tuple[IndexIndicator, ...] = Field(
        min_length=1, description="The indicators combined."
    )
    classes: tuple[IndexClass, ...] = Field(
        min_length=2,
        description="Classes from the lowest index values up; every class but the "
        "last has a bound ('below' or 'up_to'), the last takes the rest.",
    )

    @model_validator(mode="after")
    def _classes_are_ordered(self) -> IndexDimension:
        *bounded, last = self.classes
        if last.bound is not None:
            raise ValueError(f"the last class '{last.label}' takes the rest: no bound")
        bounds = [c.bound for c in bounded]
        missing = [c.label for c in bounded if c.bound is None]
        if missing:
            raise ValueError(f"classes without a bound: {', '.join(missing)}")
        if any(
            b is not None and a is not None and b <= a
            for a, b in itertools.pairwise(bounds)
        ):
            raise ValueError("class bounds must increase from class to class")
        for what in ("code", "label"):
            seen = [getattr(c, what) for c in self.classes]
            if len(set(seen)) != len(seen):
                raise ValueError(f"class {what}s must differ")
        return self

    def find_class(self, code: int) -> IndexClass:
        return next(c for c in self.classes if c.code == code)


class ExcludedArea(BaseModel):
    """An area left out of the index although its population is large enough."""

    model_config = FROZEN

    code: str = Field(description="Area code.")
    reason: str = Field(
        default=DEFAULT_EXCLUSION_REASON, description="Why (shown with the area)."
    )
    name: str = Field(default="", description="Name, for the reader of the file.")

    @field_validator("code", mode="before")
    @classmethod
    def _code_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class CombinedMatrix(BaseModel):
    """Status class x dynamics class: the cells of the combined index."""

    model_config = FROZEN

    name: str = Field(
        default="Gesamtindex",
        description="Name (MSS: Gesamtindex Soziale Ungleichheit).",
    )
    name_en: str = Field(default="", description="English name.")
    cell: str = Field(
        default="{status_code}{dynamics_symbol}",
        description="How a cell is written (MSS: 2-).",
    )
    code: str = Field(
        default="{status_code}{dynamics_code}",
        description="The cell as a number (MSS: 25 = status 2, dynamics 5).",
    )
    label: str = Field(
        default="Status {status_label}, Dynamik {dynamics_label}",
        description="The cell in words.",
    )
    label_en: str = Field(
        default="",
        description="The cell in English words, from the classes' English labels "
        "(default with the default German label: Status {status_label}, dynamics "
        "{dynamics_label}).",
    )

    @model_validator(mode="after")
    def _templates_format(self) -> CombinedMatrix:
        sample = (
            IndexClass(code=2, label="mittel", label_en="medium"),
            IndexClass(code=5, label="negativ", label_en="negative", symbol="-"),
        )
        try:
            self.render(*sample)
            self.render(*sample, lang="en")
        except (KeyError, ValueError, IndexError) as exc:
            names = ", ".join(cell_parts(*sample))
            raise ValueError(
                f"cell, code and label may use {{{names}}}; the code must give a "
                f"number ({exc})"
            ) from None
        return self

    def render(
        self, status: IndexClass, dynamics: IndexClass, *, lang: str = "de"
    ) -> tuple[str, int, str]:
        """The cell, its number and its words for a status and a dynamics class;
        with ``lang="en"`` the words are English where the matrix and the classes
        have English labels (:meth:`has_english`), else German.

        Examples
        --------
        >>> CombinedMatrix().render(
        ...     IndexClass(code=2, label="mittel"),
        ...     IndexClass(code=5, label="negativ", symbol="-"),
        ... )
        ('2-', 25, 'Status mittel, Dynamik negativ')
        >>> CombinedMatrix().render(
        ...     IndexClass(code=2, label="mittel", label_en="medium"),
        ...     IndexClass(code=5, label="negativ", label_en="negative", symbol="-"),
        ...     lang="en",
        ... )
        ('2-', 25, 'Status medium, dynamics negative')
        """
        parts = cell_parts(status, dynamics)
        english = lang == "en" and self.has_english(status, dynamics)
        words = (
            self.english_label.format(**cell_parts(status, dynamics, lang="en"))
            if english
            else self.label.format(**parts)
        )
        return (self.cell.format(**parts), int(self.code.format(**parts)), words)

    @property
    def english_label(self) -> str:
        """The English template of the cell's words ("" when there is none)."""
        if self.label_en:
            return self.label_en
        default = type(self).model_fields["label"].default
        return DEFAULT_CELL_LABEL_EN if self.label == default else ""

    def has_english(self, status: IndexClass, dynamics: IndexClass) -> bool:
        """Whether the cell of these classes can be written in English."""
        return bool(self.english_label and status.label_en and dynamics.label_en)


DEFAULT_CELL_LABEL_EN = "Status {status_label}, dynamics {dynamics_label}"
"""The English words of a cell where the definition keeps the default German ones."""


def class_label(cls: IndexClass, lang: str) -> str:
    """A class's label in ``lang`` (German where it has no English one).

    Examples
    --------
    >>> class_label(IndexClass(code=1, label="hoch", label_en="high"), "en")
    'high'
    >>> class_label(IndexClass(code=1, label="hoch"), "en")
    'hoch'
    """
    return cls.label_en if lang == "en" and cls.label_en else cls.label


def cell_parts(
    status: IndexClass, dynamics: IndexClass, *, lang: str = "de"
) -> dict[str, object]:
    """The names a combined matrix template may use (labels in ``lang``)."""
    return {
        "status_code": status.code,
        "status_label": class_label(status, lang),
        "status_symbol": status.symbol,
        "dynamics_code": dynamics.code,
        "dynamics_label": class_label(dynamics, lang),
        "dynamics_symbol": dynamics.symbol,
    }


class FocusRule(BaseModel):
    """Which areas are focus areas (Fokusgebiete) and how many drivers are named."""

    model_config = FROZEN

    status_classes: tuple[int, ...] | None = Field(
        default=None,
        description="Status class codes that make an area a focus area "
        "(default: the last class).",
    )
    dynamics_classes: tuple[int, ...] | None = Field(
        default=None,
        description="Dynamics class codes that make an area a focus area "
        "(default: the last class).",
    )
    drivers: int = Field(
        default=3,
        ge=1,
        description="How many indicators with the largest z-scores are named.",
    )


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

MSS_STATUS_COLOURS: dict[int, str] = {
    1: "#4575b4",
    2: "#fee090",
    3: "#fc8d59",
    4: "#d73027",
}
"""Status hoch … sehr niedrig: blue, light yellow, orange, red, as the MSS maps run
from a cool high status to a red very low one; ColorBrewer RdYlBu (colour-blind
safe) rather than the MSS's green, which red-green blind readers cannot tell apart
from its red."""
MSS_DYNAMICS_COLOURS: dict[int, str] = {1: "#4575b4", 3: "#e0e0e0", 5: "#d73027"}
"""Dynamik positiv, stabil, negativ: blue, grey, red."""
SEQUENTIAL: dict[int, tuple[str, ...]] = {
    2: ("#fee8c8", "#e34a33"),
    3: ("#fee8c8", "#fdbb84", "#e34a33"),
    4: ("#fef0d9", "#fdcc8a", "#fc8d59", "#d7301f"),
    5: ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"),
    6: ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"),
    7: ("#fef0d9", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"),
}
"""ColorBrewer OrRd, light to dark: classes of any other layout, from the first
(lowest index values) to the last."""
MSS_CELL_COLOURS: dict[str, str] = {
    "1+": "#c6dbef",
    "1+/-": "#6baed6",
    "1-": "#2171b5",
    "2+": "#fff7bc",
    "2+/-": "#fee391",
    "2-": "#fec44f",
    "3+": "#fdd0a2",
    "3+/-": "#fd8d3c",
    "3-": "#d94801",
    "4+": "#fcbba1",
    "4+/-": "#ef3b2c",
    "4-": "#99000d",
}
"""The 4 x 3 cells of the MSS Gesamtindex: one hue per status class (blue, yellow,
orange, red, as above), light for a positive, full for a stable and dark for a
negative dynamics (ColorBrewer Blues, YlOrBr, Oranges, Reds)."""


class IndexColours(BaseModel):
    """Fill colours of the classes and cells on maps and legends (``#rrggbb``).

    Without this section the MSS layout (status 1-4, dynamics 1, 3, 5, cells like
    ``2-``) gets the MSS colours; any other layout a sequential palette."""

    model_config = FROZEN

    status: dict[int, str] = Field(
        default_factory=dict, description="Status class code -> colour."
    )
    dynamics: dict[int, str] = Field(
        default_factory=dict, description="Dynamics class code -> colour."
    )
    cells: dict[str, str] = Field(
        default_factory=dict, description="Combined cell (as written, 2-) -> colour."
    )

    @field_validator("status", "dynamics", "cells")
    @classmethod
    def _hex_colours(cls, value: dict[Any, str]) -> dict[Any, str]:
        wrong = [f"{k}: {v}" for k, v in value.items() if not HEX_COLOUR.match(v)]
        if wrong:
            raise ValueError(
                f"write colours as #rrggbb (e.g. #d73027), not {', '.join(wrong)}"
            )
        return value
