"""Signing in (password, then TOTP or a recovery code), the rate limit, sessions'
rotation and timeouts, and the audit events of each — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, insert, select

from sozialmonitor.access import audit, ratelimit, sessions
from sozialmonitor.access.sign_in import Outcome, password_step, second_factor_step
from sozialmonitor.store.schema import account_session, sign_in_attempt
from tests.access.accounts_data import PASSWORD, add_account, code_for

T0 = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
HERE = "192.0.2.1"
TIMEOUTS = sessions.Timeouts(
    idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=12)
)


def sign_in(
    engine: Engine, name: str, code: str, at: dt.datetime = T0
) -> str | Outcome:
    """The session id, or the outcome that refused it."""
    with engine.begin() as conn:
        first = password_step(conn, name, PASSWORD, address=HERE, at=at)
    if first.outcome is not Outcome.SECOND_FACTOR:
        return first.outcome
    with engine.begin() as conn:
        second = second_factor_step(conn, first.token, code, address=HERE, at=at)
    return second.token if second.outcome is Outcome.SIGNED_IN else second.outcome


def actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [e.action for e in audit.events(conn)]


def test_password_and_totp_sign_in_and_rotate_the_id(engine: Engine) -> None:
    add_account(engine, "anna")
    with engine.begin() as conn:
        first = password_step(conn, "Anna ", PASSWORD, address=HERE, at=T0)
    assert first.outcome is Outcome.SECOND_FACTOR
    with engine.begin() as conn:
        assert sessions.current(conn, first.token, TIMEOUTS, at=T0) is None
        second = second_factor_step(
            conn, first.token, code_for(engine, "anna", T0), address=HERE, at=T0
        )
    assert second.outcome is Outcome.SIGNED_IN
    assert second.token != first.token
    with engine.begin() as conn:
        session = sessions.current(conn, second.token, TIMEOUTS, at=T0)
        assert session is not None and session.account.name == "anna"
        # The half-signed-in id is gone: it cannot be completed a second time.
        assert sessions.pending_account(conn, first.token, at=T0) is None
        stored = set(conn.scalars(select(account_session.c.id_hash)))
    assert stored == {sessions.id_hash(second.token)}
    assert second.token not in stored
    assert actions(engine)[-1] == "sign-in"


def test_wrong_password_and_unknown_name_answer_alike(engine: Engine) -> None:
    add_account(engine, "anna")
    with engine.begin() as conn:
        wrong = password_step(conn, "anna", PASSWORD + "!", address=HERE, at=T0)
        unknown = password_step(conn, "bert", PASSWORD, address=HERE, at=T0)
    assert wrong == unknown
    assert wrong.outcome is Outcome.REFUSED and wrong.token == ""
    assert actions(engine)[-2:] == ["sign-in-failed", "sign-in-failed"]


def test_wrong_totp_is_refused_and_audited(engine: Engine) -> None:
    add_account(engine, "anna")
    wrong = code_for(engine, "anna", T0, offset=5)
    assert sign_in(engine, "anna", wrong) is Outcome.REFUSED
    with engine.connect() as conn:
        failed = audit.events(conn, action="sign-in-failed")
    assert [e.detail for e in failed] == [{"step": "second-factor"}]


def test_totp_replay_is_refused(engine: Engine) -> None:
    add_account(engine, "anna")
    code = code_for(engine, "anna", T0)
    assert isinstance(sign_in(engine, "anna", code), str)
    assert (
        sign_in(engine, "anna", code, T0 + dt.timedelta(seconds=5)) is Outcome.REFUSED
    )
    # The next step's code works.
    later = T0 + dt.timedelta(seconds=30)
    assert isinstance(
        sign_in(engine, "anna", code_for(engine, "anna", later), later), str
    )


def test_a_recovery_code_signs_in_once(engine: Engine) -> None:
    code = add_account(engine, "anna").recovery_codes[3]
    assert isinstance(sign_in(engine, "anna", code), str)
    assert sign_in(engine, "anna", code) is Outcome.REFUSED
    with engine.connect() as conn:
        assert audit.events(conn, action="sign-in")[0].detail == {
            "factor": "recovery-code"
        }


def test_too_many_wrong_codes_end_the_half_signed_in_state(engine: Engine) -> None:
    add_account(engine, "anna")
    with engine.begin() as conn:
        pending = password_step(conn, "anna", PASSWORD, address=HERE, at=T0).token
        for _ in range(sessions.PENDING_FAILURES):
            result = second_factor_step(conn, pending, "000000", address="x", at=T0)
            assert result.outcome is Outcome.REFUSED
        good = code_for(engine, "anna", T0)
        late = second_factor_step(conn, pending, good, address=HERE, at=T0)
    assert late.outcome is Outcome.EXPIRED


def test_the_half_signed_in_state_expires(engine: Engine) -> None:
    add_account(engine, "anna")
    with engine.begin() as conn:
        pending = password_step(conn, "anna", PASSWORD, address=HERE, at=T0).token
    later = T0 + sessions.PENDING_LIFETIME + dt.timedelta(seconds=1)
    with engine.begin() as conn:
        result = second_factor_step(
            conn, pending, code_for(engine, "anna", later), address=HERE, at=later
        )
    assert result.outcome is Outcome.EXPIRED


def test_lock_after_failures_per_account(engine: Engine) -> None:
    add_account(engine, "anna")
    with engine.begin() as conn:
        for i in range(ratelimit.ACCOUNT_LIMIT):
            at = T0 + dt.timedelta(seconds=i)
            wrong = password_step(
                conn, "anna", "falsch", address=f"198.51.100.{i}", at=at
            )
            assert wrong.outcome is Outcome.REFUSED
    # Now even the right password is refused, from anywhere ...
    at = T0 + dt.timedelta(minutes=1)
    with engine.begin() as conn:
        locked = password_step(conn, "anna", PASSWORD, address="203.0.113.9", at=at)
    assert locked.outcome is Outcome.LOCKED
    assert actions(engine).count("sign-in-locked") == 1
    # ... until the window has passed.
    after = T0 + ratelimit.WINDOW + dt.timedelta(seconds=ratelimit.ACCOUNT_LIMIT)
    code = code_for(engine, "anna", after)
    assert isinstance(sign_in(engine, "anna", code, after), str)


def test_lock_after_failures_per_address_and_unknown_names(engine: Engine) -> None:
    add_account(engine, "anna")
    with engine.begin() as conn:
        for i in range(ratelimit.ADDRESS_LIMIT):
            result = password_step(conn, f"name{i}", "falsch", address=HERE, at=T0)
            assert result.outcome is Outcome.REFUSED
        from_here = password_step(conn, "anna", PASSWORD, address=HERE, at=T0)
        elsewhere = password_step(conn, "anna", PASSWORD, address="192.0.2.2", at=T0)
    assert from_here.outcome is Outcome.LOCKED
    assert elsewhere.outcome is Outcome.SECOND_FACTOR
    with engine.connect() as conn:
        locks = audit.events(conn, action="sign-in-locked")
    assert [(e.actor, e.address, e.detail) for e in locks] == [
        ("name19", HERE, {"by": "address"})
    ]


def test_an_unknown_name_locks_like_a_known_one(engine: Engine) -> None:
    with engine.begin() as conn:
        for _ in range(ratelimit.ACCOUNT_LIMIT):
            password_step(conn, "niemand", "falsch", address="192.0.2.3", at=T0)
        result = password_step(conn, "niemand", "falsch", address="192.0.2.4", at=T0)
    assert result.outcome is Outcome.LOCKED


def test_wrong_totp_codes_count_towards_the_lock(engine: Engine) -> None:
    add_account(engine, "anna")
    for i in range(ratelimit.ACCOUNT_LIMIT):
        at = T0 + dt.timedelta(seconds=i)
        assert sign_in(engine, "anna", "000000", at) is Outcome.REFUSED
    at = T0 + dt.timedelta(seconds=10)
    assert sign_in(engine, "anna", code_for(engine, "anna", at), at) is Outcome.LOCKED


@pytest.mark.parametrize(
    ("later", "alive"),
    [
        (dt.timedelta(minutes=29), True),
        (dt.timedelta(minutes=31), False),
    ],
)
def test_idle_timeout(engine: Engine, later: dt.timedelta, alive: bool) -> None:
    add_account(engine, "anna")
    session_id = sign_in(engine, "anna", code_for(engine, "anna", T0))
    assert isinstance(session_id, str)
    with engine.begin() as conn:
        found = sessions.current(conn, session_id, TIMEOUTS, at=T0 + later)
    assert (found is not None) is alive
    with engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(account_session))
    assert rows == (1 if alive else 0)


def test_absolute_timeout_ends_an_active_session(engine: Engine) -> None:
    add_account(engine, "anna")
    session_id = sign_in(engine, "anna", code_for(engine, "anna", T0))
    assert isinstance(session_id, str)
    at = T0
    with engine.begin() as conn:
        # Active every 20 minutes: never idle for 30 ...
        while at < T0 + dt.timedelta(hours=11, minutes=50):
            at += dt.timedelta(minutes=20)
            assert sessions.current(conn, session_id, TIMEOUTS, at=at) is not None
        # ... and still over after 12 hours.
        end = T0 + dt.timedelta(hours=12, minutes=1)
        assert sessions.current(conn, session_id, TIMEOUTS, at=end) is None


def test_disabling_an_account_ends_its_sessions(engine: Engine) -> None:
    from sozialmonitor.access import accounts

    add_account(engine, "anna")
    session_id = sign_in(engine, "anna", code_for(engine, "anna", T0))
    assert isinstance(session_id, str)
    with engine.begin() as conn:
        accounts.disable(conn, "anna")
        assert sessions.current(conn, session_id, TIMEOUTS, at=T0) is None


def stored_attempts(engine: Engine) -> list[tuple[str, dt.datetime]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(sign_in_attempt.c.name, sign_in_attempt.c.at).order_by(
                sign_in_attempt.c.id
            )
        ).all()
    return [
        (name, at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at)
        for name, at in rows
    ]


def add_attempts(engine: Engine, name: str, times: list[dt.datetime]) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(sign_in_attempt),
            [
                {"at": at, "name": name, "address": HERE, "succeeded": False}
                for at in times
            ],
        )


def test_a_sign_in_removes_attempts_older_than_the_window_issue_11(
    engine: Engine,
) -> None:
    add_account(engine, "anna")
    gone = [T0 - ratelimit.KEPT - dt.timedelta(minutes=m) for m in (600, 60, 1)]
    kept = [T0 - ratelimit.KEPT + dt.timedelta(minutes=1), T0 - dt.timedelta(seconds=1)]
    add_attempts(engine, "alt", gone)
    add_attempts(engine, "neu", kept)
    with engine.begin() as conn:
        result = password_step(conn, "anna", "falsch", address=HERE, at=T0)
    assert result.outcome is Outcome.REFUSED
    assert stored_attempts(engine) == [("neu", at) for at in kept] + [("anna", T0)]
    # the recent failures still count: two more lock the address's name "neu"
    with engine.connect() as conn:
        assert not ratelimit.is_locked(conn, "neu", "192.0.2.9", at=T0)
    add_attempts(engine, "neu", [T0] * (ratelimit.ACCOUNT_LIMIT - len(kept)))
    with engine.connect() as conn:
        assert ratelimit.is_locked(conn, "neu", "192.0.2.9", at=T0)


def test_pruning_is_bounded_per_sign_in_and_catches_up_issue_11(
    engine: Engine,
) -> None:
    old = T0 - ratelimit.KEPT - dt.timedelta(hours=1)
    extra = 30
    add_attempts(engine, "alt", [old] * (ratelimit.PRUNE_BATCH + extra))
    with engine.begin() as conn:
        assert ratelimit.prune(conn, at=T0) == ratelimit.PRUNE_BATCH
    assert len(stored_attempts(engine)) == extra
    with engine.begin() as conn:
        password_step(conn, "niemand", "falsch", address=HERE, at=T0)
    assert stored_attempts(engine) == [("niemand", T0)]
