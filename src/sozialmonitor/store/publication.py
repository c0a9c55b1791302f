"""Publishing after the checks: ``release publish`` and the administration's
"Veröffentlichen" run the checks of ``release validate`` first and refuse a draft
they find errors in; warnings do not block."""

from __future__ import annotations

from sqlalchemy import Connection

from sozialmonitor.access import audit
from sozialmonitor.domain.release import Release
from sozialmonitor.store import writes
from sozialmonitor.store.queries import get_release
from sozialmonitor.store.release_review import Finding, passing_findings


def publish_checked(
    conn: Connection, name: str, *, actor: str = audit.SYSTEM, address: str = ""
) -> tuple[Release, list[Finding]]:
    """Publish the draft ``name`` unless the checks of ``release validate`` find
    an error in it; the release and the findings (warnings only, then).

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
    return published, findings
