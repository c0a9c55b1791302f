"""Which area typology the portal shows on the area profiles.

A small YAML file (later a section of the site configuration)::

    # typology.yaml
    indicators: [unemployment_share, income_tax_per_inhabitant]
    level: municipality
    k: 4

The profile of an area of ``level`` then names its type among ``k`` types, as
``sozialmonitor stats typology`` computes them for the same indicators, level and k
(Ward clustering of z-scores, latest period all indicators share).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sozialmonitor.analysis.service.shared import MAX_CLASSES, MIN_CLASSES
from sozialmonitor.errors import ConfigurationError, ReadError
from sozialmonitor.ingest.formats.yaml.reader import read_yaml

DEFAULT_K = 4
FIELDS = ("indicators", "level", "k")


@dataclass(frozen=True, kw_only=True)
class TypologySetting:
    """The typology the area profiles show."""

    indicators: tuple[str, ...]
    """At least two indicator ids."""
    level: str
    """The level whose areas are typed (``municipality``, ``planning_area`` …)."""
    k: int = DEFAULT_K
    """Number of types, 2 to 10."""


def typology_setting_from_dict(
    data: Mapping[str, Any], source: str = "typology"
) -> TypologySetting:
    """The setting from a mapping (a YAML file's or a section of another file).

    Raises
    ------
    ConfigurationError
        Naming ``source``, the field and what to write instead.

    Examples
    --------
    >>> typology_setting_from_dict({"indicators": ["a", "b"], "level": "municipality"})
    TypologySetting(indicators=('a', 'b'), level='municipality', k=4)
    >>> typology_setting_from_dict({"indicators": ["a"], "level": "x"}, "t.yaml")
    Traceback (most recent call last):
    ...
    sozialmonitor.errors.ConfigurationError: t.yaml, 'indicators': a typology needs at least two different indicator ids, e.g. indicators: [unemployment_share, income_tax_per_inhabitant].
    """  # noqa: E501
    if not isinstance(data, Mapping):
        raise ConfigurationError(
            f"{source}: a typology is a mapping with the fields "
            f"{', '.join(FIELDS)} (e.g. 'level: municipality')."
        )
    unknown = sorted(str(key) for key in data if key not in FIELDS)
    if unknown:
        raise ConfigurationError(
            f"{source}: unknown field(s) {', '.join(repr(k) for k in unknown)}; a "
            f"typology has {', '.join(FIELDS)}."
        )
    indicators = data.get("indicators")
    if (
        not isinstance(indicators, list)
        or not all(isinstance(i, str) and i.strip() for i in indicators)
        or len({i.strip() for i in indicators}) < 2
    ):
        raise ConfigurationError(
            f"{source}, 'indicators': a typology needs at least two different "
            "indicator ids, e.g. indicators: [unemployment_share, "
            "income_tax_per_inhabitant]."
        )
    level = data.get("level")
    if not isinstance(level, str) or not level.strip():
        raise ConfigurationError(
            f"{source}, 'level': name the level whose areas get a type, e.g. "
            "level: municipality."
        )
    k = data.get("k", DEFAULT_K)
    if (
        isinstance(k, bool)
        or not isinstance(k, int)
        or not MIN_CLASSES <= k <= MAX_CLASSES
    ):
        raise ConfigurationError(
            f"{source}, 'k': {k!r} is not a number of types from {MIN_CLASSES} to "
            f"{MAX_CLASSES}; write e.g. k: {DEFAULT_K}."
        )
    return TypologySetting(
        indicators=tuple(dict.fromkeys(i.strip() for i in indicators)),
        level=level.strip(),
        k=k,
    )


def load_typology_setting(path: Path) -> TypologySetting:
    """Read the typology setting from a YAML file (bounded in size and nesting).

    Raises
    ------
    ConfigurationError
        For a missing, unreadable or wrong file, naming it and the field.
    """
    if not path.is_file():
        raise ConfigurationError(
            f"{path}: there is no such file. Give the path of the typology's YAML file."
        )
    try:
        data = read_yaml(path)
    except ReadError as error:  # names the file, the line and the fix
        raise ConfigurationError(error.message) from None
    return typology_setting_from_dict(data, str(path))
