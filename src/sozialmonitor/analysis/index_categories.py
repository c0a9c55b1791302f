"""Class indicators of a stored index are categories, not numbers.

An index stores its classes as derived indicators (``<id>.status_class``,
``<id>.dynamics_class``, ``<id>.cell``: ``index_derived``) whose values are the
official class numbers (status 1-4, dynamics 1, 3, 5, cells like 25). Every such
indicator carries the YAML text of the definition that produced it after
:data:`APPENDIX_MARK`; its categories — the official label and the fill colour of
each number — are read from there, so a page writes "Status mittel" in the colour
the definition declares, never "2 Klasse" on a quantile scale. An English page
asks for ``lang="en"``: the classes' English labels (``label_en``) where the
definition has them (:func:`english_labels`), else the German ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sozialmonitor.analysis.index_definition import IndexDefinition, parse_definition
from sozialmonitor.analysis.index_parts import IndexClass, class_label
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.errors import IndexDefinitionError

APPENDIX_MARK = "\n\nIndexdefinition:\n\n"
"""Derived index indicators carry their YAML definition after this line."""
CLASS_SUFFIXES = (".status_class", ".dynamics_class", ".cell")
"""The derived indicators whose values are classes."""
DIMENSION_WORDS = {
    "de": {"status": "Status", "dynamics": "Dynamik"},
    "en": {"status": "Status", "dynamics": "Dynamics"},
}
"""How a class label is introduced, per language: ``Status mittel``, ``Dynamik
negativ``; ``Dynamics negative``."""


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


def categories_of(indicator: Indicator, lang: str = "de") -> tuple[Category, ...]:
    """The categories of a class indicator in class order (labels in ``lang``);
    () for any other.

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
    >>> categories_of(cell, "en")[4].label
    'Status medium, dynamics stable'
    """
    if not indicator.id.endswith(CLASS_SUFFIXES):
        return ()
    return (
        _categories(indicator.id, indicator.definition, lang)
        if stored_definition(indicator)
        else ()
    )


@functools.lru_cache(maxsize=256)
def _categories(indicator_id: str, text: str, lang: str) -> tuple[Category, ...]:
    definition = _definition(text)
    if definition is None:
        return ()
    what = indicator_id.removeprefix(f"{definition.id}.")
    if what == "cell":
        return cell_categories(definition, lang)
    dimension = what.removesuffix("_class")
    if what == indicator_id or dimension not in definition.dimensions:
        return ()
    return class_categories(definition, dimension, lang)


def english_labels(definition: IndexDefinition) -> bool:
    """Whether every class (and so every cell) has English words.

    Examples
    --------
    >>> from sozialmonitor.analysis.index_definition import find_definition
    >>> english_labels(find_definition("mss"))
    True
    """
    classes = [c for dim in definition.dimensions.values() for c in dim.classes]
    if not all(c.label_en for c in classes):
        return False
    matrix = definition.combined
    return matrix is None or definition.dynamics is None or bool(matrix.english_label)


def dimension_label(dimension: str, cls: IndexClass, lang: str = "de") -> str:
    """A class in words with its dimension: ``Status sehr niedrig``; in English
    ``Status very low`` (the German label where the class has no English one)."""
    words = DIMENSION_WORDS["en" if lang == "en" else "de"]
    return f"{words[dimension]} {class_label(cls, lang)}"


def class_categories(
    definition: IndexDefinition, dimension: str, lang: str = "de"
) -> tuple[Category, ...]:
    """The classes of ``status`` or ``dynamics`` as categories."""
    colours = definition.class_colours(dimension)
    return tuple(
        Category(
            code=c.code,
            symbol=c.symbol,
            label=dimension_label(dimension, c, lang),
            colour=colours[c.code],
        )
        for c in definition.dimensions[dimension].classes
    )


def cell_categories(
    definition: IndexDefinition, lang: str = "de"
) -> tuple[Category, ...]:
    """The cells of the combined matrix as categories, status class by class."""
    if definition.combined is None or definition.dynamics is None:
        return ()
    colours = definition.cell_colours()
    found = []
    for s in definition.status.classes:
        for d in definition.dynamics.classes:
            cell, code, label = definition.combined.render(s, d, lang=lang)
            found.append(
                Category(code=code, symbol=cell, label=label, colour=colours[cell])
            )
    return tuple(found)


def category_label(
    indicator: Indicator, value: float | None, lang: str = "de"
) -> str | None:
    """The words for ``value`` of a class indicator; None for any other indicator
    (or a value that is no class of it)."""
    if value is None:
        return None
    for category in categories_of(indicator, lang):
        if category.code == value:
            return category.label
    return None


def reason_words(definition: IndexDefinition, lang: str) -> dict[str, str]:
    """A focus area's German reason (``Status sehr niedrig``, as the computation
    stores it) → its words in ``lang``."""
    return {
        dimension_label(name, c): dimension_label(name, c, lang)
        for name, dim in definition.dimensions.items()
        for c in dim.classes
    }
