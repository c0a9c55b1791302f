"""The statements of a release digest (``release_digest``) and what they are found
in: typed records with the figures each rests on and the view it links to."""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.domain.release import Release

MAX_PER_KIND = 10
"""Statements shown per kind; the rest are counted ("und N weitere")."""


class StatementKind(StrEnum):
    CHANGE = "change"
    DIFFERENCE = "difference"
    REVISION = "revision"
    FOCUS = "focus"
    TREND_REVERSAL = "trend_reversal"
    HOT_SPOT = "hot_spot"
    OUTLIER = "outlier"


@dataclass(frozen=True, kw_only=True)
class AreaRef:
    code: str
    name: str


@dataclass(frozen=True, kw_only=True)
class Figures:
    """The numbers a statement rests on; fields a kind does not use stay None."""

    period: str
    """The period the statement is about."""
    value: float | None = None
    """The value of ``period`` (as of this release)."""
    base_period: str | None = None
    """The earlier period compared with (changes, trends, hot spots)."""
    base_value: float | None = None
    """The earlier value: of ``base_period``, or of the previous release."""
    release: str | None = None
    base_release: str | None = None
    """The previous release (revisions, focus areas)."""
    test: str | None = None
    """The test used: ``two_proportions_z``, ``poisson_conditional_exact``,
    ``mann_kendall``, ``local_moran``, ``tukey_fences``; ``difference`` for a count
    compared by its difference (no test)."""
    statistic: float | None = None
    """The test statistic (z, or Mann-Kendall's z of the new series)."""
    p_value: float | None = None
    base_statistic: float | None = None
    """Mann-Kendall's z of the series up to ``base_period``."""
    base_p_value: float | None = None
    first_period: str | None = None
    """The first period of a trend's series."""
    lower: float | None = None
    """The lower fence (outliers)."""
    upper: float | None = None
    """The upper fence (outliers)."""
    level: str | None = None
    """The area level (outliers, hot spots)."""
    index: str | None = None
    """The index's id (focus areas)."""
    index_name: str | None = None
    reasons: tuple[str, ...] = ()
    """Why an area is a focus area (``Status sehr niedrig``), now or before."""


@dataclass(frozen=True, kw_only=True)
class Link:
    """The portal view a statement links to: a path and its parameters (the page
    adds the language with ``web.urls.href``)."""

    path: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class Statement:
    kind: StatementKind
    direction: str
    """``up``/``down`` (change, difference, revision, trend before), ``into``/``out_of``
    (focus), ``above``/``below`` (outlier), ``new`` (hot spot)."""
    indicator: str
    """The indicator's id (for a focus statement: the index's status class)."""
    indicator_name: str
    areas: tuple[AreaRef, ...]
    figures: Figures
    link: Link
    rank: float = 0.0
    """Sort key within the kind, smallest first (a p-value, a negative distance)."""


@dataclass(frozen=True, kw_only=True)
class Section:
    kind: StatementKind
    statements: tuple[Statement, ...]
    more: int
    """Statements found beyond ``MAX_PER_KIND``."""
    checked: bool = True
    """False when the kind could not be looked for (no previous release …)."""


@dataclass(kw_only=True)
class HotSpotBudget:
    """The hot-spot analyses of one digest, counted across the groups of
    indicators it reads (``digest_places.HOT_SPOT_MAX_RUNS``)."""

    runs: int = 0
    skipped: int = 0


@dataclass(kw_only=True)
class DigestData:
    """What the statements are found in, read once through the gate."""

    conn: Connection
    audience: Audience
    release: Release
    previous: Release | None
    indicators: dict[str, Indicator]
    """Visible indicators (the index results among them)."""
    areas: dict[str, Area]
    now: dict[tuple[str, str, str], Observation]
    """Shown values as of the release (suppressed ones left out)."""
    before: dict[tuple[str, str, str], Observation]
    """Shown values as of the previous release (empty without one)."""
    in_scope: Callable[[str], bool]
    notes: list[str] = field(default_factory=list)
    budget: HotSpotBudget = field(default_factory=HotSpotBudget)
    """Shared by the groups of indicators one digest reads in turn."""
    _brought: dict[str, str] | None = None

    def brought(self) -> dict[str, str]:
        """Indicator → the newest period the release brings values of (plain
        indicators, not index results); computed once."""
        if self._brought is None:
            found: dict[str, str] = {}
            for (ind, _area, period), obs in self.now.items():
                if obs.release != self.release.name or self.is_index(ind):
                    continue
                if ind not in found or order(period) > order(found[ind]):
                    found[ind] = period
            self._brought = found
        return self._brought

    def is_index(self, indicator: str) -> bool:
        found = self.indicators.get(indicator)
        return found is None or found.kind is IndicatorKind.INDEX

    def series(self) -> dict[tuple[str, str], dict[str, Observation]]:
        """(indicator, area) → period → value, plain indicators."""
        found: dict[tuple[str, str], dict[str, Observation]] = defaultdict(dict)
        for (ind, area, period), obs in self.now.items():
            if not self.is_index(ind):
                found[(ind, area)][period] = obs
        return found

    def area(self, code: str) -> AreaRef:
        area = self.areas.get(code)
        return AreaRef(code=code, name=area.name if area else code)


order = functools.lru_cache(maxsize=4096)(period_order)
"""``period_order``, kept: the digest compares the same few periods many times."""
HIDDEN = int(Flag.SUPPRESSED | Flag.REMOVED)


def shown(obs: Observation) -> bool:
    """A value the reader may see and that can be stated."""
    return (
        obs.value is not None and not math.isnan(obs.value) and not obs.flags & HIDDEN
    )


def indicator_link(indicator: str, *, ansicht: str, **params: str | None) -> Link:
    """The indicator page's view (``/indikator/{id}?ansicht=…``)."""
    pairs = [("ansicht", ansicht)] + [(k, v) for k, v in params.items() if v]
    return Link(path=f"/indikator/{indicator}", params=tuple(pairs))


def _rank(s: Statement) -> tuple[float, str, str]:
    return (s.rank, s.indicator, s.areas[0].code if s.areas else "")


def capped(kind: StatementKind, found: Iterable[Statement]) -> Section:
    ordered = sorted(found, key=_rank)
    return Section(
        kind=kind,
        statements=tuple(ordered[:MAX_PER_KIND]),
        more=max(0, len(ordered) - MAX_PER_KIND),
    )


def merged(first: Section | None, second: Section) -> Section:
    """Two sections of one kind (from two groups of indicators) as one: the
    ``MAX_PER_KIND`` first of both, the rest counted; the same as capping all
    statements at once."""
    if first is None:
        return second
    both = capped(second.kind, (*first.statements, *second.statements))
    return Section(
        kind=second.kind,
        statements=both.statements,
        more=first.more + second.more + both.more,
        checked=first.checked and second.checked,
    )
