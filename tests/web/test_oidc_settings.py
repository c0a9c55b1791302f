"""The oidc-* settings: read from the environment when the portal is made, and every
combination that cannot work refused at start-up with a message that says what to
set — by ``create_app`` and by ``sozialmonitor serve`` (no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.access.oidc.provider import Provider
from sozialmonitor.access.roles import Role
from sozialmonitor.cli import app as cli
from sozialmonitor.config import SETTINGS
from sozialmonitor.errors import ConfigurationError
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.web.app import create_app

SECRET = "s3cr3t-im-test"
GOOD = {
    "oidc-issuer": "https://login.example.org/realms/stadt/",
    "oidc-client-id": "sozialmonitor",
    "oidc-client-secret": SECRET,
    "base-url": "https://sozialmonitor.example.org",
}


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = connect(f"sqlite:///{tmp_path / 'settings.db'}")
    init_database(engine)
    return engine


def configure(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for spec in SETTINGS.values():
        monkeypatch.delenv(spec.env, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(SETTINGS[name].env, value)


def test_no_issuer_no_provider(
    monkeypatch: pytest.MonkeyPatch, sqlite_engine: Engine
) -> None:
    configure(monkeypatch, {"oidc-client-id": "x"})
    assert create_app(sqlite_engine).state.oidc is None


def test_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_engine: Engine, tmp_path: Path
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    configure(
        monkeypatch,
        {
            **GOOD,
            "oidc-client-secret": "",
            "oidc-client-secret-file": str(secret_file),
            "oidc-role-claim": "groups",
            "oidc-role-map": "sm-editor=editor, sm-admin=administrator",
            "oidc-create-accounts": "yes",
            "oidc-require-mfa": "false",
            "oidc-display-name": "Stadt-Login",
        },
    )
    provider = create_app(sqlite_engine).state.oidc
    assert isinstance(provider, Provider)
    found = provider.settings
    assert found.issuer == "https://login.example.org/realms/stadt"
    assert found.redirect_uri == (
        "https://sozialmonitor.example.org/anmelden/oidc/rueckkehr"
    )
    assert found.client_secret == SECRET
    assert SECRET not in repr(found)
    assert dict(found.role_map) == {
        "sm-editor": Role.EDITOR,
        "sm-admin": Role.ADMINISTRATOR,
    }
    assert found.create_accounts and not found.require_mfa
    assert found.mfa_methods == {"mfa", "otp", "hwk", "swk"}
    assert found.scopes == ("openid", "profile", "email")
    assert found.display_name == "Stadt-Login"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base-url": ""}, "base-url is not"),
        ({"oidc-issuer": "http://login.example.org/realms/stadt"}, "not an https"),
        ({"oidc-issuer": "https://login.example.org/?x=1"}, "not an https"),
        ({"oidc-client-id": ""}, "oidc-client-id is not"),
        ({"oidc-client-secret": ""}, "client secret is not"),
        ({"oidc-client-secret-file": "/nonexistent/secret"}, "Both"),
        ({"oidc-scopes": "profile email"}, "lacks openid"),
        ({"oidc-role-claim": "groups"}, "go together"),
        ({"oidc-role-claim": "groups", "oidc-role-map": "sm"}, "is not VALUE=ROLE"),
        ({"oidc-role-claim": "groups", "oidc-role-map": "sm=boss"}, "not a role"),
        ({"oidc-create-accounts": "true"}, "needs oidc-role-claim"),
        ({"oidc-require-mfa": "vielleicht"}, "neither true nor false"),
        ({"oidc-mfa-methods": " "}, "needs oidc-mfa-methods or oidc-acr"),
        ({"oidc-role-claim": "a b", "oidc-role-map": "x=editor"}, "not a claim"),
    ],
)
def test_settings_that_cannot_work_are_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
    sqlite_engine: Engine,
    changes: dict[str, str],
    message: str,
) -> None:
    configure(monkeypatch, {**GOOD, **changes})
    with pytest.raises(ConfigurationError) as caught:
        create_app(sqlite_engine)
    assert message in caught.value.message
    assert SECRET not in caught.value.message


def test_an_unreadable_secret_file_is_named(
    monkeypatch: pytest.MonkeyPatch, sqlite_engine: Engine
) -> None:
    configure(
        monkeypatch,
        {
            **GOOD,
            "oidc-client-secret": "",
            "oidc-client-secret-file": "/nonexistent/secret",
        },
    )
    with pytest.raises(ConfigurationError, match="/nonexistent/secret"):
        create_app(sqlite_engine)


def test_serve_says_what_is_wrong_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, sqlite_engine: Engine
) -> None:
    configure(monkeypatch, {**GOOD, "oidc-create-accounts": "true"})
    url = sqlite_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "serve", "--port", "1"])
    assert result.exit_code == 1
    assert "oidc-create-accounts=true needs oidc-role-claim" in result.output
    assert "Traceback" not in result.output
