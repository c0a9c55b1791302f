"""Accounts: argon2id hashes and rehashing, the password policy, recovery codes,
role and area changes, disabling — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from sqlalchemy import Engine, select, update

from sozialmonitor.access import accounts, audit, recovery
from sozialmonitor.access.accounts import password_problems
from sozialmonitor.access.roles import Role
from sozialmonitor.errors import AccountError, PasswordPolicyError
from sozialmonitor.store.schema import account, account_recovery_code

PASSWORD = "korrekt Pferd Batterie"


def test_password_hash_is_argon2id_with_rfc9106_parameters(engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.create(conn, "anna", PASSWORD, Role.READER)
        stored = conn.scalar(select(account.c.password_hash))
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored
    params = accounts.HASHER
    assert (params.type, params.memory_cost, params.time_cost) == (Type.ID, 65536, 3)


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(engine: Engine) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    with engine.begin() as conn:
        accounts.create(conn, "anna", PASSWORD, Role.READER)
        conn.execute(update(account).values(password_hash=weak.hash(PASSWORD)))
        assert accounts.check_password(conn, "anna", PASSWORD) is not None
        stored = conn.scalar(select(account.c.password_hash))
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_wrong_password_unknown_name_and_disabled_account_are_all_none(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        accounts.create(conn, "anna", PASSWORD, Role.READER)
        assert accounts.check_password(conn, "anna", PASSWORD + "x") is None
        assert accounts.check_password(conn, "bert", PASSWORD) is None
        accounts.disable(conn, "anna")
        assert accounts.check_password(conn, "anna", PASSWORD) is None


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("kurz", ("too-short",)),
        ("anna-ist-die-beste", ("contains-name",)),
        ("aaaaaaaaaaaaaaaa", ("too-simple",)),
        ("x" * 300, ("too-long", "too-simple")),
        (PASSWORD, ()),
    ],
)
def test_password_policy(password: str, reasons: tuple[str, ...]) -> None:
    assert password_problems("anna", password) == reasons


def test_policy_refusal_says_why_in_both_languages(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(PasswordPolicyError) as caught:
        accounts.create(conn, "anna", "kurz", Role.READER)
    assert caught.value.reasons == ("too-short",)
    assert "at least 12 characters" in caught.value.message
    german, english = accounts.POLICY_MESSAGES["too-short"]
    assert "mindestens 12 Zeichen" in german and "12 characters" in english


def test_names_roles_and_duplicates_are_checked(engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.create(conn, "anna", PASSWORD, Role.READER)
        with pytest.raises(AccountError, match="exists already"):
            accounts.create(conn, "anna", PASSWORD, Role.READER)
        with pytest.raises(AccountError, match="not a valid account name"):
            accounts.create(conn, "Anna Müller", PASSWORD, Role.READER)
        with pytest.raises(AccountError, match="not a role"):
            accounts.change_role(conn, "anna", "anonymous")  # type: ignore[arg-type]
        with pytest.raises(AccountError, match="no account 'bert'"):
            accounts.change_role(conn, "bert", Role.EDITOR)


def test_recovery_codes_are_stored_hashed_and_work_once(engine: Engine) -> None:
    with engine.begin() as conn:
        new = accounts.create(conn, "anna", PASSWORD, Role.READER)
        stored = set(conn.scalars(select(account_recovery_code.c.code_hash)))
        code = new.recovery_codes[0]
        assert len(new.recovery_codes) == recovery.CODE_COUNT == len(stored)
        assert not any(
            c in stored or c.replace("-", "") in stored for c in new.recovery_codes
        )
        assert recovery.code_hash(code) in stored
        factor = accounts.check_second_factor(
            conn, new.account.id, code.lower(), unix_time=0
        )
        assert factor == "recovery-code"
        assert (
            accounts.check_second_factor(conn, new.account.id, code, unix_time=0)
            is None
        )
        # The other codes still work.
        second = new.recovery_codes[1]
        assert accounts.check_second_factor(conn, new.account.id, second, unix_time=0)


def test_role_area_and_disable_are_audited(engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.create(conn, "anna", PASSWORD, Role.READER, area_code="03241001")
        changed = accounts.change_role(conn, "anna", Role.EDITOR, actor="admin")
        assert changed.role is Role.EDITOR and changed.area_code == "03241001"
        assert accounts.set_area(conn, "anna", None).area_code is None
        assert not accounts.disable(conn, "anna").active
        accounts.reset_password(conn, "anna", "ein neues langes Passwort")
        logged = [(e.action, e.actor, e.target) for e in audit.events(conn)]
    assert logged == [
        ("account-created", "cli", "anna"),
        ("role-changed", "admin", "anna"),
        ("area-changed", "cli", "anna"),
        ("account-disabled", "cli", "anna"),
        ("password-reset", "cli", "anna"),
    ]
    with engine.connect() as conn:
        role_event = audit.events(conn, action="role-changed")[0]
    assert role_event.detail == {"from": "reader", "to": "editor"}
