"""``sozialmonitor release validate|publish|withdraw``: the same checks and the same
audit events as the administration's pages (actor ``cli``, no address)."""

from __future__ import annotations

from sqlalchemy import Engine

from sozialmonitor.access import audit
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.store import queries
from tests.release_data import DRAFT, add_bad_share, make_draft
from tests.test_cli import run


def test_validate_refuses_a_draft_with_errors_without_a_traceback(
    small_engine: Engine,
) -> None:
    make_draft(small_engine)
    add_bad_share(small_engine)
    url = small_engine.url.render_as_string(hide_password=False)
    code, _, err = run(url, "release", "validate", DRAFT)
    assert code == 1 and "Traceback" not in err
    assert "numerator larger than their denominator" in err
    with small_engine.connect() as conn:
        assert queries.get_release(conn, DRAFT).status is ReleaseStatus.DRAFT
        assert audit.events(conn, action="release-validated") == []


def test_the_command_line_is_in_the_audit_log(small_engine: Engine) -> None:
    make_draft(small_engine)
    url = small_engine.url.render_as_string(hide_password=False)
    assert run(url, "release", "validate", DRAFT)[0] == 0
    assert run(url, "release", "publish", DRAFT)[0] == 0
    assert run(url, "release", "withdraw", DRAFT, "--reason", "Fehler")[0] == 0
    with small_engine.connect() as conn:
        found = [
            (e.action, e.actor, e.address, e.detail.get("reason"))
            for e in audit.events(conn)
            if e.target == DRAFT
        ]
    assert found == [
        ("release-validated", audit.SYSTEM, "", None),
        ("release-published", audit.SYSTEM, "", None),
        ("release-withdrawn", audit.SYSTEM, "", "Fehler"),
    ]
