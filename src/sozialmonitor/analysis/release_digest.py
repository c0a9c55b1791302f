"""Was hat sich verändert? The statements a release brings, found by the statistics.

:func:`release_digest` reads a release and the published release before it through
the read gate (as the given audience may see them) and makes typed statements of six
kinds, each with the figures it rests on and the view it links to:

1. ``change``: a share or rate of the newest period the release brings differs
   significantly from the previous period's (:mod:`.change_test`);
   ``difference``: a count of the newest period differs from the previous
   period's (stated by its difference, never called significant; the largest
   relative change first);
   ``revision``: a value the previous release already had for the same period is
   different now;
2. ``focus``: an area moved into or out of a focus class of a Sozialindex
   (the stored index results, the definition's focus rule);
3. ``trend_reversal``: the series up to the previous period had a significant
   Mann-Kendall trend; with the new period it has none, or the opposite one;
4. ``hot_spot``: an area in a high-high cluster (local Moran, queen contiguity) now
   that was not in one for the previous period (levels up to ``HOT_SPOT_MAX_AREAS``
   areas, at most ``HOT_SPOT_MAX_RUNS`` indicator-levels);
5. ``outlier``: a new value outside the level's interquartile fences of its period
   (Tukey: below Q1 − 1.5 IQR or above Q3 + 1.5 IQR, at least ``OUTLIER_MIN_AREAS``
   areas with a value).

Each kind is capped at ``MAX_PER_KIND`` statements (the most significant first);
the section counts the rest. The values are read one indicator at a time (the
results of one Sozialindex together: its focus rule needs them), so the memory a
digest takes is bounded by the largest indicator, not by the release. The public
digest is computed when a release is published and stored
(``analysis.digest_record``). The statements hold codes and numbers only; the
sentences are made from them (``web/pages/digest_text.py``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.analysis.digest_places import (
    HOT_SPOT_MAX_AREAS,
    HOT_SPOT_MAX_RUNS,
    focus_moves,
    hot_spots,
)
from sozialmonitor.analysis.digest_statement import (
    DigestData,
    HotSpotBudget,
    Section,
    Statement,
    StatementKind,
    merged,
    shown,
)
from sozialmonitor.analysis.digest_values import value_sections
from sozialmonitor.analysis.index_categories import stored_definition
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.errors import UnknownReleaseError
from sozialmonitor.store import queries
from sozialmonitor.store.release_diff import release_indicators
from sozialmonitor.store.resolution import ObservationQuery

KIND_ORDER = tuple(StatementKind)


@dataclass(frozen=True, kw_only=True)
class Digest:
    release: str
    previous: str | None
    """The published release before it, if any."""
    audience: str
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()
    """What was left out to bound the work (English, for logs and the CLI)."""
    seconds: float = 0.0

    @property
    def statements(self) -> list[Statement]:
        return [s for section in self.sections for s in section.statements]


def chosen_release(
    conn: Connection, name: str | None, audience: Audience
) -> tuple[Release, Release | None]:
    """The release (default: the newest published one) and the published release
    before it. The public may only name a published release."""
    releases = queries.list_releases(conn, audience=audience.catalogue)
    published = [
        r
        for r in releases
        if r.status is ReleaseStatus.PUBLISHED and r.sequence is not None
    ]
    published.sort(key=lambda r: r.sequence or 0)
    if name is None:
        if not published:
            raise UnknownReleaseError("No release has been published yet.")
        release = published[-1]
    else:
        matching = [
            r for r in (releases if audience.internal else published) if r.name == name
        ]
        if not matching:
            known = ", ".join(r.name for r in published) or "none yet"
            raise UnknownReleaseError(
                f"There is no published release named '{name}'. "
                f"Published releases: {known}."
            )
        release = matching[0]
    if release.sequence is None:  # an internal preview of a draft
        earlier = published
    else:
        earlier = [r for r in published if (r.sequence or 0) < release.sequence]
    return release, (earlier[-1] if earlier else None)


def read_groups(
    indicators: Mapping[str, Indicator], wanted: Sequence[str]
) -> list[list[str]]:
    """The indicators read together: the results of one Sozialindex (its focus rule
    takes its status class, z-values and cells together), every other alone. The
    digest reads one group at a time, so its memory is bounded by the largest
    indicator, not by the release."""
    by_index: dict[str, list[str]] = defaultdict(list)
    alone: list[list[str]] = []
    for code in wanted:
        indicator = indicators[code]
        definition = stored_definition(indicator)
        if definition is not None and code.startswith(f"{definition.id}."):
            by_index[definition.id].append(code)
        else:
            alone.append([code])
    return [*by_index.values(), *alone]


def read_digest_data(
    conn: Connection,
    release: Release,
    previous: Release | None,
    audience: Audience,
    *,
    group: Sequence[str],
    indicators: dict[str, Indicator],
    areas: dict[str, Area],
    notes: list[str],
    budget: HotSpotBudget,
) -> DigestData:
    """The shown values of the indicators ``group`` as of the release and as of
    the previous one."""

    def read(as_of: str) -> dict[tuple[str, str, str], Observation]:
        query = ObservationQuery(indicators=list(group), as_of=as_of, computed=False)
        return {
            o.key: o
            for o in queries.read_observations(conn, query, audience=audience)
            if shown(o)
        }

    return DigestData(
        conn=conn,
        audience=audience,
        release=release,
        previous=previous,
        indicators=indicators,
        areas=areas,
        now=read(release.name),
        before=read(previous.name) if previous else {},
        in_scope=_scope_test(areas, audience),
        notes=notes,
        budget=budget,
    )


def _scope_test(areas: dict[str, Area], audience: Audience) -> Callable[[str], bool]:
    """Whether an area lies within the reader's scope (everywhere without one)."""
    scope = audience.scope
    if not audience.scoped or scope is None:
        return lambda _code: True

    def inside(code: str) -> bool:
        seen = 0
        current: str | None = code
        while current is not None and seen < 64:
            if current == scope:
                return True
            area = areas.get(current)
            current = area.parent if area else None
            seen += 1
        return False

    return inside


Finder = Callable[[DigestData], Sequence[Section]]


def release_digest(
    conn: Connection,
    release: str | None = None,
    *,
    audience: Audience = Audience.PUBLIC,
) -> Digest:
    """The statements of ``release`` (default: the newest published) for ``audience``.

    Raises
    ------
    UnknownReleaseError
        For a release the audience may not see, or when none is published.
    """
    started = time.perf_counter()
    chosen, previous = chosen_release(conn, release, audience)
    indicators = {
        i.id: i for i in queries.list_indicators(conn, audience=audience.catalogue)
    }
    areas = {a.code: a for a in queries.list_areas(conn)}
    # Only the indicators the release brings: the others have nothing to state.
    wanted = [
        code for code in release_indicators(conn, chosen.name) if code in indicators
    ]
    notes: list[str] = []
    budget = HotSpotBudget()
    sections: dict[StatementKind, Section] = {}
    finders: tuple[Finder, ...] = (value_sections, focus_moves, hot_spots)
    for group in read_groups(indicators, wanted):
        data = read_digest_data(
            conn,
            chosen,
            previous,
            audience,
            group=group,
            indicators=indicators,
            areas=areas,
            notes=notes,
            budget=budget,
        )
        for finder in finders:
            for section in finder(data):
                sections[section.kind] = merged(sections.get(section.kind), section)
        del data  # the next group's values replace this one's
    if budget.skipped:
        notes.append(
            f"Hot spots not looked for in {budget.skipped} indicator-levels (more "
            f"than {HOT_SPOT_MAX_AREAS} areas, or beyond {HOT_SPOT_MAX_RUNS} "
            "analyses)."
        )
    if not wanted:  # nothing read: the kinds are still reported, empty
        for kind in KIND_ORDER:
            sections[kind] = Section(
                kind=kind,
                statements=(),
                more=0,
                checked=kind is not StatementKind.REVISION or previous is not None,
            )
    return Digest(
        release=chosen.name,
        previous=previous.name if previous else None,
        audience=str(audience),
        sections=tuple(sections[k] for k in KIND_ORDER if k in sections),
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
    )
