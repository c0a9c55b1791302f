"""API tokens at the web edge: a route guarded by ``api_caller`` accepts a live
token with the right scope, refuses others, and the use is audited — on SQLite
and PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access import audit, tokens
from sozialmonitor.access.roles import Action, Role
from sozialmonitor.access.tokens import TokenCaller
from sozialmonitor.web import problems
from sozialmonitor.web.session import api_caller
from tests.access.accounts_data import add_account


@pytest.fixture
def api(engine: Engine) -> TestClient:
    """An app with one scripted-import route, as an API module would declare it."""
    app = FastAPI()
    app.state.engine = engine
    problems.install(app)

    @app.post("/api/v1/test-import")
    def scripted_import(
        caller: Annotated[TokenCaller, Depends(api_caller(Action.IMPORT))],
    ) -> dict[str, str]:
        return {"account": caller.account.name}

    return TestClient(app)


def test_token_with_scope_is_accepted_others_refused(
    api: TestClient, engine: Engine
) -> None:
    add_account(engine, "importer", Role.EDITOR)
    with engine.begin() as conn:
        token_id, good = tokens.create(conn, "importer", ["import"])
        _, narrow = tokens.create(conn, "importer", ["prepare-release"])
    ok = api.post("/api/v1/test-import", headers={"authorization": f"Bearer {good}"})
    assert ok.status_code == 200 and ok.json() == {"account": "importer"}
    missing = api.post("/api/v1/test-import")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    for raw in (narrow, "smt_unknown"):
        refused = api.post(
            "/api/v1/test-import", headers={"authorization": f"Bearer {raw}"}
        )
        assert refused.status_code == 403
    with engine.begin() as conn:
        tokens.revoke(conn, token_id)
    revoked = api.post(
        "/api/v1/test-import", headers={"authorization": f"Bearer {good}"}
    )
    assert revoked.status_code == 403
    with engine.connect() as conn:
        logged = [
            (e.action, e.actor) for e in audit.events(conn) if "token-" in e.action
        ]
    assert logged == [
        ("token-created", "cli"),
        ("token-created", "cli"),
        ("token-used", f"token:{token_id}"),
        ("token-refused", f"token:{token_id + 1}"),
        ("token-revoked", "cli"),
        ("token-refused", f"token:{token_id}"),
    ]
