"""Issue 11, caches after a re-protection: the portal's in-memory caches are keyed
by the data version (``store.data_version``). Re-protecting the patterns for a new
area scope (``access.scope_protection``) changes what the public may see without an
import or a release: the stored patterns' state is part of the data version, so a
page read before the job is read anew after it, and never serves a value the new
pattern hides.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access import scope_protection
from sozialmonitor.access.roles import Role
from sozialmonitor.store.data_version import data_version
from sozialmonitor.web import snapshot
from tests.access.accounts_data import add_account
from tests.access.test_scope_protection import partner_of
from tests.store.disclosure_data import TOWNS, make_small_counts_db
from tests.store.test_insider_protection import read, shown_counts
from tests.web.sign_in_client import portal

INDICATOR_PAGE = "/api/v1/pages/indikator/cases?ebene=municipality"


def fresh(client: TestClient, url: str) -> str:
    """``url`` built anew, with the portal's caches emptied."""
    snapshot._cache.clear()
    return client.get(url).text


def version(engine: Engine) -> tuple[int, ...]:
    with engine.connect() as conn:
        return data_version(conn)


def test_a_page_cached_before_a_re_protection_is_read_anew(engine: Engine) -> None:
    make_small_counts_db(engine)
    partner = partner_of(engine)
    before = shown_counts("cases", read(engine, "cases"))
    client = TestClient(portal(engine))
    summary = client.get(INDICATOR_PAGE).json()["summary"]  # now cached
    shown = [t for t in TOWNS if before[t] is not None]
    assert all(f"Ort {t}" in summary for t in shown)  # the range's ends
    add_account(engine, "stadt", Role.READER, area=partner, protect=False)
    old_version = version(engine)

    scope_protection.run(engine, partner)

    after = shown_counts("cases", read(engine, "cases"))
    newly_hidden = [t for t in shown if after[t] is None]
    assert newly_hidden  # the scope's knowledge hides one more town
    assert version(engine) != old_version
    served = client.get(INDICATOR_PAGE)
    for town in newly_hidden:
        assert f"Ort {town}" not in served.json()["summary"]
    assert served.text == fresh(client, INDICATOR_PAGE)
    for town in TOWNS:
        url = f"/api/v1/pages/gebiet/{town}"
        served_area = client.get(url).text
        assert served_area == fresh(client, url), town
