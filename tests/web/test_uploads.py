"""Uploading a file in the browser: the report before anything is written, the
import into a draft in a background job, who may do it, and hostile bodies and
names — on SQLite and PostgreSQL (issue 11)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, func, select

from sozialmonitor.access import audit
from sozialmonitor.access.clock import now
from sozialmonitor.access.roles import Role
from sozialmonitor.store import schema
from sozialmonitor.web.uploads import jobs
from tests.access.accounts_data import add_account
from tests.ingest.content import snapshot, stored
from tests.web.sign_in_client import hidden, page, portal, sign_in

UPLOAD = "/verwaltung/hochladen"
BAD = (
    b"indicator;area;period;value\n"
    b"population;03241003;2021;25100\n"
    b"population;99999999;2021;7\n"
)
"""Row 3 names an area that does not exist."""
GOOD = b"indicator;area;period;value\npopulation;03241003;2021;25100\n"
DATA_TABLES = ("observation", "release", "import_log", "audit_event", "area")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def app_engine(small_engine: Engine) -> Engine:
    for name, role in [
        ("erika", Role.EDITOR),
        ("emil", Role.EDITOR),
        ("lena", Role.READER),
        ("paul", Role.PUBLISHER),
    ]:
        add_account(small_engine, name, role)
    return small_engine


def client_for(
    engine: Engine, folder: Path, name: str | None, offset: int = 0
) -> TestClient:
    app = portal(engine)
    app.state.upload_dir = folder
    client = TestClient(app, follow_redirects=False)
    if name is not None:
        signed = sign_in(client, engine, name, offset=offset)
        assert signed.status_code == 303, signed.text
    return client


def upload(
    client: TestClient,
    content: bytes,
    *,
    name: str = "werte.csv",
    kind: str = "observations",
    release: str = "",
    new_release: str = "r-neu",
    token: str | None = None,
) -> Response:
    if token is None:
        token = hidden(client.get(UPLOAD), "csrf")
    return client.post(
        UPLOAD,
        data={
            "csrf": token,
            "kind": kind,
            "release": release,
            "new_release": new_release,
        },
        files={"file": (name, content, "text/csv")},
    )


def wait_for(engine: Engine, job_id: str, timeout: float = 60) -> jobs.Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.get(engine, job_id)
        assert job is not None
        if job.finished:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def data_state(engine: Engine) -> dict[str, object]:
    found = snapshot(engine)
    return {name: found[name] for name in DATA_TABLES}


def public_values(client: TestClient) -> object:
    response = client.get(
        "/api/v1/observations?indicator=population&level=municipality"
    )
    assert response.status_code == 200
    return response.json()


def test_a_file_with_an_error_gets_the_report_and_nothing_is_written(
    app_engine: Engine, folder: Path
) -> None:
    client = client_for(app_engine, folder, "erika")
    before = data_state(app_engine)
    response = upload(client, BAD)
    assert response.status_code == 303
    report = client.get(response.headers["location"])
    assert report.status_code == 200
    assert report.headers["cache-control"] == "private, no-store"
    doc = page(report)
    assert doc.select_one(".error-summary[role=alert]") is not None
    rows = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in doc.select("table.findings tbody tr")
    ]
    assert rows[0][:4] == ["Fehler", "3", "area", "99999999"]
    assert "not a known area code" in rows[0][4]
    assert doc.select_one("form.confirm") is None  # no way to import it
    after = data_state(app_engine)
    # only the refusal is new: an audit event, in the log that records refusals too
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in before.items() if k != "audit_event"
    }
    with app_engine.connect() as conn:
        (refused,) = audit.events(conn, action="import-failed")
    assert (refused.actor, refused.target, refused.detail["errors"]) == (
        "erika",
        "r-neu",
        1,
    )
    assert list(folder.iterdir()) == []  # the refused file is not kept


def test_the_fixed_file_is_confirmed_imported_into_the_draft_and_not_public(
    app_engine: Engine, folder: Path
) -> None:
    client = client_for(app_engine, folder, "erika")
    public_before = public_values(client_for(app_engine, folder, None))
    response = upload(client, GOOD)
    job_url = response.headers["location"]
    waiting = page(client.get(job_url))
    assert waiting.select("table.findings tbody tr") == []
    confirm = waiting.select_one("form.confirm")
    assert confirm is not None
    assert confirm.select_one("button").get_text() == "In Entwurf übernehmen"
    assert stored(app_engine, "r-neu") == {}  # nothing yet
    started = client.post(
        str(confirm["action"]), data={"csrf": hidden(client.get(job_url), "csrf")}
    )
    assert started.status_code == 303
    job = wait_for(app_engine, job_url.rsplit("/", 1)[-1])
    assert job.status is jobs.Status.DONE and job.rows_done == 1
    assert job.release_name == "r-neu"
    assert (
        stored(app_engine, "r-neu")[("population", "03241003", "2021")]["value"]
        == 25100
    )
    assert public_values(client_for(app_engine, folder, None)) == public_before
    done = page(client.get(job_url))
    assert "Abgeschlossen: 1 Datensätze" in done.select_one("#job-text").get_text()
    state = client.get(job_url + "/stand").json()
    assert state["status"] == "done" and state["finished"] is True
    with app_engine.connect() as conn:
        (event,) = audit.events(conn, action="import")
    assert (event.actor, event.target, event.address) == (
        "erika",
        "r-neu",
        "testclient",
    )
    assert event.detail["file"] == "werte.csv" and event.detail["rows_written"] == 1
    assert event.detail["sha256"] == job.sha256
    assert list(folder.iterdir()) == []  # the upload is gone after its import
    # a second confirmation starts nothing
    again = client.post(
        job_url + "/starten", data={"csrf": hidden(client.get(UPLOAD), "csrf")}
    )
    assert again.status_code == 303
    assert jobs.get(app_engine, job.id).status is jobs.Status.DONE  # type: ignore[union-attr]
    listed = page(client.get(UPLOAD)).select("table.import-jobs tbody tr")
    assert [tr.select_one("th").get_text() for tr in listed] == ["werte.csv"]


def test_the_default_release_is_the_commands_default(
    app_engine: Engine, folder: Path
) -> None:
    client = client_for(app_engine, folder, "erika")
    response = upload(client, GOOD, new_release="")
    job_id = response.headers["location"].rsplit("/", 1)[-1]
    client.post(
        f"/verwaltung/importe/{job_id}/starten",
        data={"csrf": hidden(client.get(UPLOAD), "csrf")},
    )
    job = wait_for(app_engine, job_id)
    assert job.status is jobs.Status.DONE
    with app_engine.connect() as conn:
        drafts = (
            conn.execute(
                select(schema.release.c.name).where(schema.release.c.status == "draft")
            )
            .scalars()
            .all()
        )
    assert drafts == [job.release_name]


def test_a_published_release_is_refused_with_its_reason(
    app_engine: Engine, folder: Path
) -> None:
    client = client_for(app_engine, folder, "erika")
    response = upload(client, GOOD, new_release="2021-H2")  # published
    job = page(client.get(response.headers["location"]))
    assert "never changed" in job.select_one("#job-message").get_text()
    assert job.select_one("form.confirm") is None


@pytest.mark.parametrize("name", ["2021/22", "2021\\22", "..", "x" * 101])
def test_a_new_draft_name_that_cannot_stand_in_an_address_is_refused_issue_11(
    app_engine: Engine, folder: Path, name: str
) -> None:
    client = client_for(app_engine, folder, "erika")
    before = data_state(app_engine)
    response = upload(client, GOOD, new_release=name)
    assert response.status_code == 400
    message = page(response).select_one("#upload-error").get_text()
    assert "weder Steuerzeichen noch / oder \\ enthalten" in message
    assert data_state(app_engine) == before
    assert not any(p.is_file() for p in folder.rglob("*"))


def test_a_reader_gets_403_and_cannot_post_anonymous_is_sent_to_sign_in(
    app_engine: Engine, folder: Path
) -> None:
    reader = client_for(app_engine, folder, "lena")
    assert reader.get(UPLOAD).status_code == 403
    token = hidden(reader.get("/verwaltung"), "csrf")
    assert (
        page(reader.get("/verwaltung")).select_one("a[href='/verwaltung/hochladen']")
        is None
    )
    refused = upload(reader, GOOD, token=token)
    assert refused.status_code == 403
    anonymous = client_for(app_engine, folder, None)
    response = anonymous.get(UPLOAD)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/anmelden?weiter=")
    assert "set-cookie" not in response.headers
    posted = upload(anonymous, GOOD, token="")
    assert posted.status_code == 403
    assert "set-cookie" not in posted.headers
    with app_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.import_job)) == 0
    assert not folder.exists() or list(folder.iterdir()) == []
    editor = client_for(app_engine, folder, "erika")
    assert (
        page(editor.get("/verwaltung")).select_one("a[href='/verwaltung/hochladen']")
        is not None
    )


def test_a_missing_or_wrong_csrf_token_is_refused_before_the_file_is_stored(
    app_engine: Engine, folder: Path
) -> None:
    client = client_for(app_engine, folder, "erika")
    assert upload(client, GOOD, token="").status_code == 403
    assert upload(client, GOOD, token="falsch").status_code == 403
    # the token after the file is too late: the file would be stored first
    late = client.post(
        UPLOAD,
        files=[
            ("file", ("werte.csv", GOOD, "text/csv")),
            ("csrf", (None, hidden(client.get(UPLOAD), "csrf"))),
            ("kind", (None, "observations")),
        ],
    )
    assert late.status_code == 403
    assert list(folder.iterdir()) == []
    # the header works as well as the field
    header = client.post(
        UPLOAD,
        data={"kind": "observations", "new_release": "r-kopf"},
        files={"file": ("werte.csv", GOOD, "text/csv")},
        headers={"X-CSRF-Token": hidden(client.get(UPLOAD), "csrf")},
    )
    assert header.status_code == 303
    # no other address takes a file, whoever sends it
    stray = client.post(
        "/abmelden",
        data={"csrf": hidden(client.get(UPLOAD), "csrf")},
        files={"file": ("werte.csv", GOOD, "text/csv")},
    )
    assert stray.status_code == 415
    (kept,) = folder.iterdir()  # the upload with the header's token only


def test_a_too_large_file_is_refused_413_and_not_kept(
    app_engine: Engine, folder: Path
) -> None:
    client = client_for(app_engine, folder, "erika")
    client.app.state.upload_limit = 1_000  # type: ignore[attr-defined]
    response = upload(client, GOOD + b"population;03241003;2020;1\n" * 200)
    assert response.status_code == 413
    alert = page(response).select_one(".error-summary[role=alert]")
    assert alert is not None and "größer als 1000 bytes" in alert.get_text()
    assert list(folder.iterdir()) == []
    # a body announced as larger is refused where its file begins: the form's token
    # before it is read and checked, the file is not read at all
    token = hidden(client.get(UPLOAD), "csrf")
    start = (
        f'--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
        '--x\r\nContent-Disposition: form-data; name="file"; filename="gross.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nindicator;area;period;value\r\n"
    ).encode()
    huge = client.post(
        UPLOAD,
        content=start,
        headers={
            "content-type": "multipart/form-data; boundary=x",
            "content-length": str(10**12),
        },
    )
    assert huge.status_code == 413
    assert list(folder.iterdir()) == []
    assert upload(client, GOOD).status_code == 303  # under the limit: taken


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/passwd.csv", "passwd.csv"),
        ("..\\..\\Windows\\werte.csv", "werte.csv"),
        # the client sends control characters percent-encoded (as browsers do)
        ("wer\x00te\r\n.csv", "wer_00te_0D_0A.csv"),
        ("/abs/olut.csv", "olut.csv"),
        ("..", "upload"),
        ("\u202ecsv.exe", "csv.exe"),
    ],
)
def test_hostile_file_names_are_harmless(
    app_engine: Engine, folder: Path, sent: str, kept: str
) -> None:
    client = client_for(app_engine, folder, "erika")
    response = upload(client, GOOD, name=sent)
    assert response.status_code == 303
    job = jobs.get(app_engine, response.headers["location"].rsplit("/", 1)[-1])
    assert job is not None and job.file_name == kept
    files = [p.name for p in folder.rglob("*") if p.is_file()]
    # a name without a known suffix is unreadable: refused, and not kept
    assert files == ([] if job.status is jobs.Status.FAILED else [kept])
    for path in folder.rglob("*"):
        assert path.resolve().is_relative_to(folder.resolve())
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert os.stat(folder).st_mode & 0o077 == 0


def test_another_accounts_job_is_not_shown_to_an_editor_but_to_a_publisher(
    app_engine: Engine, folder: Path
) -> None:
    erika = client_for(app_engine, folder, "erika")
    job_url = upload(erika, GOOD).headers["location"]
    emil = client_for(app_engine, folder, "emil")
    assert emil.get(job_url).status_code == 404
    assert emil.get(job_url + "/stand").status_code == 404
    token = hidden(emil.get(UPLOAD), "csrf")
    assert emil.post(job_url + "/starten", data={"csrf": token}).status_code == 404
    assert page(emil.get(UPLOAD)).select("table.import-jobs tbody tr") == []
    lena = client_for(app_engine, folder, "lena")
    assert lena.get(job_url).status_code == 403
    assert lena.get(job_url + "/stand").status_code == 403
    paul = client_for(app_engine, folder, "paul")
    assert paul.get(job_url).status_code == 200
    rows = page(paul.get(UPLOAD)).select("table.import-jobs tbody tr td")
    assert "erika" in [td.get_text() for td in rows]
    assert paul.get("/verwaltung/importe/" + "A" * 24).status_code == 404


def test_a_running_job_of_an_ended_process_is_shown_as_aborted(
    app_engine: Engine, folder: Path
) -> None:
    client = client_for(app_engine, folder, "erika")
    job_url = upload(client, GOOD).headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    with app_engine.begin() as conn:  # what a killed process leaves behind
        conn.execute(
            schema.import_job.update()
            .where(schema.import_job.c.id == job_id)
            .values(status="running")
        )
    state = client.get(job_url + "/stand").json()
    assert state["status"] == "aborted" and state["finished"] is True
    assert stored(app_engine, "r-neu") == {}


def test_english_pages(app_engine: Engine, folder: Path) -> None:
    client = client_for(app_engine, folder, "erika")
    doc = page(client.get(UPLOAD + "?lang=en"))
    assert doc.select_one("h1").get_text() == "Upload data"
    job_url = upload(client, BAD).headers["location"]
    report = page(client.get(job_url + "?lang=en"))
    assert report.select_one("table.findings th").get_text() == "Kind"
    assert (
        "Nothing was written"
        in report.select_one(".error-summary[role=alert]").get_text()
    )


def test_an_import_that_fails_after_the_check_writes_nothing_and_is_audited(
    app_engine: Engine, folder: Path
) -> None:
    """The draft is published between the check and the confirmation: the import
    is refused by the importer, nothing is written, the refusal is audited."""
    from sozialmonitor.store.writes import draft_release, publish_release

    client = client_for(app_engine, folder, "erika")
    with app_engine.begin() as conn:
        draft_release(conn, "r-neu")
    job_url = upload(client, GOOD).headers["location"]
    with app_engine.begin() as conn:
        publish_release(conn, "r-neu")
    before = data_state(app_engine)
    token = hidden(client.get(UPLOAD), "csrf")
    client.post(job_url + "/starten", data={"csrf": token})
    job = wait_for(app_engine, job_url.rsplit("/", 1)[-1])
    assert job.status is jobs.Status.FAILED
    assert "never changed" in job.message
    after = data_state(app_engine)
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in before.items() if k != "audit_event"
    }
    with app_engine.connect() as conn:
        (failed,) = audit.events(conn, action="import-failed")
        assert audit.events(conn, action="import") == []
    assert (failed.actor, failed.detail["job"]) == ("erika", job.id)
    assert list(folder.iterdir()) == []


def test_a_running_job_shows_its_phase_rows_and_time_and_a_refresh_link(
    app_engine: Engine, folder: Path
) -> None:
    """While the import thread runs, its progress is held in memory (what the
    thread registers on start); the page and its JSON show it."""
    client = client_for(app_engine, folder, "erika")
    job_url = upload(client, GOOD).headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    with app_engine.begin() as conn:
        conn.execute(
            schema.import_job.update()
            .where(schema.import_job.c.id == job_id)
            .values(status="running", started_at=now())
        )
    jobs._set_live(job_id, jobs.Progress(phase="importing", rows_done=0, rows_total=1))
    try:
        state = client.get(job_url + "/stand").json()
        doc = page(client.get(job_url))
    finally:
        jobs._set_live(job_id, None)
    assert state["status"] == "running" and state["finished"] is False
    assert state["label"] == "läuft"
    assert "in den Entwurf geschrieben" in state["text"]
    assert "Läuft seit 0 Sekunden." in state["text"]
    region = doc.select_one("#job-state[aria-live=polite]")
    assert region is not None and region["data-finished"] == "false"
    assert region["data-status-url"] == job_url + "/stand"
    assert doc.select_one("a#job-refresh")["href"] == job_url
    assert doc.select_one("script[src='/static/js/import-progress.js']") is not None
    assert doc.select_one("form.confirm") is None
