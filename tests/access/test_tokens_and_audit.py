"""API tokens (hashed at rest, scoped, revocable) and the append-only audit log;
the migration builds what ``schema.py`` declares — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError

from sozialmonitor.access import accounts, audit, tokens
from sozialmonitor.access.roles import Action, Role
from sozialmonitor.errors import AccountError, UnknownTokenError
from sozialmonitor.store.schema import api_token, audit_event, metadata
from tests.access.accounts_data import add_account


def test_token_is_shown_once_and_stored_hashed(engine: Engine) -> None:
    add_account(engine, "importer", Role.EDITOR)
    with engine.begin() as conn:
        token_id, raw = tokens.create(conn, "importer", ["import"], note="nightly")
        stored = conn.execute(select(api_token)).one()
    assert raw.startswith("smt_") and len(raw) > 40
    assert stored.token_hash == tokens.token_hash(raw) and raw not in stored
    assert stored.scope == "import" and stored.last_used_at is None
    with engine.begin() as conn:
        caller = tokens.authenticate(conn, raw, Action.IMPORT, address="192.0.2.5")
        listed = tokens.list_tokens(conn)
    assert caller is not None and caller.account.name == "importer"
    assert caller.token_id == token_id
    assert listed[0].last_used_at is not None
    with engine.connect() as conn:
        used = audit.events(conn, action="token-used")
    assert [(e.actor, e.target, e.address) for e in used] == [
        (f"token:{token_id}", "importer", "192.0.2.5")
    ]


def test_token_scope_and_role_both_limit_it(engine: Engine) -> None:
    add_account(engine, "importer", Role.EDITOR)
    with engine.begin() as conn:
        with pytest.raises(AccountError, match="may not do: publish"):
            tokens.create(conn, "importer", ["import", "publish"])
        with pytest.raises(AccountError, match="not an action"):
            tokens.create(conn, "importer", ["everything"])
        _, raw = tokens.create(conn, "importer", ["import", "prepare-release"])
        assert tokens.authenticate(conn, raw, Action.PUBLISH) is None
        assert tokens.authenticate(conn, raw, Action.IMPORT) is not None
        accounts.change_role(conn, "importer", Role.READER)
        assert tokens.authenticate(conn, raw, Action.IMPORT) is None
        assert tokens.authenticate(conn, "smt_guessed", Action.IMPORT) is None
        refused = audit.events(conn, action="token-refused")
    assert len(refused) == 2


def test_revoked_token_and_disabled_account_end_it(engine: Engine) -> None:
    add_account(engine, "importer", Role.EDITOR)
    with engine.begin() as conn:
        first, raw1 = tokens.create(conn, "importer", ["import"])
        _, raw2 = tokens.create(conn, "importer", ["import"])
        tokens.revoke(conn, first)
        assert tokens.authenticate(conn, raw1, Action.IMPORT) is None
        assert tokens.authenticate(conn, raw2, Action.IMPORT) is not None
        with pytest.raises(UnknownTokenError):
            tokens.revoke(conn, first)
        accounts.disable(conn, "importer")
        assert tokens.authenticate(conn, raw2, Action.IMPORT) is None
        assert all(t.revoked_at is not None for t in tokens.list_tokens(conn))
        revoked = audit.events(conn, action="token-revoked")
    assert [e.target for e in revoked] == [f"token:{first}"]


def test_audit_log_refuses_update_and_delete(engine: Engine) -> None:
    with engine.begin() as conn:
        audit.record(conn, "sign-in", actor="anna", address="192.0.2.1")
    for statement in (update(audit_event).values(actor="mallory"), delete(audit_event)):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_event"))
    with engine.connect() as conn:
        assert [(e.actor, e.action) for e in audit.events(conn)] == [
            ("anna", "sign-in")
        ]


def test_audit_export_writes_json_lines(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        audit.record(conn, "sign-in", actor="anna", detail={"factor": "totp"})
        audit.record(conn, "sign-out", actor="anna")
        assert audit.export(conn, tmp_path / "audit.jsonl") == 2
    lines = (tmp_path / "audit.jsonl").read_text("utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["action"] == "sign-in" and first["detail"] == {"factor": "totp"}
    assert first["at"].endswith("+00:00")
    assert json.loads(lines[1])["action"] == "sign-out"


def test_migrations_build_what_schema_declares(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migration_0004_downgrades_and_upgrades_again(engine: Engine) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from sozialmonitor.store.database import _alembic_config, schema_is_current

    command.downgrade(_alembic_config(engine), "0003")
    assert "account" not in inspect(engine).get_table_names()
    assert "audit_event" not in inspect(engine).get_table_names()
    command.upgrade(_alembic_config(engine), "head")
    assert schema_is_current(engine)
    with engine.begin() as conn:
        audit.record(conn, "sign-in", actor="anna")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(audit_event))


def test_tables_dropped_and_built_again_stay_append_only(engine: Engine) -> None:
    """What a restore with --replace does: drop every table (on PostgreSQL the
    trigger function outlives them), then build the schema again."""
    from sqlalchemy import MetaData

    from sozialmonitor.store.database import init_database

    with engine.begin() as conn:
        reflected = MetaData()
        reflected.reflect(conn)
        reflected.drop_all(conn)
    init_database(engine)
    with engine.begin() as conn:
        audit.record(conn, "sign-in", actor="anna")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(delete(audit_event))
