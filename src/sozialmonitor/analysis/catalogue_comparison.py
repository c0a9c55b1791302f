"""Catalogues of several installations side by side (issue 12): which indicators
they share, which each lacks, and which of those an official source could fill, at
which area levels.

Indicators are matched by their id (``unemployment_share``): installations that
exchange catalogues keep the ids of the shared ones equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator


@dataclass(frozen=True, kw_only=True)
class Catalogue:
    """One installation's indicator catalogue."""

    name: str
    """What the comparison calls it (e.g. the file's name: ``kreis-giessen``)."""
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, kw_only=True)
class ComparedIndicator:
    id: str
    name: str
    """The name in the first catalogue that has it."""
    topic: str
    held_by: tuple[str, ...]
    """The catalogues that have it, in the order given."""


@dataclass(frozen=True, kw_only=True)
class Fill:
    """An indicator a catalogue lacks and an official source provides."""

    indicator: str
    levels: tuple[str, ...]
    """The area levels (codes) the official source provides it at, sorted."""


@dataclass(frozen=True, kw_only=True)
class CatalogueComparison:
    catalogues: tuple[str, ...]
    indicators: tuple[ComparedIndicator, ...]
    """Every indicator of any catalogue, by topic and name (German order)."""

    @property
    def shared(self) -> tuple[str, ...]:
        """Ids of the indicators every catalogue has."""
        return tuple(
            i.id for i in self.indicators if len(i.held_by) == len(self.catalogues)
        )

    def lacking(self, catalogue: str) -> tuple[str, ...]:
        """Ids of the indicators another catalogue has and this one lacks."""
        return tuple(i.id for i in self.indicators if catalogue not in i.held_by)

    def only_in(self, catalogue: str) -> tuple[str, ...]:
        """Ids of the indicators no other catalogue has."""
        return tuple(i.id for i in self.indicators if i.held_by == (catalogue,))

    def to_dict(self) -> dict[str, object]:
        return {
            "catalogues": list(self.catalogues),
            "shared": list(self.shared),
            "lacking": {c: list(self.lacking(c)) for c in self.catalogues},
            "only_in": {c: list(self.only_in(c)) for c in self.catalogues},
            "indicators": [
                {
                    "id": i.id,
                    "name": i.name,
                    "topic": i.topic,
                    "held_by": list(i.held_by),
                }
                for i in self.indicators
            ],
        }


def compare_catalogues(catalogues: Sequence[Catalogue]) -> CatalogueComparison:
    """Which indicators the catalogues share and which each lacks.

    Raises
    ------
    ValueError
        If two catalogues have the same name.

    Examples
    --------
    >>> x = Indicator(id="x", name="X", unit="%")
    >>> a = Catalogue(name="a", indicators=(x, Indicator(id="y", name="Y", unit="%")))
    >>> b = Catalogue(name="b", indicators=(x,))
    >>> found = compare_catalogues([a, b])
    >>> found.shared, found.lacking("b"), found.only_in("a")
    (('x',), ('y',), ('y',))
    """
    names = [c.name for c in catalogues]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"Two catalogues are called {', '.join(twice)}.")
    first: dict[str, Indicator] = {}
    held: dict[str, list[str]] = defaultdict(list)
    for catalogue in catalogues:
        for indicator in catalogue.indicators:
            first.setdefault(indicator.id, indicator)
            if catalogue.name not in held[indicator.id]:
                held[indicator.id].append(catalogue.name)
    ordered = sorted(
        first.values(), key=lambda i: (german_key(i.topic), german_key(i.name), i.id)
    )
    return CatalogueComparison(
        catalogues=tuple(names),
        indicators=tuple(
            ComparedIndicator(
                id=i.id, name=i.name, topic=i.topic, held_by=tuple(held[i.id])
            )
            for i in ordered
        ),
    )


def fillable(
    comparison: CatalogueComparison, official: Iterable[tuple[str, str]]
) -> dict[str, tuple[Fill, ...]]:
    """Per catalogue, the indicators it lacks (that another one has) which an
    official source provides, and at which levels.

    Parameters
    ----------
    comparison
        The catalogues compared.
    official
        (indicator id, area level code) pairs an official source provides — what
        the shipped mappings of the official sources declare.

    Examples
    --------
    >>> x = Indicator(id="x", name="X", unit="%")
    >>> a = Catalogue(name="a", indicators=(x, Indicator(id="y", name="Y", unit="%")))
    >>> b = Catalogue(name="b", indicators=(x,))
    >>> fillable(compare_catalogues([a, b]), [("y", "municipality"), ("y", "region")])
    {'a': (), 'b': (Fill(indicator='y', levels=('municipality', 'region')),)}
    """
    levels: dict[str, set[str]] = defaultdict(set)
    for indicator, level in official:
        levels[indicator].add(level)
    return {
        name: tuple(
            Fill(indicator=i, levels=tuple(sorted(levels[i])))
            for i in comparison.lacking(name)
            if i in levels
        )
        for name in comparison.catalogues
    }
