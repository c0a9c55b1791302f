"""Class indicators of a stored index are categories, not numbers.

An index stores its classes as derived indicators (``<id>.status_class``,
``<id>.dynamics_class``, ``<id>.cell``: ``index_derived``) whose values are the
official class numbers (status 1-4, dynamics 1, 3, 5, cells like 25). Every such
indicator carries the YAML text of the definition that produced it after
:data:`APPENDIX_MARK`; its categories — the official label and the fill colour of
each number — are read from there, so a page writes "Status mittel" in the colour
the definition declares, never "2 Klasse" on a quantile scale.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sozialmonitor.analysis.index_definition import IndexDefinition, parse_definition
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.errors import IndexDefinitionError

APPENDIX_MARK = "\n\nIndexdefinition:\n\n"
"""Derived index indicators carry their YAML definition after this line."""
CLASS_SUFFIXES = (".status_class", ".dynamics_class", ".cell")
"""The derived indicators whose values are classes."""
DIMENSION_WORDS = {"status": "Status", "dynamics": "Dynamik"}
"""How a class label is introduced: ``Status mittel``, ``Dynamik negativ``."""


@dataclass(frozen=True, kw_only=True)
class Category:
    """One value a class indicator can take."""

    code: int
    """The stored value (the official class number, 25 for the cell 2-)."""
    symbol: str
    """How the publication writes it (``2``, ``+/-``, ``2-``)."""
    label: str
    """In words: ``Status mittel``, ``Dynamik negativ``,
    ``Status mittel, Dynamik negativ``."""
    colour: str
    """Fill colour on maps and legends (``#rrggbb``)."""


def stored_definition(indicator: Indicator) -> IndexDefinition | None:
    """The index definition a derived indicator was computed from, if it is one."""
    if indicator.kind is not IndicatorKind.INDEX:
        return None
    return _definition(indicator.definition)


@functools.lru_cache(maxsize=64)
def _definition(text: str) -> IndexDefinition | None:
    _, mark, appendix = text.partition(APPENDIX_MARK)
    if not mark:
        return None
    try:
        return parse_definition(appendix, origin="stored definition")
    except IndexDefinitionError:
        return None


def categories_of(indicator: Indicator) -> tuple[Category, ...]:
    """The categories of a class indicator in class order; () for any other.

    Examples
    --------
    >>> from sozialmonitor.analysis.index_definition import find_definition
    >>> from sozialmonitor.analysis.index_derived import derived_columns
    >>> cell = next(
    ...     c.indicator for c in derived_columns(find_definition("mss"))
    ...     if c.indicator.id == "mss.cell"
    ... )
    >>> found = categories_of(cell)
    >>> found[4].code, found[4].symbol, found[4].label
    (23, '2+/-', 'Status mittel, Dynamik stabil')
    """
    if not indicator.id.endswith(CLASS_SUFFIXES):
        return ()
    return (
        _categories(indicator.id, indicator.definition)
        if stored_definition(indicator)
        else ()
    )


@functools.lru_cache(maxsize=256)
def _categories(indicator_id: str, text: str) -> tuple[Category, ...]:
    definition = _definition(text)
    if definition is None:
        return ()
    what = indicator_id.removeprefix(f"{definition.id}.")
    if what == "cell":
        return cell_categories(definition)
    dimension = what.removesuffix("_class")
    if what == indicator_id or dimension not in definition.dimensions:
        return ()
    return class_categories(definition, dimension)


def class_categories(
    definition: IndexDefinition, dimension: str
) -> tuple[Category, ...]:
    """The classes of ``status`` or ``dynamics`` as categories."""
    colours = definition.class_colours(dimension)
    word = DIMENSION_WORDS[dimension]
    return tuple(
        Category(
            code=c.code,
            symbol=c.symbol,
            label=f"{word} {c.label}",
            colour=colours[c.code],
        )
        for c in definition.dimensions[dimension].classes
    )


def cell_categories(definition: IndexDefinition) -> tuple[Category, ...]:
    """The cells of the combined matrix as categories, status class by class."""
    if definition.combined is None or definition.dynamics is None:
        return ()
    colours = definition.cell_colours()
    found = []
    for s in definition.status.classes:
        for d in definition.dynamics.classes:
            cell, code, label = definition.combined.render(s, d)
            found.append(
                Category(code=code, symbol=cell, label=label, colour=colours[cell])
            )
    return tuple(found)


def category_label(indicator: Indicator, value: float | None) -> str | None:
    """The words for ``value`` of a class indicator; None for any other indicator
    (or a value that is no class of it)."""
    if value is None:
        return None
    for category in categories_of(indicator):
        if category.code == value:
            return category.label
    return None
