"""Publishing after the checks: ``release publish`` and the administration's
"Veröffentlichen" run the checks of ``release validate`` first and refuse a draft
they find errors in; warnings do not block. Publishing and withdrawing also store
the public release digest of the release that is then the newest ("Was hat sich
verändert?", ``analysis.digest_record``), in the same transaction, so that no page
view has to read every value a release brings."""

from __future__ import annotations

from sqlalchemy import Connection

from sozialmonitor.access import audit
from sozialmonitor.analysis.digest_record import refresh_newest_digest
from sozialmonitor.domain.release import Release
from sozialmonitor.store import writes
from sozialmonitor.store.queries import get_release
from sozialmonitor.store.release_review import Finding, passing_findings


def publish_checked(
    conn: Connection, name: str, *, actor: str = audit.SYSTEM, address: str = ""
) -> tuple[Release, list[Finding]]:
    """Publish the draft ``name`` unless the checks of ``release validate`` find
    an error in it, and store its public digest; the release and the findings
    (warnings only, then).

    Raises
    ------
    ReleaseCheckError
        The checks found errors (in ``findings``); nothing is changed.
    ReleaseStateError
        ``name`` is not a draft.
    """
    rel = get_release(conn, name)
    findings = passing_findings(conn, rel, "publish") if rel.is_editable else []
    published = writes.publish_release(conn, name, actor=actor, address=address)
    refresh_newest_digest(conn)
    return published, findings


def withdraw_published(
    conn: Connection,
    name: str,
    reason: str = "",
    *,
    actor: str = audit.SYSTEM,
    address: str = "",
) -> Release:
    """Withdraw the published release ``name`` (``writes.withdraw_release``) and
    store the public digest of the release that is now the newest, if it has no
    valid one.

    Raises
    ------
    ReleaseStateError
        ``name`` is not published.
    """
    withdrawn = writes.withdraw_release(
        conn, name, reason, actor=actor, address=address
    )
    refresh_newest_digest(conn)
    return withdrawn
