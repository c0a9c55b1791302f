"""``import genesis``: a table fetched from the GENESIS web service, replayed by a
real HTTP server on this computer from the answers in ``tests/data/genesis_ws/``;
every way the fetch can fail is a clear message and writes nothing."""

from __future__ import annotations

import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.errors import GenesisServiceError
from sozialmonitor.ingest.official.webservice import (
    INSTANCES,
    GenesisAccess,
    base_url,
    fetch_table,
)
from sozialmonitor.store.writes import save_areas
from tests.cli_access import cli_env, without_access
from tests.ingest.content import snapshot, stored
from tests.ingest.official.exports import add_areas, expected_cells, shared_data

RECORDED = Path(__file__).resolve().parents[2] / "data" / "genesis_ws"
REST = "/genesisWS/rest/2020/"
TABLEFILE = REST + "data/tablefile"
USER = "DEXXXXXXXX"
PASSWORD = "geheim-und-lang"
AREAS = [
    Area(code="03", name="Niedersachsen", level="state"),
    Area(code="03241", name="Region Hannover", level="region", parent="03"),
    Area(code="03241001", name="Hannover", level="municipality", parent="03241"),
    Area(code="03241002", name="Barsinghausen", level="municipality", parent="03241"),
]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    endless: bool = False
    """Send ``body`` again and again (no length) until the client hangs up."""


def recorded(name: str, status: int = 200) -> Answer:
    path = RECORDED / name
    kind = "application/json" if name.endswith(".json") else "text/csv"
    return Answer(status, path.read_bytes(), kind)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


class Service:
    """A GENESIS web service on 127.0.0.1 that replays one answer per path."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[Request] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                service.requests.append(
                    Request(self.path, dict(self.headers), parse_qs(body))
                )
                answer = service.answers.get(self.path)
                if answer is None:
                    self.send_error(404)
                    return
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.endless:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    try:
                        for _ in range(200):  # 200 × 64 KiB, unless cut off
                            self.wfile.write(answer.body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # keep the test output clean

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{REST}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client honours proxy settings; the test server is on this computer."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def service() -> Iterator[Service]:
    running = Service()
    yield running
    running.close()


@pytest.fixture
def areas(engine: Engine) -> Engine:
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    return engine


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def data(engine: Engine) -> dict[str, object]:
    """What the database holds, without who signed in (the command line's token)."""
    return without_access(snapshot(engine))


def run(
    engine: Engine,
    *args: str,
    instance: str,
    user: str = USER,
    password: str = PASSWORD,
) -> tuple[int, str, str]:
    url = engine.url.render_as_string(hide_password=False)
    env = {
        **cli_env(url),
        "SOZIALMONITOR_GENESIS_INSTANCE": instance,
        "SOZIALMONITOR_GENESIS_USER": user,
        "SOZIALMONITOR_GENESIS_PASSWORD": password,
    }
    result = CliRunner().invoke(app, ["--db", url, "import", "genesis", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def refused(engine: Engine, *args: str, instance: str, **options: str) -> str:
    """The message of a command that must fail, after checking it wrote nothing."""
    before = data(engine)
    code, out, err = run(engine, *args, instance=instance, **options)
    assert code in (1, 2), (code, out, err)
    assert "Traceback" not in out + err
    assert data(engine) == before
    return " ".join(err.split())  # the terminal wraps nothing, but be sure


def test_a_table_is_fetched_and_imported(areas: Engine, service: Service) -> None:
    """Also against PostgreSQL: the same path as ``import official``."""
    service.answers[TABLEFILE] = recorded("12411-01-01-4.csv")
    code, out, err = run(
        areas, "12411-01-01-4", "--release", "2022", instance=service.url
    )
    assert code == 0, err
    assert "12411-01-01-4.csv: 16 new or changed into release '2022'." in out
    found = stored(areas, "2022")
    assert found[("population", "03241", "2021-12-31")]["value"] == 1171603
    assert found[("female_share", "03241001", "2022-12-31")]["value"] == (
        pytest.approx(278126 / 545045 * 100, rel=1e-12)
    )
    secret = found[("population", "03241002", "2022-12-31")]
    assert secret["value"] is None and secret["flags"] == int(Flag.SUPPRESSED)
    [request] = service.requests
    assert request.path == TABLEFILE
    assert request.headers["username"] == USER
    assert request.headers["password"] == PASSWORD
    assert PASSWORD not in request.path
    assert request.form["name"] == ["12411-01-01-4"]
    assert request.form["format"] == ["csv"]
    assert request.form["job"] == ["false"]


def test_a_dry_run_and_json(areas: Engine, service: Service) -> None:
    service.answers[TABLEFILE] = recorded("12411-01-01-4.csv")
    before = data(areas)
    code, out, err = run(areas, "12411-01-01-4", "--dry-run", instance=service.url)
    assert code == 0, err
    assert "12411-01-01-4.csv: valid, 16 rows; nothing written." in out
    assert data(areas) == before
    code, out, err = run(areas, "12411-01-01-4", "--json", instance=service.url)
    assert code == 0, err
    report = json.loads(out)
    assert report["rows_written"] == 16
    assert report["file"] == "12411-01-01-4.csv"


def zipped(tmp_path: Path, *members: tuple[str, bytes]) -> Answer:
    path = tmp_path / "answer.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members:
            archive.writestr(name, body)
    return Answer(200, path.read_bytes(), "application/zip")


def test_a_zipped_answer_is_unpacked(
    areas: Engine, service: Service, tmp_path: Path
) -> None:
    body = recorded("12411-01-01-4.csv").body
    service.answers[TABLEFILE] = zipped(tmp_path, ("12411-01-01-4_de.csv", body))
    code, out, err = run(areas, "12411-01-01-4", instance=service.url)
    assert code == 0, err
    assert "12411-01-01-4.csv: 16 new or changed" in out
    assert stored(areas)[("population", "03", "2022-12-31")]["value"] == 8140242
    two = zipped(tmp_path, ("a.csv", body), ("b.csv", body))
    service.answers[TABLEFILE] = two
    assert "a zip file of 2 files instead of one table" in refused(
        areas, "12411-01-01-4", instance=service.url
    )


def test_wrong_credentials_name_the_status(areas: Engine, service: Service) -> None:
    service.answers[TABLEFILE] = recorded("status-401-credentials.json", 401)
    message = refused(areas, "12411-01-01-4", instance=service.url)
    assert (
        "The service at 127.0.0.1 refused the credentials (HTTP 401, status -1: "
        "Fehler bei der Anmeldung: Benutzername oder Passwort ist ungültig.)"
    ) in message
    assert "SOZIALMONITOR_GENESIS_USER" in message
    assert PASSWORD not in message


def test_an_unknown_table(areas: Engine, service: Service) -> None:
    service.answers[TABLEFILE] = recorded("status-104-unknown-table.json")
    message = refused(areas, "12411-01-01-4", instance=service.url)
    assert "does not know table 12411-01-01-4 (status 104: Es gibt keine" in message
    assert "--instance regionalstatistik" in message


def test_a_background_job(areas: Engine, service: Service) -> None:
    service.answers[TABLEFILE] = recorded("status-98-job.json")
    message = refused(areas, "12411-01-01-4", instance=service.url)
    assert "prepares it as a background job (status 98:" in message
    assert "Fetch it later" in message
    assert "`sozialmonitor import official FILE`" in message


def test_a_table_without_a_shipped_mapping_is_not_fetched(
    areas: Engine, service: Service
) -> None:
    message = refused(areas, "99999-0001", instance=service.url)
    assert "No mapping is shipped for table 99999-0001" in message
    assert "sozialmonitor import mapped MAPPING FILE" in message
    assert service.requests == []


def test_no_credentials_no_request(areas: Engine, service: Service) -> None:
    message = refused(areas, "12411-01-01-4", instance=service.url, user="")
    assert "No account for the GENESIS web service: set" in message
    assert service.requests == []


def test_offline(areas: Engine) -> None:
    instance = f"http://127.0.0.1:{closed_port()}{REST}"
    message = refused(areas, "12411-01-01-4", instance=instance)
    assert message.startswith("Could not reach 127.0.0.1 (ConnectError")
    assert (
        "check the network or download the table as CSV and use `sozialmonitor "
        "import official FILE`."
    ) in message


def test_an_unknown_host(tmp_path: Path) -> None:
    """A name that never resolves (RFC 6761): the DNS failure of a computer offline."""
    access = GenesisAccess(base_url="https://genesis.invalid" + REST, user=USER)
    with pytest.raises(GenesisServiceError) as caught:
        fetch_table(access, "12411-0013", tmp_path / "t.csv")
    assert caught.value.message.startswith("Could not reach genesis.invalid (")
    assert "check the network" in caught.value.message
    assert not (tmp_path / "t.csv").exists()


def test_an_answer_that_is_not_an_export(areas: Engine, service: Service) -> None:
    page = b"<!DOCTYPE html><html><body>Wartungsarbeiten</body></html>"
    service.answers[TABLEFILE] = Answer(200, page, "text/html")
    message = refused(areas, "12411-01-01-4", instance=service.url)
    assert "is not a GENESIS / Regionalstatistik export" in message
    assert "ERROR: 12411-01-01-4.csv, row 1:" in message
    assert "sozialmonitor-genesis-" not in message  # not the temporary folder


@pytest.fixture
def access(service: Service) -> GenesisAccess:
    return GenesisAccess(base_url=service.url, user=USER, password=PASSWORD)


def test_an_answer_beyond_the_limit_is_cut_off(
    service: Service, access: GenesisAccess, tmp_path: Path
) -> None:
    service.answers[TABLEFILE] = Answer(
        200, b"x" * (64 << 10), "text/csv", endless=True
    )
    with pytest.raises(GenesisServiceError) as caught:
        fetch_table(access, "12411-01-01-4", tmp_path / "t.csv", max_bytes=1 << 20)
    assert "is larger than 1.0 MiB (at least 1." in caught.value.message
    assert (tmp_path / "t.csv").stat().st_size <= 1 << 20
    declared = recorded("12411-01-01-4.csv")
    service.answers[TABLEFILE] = declared
    with pytest.raises(GenesisServiceError) as caught:
        fetch_table(access, "12411-01-01-4", tmp_path / "u.csv", max_bytes=100)
    assert f"(at least {len(declared.body)} bytes)" in caught.value.message
    assert not (tmp_path / "u.csv").exists()  # refused by its Content-Length


def test_a_zipped_answer_within_the_limits(
    service: Service, access: GenesisAccess, tmp_path: Path
) -> None:
    body = b"GENESIS-Tabelle: 12411-01-01-4\n" + b";" * 5000
    answer = zipped(tmp_path, ("t.csv", body))
    assert len(answer.body) < 1000 < len(body)
    service.answers[TABLEFILE] = answer
    with pytest.raises(GenesisServiceError) as caught:
        fetch_table(access, "12411-01-01-4", tmp_path / "t.csv", max_bytes=1000)
    assert "is larger than 1000 bytes (at least 4.9 KiB)" in caught.value.message
    service.answers[TABLEFILE] = Answer(200, b"PK\x03\x04 cut off", "application/zip")
    with pytest.raises(GenesisServiceError) as caught:
        fetch_table(access, "12411-01-01-4", tmp_path / "u.csv")
    assert "with a zip file that is not opened" in caught.value.message
    assert "the zip file is damaged" in caught.value.message
    assert str(tmp_path) not in caught.value.message


def test_a_redirect_to_another_host_is_not_followed(
    service: Service, access: GenesisAccess, tmp_path: Path
) -> None:
    service.answers[TABLEFILE] = Answer(
        302, b"", "text/plain", {"Location": "https://genesis.example.invalid/x"}
    )
    with pytest.raises(GenesisServiceError) as caught:
        fetch_table(access, "12411-01-01-4", tmp_path / "t.csv")
    assert "redirected to genesis.example.invalid, another host" in (
        caught.value.message
    )
    assert len(service.requests) == 1


def test_instances_and_addresses() -> None:
    assert base_url("destatis") == INSTANCES["destatis"]
    assert base_url("https://genesis.example.org/genesisWS/rest/2020") == (
        "https://genesis.example.org/genesisWS/rest/2020/"
    )
    with pytest.raises(GenesisServiceError, match="plain http"):
        base_url("http://genesis.example.org/genesisWS/rest/2020/")
    with pytest.raises(GenesisServiceError, match="Unknown GENESIS instance 'nrw'"):
        base_url("nrw")


def test_a_table_code_that_is_no_code(areas: Engine, service: Service) -> None:
    message = refused(areas, "12411 01; DROP", instance=service.url)
    assert "'12411 01; DROP' is not a table code" in message
    assert service.requests == []


REAL = shared_data() / "germany-regionalstatistik-raw" / "12411-01-01-4_00.csv"


@pytest.mark.skipif(
    not REAL.exists(),
    reason=f"the real Regionalstatistik export {REAL} is absent (set "
    "SOZIALMONITOR_SHARED_DATA to the folder of the shared data)",
)
def test_a_real_export_replayed(service: Service, tmp_path: Path) -> None:
    from sozialmonitor.store.database import connect, init_database

    engine = connect(f"sqlite:///{tmp_path / 'real.db'}")
    init_database(engine)
    add_areas(engine, REAL)
    service.answers[TABLEFILE] = Answer(200, REAL.read_bytes(), "text/csv")
    code, _, err = run(engine, "12411-01-01-4", instance=service.url)
    assert code == 0, err
    found = stored(engine)
    expected = expected_cells(REAL, ["Insgesamt"])
    numbers = {k: v for k, v in expected.items() if v.isdigit()}
    assert numbers
    for (area, when), raw in numbers.items():
        assert found[("population", area, when)]["value"] == int(raw)
