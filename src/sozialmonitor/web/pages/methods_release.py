"""Methods & data, the release part: the history of the releases (Datenstände) and
what each published release changed against the previous published one.

The changes compare the whole data as of that release with the whole data as of the
previous published one; that is cheap for a Kreis or a city (a few hundred thousand
values) and is kept per data version, but it reads every value twice, so above
:data:`DIFF_VALUE_LIMIT` values the page points to the command line instead.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.store import queries
from sozialmonitor.store.release_diff import release_diff
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.pages.methods_catalogue import IndicatorLink, indicator_link
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

DIFF_VALUE_LIMIT = 500_000
"""Largest number of stored values for which the page compares two releases itself
(about two seconds, once per data version)."""
STATUS_WORDS: dict[ReleaseStatus, str] = {
    ReleaseStatus.DRAFT: "Entwurf",
    ReleaseStatus.VALIDATED: "geprüft, noch nicht veröffentlicht",
    ReleaseStatus.PUBLISHED: "veröffentlicht",
    ReleaseStatus.WITHDRAWN: "zurückgezogen",
}


@dataclass(frozen=True, kw_only=True)
class ReleaseEntry:
    name: str
    status: ReleaseStatus
    status_text: str
    created_text: str
    published_text: str
    withdrawn_text: str
    note: str
    changes_url: str
    """Link to its changes (published releases only), else empty."""
    selected: bool


@dataclass(frozen=True, kw_only=True)
class IndicatorChanges:
    indicator: IndicatorLink
    new: int
    changed: int
    removed: int
    texts: tuple[str, str, str]
    """The three numbers formatted (``1.234``)."""


@dataclass(frozen=True, kw_only=True)
class ReleaseChanges:
    """What one published release changed against the previous published one."""

    release: str
    previous: str | None
    """The previous published release; None for the first publication."""
    available: bool
    """False when the page does not compute them (see ``note``)."""
    summary: str
    """``Erstveröffentlichung: 22.152 Werte`` or ``12 Werte neu, 3 geändert, …``."""
    note: str
    new: int
    changed: int
    removed: int
    texts: tuple[str, str, str]
    """The three totals formatted."""
    by_indicator: tuple[IndicatorChanges, ...]
    digest_url: str = ""
    """What the release brought in sentences (``/veraenderungen``), for a published
    release."""


def published_releases(snap: Snapshot) -> list[Release]:
    """The published releases, oldest first."""
    return sorted(
        (
            r
            for r in snap.releases
            if r.status is ReleaseStatus.PUBLISHED and r.sequence is not None
        ),
        key=lambda r: r.sequence or 0,
    )


def _date(value: object, lang: Language) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return formatting.date(value, lang)
    return formatting.NO_VALUE_SIGN


def release_history(
    snap: Snapshot, chosen: str | None, t: Translator
) -> tuple[ReleaseEntry, ...]:
    """Every release, the newest first; ``chosen`` is the one whose changes show."""
    lang = t.lang
    return tuple(
        ReleaseEntry(
            name=r.name,
            status=r.status,
            status_text=t(STATUS_WORDS[r.status]),
            created_text=_date(r.created_at, lang),
            published_text=_date(r.published_at, lang),
            withdrawn_text=_date(r.withdrawn_at, lang),
            note=r.note,
            changes_url=href("/methoden", lang, datenstand=r.name) + "#aenderungen"
            if r.status is ReleaseStatus.PUBLISHED
            else "",
            selected=r.name == chosen,
        )
        for r in reversed(snap.releases)
    )


Counts = dict[str, Counter[str]]
"""Indicator id → change kind (new, changed, removed) → number of values."""


def _count_changes(
    conn: Connection, snap: Snapshot, release: Release, previous: Release | None
) -> Counts:
    """Per public indicator: values new, changed and removed by ``release``."""
    public = snap.indicator_by_id
    counts: Counts = defaultdict(Counter)
    if previous is None:
        query = queries.ObservationQuery(as_of=release.name, computed=False)
        for obs in queries.read_observations(conn, query, audience=snap.audience):
            counts[obs.indicator]["new"] += 1
    else:
        for change in release_diff(conn, previous.name, release.name):
            if change.indicator in public:  # the diff also sees internal ones
                counts[change.indicator][change.change] += 1
    return dict(counts)


def stored_values(snap: Snapshot) -> int:
    """Upper bound of the stored values, from the coverage (no read)."""
    return sum(c.areas * len(c.periods) for c in snap.coverage)


def _counts_text(
    new: int, changed: int, removed: int, lang: Language
) -> tuple[str, str, str]:
    return (
        formatting.number(new, 0, lang),
        formatting.number(changed, 0, lang),
        formatting.number(removed, 0, lang),
    )


def release_changes(
    conn: Connection, snap: Snapshot, release: Release, t: Translator
) -> ReleaseChanges:
    """What a published release changed against the previous published one.

    Parameters
    ----------
    conn
        A connection for the read gate.
    snap
        The catalogue with the releases.
    release
        A release of ``snap.releases``.
    t
        Translator of the page's language.

    Returns
    -------
    ReleaseChanges
        Counts per indicator (kept per data version); ``available`` is False for a
        release that is not published and above ``DIFF_VALUE_LIMIT`` values.
    """
    found = _release_changes(conn, snap, release, t)
    if release.status is not ReleaseStatus.PUBLISHED:
        return found
    return replace(
        found, digest_url=href("/veraenderungen", t.lang, datenstand=release.name)
    )


def _release_changes(
    conn: Connection, snap: Snapshot, release: Release, t: Translator
) -> ReleaseChanges:
    lang = t.lang
    published = published_releases(snap)
    earlier = [r for r in published if (r.sequence or 0) < (release.sequence or 0)]
    previous = earlier[-1] if earlier else None

    def empty(note: str) -> ReleaseChanges:
        return ReleaseChanges(
            release=release.name,
            previous=previous.name if previous else None,
            available=False,
            summary="",
            note=note,
            new=0,
            changed=0,
            removed=0,
            texts=("", "", ""),
            by_indicator=(),
        )

    if release not in published:
        return empty(
            t("Nur veröffentlichte Datenstände haben eine Übersicht ihrer Änderungen.")
        )
    if stored_values(snap) > DIFF_VALUE_LIMIT:
        if previous is None:
            return empty(
                t(
                    "Erstveröffentlichung. Bei so vielen Werten werden sie hier "
                    "nicht gezählt."
                )
            )
        return empty(
            t(
                "Bei so vielen Werten wird die Übersicht hier nicht berechnet; "
                "die Kommandozeile zeigt sie: {command}",
                command=f"sozialmonitor release diff '{previous.name}' "
                f"'{release.name}'",
            )
        )
    counts = snap.remember(
        ("release-changes", release.name),
        lambda: _count_changes(conn, snap, release, previous),
    )
    rows = tuple(
        IndicatorChanges(
            indicator=indicator_link(snap.indicator_by_id[code], lang),
            new=found["new"],
            changed=found["changed"],
            removed=found["removed"],
            texts=_counts_text(found["new"], found["changed"], found["removed"], lang),
        )
        for code, found in sorted(
            counts.items(),
            key=lambda item: german_key(snap.indicator_by_id[item[0]].name),
        )
    )
    new = sum(r.new for r in rows)
    changed = sum(r.changed for r in rows)
    removed = sum(r.removed for r in rows)
    if previous is None:
        summary = t.plural(
            "Erstveröffentlichung: {n} Wert", "Erstveröffentlichung: {n} Werte", new
        )
    elif not rows:
        summary = t("Keine Änderung gegenüber {previous}.", previous=previous.name)
    else:
        summary = t(
            "Gegenüber {previous}: {new} Werte neu, {changed} geändert, "
            "{removed} entfernt.",
            previous=previous.name,
            new=formatting.number(new, 0, lang),
            changed=formatting.number(changed, 0, lang),
            removed=formatting.number(removed, 0, lang),
        )
    return ReleaseChanges(
        release=release.name,
        previous=previous.name if previous else None,
        available=True,
        summary=summary,
        note="",
        new=new,
        changed=changed,
        removed=removed,
        texts=_counts_text(new, changed, removed, lang),
        by_indicator=rows,
    )
