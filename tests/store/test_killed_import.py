"""An upload-and-import in the browser, killed at random points, leaves the database
whole, the draft exactly as before or exactly as after, and the public output as
before (issue 11).

The child process is the portal itself (its app, through HTTP with FastAPI's test
client): it receives the file, checks it, keeps the job, and imports it in the
background thread the confirmation starts — the path a browser takes. It is forked
from the test process (so that it starts at once, without importing the portal
again), and killed with SIGKILL after a random part of the time a whole run takes:
50 times on SQLite, 10 times on PostgreSQL, each on a fresh copy of the database.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text

from sozialmonitor.access import audit, sessions
from sozialmonitor.access.roles import Role
from sozialmonitor.domain.access import Audience
from sozialmonitor.store import queries, schema
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web.uploads import jobs
from tests.access.accounts_data import add_account
from tests.conftest import reset_postgres
from tests.fixtures import REGION, make_demo_db
from tests.ingest.test_killed_import import wait_until
from tests.web.sign_in_client import COOKIE, portal

pytestmark = pytest.mark.slow

KILLS = {"sqlite": 50, "postgresql": 10}
AREAS = 200
YEARS = range(1991, 2021)
"""200 areas x 30 years = 6,000 values: the import takes a moment."""
RELEASE = "r-upload"
EDITOR = "erika"
LEVELS = ("region", "municipality")
RUN_TIMEOUT = 120.0
FORK = multiprocessing.get_context("fork")


def synthetic_file(path: Path) -> Path:
    """Made-up population figures for made-up municipalities (seeded)."""
    rng = random.Random(20261207)
    lines = ["indicator;area;period;value"]
    for n in range(AREAS):
        size = rng.randint(1_000, 90_000)
        lines.extend(f"population;99{n:06d};{year};{size + year}" for year in YEARS)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build(url: str) -> tuple[str, str]:
    """The demo data, the synthetic areas, an editor and her session: the session
    id and its CSRF token."""
    engine = connect(url)
    init_database(engine)
    make_demo_db(engine)
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
                    "code": f"99{n:06d}",
                    "name": f"Synthetische Gemeinde {n}",
                    "level_id": level,
                    "parent_id": parent,
                }
                for n in range(AREAS)
            ],
        )
    new = add_account(engine, EDITOR, Role.EDITOR)
    with engine.begin() as conn:
        pending = sessions.start_pending(conn, new.account.id, "192.0.2.1")
        session = sessions.complete(conn, pending)
        csrf = conn.scalar(
            select(schema.account_session.c.csrf_token).where(
                schema.account_session.c.id_hash == sessions.id_hash(session)
            )
        )
    engine.dispose()
    return session, str(csrf)


def upload_and_import(
    url: str, folder: Path, file: Path, session: str, csrf: str
) -> None:
    """The child: upload, check, confirm, wait for the job (in its own process)."""
    status = 1
    try:
        engine = connect(url)
        app = portal(engine)
        app.state.upload_dir = folder
        client = TestClient(app, follow_redirects=False)
        client.cookies.set(COOKIE, session)
        uploaded = client.post(
            "/verwaltung/hochladen",
            data={"csrf": csrf, "kind": "observations", "new_release": RELEASE},
            files={"file": (file.name, file.read_bytes(), "text/csv")},
        )
        assert uploaded.status_code == 303, uploaded.text
        job_url = uploaded.headers["location"]
        started = client.post(job_url + "/starten", data={"csrf": csrf})
        assert started.status_code == 303, started.text
        while not client.get(job_url + "/stand").json()["finished"]:
            time.sleep(0.01)
        job = jobs.get(engine, job_url.rsplit("/", 1)[-1])
        assert job is not None and job.status is jobs.Status.DONE, job
        status = 0
    finally:
        os._exit(status)  # no clean-up of the test process's state in the child


def run_child(args: tuple[Any, ...], kill_after: float | None) -> tuple[int, float]:
    """Fork the child; SIGKILL it after ``kill_after`` seconds (None: let it end).
    Its exit code and how long it ran."""
    child = FORK.Process(target=upload_and_import, args=args)
    started = time.monotonic()
    child.start()
    try:
        if kill_after is None:
            child.join(RUN_TIMEOUT)
        else:
            child.join(kill_after)
            if child.exitcode is None:
                assert child.pid is not None
                os.kill(child.pid, signal.SIGKILL)
            child.join(30)
        assert child.exitcode is not None, "the child did not end"
        return child.exitcode, time.monotonic() - started
    finally:
        if child.exitcode is None:
            child.kill()
            child.join(30)


def draft_state(engine: Engine) -> dict[str, Any]:
    """What the import writes: releases, every observation, the import log, the
    audited imports."""
    with engine.connect() as conn:
        return {
            "releases": [(r.name, r.status.value) for r in queries.list_releases(conn)],
            "observations": sorted(
                tuple(row)
                for row in conn.execute(
                    select(
                        schema.observation.c.release_id,
                        schema.observation.c.indicator_id,
                        schema.observation.c.area_id,
                        schema.observation.c.period,
                        schema.observation.c.value,
                    )
                )
            ),
            "import_log": [
                (r.kind, r.file_name, r.sha256, r.rows_written)
                for r in conn.execute(select(schema.import_log))
            ],
            "imports": [
                (e.actor, e.target, e.detail)
                for e in audit.events(conn, action="import")
            ],
        }


def public_output(engine: Engine) -> dict[str, Any]:
    """Everything the public can read: its releases and every value of every level,
    now and as of each published release."""
    with engine.connect() as conn:
        releases = queries.list_releases(conn, audience=Audience.PUBLIC)
        found: dict[str, Any] = {
            "releases": [(r.name, r.status.value, r.sequence) for r in releases]
        }
        for as_of in [None, *(r.name for r in releases)]:
            for level in LEVELS:
                query = ObservationQuery(level=level, as_of=as_of)
                found[f"{as_of} {level}"] = read_observations(
                    conn, query, audience=Audience.PUBLIC
                )
    return found


def shown_jobs(engine: Engine) -> set[str]:
    return {job.status.value for job in jobs.recent(engine, None)}


def no_other_backends(url: str) -> bool:
    engine = connect(url)
    try:
        with engine.connect() as conn:
            return not conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                    "current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        engine.dispose()


@pytest.fixture
def pristine(db_url: str) -> tuple[str, str, str]:
    """The database to copy (SQLite) or to build again (PostgreSQL), with the
    editor's session id and CSRF token."""
    session, csrf = build(db_url)
    return db_url, session, csrf


def postgres_again(url: str) -> tuple[str, str]:
    """The PostgreSQL database built again, once the killed child's backend is gone;
    the new session id and CSRF token."""
    assert wait_until(lambda: no_other_backends(url), timeout=30)
    reset_postgres(url)
    return build(url)


def sqlite_copy(source: str, tmp_path: Path, number: int) -> tuple[str, Path]:
    target = tmp_path / f"copy-{number}.db"
    copier = sqlite3.connect(source.removeprefix("sqlite:///"), isolation_level=None)
    try:  # a consistent copy, the write-ahead log included
        copier.execute("VACUUM INTO ?", (str(target),))
    finally:
        copier.close()
    return f"sqlite:///{target}", target


def test_an_upload_and_import_killed_at_random_points_is_all_or_nothing(
    pristine: tuple[str, str, str], tmp_path: Path
) -> None:
    source, session, csrf = pristine
    kind = "sqlite" if source.startswith("sqlite") else "postgresql"
    file = synthetic_file(tmp_path / "einwohner.csv")
    folder = tmp_path / "uploads"

    def prepare(number: int) -> tuple[str, Path | None, str, str]:
        if kind == "sqlite":
            url, database = sqlite_copy(source, tmp_path, number)
            return url, database, session, csrf
        new_session, new_csrf = postgres_again(source)
        return source, None, new_session, new_csrf

    url, database, sid, token = prepare(0)
    engine = connect(url)
    before, public_before = draft_state(engine), public_output(engine)
    engine.dispose()
    status, whole = run_child((url, folder, file, sid, token), None)
    assert status == 0
    engine = connect(url)
    after = draft_state(engine)
    assert after != before and public_output(engine) == public_before
    assert len(after["observations"]) == len(before["observations"]) + AREAS * len(
        YEARS
    )
    assert shown_jobs(engine) == {"done"}
    engine.dispose()

    rng = random.Random(11)
    outcomes = {"before": 0, "after": 0}
    for number in range(1, KILLS[kind] + 1):
        url, database, sid, token = prepare(number)
        status, _ = run_child((url, folder, file, sid, token), rng.uniform(0, whole))
        engine = connect(url)
        if database is not None:
            with engine.connect() as conn:
                check = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            assert check == "ok", (number, check)
        state = draft_state(engine)
        assert state in (before, after), (number, status)
        assert public_output(engine) == public_before, number
        # no job is shown as running: the process that ran it is gone
        assert "running" not in shown_jobs(engine), number
        engine.dispose()
        outcomes["before" if state == before else "after"] += 1
        if database is not None:
            database.unlink()
    # Kills land before the import's commit (the state before) and, on SQLite's 50,
    # some after it (between the commit and the child's end). How they split depends
    # on the machine's load while ``whole`` was measured: only that both paths were
    # exercised is asserted.
    assert outcomes["before"] >= 1, outcomes
    if kind == "sqlite":
        assert outcomes["after"] > 0, outcomes
