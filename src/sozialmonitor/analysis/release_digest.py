"""Was hat sich verändert? The statements a release brings, found by the statistics.

:func:`release_digest` reads a release and the published release before it through
the read gate (as the given audience may see them) and makes typed statements of six
kinds, each with the figures it rests on and the view it links to:

1. ``change``: a value of the newest period the release brings differs significantly
   from the previous period's (:mod:`.change_test`);
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
the section counts the rest. The statements hold codes and numbers only; the
sentences are made from them (``web/pages/release_digest_text.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.analysis.digest_places import focus_moves, hot_spots
from sozialmonitor.analysis.digest_statement import (
    DigestData,
    Section,
    Statement,
    StatementKind,
    shown,
)
from sozialmonitor.analysis.digest_values import value_sections
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
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


def read_digest_data(
    conn: Connection, release: Release, previous: Release | None, audience: Audience
) -> DigestData:
    indicators = {
        i.id: i for i in queries.list_indicators(conn, audience=audience.catalogue)
    }
    areas = {a.code: a for a in queries.list_areas(conn)}

    # Only the indicators the release brings: the others have nothing to state.
    wanted = [
        code for code in release_indicators(conn, release.name) if code in indicators
    ]

    def read(as_of: str) -> dict[tuple[str, str, str], Observation]:
        if not wanted:
            return {}
        query = ObservationQuery(indicators=wanted, as_of=as_of, computed=False)
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
    data = read_digest_data(conn, chosen, previous, audience)
    sections: dict[StatementKind, Section] = {}
    finders: tuple[Finder, ...] = (value_sections, focus_moves, hot_spots)
    for finder in finders:
        for section in finder(data):
            sections[section.kind] = section
    return Digest(
        release=chosen.name,
        previous=previous.name if previous else None,
        audience=str(audience),
        sections=tuple(sections[k] for k in KIND_ORDER if k in sections),
        notes=tuple(data.notes),
        seconds=time.perf_counter() - started,
    )
