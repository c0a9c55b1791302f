"""Issue 11, where work runs: the patterns for a new area scope are computed as a
job, not inside the request that gives the scope. Until they are stored the account
is pending and fails closed — it reads as the public, and the public output stays
as it was (the old patterns) — and the job touches only the slices the scope does.
"""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from sozialmonitor.access import accounts, audit, scope_protection
from sozialmonitor.access.roles import Role
from sozialmonitor.domain.access import Audience
from sozialmonitor.store.schema import suppressed_cell
from sozialmonitor.store.scope_reprotection import reprotect_for_scope
from tests.access.accounts_data import add_account
from tests.store.disclosure_data import MIN, TOWNS, make_small_counts_db
from tests.store.test_insider_protection import (
    TRUE,
    narrowest,
    read,
    shown_counts,
)
from tests.web.sign_in_client import hidden, page, portal, sign_in


def partner_of(engine: Engine) -> str:
    """The town hidden to protect T1 (the small count): a scope that holds it."""
    public = shown_counts("cases", read(engine, "cases"))
    return next(a for a, v in public.items() if v is None and a != "T1")


def pattern(engine: Engine) -> set[tuple[int, int, str]]:
    sc = suppressed_cell
    with engine.connect() as conn:
        rows = conn.execute(select(sc.c.release_id, sc.c.area_id, sc.c.reason))
        return {tuple(r) for r in rows}  # type: ignore[misc]


def account_of(engine: Engine, name: str) -> accounts.Account:
    with engine.connect() as conn:
        return accounts.get(conn, name)


def test_a_pending_scope_reads_as_the_public_and_the_public_output_waits(
    engine: Engine,
) -> None:
    make_small_counts_db(engine)
    partner = partner_of(engine)
    before_public = {i: shown_counts(i, read(engine, i)) for i in TRUE}
    before_pattern = pattern(engine)

    new = add_account(engine, "stadt", Role.READER, area=partner, protect=False)

    pending = account_of(engine, "stadt")
    assert new.account.scope_pending and pending.scope_pending
    assert pending.audience == Audience.PUBLIC  # no internal value yet
    for indicator in TRUE:
        seen = shown_counts(indicator, read(engine, indicator, pending.audience))
        assert seen[partner] is None  # not even their own area's true value
        assert seen == before_public[indicator]
        # The public output does not change until the new pattern is stored.
        assert (
            shown_counts(indicator, read(engine, indicator))
            == (before_public[indicator])
        )
    assert pattern(engine) == before_pattern
    assert scope_protection.pending_scopes(engine) == [partner]

    hidden_cells = scope_protection.run(engine, partner)

    ready = account_of(engine, "stadt")
    assert not ready.scope_pending
    assert ready.audience == Audience.within(partner)
    assert hidden_cells > 0 and pattern(engine) != before_pattern
    assert scope_protection.pending_scopes(engine) == []
    for indicator in TRUE:
        public = shown_counts(indicator, read(engine, indicator))
        insider = {**public, partner: TRUE[indicator][partner]}
        assert narrowest([public]) >= MIN
        assert narrowest([insider]) >= MIN
        scoped = shown_counts(indicator, read(engine, indicator, ready.audience))
        assert scoped[partner] == TRUE[indicator][partner]
    with engine.connect() as conn:
        (event,) = audit.events(conn, action=scope_protection.DONE_EVENT)
    assert event.target == partner


def test_a_scope_that_holds_no_hidden_cell_computes_no_slice(engine: Engine) -> None:
    make_small_counts_db(engine)
    public = shown_counts("cases", read(engine, "cases"))
    shown_town = next(a for a in TOWNS if public[a] is not None and a != "T1")
    partner = partner_of(engine)
    told: dict[str, tuple[int, int]] = {}
    with engine.begin() as conn:
        add_none = reprotect_for_scope(
            conn, shown_town, lambda d, t: told.__setitem__("shown", (d, t))
        )
    assert add_none == 0 and "shown" not in told  # nothing to compute: no call
    with engine.begin() as conn:
        reprotect_for_scope(
            conn, partner, lambda d, t: told.__setitem__("partner", (d, t))
        )
    done, total = told["partner"]
    # Both indicators' slice holds a hidden cell of the partner town: both, no more.
    assert done == total == 2


def test_a_second_account_of_a_protected_scope_is_ready_at_once(
    engine: Engine,
) -> None:
    make_small_counts_db(engine)
    partner = partner_of(engine)
    add_account(engine, "stadt", Role.READER, area=partner)
    second = add_account(engine, "stadt2", Role.READER, area=partner, protect=False)
    assert not second.account.scope_pending
    assert account_of(engine, "stadt2").audience == Audience.within(partner)


def test_set_area_to_a_new_scope_is_pending_until_the_job_ran(engine: Engine) -> None:
    make_small_counts_db(engine)
    partner = partner_of(engine)
    add_account(engine, "stadt", Role.READER)
    assert account_of(engine, "stadt").audience == Audience.INTERNAL
    with engine.begin() as conn:
        changed = accounts.set_area(conn, "stadt", partner)
    assert changed.scope_pending and changed.audience == Audience.PUBLIC
    scope_protection.run(engine, partner)
    assert account_of(engine, "stadt").audience == Audience.within(partner)


def wait_until_ready(engine: Engine, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while scope_protection.pending_scopes(engine):
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.05)


@pytest.mark.parametrize("lang", ["", "?lang=en"])
def test_the_portal_runs_the_job_in_the_background(engine: Engine, lang: str) -> None:
    """Creating an account with a new scope in the browser answers at once (the
    answer says the protection is being computed); the job runs in the portal's
    background and then the account reads within its scope. Signed in while
    pending, the reader sees the public view (no "Interne Ansicht")."""
    make_small_counts_db(engine)
    partner = partner_of(engine)
    add_account(engine, "chef", Role.ADMINISTRATOR)
    client = TestClient(portal(engine), follow_redirects=False)
    assert sign_in(client, engine, "chef").status_code == 303
    csrf = hidden(client.get("/verwaltung"), "csrf")
    before = pattern(engine)
    response = client.post(
        "/verwaltung/konten/neu" + lang,
        data={"csrf": csrf, "name": "stadt", "role": "reader", "area": partner},
    )
    assert response.status_code == 200
    note = page(response).select_one("dl.account p.hint")
    # The job may be done already; if not, the answer says so.
    if note is not None:
        assert ("computed" if lang else "berechnet") in note.get_text()
    wait_until_ready(engine)
    assert pattern(engine) != before
    assert account_of(engine, "stadt").audience == Audience.within(partner)


def test_a_pending_reader_signed_in_sees_the_public_view(engine: Engine) -> None:
    make_small_counts_db(engine)
    partner = partner_of(engine)
    add_account(engine, "stadt", Role.READER, area=partner, protect=False)
    client = TestClient(portal(engine), follow_redirects=False)
    # The portal's start resumes pending jobs: not entered as a context manager,
    # the app does not start, and the account stays pending for this check.
    assert sign_in(client, engine, "stadt").status_code == 303
    body = client.get("/api/v1/observations", params={"indicator": "cases"}).json()
    values = {o["area"]: o["value"] for o in body["observations"]}
    assert values[partner] is None
    assert all("confidential" not in o["flags"] for o in body["observations"])
    assert account_of(engine, "stadt").scope_pending

    with TestClient(portal(engine)) as started:  # the start resumes the job
        assert started is not None
        wait_until_ready(engine)
    # The same session: the account's read rights are active now.
    body = client.get("/api/v1/observations", params={"indicator": "cases"}).json()
    values = {o["area"]: o["value"] for o in body["observations"]}
    assert values[partner] == TRUE["cases"][partner]


def test_user_list_says_which_scope_is_pending(engine: Engine) -> None:
    """An administrator sees on the command line which account waits for its
    scope's protection (and reads as the public until then)."""
    from tests.test_cli_permissions import run, token_of

    make_small_counts_db(engine)
    partner = partner_of(engine)
    add_account(engine, "stadt", Role.READER, area=partner, protect=False)
    admin = token_of(engine, "ada", Role.ADMINISTRATOR, "manage-users")
    listed = run(engine, "user", "list", "--json", token=admin)
    assert listed.exit_code == 0, listed.output
    (stadt,) = (a for a in json.loads(listed.stdout) if a["name"] == "stadt")
    assert stadt["area"] == partner and stadt["area_protection_pending"] is True
    assert f"{partner} (pending)" in run(engine, "user", "list", token=admin).stdout
    scope_protection.run(engine, partner)
    listed = run(engine, "user", "list", "--json", token=admin)
    (stadt,) = (a for a in json.loads(listed.stdout) if a["name"] == "stadt")
    assert stadt["area_protection_pending"] is False
