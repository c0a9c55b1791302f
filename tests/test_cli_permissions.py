"""Who may run which command (issue 11): against PostgreSQL the command line needs an
account (``--user``, password and one-time code) or an API token (``--token``)
allowed to do what the command does; against SQLite the file's owner may do all."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner, Result

from sozialmonitor.access import audit, tokens
from sozialmonitor.access.audit import AuditEvent
from sozialmonitor.access.ratelimit import ACCOUNT_LIMIT
from sozialmonitor.access.roles import Role
from sozialmonitor.cli import app
from sozialmonitor.cli.caller import TOKEN_ENV, USER_ENV
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.store import queries
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.schema import api_token
from tests.access.accounts_data import PASSWORD, add_account, code_for
from tests.cli_access import without_access
from tests.fixtures import FIRST_RELEASE, make_demo_db
from tests.ingest.content import snapshot, stored

runner = CliRunner()
VALUES = (
    "Indikator;Gebiet;Jahr;Wert;Zähler;Nenner\n"
    "unemployment_share;03241001;2022;7,5;22.500;300.000\n"
)
NEW_PASSWORD = "ein neues langes Passwort"


def run(
    engine: Engine,
    *args: str,
    token: str | None = None,
    stdin: str | None = None,
) -> Result:
    """The command against ``engine``'s database; ``token`` in the environment, as a
    script passes it. Credentials of the calling shell are not passed on."""
    url = engine.url.render_as_string(hide_password=False)
    env = {TOKEN_ENV: token, USER_ENV: None}
    return runner.invoke(app, ["--db", url, *args], env=env, input=stdin)


def token_of(engine: Engine, name: str, role: Role, *scope: str) -> str:
    """A new token of a new account ``name`` with ``role``, allowed ``scope``."""
    add_account(engine, name, role)
    with engine.begin() as conn:
        return tokens.create(conn, name, scope)[1]


def sign_in_input(engine: Engine, name: str, *, offset: int = 0) -> str:
    """What a person types at the prompts of ``--user name``: the password, then the
    one-time code the authenticator shows now (``offset`` steps on)."""
    return f"{PASSWORD}\n{code_for(engine, name, time.time(), offset)}\n"


def events(engine: Engine, action: str) -> list[AuditEvent]:
    with engine.connect() as conn:
        return audit.events(conn, action=action)


def status_of(engine: Engine, release: str) -> ReleaseStatus:
    with engine.connect() as conn:
        (found,) = [r for r in queries.list_releases(conn) if r.name == release]
    return found.status


@pytest.fixture
def server(pg_engine: Engine) -> Engine:
    """PostgreSQL with the small region, one published release and no accounts."""
    make_demo_db(pg_engine)
    return pg_engine


@pytest.fixture
def values(tmp_path: Path) -> Path:
    path = tmp_path / "werte.csv"
    path.write_text(VALUES, encoding="utf-8")
    return path


@pytest.fixture
def draft(server: Engine, values: Path) -> Engine:
    """The server with a validated draft '2022', imported by an editor's token."""
    token = token_of(server, "erik", Role.EDITOR, "import", "prepare-release")
    imported = run(server, "import", "observations", str(values), "--release", "2022")
    assert imported.exit_code == 2  # without the token: refused
    for args in (
        ["import", "observations", str(values), "--release", "2022"],
        ["release", "validate", "2022"],
    ):
        done = run(server, *args, token=token)
        assert done.exit_code == 0, done.output
    return server


def test_without_credentials_changes_and_internal_reads_are_refused(
    server: Engine, values: Path, tmp_path: Path
) -> None:
    add_account(server, "ada", Role.ADMINISTRATOR)
    before = snapshot(server)
    for args in (
        ["import", "observations", str(values), "--release", "2022"],
        ["import", "observations", str(values), "--dry-run"],
        ["release", "withdraw", FIRST_RELEASE],
        ["release", "list"],
        ["level", "add", "quarter", "Quartier"],
        ["export", "--indicator", "internal_case_load", "--internal"],
        ["stats", "classes", "--indicator", "unemployment_share"]
        + ["--level", "municipality", "--internal"],
        ["user", "list"],
        ["user", "add", "bert", "--role", "reader", "--password", NEW_PASSWORD],
        ["user", "add", "cleo", "--role", "administrator"]
        + ["--password", NEW_PASSWORD],
        ["audit", "list"],
        ["backup", str(tmp_path / "all.zip")],
    ):
        done = run(server, *args)
        assert done.exit_code == 2, (args, done.output)
        (line,) = done.stderr.splitlines()
        assert "--user NAME" in line and "--token" in line, line
        assert "Traceback" not in done.output
    assert snapshot(server) == before  # not even an audit event
    assert not (tmp_path / "all.zip").exists()
    public = run(server, "export", "--indicator", "unemployment_share")
    assert public.exit_code == 0 and "03241001" in public.stdout


def test_a_reader_token_reads_internal_values_but_cannot_import(
    server: Engine, values: Path
) -> None:
    token = token_of(server, "rita", Role.READER, "read-internal")
    before = snapshot(server)
    done = run(server, "import", "observations", str(values), token=token)
    assert done.exit_code == 1
    assert "not allowed to 'import'" in done.stderr
    assert without_access(snapshot(server)) == without_access(before)
    (refused,) = events(server, "token-refused")
    assert refused.actor.startswith("token:") and refused.detail == {"action": "import"}
    internal = ["export", "--indicator", "internal_case_load", "--internal"]
    done = run(server, *internal, token=token)
    assert done.exit_code == 0, done.output
    url = server.url.render_as_string(hide_password=False)
    before_command = ["--db", url, "--token", token, "release", "list"]
    done = runner.invoke(app, before_command, env={TOKEN_ENV: None})
    assert done.exit_code == 0 and done.stdout.startswith(FIRST_RELEASE)
    assert token not in done.output


def test_an_editor_token_imports_and_validates_but_does_not_publish(
    draft: Engine,
) -> None:
    assert set(stored(draft, "2022")) == {("unemployment_share", "03241001", "2022")}
    assert status_of(draft, "2022") is ReleaseStatus.VALIDATED
    used = events(draft, "token-used")
    assert [e.detail["action"] for e in used] == ["import", "prepare-release"]
    assert {e.target for e in used} == {"erik"}
    assert all(e.address.startswith("cli:") for e in used)
    with draft.connect() as conn:
        (token_id,) = conn.scalars(select(api_token.c.id)).all()
    assert {e.actor for e in used} == {f"token:{token_id}"}
    (imported,) = events(draft, "import")
    assert imported.actor == f"token:{token_id}" and imported.target == "2022"
    assert imported.address.startswith("cli:")
    with draft.begin() as conn:
        _, editor = tokens.create(conn, "erik", ["import"])
    done = run(draft, "release", "publish", "2022", token=editor)
    assert done.exit_code == 1 and "not allowed to 'publish'" in done.stderr
    assert status_of(draft, "2022") is ReleaseStatus.VALIDATED


def test_a_publisher_signs_in_with_password_and_code_and_publishes(
    draft: Engine,
) -> None:
    add_account(draft, "pia", Role.PUBLISHER)
    done = run(
        draft,
        "release",
        "publish",
        "2022",
        "--user",
        "pia",
        stdin=sign_in_input(draft, "pia"),
    )
    assert done.exit_code == 0, done.output
    assert "Published '2022'" in done.stdout
    assert "Password for pia" in done.stderr and "One-time code" in done.stderr
    assert PASSWORD not in done.output  # typed hidden
    assert status_of(draft, "2022") is ReleaseStatus.PUBLISHED
    (signed_in,) = events(draft, "sign-in")
    assert signed_in.actor == "pia" and signed_in.detail["via"] == "cli"
    assert signed_in.address.startswith("cli:")
    published = {e.target: e.actor for e in events(draft, "release-published")}
    assert published["2022"] == "pia"
    validated = {e.target: e.actor for e in events(draft, "release-validated")}
    assert validated["2022"].startswith("token:")
    with draft.connect() as conn:
        sessions = conn.exec_driver_sql("SELECT count(*) FROM account_session")
        assert sessions.scalar() == 0  # the command line starts no session


def test_a_signed_in_account_may_only_do_what_its_role_allows(
    draft: Engine,
) -> None:
    add_account(draft, "rudi", Role.READER)
    done = run(
        draft,
        "release",
        "publish",
        "2022",
        "--user",
        "rudi",
        stdin=sign_in_input(draft, "rudi"),
    )
    assert done.exit_code == 1
    assert done.stderr.endswith(
        "One-time code for rudi:Refused: 'rudi' is reader and may not 'publish'.\n"
    )  # the prompts' newlines are the terminal's echo
    assert status_of(draft, "2022") is ReleaseStatus.VALIDATED
    (refused,) = events(draft, "command-refused")
    assert refused.actor == "rudi" and refused.detail["action"] == "publish"


def test_a_wrong_password_or_code_is_refused_and_audited(draft: Engine) -> None:
    add_account(draft, "pia", Role.PUBLISHER)
    right = code_for(draft, "pia", time.time())
    wrong_code = f"{(int(right) + 1) % 10**6:06d}"
    for typed in (f"{PASSWORD}!\n{right}\n", f"{PASSWORD}\n{wrong_code}\n"):
        done = run(draft, "release", "publish", "2022", "--user", "pia", stdin=typed)
        assert done.exit_code == 1
        assert (
            "Refused: wrong account name, password or one-time code for 'pia'."
            in done.stderr
        )
        assert status_of(draft, "2022") is ReleaseStatus.VALIDATED
    failed = events(draft, "sign-in-failed")
    assert [(e.actor, e.detail["step"]) for e in failed] == [
        ("pia", "password"),
        ("pia", "second-factor"),
    ]
    assert events(draft, "sign-in") == []


def test_failed_sign_ins_lock_the_account(draft: Engine) -> None:
    add_account(draft, "pia", Role.PUBLISHER)
    for _ in range(ACCOUNT_LIMIT):
        wrong = run(
            draft, "release", "publish", "2022", "--user", "pia", stdin="falsch\n1\n"
        )
        assert wrong.exit_code == 1
    done = run(
        draft,
        "release",
        "publish",
        "2022",
        "--user",
        "pia",
        stdin=sign_in_input(draft, "pia"),
    )
    assert done.exit_code == 1 and "too many failed sign-ins" in done.stderr
    assert status_of(draft, "2022") is ReleaseStatus.VALIDATED
    assert len(events(draft, "sign-in-locked")) == 1


def test_a_revoked_token_is_refused_and_the_log_names_who_revoked_it(
    server: Engine, values: Path
) -> None:
    admin = token_of(server, "ada", Role.ADMINISTRATOR, "manage-users", "read-audit")
    editor = token_of(server, "erik", Role.EDITOR, "import")
    with server.connect() as conn:
        admin_id, editor_id = conn.scalars(
            select(api_token.c.id).order_by(api_token.c.id)
        ).all()
    done = run(server, "user", "token", "revoke", str(editor_id), token=admin)
    assert done.exit_code == 0, done.output
    before = without_access(snapshot(server))
    done = run(server, "import", "observations", str(values), token=editor)
    assert done.exit_code == 1 and "revoked" in done.stderr
    assert without_access(snapshot(server)) == before
    (revoked,) = events(server, "token-revoked")
    assert (revoked.actor, revoked.target) == (
        f"token:{admin_id}",
        f"token:{editor_id}",
    )
    listed = run(server, "audit", "list", "--json", token=admin)
    assert listed.exit_code == 0, listed.output
    assert f'"actor": "token:{admin_id}"' in listed.stdout


def test_the_first_administrator_needs_no_credentials_the_next_account_does(
    pg_engine: Engine,
) -> None:
    new = f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    done = run(pg_engine, "user", "add", "ada", "--role", "administrator", stdin=new)
    assert done.exit_code == 0, done.output
    again = run(pg_engine, "user", "add", "bea", "--role", "administrator", stdin=new)
    assert again.exit_code == 2 and "--user NAME" in again.stderr
    typed = new + f"{NEW_PASSWORD}\n{code_for(pg_engine, 'ada', time.time())}\n"
    done = run(
        pg_engine, "user", "add", "erik", "--role", "editor", "--user", "ada",
        stdin=typed,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    created = events(pg_engine, "account-created")
    assert [(e.actor, e.target) for e in created] == [("cli", "ada"), ("ada", "erik")]
    assert created[1].address.startswith("cli:")


def test_audit_log_and_user_commands_need_an_administrator(server: Engine) -> None:
    editor = token_of(server, "erik", Role.EDITOR, "import")
    for args in (
        ["audit", "list"],
        ["user", "list"],
        ["user", "role", "erik", "reader"],
    ):
        done = run(server, *args, token=editor)
        assert done.exit_code == 1, (args, done.output)
    admin = token_of(server, "ada", Role.ADMINISTRATOR, "manage-users")
    done = run(server, "user", "role", "erik", "publisher", token=admin)
    assert done.exit_code == 0, done.output
    (changed,) = events(server, "role-changed")
    assert changed.target == "erik" and changed.actor.startswith("token:")


def test_user_and_token_together_or_without_a_terminal_are_usage_errors(
    server: Engine,
) -> None:
    add_account(server, "pia", Role.PUBLISHER)
    both = run(server, "release", "list", "--user", "pia", token="smt_x")
    assert both.exit_code == 2 and "not both" in both.stderr
    no_input = run(server, "release", "list", "--user", "pia", stdin="")
    assert no_input.exit_code == 2 and "--token" in no_input.stderr.splitlines()[-1]
    assert events(server, "sign-in-failed") == []


def test_restore_into_a_server_without_accounts_needs_none_then_it_does(
    tmp_path: Path, pg_engine: Engine
) -> None:
    source = connect(f"sqlite:///{tmp_path / 'quelle.db'}")
    init_database(source)
    make_demo_db(source)
    file = tmp_path / "sicherung.zip"
    assert run(source, "backup", str(file)).exit_code == 0
    source.dispose()
    done = run(pg_engine, "restore", str(file), "--replace")
    assert done.exit_code == 0, done.output
    backup = run(pg_engine, "backup", str(tmp_path / "zweite.zip"))
    assert backup.exit_code == 2
    assert "add the first administrator with 'sozialmonitor user add" in backup.stderr
    add_account(pg_engine, "ada", Role.ADMINISTRATOR)
    again = run(pg_engine, "restore", str(file), "--replace")
    assert again.exit_code == 2 and "--user NAME" in again.stderr
    assert "first administrator" not in again.stderr


@pytest.fixture
def local(engine_sqlite: Engine) -> Engine:
    make_demo_db(engine_sqlite)
    return engine_sqlite


@pytest.fixture
def engine_sqlite(tmp_path: Path) -> Iterator[Engine]:
    eng = connect(f"sqlite:///{tmp_path / 'lokal.db'}")
    init_database(eng)
    yield eng
    eng.dispose()


def test_sqlite_runs_as_cli_without_credentials_and_checks_given_ones(
    local: Engine, values: Path
) -> None:
    new = f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    assert (
        run(local, "user", "add", "bert", "--role", "reader", stdin=new).exit_code == 0
    )
    (created,) = events(local, "account-created")
    assert created.actor == "cli"
    reader = token_of(local, "rita", Role.READER, "read-internal")
    done = run(local, "import", "observations", str(values), token=reader)
    assert done.exit_code == 1 and "not allowed to 'import'" in done.stderr
    done = run(local, "import", "observations", str(values), "--release", "2022")
    assert done.exit_code == 0, done.output
    add_account(local, "pia", Role.PUBLISHER)
    done = run(
        local,
        "release",
        "publish",
        "2022",
        "--user",
        "pia",
        stdin=sign_in_input(local, "pia"),
    )
    assert done.exit_code == 0, done.output
    assert [e.actor for e in events(local, "sign-in")] == ["pia"]
