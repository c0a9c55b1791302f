"""Fixtures shared by the web tests.

- The embeds (``test_embed.py``, ``test_area_embed.py``): the demo portal that the
  configured sites may frame, and the county of ``test_roles_surfaces`` with a
  reader signed in (an embed stays public in a signed-in browser).
- The Sozialindex pages (``test_sozialindex_small.py``, ``test_sozialindex_many.py``
  and the English pages): the indices of ``sozialindex_data`` stored and published.
"""

from __future__ import annotations

import threading

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access.roles import Role
from sozialmonitor.web import svgmap
from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages import indicator_hotspots
from tests.access.accounts_data import add_account
from tests.web.sign_in_client import portal, sign_in
from tests.web.sozialindex_data import (
    MANY_AREAS,
    store_many_index,
    store_small_index,
)
from tests.web.test_roles_surfaces import build

# --- embeds -------------------------------------------------------------------------

EMBED_SITES = "'self' https://www.hannover.de"
"""The sites that may frame the embeds of ``embed_demo``."""
READER = "leser"
"""The reader signed in by ``county_reader``."""


@pytest.fixture(autouse=True)
def _free_hotspot_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with all of the hot-spot page's background slots free:
    an analysis an earlier test left running (the worker is slow under load) holds
    its slot until it ends and would otherwise refuse this test's analyses."""
    monkeypatch.setattr(
        indicator_hotspots,
        "_pending",
        threading.BoundedSemaphore(indicator_hotspots.MAX_PENDING),
    )


@pytest.fixture(scope="module")
def embed_demo(demo_sqlite: Engine) -> TestClient:
    """The demo portal whose embeds ``EMBED_SITES`` may frame."""
    return TestClient(create_app(demo_sqlite, ancestors=EMBED_SITES))


@pytest.fixture
def county_reader(engine: Engine) -> TestClient:
    """The county of ``test_roles_surfaces`` (internal indicator ``sec``, internal
    block level) with ``READER`` signed in."""
    with engine.begin() as conn:
        build(conn)
    add_account(engine, READER, Role.READER)
    client = TestClient(portal(engine))
    sign_in(client, engine, READER)
    return client


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def frame_ancestors(response: object) -> str:
    """The ``frame-ancestors`` of a response's Content-Security-Policy."""
    policy = response.headers["content-security-policy"]  # type: ignore[attr-defined]
    found = [d for d in policy.split("; ") if d.startswith("frame-ancestors ")]
    assert len(found) == 1, policy
    return str(found[0].removeprefix("frame-ancestors "))


# --- Sozialindex pages ---------------------------------------------------------------


@pytest.fixture
def public_index(engine: Engine) -> Engine:
    """The ``muster`` index of public inputs, in two periods."""
    return store_small_index(engine, internal=False)


@pytest.fixture
def internal_index(engine: Engine) -> Engine:
    """The ``muster`` index of an internal input, and ``READER``'s account."""
    store_small_index(engine, internal=True)
    add_account(engine, READER, Role.READER)
    return engine


@pytest.fixture
def many_focus_index(engine: Engine) -> Engine:
    """The ``viele`` index over ``MANY_AREAS`` areas without boundaries, every area
    a focus area."""
    values = {n: 2.0 + (n * 7 % MANY_AREAS) * 0.1 for n in range(MANY_AREAS)}
    store_many_index(engine, MANY_AREAS, values, geometry=False)
    return engine


@pytest.fixture
def image_map_index(engine: Engine) -> Engine:
    """The ``viele`` index over more areas than a map links, every 50th area
    without a value (left out, hatched)."""
    count = svgmap.INTERACTIVE_LIMIT + 10
    values = {n: (n * 7919 % 1000) / 10 for n in range(count) if n % 50}
    store_many_index(engine, count, values, geometry=True)
    return engine
