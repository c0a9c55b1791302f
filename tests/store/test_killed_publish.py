"""A publication killed at random points leaves the database whole and the public
output exactly as before or exactly as after (issue 11).

Publishing is one transaction: the release's status, then the suppression patterns
of every slice it touches (reads, the LP audit, inserts). The real command runs in a
child process; the test waits until the child holds the write lock (seen from
outside, as any other client would see it), sleeps a random part of the time a whole
publication holds it, and kills the child with SIGKILL — 50 times on SQLite, 10 times
on PostgreSQL, each on a fresh copy of the same database.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from sozialmonitor.domain.access import Audience
from sozialmonitor.store import queries
from sozialmonitor.store.database import connect
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.writes import draft_release, store_observations
from tests.cli_access import cli_env
from tests.conftest import reset_postgres
from tests.ingest.test_killed_import import sqlite_write_lock_taken, wait_until
from tests.store.disclosure_data import make_small_counts_db, rows

pytestmark = pytest.mark.slow

COMMAND = Path(sys.executable).with_name("sozialmonitor")
KILLS = {"sqlite": 50, "postgresql": 10}
START_TIMEOUT = 60.0
POLL = 0.001
LEVELS = ("region", "municipality")


def public_output(engine: Engine) -> dict[str, Any]:
    """Everything the public can read: the releases it learns of and every value of
    every level, now and as of each published release."""
    with engine.connect() as conn:
        releases = queries.list_releases(conn, audience=Audience.PUBLIC)
        found: dict[str, Any] = {
            "releases": [(r.name, r.status.value, r.sequence) for r in releases]
        }
        for as_of in [
            None,
            *(r.name for r in releases if r.status.value == "published"),
        ]:
            for level in LEVELS:
                query = ObservationQuery(level=level, as_of=as_of)
                found[f"{as_of} {level}"] = read_observations(conn, query)
    return found


def with_draft(engine: Engine) -> None:
    """r1 published (small counts hidden); the draft r2 changes counts so that its
    publication computes new patterns against r1's."""
    make_small_counts_db(engine)
    with engine.begin() as conn:
        draft = draft_release(conn, "r2")
        store_observations(
            conn,
            draft,
            rows(
                conn,
                {"T1": 1, "T2": 39, "T3": 2, "T4": 26},
                {"T1": (2, 51), "T3": (1, 99), "T4": (6, 80)},
            ),
        )


PG_WRITERS = text(
    """
    SELECT count(*) FROM pg_locks AS l
    JOIN pg_class AS c ON c.oid = l.relation
    JOIN pg_database AS d ON d.oid = l.database
    WHERE c.relname = 'release' AND l.mode = 'RowExclusiveLock' AND l.granted
      AND d.datname = current_database() AND l.pid <> pg_backend_pid()
    """
)


@contextmanager
def postgres_publishing(url: str) -> Iterator[Callable[[], bool]]:
    engine = connect(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield lambda: bool(conn.scalar(PG_WRITERS))
    finally:
        engine.dispose()


def watch(
    url: str, database: Path | None
) -> AbstractContextManager[Callable[[], bool]]:
    if database is not None:
        return sqlite_write_lock_taken(database)
    return postgres_publishing(url)


def publish_and_kill(
    url: str, database: Path | None, after: float | None, log: Path
) -> tuple[int, float]:
    """Run ``release publish r2``; once it holds the write lock, wait ``after``
    seconds and SIGKILL it (None: let it finish). Its exit status and how long it
    held the lock."""
    command = [str(COMMAND), "--db", url, "release", "publish", "r2"]
    env = os.environ | cli_env(url)  # a server database asks for credentials
    with watch(url, database) as writing, log.open("wb") as output:
        child = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not writing():
                if child.poll() is not None:
                    return child.returncode, 0.0  # done before the test saw it
                assert time.monotonic() < deadline, "publish never started writing"
                time.sleep(POLL)
            started = time.monotonic()
            if after is None:  # how long the whole publication holds the lock
                while writing() and child.poll() is None:
                    time.sleep(POLL)
                held = time.monotonic() - started
                return child.wait(timeout=START_TIMEOUT), held
            time.sleep(after)
            child.send_signal(signal.SIGKILL)
            status = child.wait(timeout=30)
            assert wait_until(lambda: not writing(), timeout=30), "lock stays taken"
            return status, after
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)


@pytest.fixture
def pristine(db_url: str) -> Iterator[tuple[str, Path | None]]:
    """The database with the draft, and on SQLite the file it can be copied from."""
    engine = connect(db_url)
    from sozialmonitor.store.database import init_database

    init_database(engine)
    with_draft(engine)
    engine.dispose()
    if db_url.startswith("sqlite"):
        yield db_url, Path(db_url.removeprefix("sqlite:///"))
    else:
        yield db_url, None


def fresh_copy(
    pristine: tuple[str, Path | None], tmp_path: Path, number: int
) -> tuple[str, Path | None]:
    url, source = pristine
    if source is None:  # PostgreSQL: build it again
        reset_postgres(url)
        engine = connect(url)
        from sozialmonitor.store.database import init_database

        init_database(engine)
        with_draft(engine)
        engine.dispose()
        return url, None
    target = tmp_path / f"copy-{number}.db"
    copier = sqlite3.connect(source, isolation_level=None)
    try:  # a consistent copy, the write-ahead log included
        copier.execute("VACUUM INTO ?", (str(target),))
    finally:
        copier.close()
    return f"sqlite:///{target}", target


def test_a_publication_killed_at_random_points_is_all_or_nothing(
    pristine: tuple[str, Path | None], tmp_path: Path
) -> None:
    if not COMMAND.is_file():
        pytest.fail(f"{COMMAND} is missing: install the project (pip install -e .).")
    kind = "sqlite" if pristine[1] is not None else "postgresql"
    url, database = fresh_copy(pristine, tmp_path, 0)
    before = public_output(connect(url))
    status, held = publish_and_kill(url, database, None, tmp_path / "whole.log")
    assert status == 0, (tmp_path / "whole.log").read_text()
    after = public_output(connect(url))
    assert before != after
    rng = random.Random(11)
    outcomes = {"before": 0, "after": 0}
    for number in range(1, KILLS[kind] + 1):
        url, database = fresh_copy(pristine, tmp_path, number)
        log = tmp_path / f"kill-{number}.log"
        status, _ = publish_and_kill(url, database, rng.uniform(0, held), log)
        engine = connect(url)
        if database is not None:
            with engine.connect() as conn:
                check = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            assert check == "ok", (number, check)
        state = public_output(engine)
        engine.dispose()
        assert state in (before, after), (number, status, log.read_text())
        outcomes["before" if state == before else "after"] += 1
        if database is not None:
            database.unlink()
    # Most kills land inside the transaction (the state before); a kill near its
    # end may come after the commit.
    assert outcomes["before"] >= KILLS[kind] // 2, outcomes
