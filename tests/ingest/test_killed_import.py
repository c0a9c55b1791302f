"""A process killed in the middle of its import leaves the database exactly as before.

The real command runs in a child process on a large synthetic file. The test waits
until the child is inside its write transaction — seen from outside, as any other
client would see it: on SQLite it holds the write lock, on PostgreSQL its backend
holds a RowExclusiveLock on ``observation`` — and then kills it with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, insert, select, text

from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.store import schema
from tests.cli_access import cli_env, without_access
from tests.fixtures import REGION
from tests.ingest.content import snapshot, stored

pytestmark = pytest.mark.slow

COMMAND = Path(sys.executable).with_name("sozialmonitor")
AREAS = 3_000
YEARS = range(1921, 2021)
"""3 000 areas x 100 years = 300 000 rows: writing them takes a moment."""
START_TIMEOUT = 120.0
"""Seconds the child may take to read and validate the file."""
POLL = 0.002


def add_synthetic_areas(engine: Engine) -> list[str]:
    """Made-up municipalities below the test region (synthetic, not real areas)."""
    codes = [f"99{n:06d}" for n in range(AREAS)]
    with engine.begin() as conn:
        level = conn.scalar(
            select(schema.area_level.c.id).where(
                schema.area_level.c.code == "municipality"
            )
        )
        parent = conn.scalar(
            select(schema.area.c.id).where(schema.area.c.code == REGION)
        )
        conn.execute(
            insert(schema.area),
            [
                {
                    "code": code,
                    "name": f"Synthetische Gemeinde {code}",
                    "level_id": level,
                    "parent_id": parent,
                }
                for code in codes
            ],
        )
    return codes


def write_big_file(path: Path, codes: list[str]) -> int:
    """Synthetic population figures, steady over the years (seeded)."""
    rng = np.random.default_rng(20240101)
    base = rng.integers(1_000, 100_000, size=len(codes))
    lines = ["indicator;area;period;value"]
    for code, size in zip(codes, base, strict=True):
        lines.extend(f"population;{code};{year};{size + year}" for year in YEARS)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


@contextmanager
def sqlite_write_lock_taken(database: Path) -> Iterator[Callable[[], bool]]:
    """Whether another connection holds the write lock: BEGIN IMMEDIATE fails."""
    probe = sqlite3.connect(database, timeout=0.001, isolation_level=None)

    def taken() -> bool:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
            raise
        probe.execute("ROLLBACK")
        return False

    try:
        yield taken
    finally:
        probe.close()


PG_WRITERS = text(
    """
    SELECT count(*) FROM pg_locks AS l
    JOIN pg_class AS c ON c.oid = l.relation
    JOIN pg_database AS d ON d.oid = l.database
    WHERE c.relname = 'observation' AND l.mode = 'RowExclusiveLock' AND l.granted
      AND d.datname = current_database() AND l.pid <> pg_backend_pid()
    """
)


@contextmanager
def postgres_writer_present(engine: Engine) -> Iterator[Callable[[], bool]]:
    """Whether another backend holds a RowExclusiveLock on ``observation``."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield lambda: bool(conn.scalar(PG_WRITERS))


def watch_writer(engine: Engine) -> AbstractContextManager[Callable[[], bool]]:
    """A check whether some other client is inside a write transaction now."""
    if engine.dialect.name == "sqlite":
        return sqlite_write_lock_taken(Path(str(engine.url.database)))
    return postgres_writer_present(engine)


def kill_while_writing(
    command: list[str], writing: Callable[[], bool], log: Path, url: str
) -> int:
    """Run ``command`` (with the credentials a server database asks for), SIGKILL
    it as soon as it writes; its exit status."""
    env = os.environ | cli_env(url)
    with log.open("wb") as output:
        child = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env=env
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not writing():
                if child.poll() is not None:
                    pytest.fail(
                        f"The import ended (exit code {child.returncode}) before the "
                        "test saw it writing, so it could not be killed mid-import. "
                        f"Make the file bigger. Its output:\n{log.read_text()}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"The import did not start writing within {START_TIMEOUT} s."
                    )
                time.sleep(POLL)
            child.send_signal(signal.SIGKILL)
            return child.wait(timeout=30)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_killed_import_leaves_the_database_as_before(
    small_engine: Engine, tmp_path: Path
) -> None:
    if not COMMAND.is_file():
        pytest.fail(f"{COMMAND} is missing: install the project (pip install -e .).")
    engine = small_engine
    path = tmp_path / "big_synthetic.csv"
    rows = write_big_file(path, add_synthetic_areas(engine))
    assert rows == AREAS * len(YEARS)
    url = engine.url.render_as_string(hide_password=False)
    # the command's token use is in the audit log: compare the data, not the log
    before = without_access(snapshot(engine))
    command = [str(COMMAND), "--db", url, "import", "observations", str(path)]
    log = tmp_path / "child.log"
    with watch_writer(engine) as writing:
        status = kill_while_writing(command, writing, log, url)
        assert status == -signal.SIGKILL, log.read_text()
        # the server, or the next SQLite connection, rolls the transaction back
        assert wait_until(lambda: not writing(), timeout=30), "the lock stays taken"
    assert without_access(snapshot(engine)) == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    # and the database takes the next import as usual
    small = tmp_path / "small.csv"
    small.write_text("indicator;area;period;value\npopulation;99000000;2021;5000\n")
    assert import_observations(engine, small).rows_written == 1
    assert stored(engine)[("population", "99000000", "2021")]["value"] == 5000
