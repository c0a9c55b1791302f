"""The public release digest as stored at publication (``store.digest_results``):
to and from its JSON document, computed and stored when a release is published or
the newest one changes, and read back by the page and the command.

Only the public digest is stored: it is the one every visitor reads. The
administration's (and a scoped reader's) digest is computed on demand and kept
per data version by the page (``web.pages.digest``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Connection, Engine

from sozialmonitor.analysis.digest_statement import (
    AreaRef,
    Figures,
    Link,
    Section,
    Statement,
    StatementKind,
)
from sozialmonitor.analysis.release_digest import (
    Digest,
    chosen_release,
    release_digest,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.store import queries
from sozialmonitor.store.digest_results import (
    digest_fingerprint,
    read_stored_digest,
    write_stored_digest,
)

PUBLIC = str(Audience.PUBLIC)


def digest_to_dict(digest: Digest) -> dict[str, Any]:
    return dataclasses.asdict(digest)


def digest_from_dict(document: dict[str, Any]) -> Digest:
    """The digest :func:`digest_to_dict` made the document of."""

    def statement(s: dict[str, Any]) -> Statement:
        figures = dict(s["figures"])
        figures["reasons"] = tuple(figures.get("reasons") or ())
        return Statement(
            kind=StatementKind(s["kind"]),
            direction=s["direction"],
            indicator=s["indicator"],
            indicator_name=s["indicator_name"],
            areas=tuple(AreaRef(**a) for a in s["areas"]),
            figures=Figures(**figures),
            link=Link(
                path=s["link"]["path"],
                params=tuple((k, v) for k, v in s["link"]["params"]),
            ),
            rank=s["rank"],
        )

    return Digest(
        release=document["release"],
        previous=document["previous"],
        audience=document["audience"],
        sections=tuple(
            Section(
                kind=StatementKind(section["kind"]),
                statements=tuple(statement(s) for s in section["statements"]),
                more=section["more"],
                checked=section["checked"],
            )
            for section in document["sections"]
        ),
        notes=tuple(document["notes"]),
        seconds=document["seconds"],
    )


def store_public_digest(conn: Connection, release: Release) -> Digest:
    """Compute the public digest of the published ``release`` and store it; in
    the caller's transaction."""
    digest = release_digest(conn, release.name, audience=Audience.PUBLIC)
    write_stored_digest(
        conn, release, PUBLIC, digest_fingerprint(conn, release), digest_to_dict(digest)
    )
    return digest


def fresh_public_digest(conn: Connection, release: Release) -> Digest | None:
    """The stored public digest of ``release`` if what it read is unchanged."""
    stored = read_stored_digest(conn, release, PUBLIC)
    if stored is None or stored[0] != digest_fingerprint(conn, release):
        return None
    return digest_from_dict(stored[1])


def newest_published(conn: Connection) -> Release | None:
    published = [
        r
        for r in queries.list_releases(conn, audience=Audience.PUBLIC)
        if r.status is ReleaseStatus.PUBLISHED and r.sequence is not None
    ]
    return max(published, key=lambda r: r.sequence or 0, default=None)


def refresh_newest_digest(conn: Connection) -> Digest | None:
    """Make sure the newest published release has a valid stored public digest
    (after a publication, a withdrawal, a re-protection, or on an old database);
    None when nothing is published. In the caller's transaction."""
    newest = newest_published(conn)
    if newest is None:
        return None
    return fresh_public_digest(conn, newest) or store_public_digest(conn, newest)


def stored_digest(engine: Engine, release: str | None = None) -> Digest:
    """The public digest of ``release`` (default: the newest published): the
    stored one, or — none stored, or a stale one — computed and stored now.

    Raises
    ------
    UnknownReleaseError
        For a release that is not published, or when none is.
    """
    with engine.connect() as conn:
        chosen, _previous = chosen_release(conn, release, Audience.PUBLIC)
        found = fresh_public_digest(conn, chosen)
    if found is not None:
        return found
    with engine.begin() as conn:
        return store_public_digest(conn, chosen)
