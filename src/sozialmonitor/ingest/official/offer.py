"""What the shipped mappings can fill: per indicator, the area levels and the
official tables it comes from — for the comparison of several installations'
catalogues (``sozialmonitor gaps compare --official``)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sozialmonitor.ingest.official.mapping import MAPPINGS, KeyKind, load_mapping

LEVEL_OF_KEY: dict[KeyKind, str] = {
    "deutschland": "country",
    "land": "state",
    "kreis": "region",
    "gemeinde": "municipality",
}
"""The area level (of a new database) an official key of each kind belongs to;
Regierungsbezirke and Gemeindeverbände have no level of their own there."""

DEPTH_OF_KEY: dict[KeyKind, int] = {
    "deutschland": 1,
    "land": 2,
    "regierungsbezirk": 3,
    "kreis": 4,
    "gemeindeverband": 5,
    "gemeinde": 5,
}
REGIONAL_TABLE = re.compile(r"^\d{5}-\d{2}-\d{2}-(?P<depth>[1-5])$")
"""A Regionalstatistik table code; its last digit is the table's regional depth
(1 Deutschland, 2 Länder, 3 Regierungsbezirke, 4 Kreise, 5 Gemeinden), and the
table holds every level down to it."""


def table_levels(table: str, keys: list[KeyKind]) -> set[str]:
    """The levels a table provides: the mapping's key kinds, down to the table's
    regional depth where its code tells it.

    Examples
    --------
    >>> sorted(table_levels("12411-01-01-4", ["land", "kreis", "gemeinde"]))
    ['region', 'state']
    >>> sorted(table_levels("12411-0013", ["land"]))
    ['state']
    """
    found = REGIONAL_TABLE.match(table)
    depth = int(found["depth"]) if found else 5
    return {
        LEVEL_OF_KEY[k] for k in keys if k in LEVEL_OF_KEY and DEPTH_OF_KEY[k] <= depth
    }


@dataclass(frozen=True, kw_only=True)
class Offer:
    """An indicator an official table provides, and at which levels."""

    indicator: str
    levels: tuple[str, ...]
    tables: tuple[str, ...]


def shipped_offers() -> dict[str, Offer]:
    """Indicator id → what the shipped mappings provide of it."""
    levels: dict[str, set[str]] = defaultdict(set)
    tables: dict[str, set[str]] = defaultdict(set)
    for path in sorted(MAPPINGS.glob("*.yaml")):
        mapping = load_mapping(path)
        found = table_levels(mapping.table, list(mapping.areas.keys))
        for output in mapping.outputs:
            levels[output.indicator] |= found
            tables[output.indicator].add(mapping.table)
    return {
        indicator: Offer(
            indicator=indicator,
            levels=tuple(sorted(levels[indicator])),
            tables=tuple(sorted(tables[indicator])),
        )
        for indicator in sorted(tables)
    }


def offered_pairs(offers: dict[str, Offer]) -> list[tuple[str, str]]:
    """(indicator, level) pairs, as ``analysis.catalogue_comparison.fillable``
    takes them."""
    return [(o.indicator, level) for o in offers.values() for level in o.levels]
