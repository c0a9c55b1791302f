"""Methods & data, the availability part: which indicator exists for which area
level and which periods, one table per top-level area.

Everything comes from the snapshot's coverage (no read); the number of areas per
level is counted once per data version, and levels whose values are computed from
the areas below are marked (``berechnet``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.pages.methods_catalogue import IndicatorLink, indicator_link
from sozialmonitor.web.snapshot import Scope, Snapshot


@dataclass(frozen=True, kw_only=True)
class LevelColumn:
    code: str
    label: str


@dataclass(frozen=True, kw_only=True)
class AvailabilityCell:
    level: str
    first: str
    last: str
    periods: int
    text: str
    """``1998–2021 (24)``."""
    areas: int
    areas_text: str
    computed: bool
    """Values of this level are computed from the areas below (``berechnet``)."""


@dataclass(frozen=True, kw_only=True)
class AvailabilityRow:
    indicator: IndicatorLink
    cells: tuple[AvailabilityCell | None, ...]
    """One per level column of its group; None where the level has no values."""


@dataclass(frozen=True, kw_only=True)
class AvailabilityGroup:
    """The indicators with values below one top-level area (one table)."""

    area: Area
    levels: tuple[LevelColumn, ...]
    """The levels any of its indicators has values for, largest first."""
    rows: tuple[AvailabilityRow, ...]


@dataclass(frozen=True, kw_only=True)
class Availability:
    groups: tuple[AvailabilityGroup, ...]
    without_values: tuple[IndicatorLink, ...]
    """Shown indicators with no published value at all."""


AreaCounts = dict[tuple[str, str], dict[str, tuple[int, bool]]]
"""(indicator, top area) → level → (areas with values, computed)."""


def _area_counts(snap: Snapshot) -> AreaCounts:
    """Areas with values per indicator, top area and level, from the coverage."""
    stored: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    computable: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for item in snap.coverage:
        if item.under not in snap.areas:
            continue
        key = (item.indicator, snap.root_of[item.under])
        stored[key][item.level] += item.areas
        under = snap.areas[item.under]
        if under.level != item.level:  # the values of children: parents computable
            for area in (under, *snap.ancestors(under.code)):
                computable[key][area.level].add(area.code)
    found: AreaCounts = {}
    for key in stored.keys() | computable.keys():
        levels = {level: (n, False) for level, n in stored[key].items()}
        for level, codes in computable[key].items():
            levels.setdefault(level, (len(codes), True))
        found[key] = levels
    return found


def period_range(periods: tuple[str, ...], lang: Language) -> str:
    """``1998–2021 (24)``; one period alone without a count.

    Examples
    --------
    >>> period_range(("2019", "2020", "2021"), "de")
    '2019–2021 (3)'
    >>> period_range(("2020-12-31",), "de")
    '31.12.2020'
    """
    first = formatting.period_label(periods[0], lang)
    if len(periods) == 1:
        return first
    last = formatting.period_label(periods[-1], lang)
    return f"{first}–{last} ({len(periods)})"


def _cell(
    level: str,
    periods: tuple[str, ...] | None,
    areas: dict[str, tuple[int, bool]],
    t: Translator,
) -> AvailabilityCell | None:
    if not periods:
        return None
    n, computed = areas.get(level, (0, True))
    return AvailabilityCell(
        level=level,
        first=periods[0],
        last=periods[-1],
        periods=len(periods),
        text=period_range(periods, t.lang),
        areas=n,
        areas_text=t.plural("{n} Gebiet", "{n} Gebiete", n),
        computed=computed,
    )


def availability(snap: Snapshot, shown: list[Indicator], t: Translator) -> Availability:
    """Where and when the shown indicators have values, by top-level area."""
    lang = t.lang
    counts = snap.remember("availability-areas", lambda: _area_counts(snap))
    by_root: dict[str, list[tuple[Indicator, Scope]]] = defaultdict(list)
    without = []
    for indicator in sorted(shown, key=lambda i: german_key(i.name)):
        scopes = snap.scopes_for(indicator)
        if not scopes:
            without.append(indicator_link(indicator, lang))
        for scope in scopes:
            by_root[scope.root.code].append((indicator, scope))
    groups = []
    for root in sorted(by_root, key=lambda code: german_key(snap.areas[code].name)):
        found = by_root[root]
        used = {level for _i, scope in found for level in scope.periods_by_level}
        columns = tuple(
            LevelColumn(code=lvl.code, label=lvl.label)
            for lvl in snap.levels
            if lvl.code in used
        )
        rows = tuple(
            AvailabilityRow(
                indicator=indicator_link(indicator, lang),
                cells=tuple(
                    _cell(
                        column.code,
                        scope.periods_by_level.get(column.code),
                        counts.get((indicator.id, root), {}),
                        t,
                    )
                    for column in columns
                ),
            )
            for indicator, scope in found
        )
        groups.append(
            AvailabilityGroup(area=snap.areas[root], levels=columns, rows=rows)
        )
    return Availability(groups=tuple(groups), without_values=tuple(without))
