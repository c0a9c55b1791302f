"""Shared fixtures: a fresh database per test, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, make_url, text

from sozialmonitor.store.database import connect, init_database
from tests.fixtures import make_demo_db
from tests.publish.demo_subset import hannover_build, hannover_demo  # noqa: F401

PG_ENV = "SOZIALMONITOR_TEST_PG_URL"
CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium; the tests never download a browser."""
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DATA = Path(__file__).parent / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--browser", action="store_true", help="Also run the Chromium browser tests."
    )
    parser.addoption(
        "--update-screenshots",
        action="store_true",
        help="Refresh the README's screenshots in docs/screenshots (a normal run "
        "writes them to a temporary folder and leaves the checkout clean).",
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if config.getoption("--browser"):
        return
    skip = pytest.mark.skip(reason="browser test: run with --browser")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pg_url() -> str:
    """The PostgreSQL URL for tests; in CI its absence is a failure, not a skip."""
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{PG_ENV} is not set in CI: the PostgreSQL tests must run.")
    pytest.skip(
        f"PostgreSQL tests skipped: set {PG_ENV} (scripts/test.sh starts a server "
        "and sets it)."
    )


def reset_postgres(url: str) -> None:
    engine = connect(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def own_pg_database(suffix: str = "") -> Iterator[str]:
    """A database of this test session's own on the PostgreSQL server (named after
    the process, plus ``suffix``), so that test runs side by side do not meet;
    dropped at the end."""
    server = make_url(pg_url())
    name = f"{server.database}_{os.getpid()}{suffix}"
    admin = connect(server.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_session_url() -> Iterator[str]:
    """The session's own PostgreSQL database (see ``own_pg_database``)."""
    with own_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty database (not initialised)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("pg_session_url")
    reset_postgres(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An initialised, empty database."""
    eng = connect(db_url)
    init_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine(pg_session_url: str) -> Iterator[Engine]:
    """An initialised, empty PostgreSQL database, for tests that need only that one."""
    reset_postgres(pg_session_url)
    eng = connect(pg_session_url)
    init_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def small_engine(engine: Engine) -> Engine:
    """A database with a small region, two indicators and one published release."""
    make_demo_db(engine)
    return engine


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The real demo database, built once per session (SQLite)."""
    from sozialmonitor.ingest.demo import build_demo_database

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    eng = connect(f"sqlite:///{path}")
    build_demo_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one for the session: Playwright's
    synchronous API allows one instance per thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield instance
        instance.close()
