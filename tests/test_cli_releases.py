"""``sozialmonitor release validate|publish|withdraw``: the same checks and the same
audit events as the administration's pages (actor ``cli``, no address)."""

from __future__ import annotations

from sqlalchemy import Engine

from sozialmonitor.access import audit
from sozialmonitor.cli.caller import command_line_address
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
            (e.action, e.actor, e.address.split("@")[0], e.detail.get("reason"))
            for e in audit.events(conn)
            if e.target == DRAFT
        ]
    here = command_line_address().split("@")[0]  # cli:USER
    assert [(action, address, reason) for action, _, address, reason in found] == [
        ("release-validated", here, None),
        ("release-published", here, None),
        ("release-withdrawn", here, "Fehler"),
    ]
    # SQLite: the file's owner; PostgreSQL: the token each of the test's commands
    # passes (a new one per command)
    sqlite = small_engine.dialect.name == "sqlite"
    for _, actor, _, _ in found:
        assert actor == audit.SYSTEM if sqlite else actor.startswith("token:")


def test_publish_refuses_an_invalid_draft_with_the_report_issue_16(
    small_engine: Engine,
) -> None:
    make_draft(small_engine)
    add_bad_share(small_engine)
    url = small_engine.url.render_as_string(hide_password=False)
    code, out, err = run(url, "release", "publish", DRAFT)
    assert code == 1 and "Traceback" not in err and "Published" not in out
    lines = err.splitlines()
    assert lines[0].startswith("ERROR: ") and lines[0].endswith("(share-above-total)")
    assert "numerator larger than their denominator" in lines[0]
    assert f"'{DRAFT}' was not published: the checks found 1 error" in err
    with small_engine.connect() as conn:
        assert queries.get_release(conn, DRAFT).status is ReleaseStatus.DRAFT
        published = audit.events(conn, action="release-published")
        assert [e for e in published if e.target == DRAFT] == []


def test_publish_checks_a_never_validated_draft_and_prints_warnings_issue_16(
    small_engine: Engine,
) -> None:
    make_draft(small_engine)  # large jumps and a removed value: warnings only
    url = small_engine.url.render_as_string(hide_password=False)
    code, out, err = run(url, "release", "publish", DRAFT)
    assert code == 0, err
    assert "WARNING: " in err and "(large-jumps)" in err and "ERROR" not in err
    assert f"Published '{DRAFT}'" in out
    with small_engine.connect() as conn:
        assert queries.get_release(conn, DRAFT).status is ReleaseStatus.PUBLISHED
