"""What a report reads: the values of one release, as one audience may see them,
through the read gate (:func:`sozialmonitor.store.queries.read_observations` with
``as_of`` the release), so that a report can be made again exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import UnknownReleaseError
from sozialmonitor.store import queries
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.site import DEFAULT_SITE, Site
from sozialmonitor.web.snapshot import Snapshot

Series = dict[str, Observation]
"""Period → value of one indicator in one area."""


def choose_release(conn: Connection, name: str | None, audience: Audience) -> Release:
    """The release a report is made from: the newest published one, or the one
    named. The public may name published releases only; the administration may
    also name a draft (a preview on top of everything published).

    Raises
    ------
    UnknownReleaseError
        Without any published release, or for a name the audience may not read.
    """
    if name is None:
        found = queries.latest_published(conn)
        if found is None:
            raise UnknownReleaseError(
                "No release is published yet: a report is made from a published "
                "release. Publish one ('sozialmonitor release publish NAME'), or "
                "name a draft with --release and --internal."
            )
        return found
    # The gate's own check: the clear error, and nothing of drafts for the public.
    queries.release_priorities(conn, as_of=name, audience=audience)
    return queries.get_release(conn, name)


@dataclass(kw_only=True)
class ReportSource:
    """One report's reads: its release, its audience's catalogue and the values
    read so far (each area's values are read once, all indicators at once)."""

    conn: Connection
    snap: Snapshot
    """The catalogue as the audience sees it (indicators, areas, topics)."""
    release: Release
    lang: Language
    site: Site = DEFAULT_SITE
    _read: dict[str, dict[str, Series]] = field(default_factory=dict, repr=False)

    @property
    def audience(self) -> Audience:
        return self.snap.audience

    def values(self, codes: Iterable[str]) -> dict[str, dict[str, Series]]:
        """Area code → indicator → period → value, as of the report's release;
        values of parent areas computed from their children where none is stored
        (as the pages show them)."""
        wanted = list(dict.fromkeys(codes))
        missing = [code for code in wanted if code not in self._read]
        if missing:
            found: dict[str, dict[str, Series]] = {
                code: defaultdict(dict) for code in missing
            }
            for obs in queries.read_observations(
                self.conn,
                queries.ObservationQuery(areas=missing, as_of=self.release.name),
                audience=self.audience,
            ):
                found[obs.area][obs.indicator][obs.period] = obs
            self._read.update({code: dict(v) for code, v in found.items()})
        return {code: self._read[code] for code in wanted}

    def series(self, indicator: str, code: str) -> Series:
        """One indicator's values in one area (empty: none in this release)."""
        return self.values([code])[code].get(indicator, {})
