"""``sozialmonitor user …`` and ``sozialmonitor audit …`` on a real database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from sozialmonitor.access import accounts, tokens
from sozialmonitor.access.roles import Action, Role
from sozialmonitor.cli import app
from sozialmonitor.store.schema import account, api_token
from tests.access.accounts_data import PASSWORD
from tests.fixtures import REGION
from tests.ingest.content import snapshot

runner = CliRunner()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite, where the command line needs no credentials: these tests are about
    what the commands do; tests/test_cli_permissions.py runs them against
    PostgreSQL, where they need an administrator."""
    return f"sqlite:///{tmp_path / 'test.db'}"


def run(engine: Engine, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["--db", url, *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_user_add_prints_totp_uri_and_recovery_codes_once(
    small_engine: Engine,
) -> None:
    engine = small_engine
    code, out, err = run(
        engine,
        "user",
        "add",
        "anna",
        "--role",
        "editor",
        "--area",
        "03241001",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0, err
    uri = re.search(r"otpauth://totp/Sozialmonitor:anna\?\S+", out)
    assert uri is not None
    with engine.connect() as conn:
        row = conn.execute(select(account)).one()
    assert f"secret={row.totp_secret}" in uri.group()
    assert row.role == "editor" and row.area_code == "03241001"
    codes = re.findall(
        r"^  ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})$", out, re.M
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    assert PASSWORD not in out


def test_user_commands_change_and_list(small_engine: Engine) -> None:
    engine = small_engine
    with engine.begin() as conn:
        accounts.create(conn, "anna", PASSWORD, Role.READER)
    assert run(engine, "user", "role", "anna", "publisher")[0] == 0
    assert run(engine, "user", "area", "anna", "03241")[0] == 0
    code, out, _ = run(engine, "user", "list", "--json")
    assert code == 0
    (listed,) = json.loads(out)
    assert (listed["name"], listed["role"], listed["area"]) == (
        "anna",
        "publisher",
        "03241",
    )
    new = "ein ganz anderes Passwort"
    assert (
        run(engine, "user", "reset-password", "anna", stdin=f"{new}\n{new}\n")[0] == 0
    )
    with engine.begin() as conn:
        assert accounts.check_password(conn, "anna", new) is not None
    assert run(engine, "user", "disable", "anna")[0] == 0
    code, out, _ = run(engine, "user", "list")
    assert code == 0 and out.splitlines()[1].split()[0] == "anna"
    assert len(out.splitlines()[1].split()) == 7  # the disabled time is shown


@pytest.mark.parametrize(
    "command",
    [
        ["user", "add", "anna", "--role", "reader", "--password", PASSWORD],
        ["user", "area", "bert"],
    ],
    ids=["add", "area"],
)
def test_an_unknown_area_scope_is_refused_with_exit_2_issue_11(
    small_engine: Engine, command: list[str]
) -> None:
    with small_engine.begin() as conn:
        accounts.create(conn, "bert", PASSWORD, Role.READER, area_code=REGION)
    before = snapshot(small_engine)
    option = ["--area", "03241999"] if command[1] == "add" else ["03241999"]
    code, out, err = run(small_engine, *command, *option)
    assert code == 2, out + err
    option_name = "--area" if command[1] == "add" else "CODE"
    assert f"{option_name}: there is no area with the code '03241999'." in err
    assert "Traceback" not in err
    assert snapshot(small_engine) == before  # no account, no change, no audit event


def test_user_errors_are_messages(engine: Engine) -> None:
    code, _, err = run(engine, "user", "role", "niemand", "editor")
    assert code == 1 and "no account 'niemand'" in err and "Traceback" not in err
    code, _, err = run(
        engine, "user", "add", "anna", "--role", "boss", "--password", PASSWORD
    )
    assert code == 1 and "not a role" in err
    code, _, err = run(
        engine, "user", "add", "anna", "--role", "reader", "--password", "kurz"
    )
    assert code == 1 and "at least 12 characters" in err


def test_token_add_list_revoke(engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.create(conn, "importer", PASSWORD, Role.EDITOR)
    code, out, err = run(
        engine,
        "user",
        "token",
        "add",
        "importer",
        "--scope",
        "import",
        "--note",
        "cron",
    )
    assert code == 0, err
    raw = out.splitlines()[-1]
    with engine.connect() as conn:
        stored = conn.execute(select(api_token)).one()
    assert stored.token_hash == tokens.token_hash(raw)
    code, out, _ = run(engine, "user", "token", "list", "--json")
    (listed,) = json.loads(out)
    assert listed["scope"] == ["import"] and raw not in out
    assert run(engine, "user", "token", "revoke", str(stored.id))[0] == 0
    with engine.begin() as conn:
        assert tokens.authenticate(conn, raw, Action.IMPORT) is None
    code, _, err = run(engine, "user", "token", "revoke", str(stored.id))
    assert code == 1 and "no live token" in err


def test_audit_list_and_export(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        accounts.create(conn, "anna", PASSWORD, Role.READER)
        accounts.change_role(conn, "anna", Role.EDITOR)
    code, out, _ = run(engine, "audit", "list", "--json")
    assert code == 0
    assert [e["action"] for e in json.loads(out)] == ["account-created", "role-changed"]
    code, out, _ = run(engine, "audit", "list")
    assert out.splitlines()[0].split() == ["at", "actor", "action", "target", "from"]
    target = tmp_path / "audit.jsonl"
    code, out, _ = run(engine, "audit", "export", str(target))
    assert code == 0 and "2 events" in out
    assert len(target.read_text("utf-8").splitlines()) == 2
