"""Index definitions: a composite index (Sozialindex) declared in a small YAML file.

A definition names the areas (level, reference period, population threshold, excluded
outliers), the status indicators and the dynamics indicators (a stored change, or the
change of an indicator over a number of periods), their weights and polarity, how
values are standardised and aggregated, the class boundaries with their official
labels, the combined matrix and the rule for focus areas. Each field is declared once,
with its description, here and in ``index_parts``; the API serves them from here.

Definitions shipped with Sozialmonitor live in ``analysis/definitions/*.yaml``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from sozialmonitor.analysis.index_methods import AGGREGATIONS, STANDARDISATIONS
from sozialmonitor.analysis.index_parts import (
    FROZEN,
    MSS_CELL_COLOURS,
    MSS_DYNAMICS_COLOURS,
    MSS_STATUS_COLOURS,
    SEQUENTIAL,
    CombinedMatrix,
    ExcludedArea,
    FocusRule,
    IndexClass,
    IndexColours,
    IndexDimension,
    IndexIndicator,
)
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import (
    IndexDefinitionError,
    InvalidPeriodError,
    UnknownIndexError,
)

INDEX_ID = re.compile(r"^[a-z][a-z0-9_-]*$")

__all__ = [
    "CombinedMatrix",
    "ExcludedArea",
    "FocusRule",
    "IndexClass",
    "IndexColours",
    "IndexDefinition",
    "IndexDimension",
    "IndexIndicator",
    "find_definition",
    "load_definition",
    "parse_definition",
    "shipped_definitions",
]


class IndexDefinition(BaseModel):
    """A composite index, as declared in its YAML file."""

    model_config = FROZEN

    id: str = Field(description="Stable id (mss): prefix of the derived indicators.")
    name: str = Field(description="Full name as published.")
    description: str = Field(default="", description="What the index shows.")
    source: str = Field(default="", description="Publisher of the method.")
    topic: str = Field(default="Sozialindex", description="Topic of the results.")
    name_en: str = Field(
        default="",
        description="English name; with the English texts of the parts (label_en, "
        "name_en) the derived indicators get English texts.",
    )
    description_en: str = Field(default="", description="English description.")
    topic_en: str = Field(default="", description="English topic (Social index).")
    level: str = Field(description="Area level the index is computed on.")
    period: str = Field(description="Reference period (Stichtag), e.g. 2020-12-31.")
    population: str | None = Field(
        default="population",
        description="Id of the population indicator (threshold and weights).",
    )
    min_population: float = Field(
        default=0,
        ge=0,
        description="Areas with fewer inhabitants are left out (MSS: 300).",
    )
    excluded_areas: tuple[ExcludedArea, ...] = Field(
        default=(), description="Areas left out as outliers."
    )
    standardisation: str = Field(
        default="zscore",
        description="zscore (unweighted) or zscore_weighted (by population).",
    )
    aggregation: str = Field(
        default="sum", description="sum or mean of the weighted z-scores."
    )
    standardise_index: bool = Field(
        default=True,
        description="Standardise the aggregate again (MSS: the index is the "
        "standardised sum); false: the aggregate is the index.",
    )
    status: IndexDimension = Field(description="The status dimension.")
    dynamics: IndexDimension | None = Field(
        default=None, description="The dynamics dimension (optional)."
    )
    combined: CombinedMatrix | None = Field(
        default=None,
        description="The combined matrix (with dynamics; default cells like 2-).",
    )
    focus: FocusRule = Field(
        default_factory=FocusRule, description="Which areas are focus areas."
    )
    colours: IndexColours | None = Field(
        default=None,
        description="Fill colours of classes and cells on maps (default: the MSS "
        "colours for the MSS layout, else a sequential palette).",
    )
    _text: str = PrivateAttr(default="")

    @field_validator("id")
    @classmethod
    def _id_is_stable(cls, value: str) -> str:
        if not INDEX_ID.match(value):
            raise ValueError("use lower-case letters, digits, '_' and '-' (e.g. mss)")
        return value

    @field_validator("period", mode="before")
    @classmethod
    def _period_is_canonical(cls, value: Any) -> str:
        try:
            return parse_period(value).code
        except InvalidPeriodError as exc:
            raise ValueError(exc.message) from None

    @field_validator("standardisation")
    @classmethod
    def _known_standardisation(cls, value: str) -> str:
        if value not in STANDARDISATIONS:
            raise ValueError(f"known: {', '.join(STANDARDISATIONS)}")
        return value

    @field_validator("aggregation")
    @classmethod
    def _known_aggregation(cls, value: str) -> str:
        if value not in AGGREGATIONS:
            raise ValueError(f"known: {', '.join(AGGREGATIONS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> IndexDefinition:
        keys = [i.key for i in self.indicators]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise ValueError(f"indicator keys must differ: {', '.join(doubled)}")
        if self.min_population and not self.population:
            raise ValueError("min_population needs the population indicator")
        if self.standardisation == "zscore_weighted" and not self.population:
            raise ValueError("zscore_weighted needs the population indicator")
        if self.dynamics is None:
            if self.combined is not None or self.focus.dynamics_classes:
                raise ValueError("'combined' and focus dynamics need 'dynamics'")
        elif self.combined is None:
            object.__setattr__(self, "combined", CombinedMatrix())
        for dimension, codes in (
            (self.status, self.focus.status_classes),
            (self.dynamics, self.focus.dynamics_classes),
        ):
            known = {c.code for c in dimension.classes} if dimension else set()
            unknown = sorted(set(codes or ()) - known)
            if unknown:
                raise ValueError(f"focus names unknown class codes: {unknown}")
        if self.colours is not None:
            self._check_colours(self.colours)
        return self

    def _check_colours(self, colours: IndexColours) -> None:
        for dim_name, given in (
            ("status", colours.status),
            ("dynamics", colours.dynamics),
        ):
            dim = self.dimensions.get(dim_name)
            known = {c.code for c in dim.classes} if dim else set()
            unknown = sorted(set(given) - known)
            if unknown:
                raise ValueError(f"colours.{dim_name} names unknown codes: {unknown}")
        cells = set(self.cells())
        unknown_cells = sorted(set(colours.cells) - cells)
        if unknown_cells:
            raise ValueError(
                f"colours.cells names unknown cells: {unknown_cells} "
                f"(cells: {', '.join(sorted(cells))})"
            )

    # --- derived views --------------------------------------------------------

    @property
    def dimensions(self) -> dict[str, IndexDimension]:
        """``status`` and (if declared) ``dynamics``."""
        found = {"status": self.status}
        if self.dynamics is not None:
            found["dynamics"] = self.dynamics
        return found

    @property
    def indicators(self) -> tuple[IndexIndicator, ...]:
        """All index indicators, status first."""
        return tuple(i for d in self.dimensions.values() for i in d.indicators)

    @property
    def source_indicators(self) -> tuple[str, ...]:
        """Ids of the stored indicators the index reads (with the population)."""
        ids = [i.source for i in self.indicators]
        if self.population:
            ids.append(self.population)
        return tuple(dict.fromkeys(ids))

    def focus_classes(self, dimension: str) -> tuple[int, ...]:
        """Class codes of ``dimension`` that make an area a focus area."""
        dim = self.dimensions.get(dimension)
        if dim is None:
            return ()
        chosen = (
            self.focus.status_classes
            if dimension == "status"
            else self.focus.dynamics_classes
        )
        return chosen if chosen is not None else (dim.classes[-1].code,)

    def cells(self) -> list[str]:
        """Every cell of the combined matrix as written, status class by status
        class (none without dynamics)."""
        if self.combined is None or self.dynamics is None:
            return []
        return [
            self.combined.render(s, d)[0]
            for s in self.status.classes
            for d in self.dynamics.classes
        ]

    @property
    def mss_layout(self) -> bool:
        """Status classes 1-4, dynamics 1, 3, 5 and cells like ``2-``: the MSS."""
        return (
            [c.code for c in self.status.classes] == [1, 2, 3, 4]
            and self.dynamics is not None
            and [c.code for c in self.dynamics.classes] == [1, 3, 5]
            and set(self.cells()) == set(MSS_CELL_COLOURS)
        )

    def class_colours(self, dimension: str) -> dict[int, str]:
        """Class code -> fill colour of a dimension (declared, else the default).

        Examples
        --------
        >>> find_definition("mss").class_colours("status")[4]
        '#d73027'
        """
        dim = self.dimensions[dimension]
        declared: dict[int, str] = {}
        if self.colours is not None:
            declared = (
                self.colours.status if dimension == "status" else self.colours.dynamics
            )
        if self.mss_layout:
            default = (
                MSS_STATUS_COLOURS if dimension == "status" else MSS_DYNAMICS_COLOURS
            )
        else:
            palette = SEQUENTIAL[min(max(len(dim.classes), 2), max(SEQUENTIAL))]
            default = {
                c.code: palette[min(i, len(palette) - 1)]
                for i, c in enumerate(dim.classes)
            }
        return {c.code: declared.get(c.code, default[c.code]) for c in dim.classes}

    def cell_colours(self) -> dict[str, str]:
        """Cell (as written) -> fill colour: declared, the MSS colours for the MSS
        layout, else the colour of the cell's status class."""
        declared = self.colours.cells if self.colours is not None else {}
        status = self.class_colours("status")
        found: dict[str, str] = {}
        if self.combined is None or self.dynamics is None:
            return found
        for s in self.status.classes:
            for d in self.dynamics.classes:
                cell = self.combined.render(s, d)[0]
                default = MSS_CELL_COLOURS[cell] if self.mss_layout else status[s.code]
                found[cell] = declared.get(cell, default)
        return found

    @property
    def text(self) -> str:
        """The YAML text the definition was read from (or a dump of it)."""
        if self._text:
            return self._text
        return yaml.safe_dump(
            self.model_dump(mode="json", exclude_none=True),
            allow_unicode=True,
            sort_keys=False,
        )

    @property
    def digest(self) -> str:
        """SHA-256 of ``text``: names the exact definition behind stored results."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexDefinition:
        return cls.model_validate(data)


# --- reading ------------------------------------------------------------------------


def parse_definition(text: str, *, origin: str = "definition") -> IndexDefinition:
    """Read a definition from YAML text.

    Parameters
    ----------
    text
        The YAML document.
    origin
        Where it comes from (a file name), for messages.

    Raises
    ------
    IndexDefinitionError
        When the text is not YAML or does not validate; the message names each field.

    Examples
    --------
    >>> d = parse_definition('''
    ... id: demo
    ... name: Demo-Index
    ... level: social_quarter
    ... period: 31.12.2022
    ... status:
    ...   name: Status-Index
    ...   indicators: [{key: a, label: A, indicator: a_share}]
    ...   classes: [{code: 1, label: hoch, below: 0}, {code: 2, label: niedrig}]
    ... ''')
    >>> d.period, d.status.classes[1].symbol, d.source_indicators
    ('2022-12-31', '2', ('a_share', 'population'))
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IndexDefinitionError(f"{origin}: not valid YAML ({exc}).") from None
    if not isinstance(data, dict):
        raise IndexDefinitionError(
            f"{origin}: an index definition is a YAML mapping (id: …, name: …)."
        )
    try:
        definition = IndexDefinition.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise IndexDefinitionError(f"{origin}: {problems}.") from None
    definition._text = text
    return definition


def load_definition(path: Path) -> IndexDefinition:
    """Read a definition from a YAML file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDefinitionError(f"{path}: cannot be read ({exc}).") from None
    return parse_definition(text, origin=str(path))


@cache
def shipped_definitions() -> Mapping[str, IndexDefinition]:
    """The definitions shipped in ``analysis/definitions``, by id."""
    folder = files("sozialmonitor.analysis").joinpath("definitions")
    found: dict[str, IndexDefinition] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            definition = parse_definition(
                entry.read_text(encoding="utf-8"), origin=entry.name
            )
            found[definition.id] = definition
    return MappingProxyType(found)


def find_definition(reference: str | Path) -> IndexDefinition:
    """A definition by the path of its YAML file or the id of a shipped one.

    Raises
    ------
    UnknownIndexError
        When ``reference`` is neither a file nor a shipped id.

    Examples
    --------
    >>> find_definition("mss").status.name
    'Status-Index'
    """
    path = Path(reference)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise IndexDefinitionError(f"There is no file {path}.")
        return load_definition(path)
    shipped = shipped_definitions()
    if str(reference) not in shipped:
        raise UnknownIndexError(
            f"There is no index '{reference}'. Shipped indices: "
            f"{', '.join(shipped)}; or give the path of a YAML definition."
        )
    return shipped[str(reference)]
