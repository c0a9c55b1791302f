"""The API keeps the contract of its OpenAPI document: schemathesis, run against
the served ``/api/v1/openapi.json``, generates requests and runs all its default
checks on the answers (no server error, every status code, header and body as
documented, schema-valid requests accepted, invalid ones refused)."""

from __future__ import annotations

import subprocess  # nosec B404 - runs schemathesis of this virtual environment
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.web.api_contract import ANSWERS, PROBLEM_MEDIA_TYPE
from sozialmonitor.web.app import create_app
from tests.live_server import serving

EXAMPLES = 30
"""Generated requests per operation and phase."""
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_the_api_keeps_its_openapi_contract(
    demo_sqlite: Engine, tmp_path: Path
) -> None:
    with serving(create_app(demo_sqlite)) as base:
        _wait_for_the_gap_map(base)
        run = subprocess.run(  # nosec B603 - fixed arguments
            [
                str(SCHEMATHESIS),
                "run",
                f"{base}/api/v1/openapi.json",
                "--max-examples",
                str(EXAMPLES),
                "--seed",
                "20261207",
                "--workers",
                "1",
                "--report-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-2_000:]


def _wait_for_the_gap_map(base: str) -> None:
    """The served portal computes the map of data gaps in the background and
    answers 503 (documented, with Retry-After) meanwhile; the contract is checked
    on the portal at work."""
    deadline = time.monotonic() + 300
    while httpx.get(f"{base}/api/v1/gaps", timeout=60).status_code == 503:
        assert time.monotonic() < deadline, "the map of data gaps took 5 minutes"
        time.sleep(1)


def test_the_document_describes_the_api_and_its_problem_answers(
    demo_sqlite: Engine,
) -> None:
    client = TestClient(create_app(demo_sqlite))
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == set(ANSWERS)
    areas = document["paths"]["/api/v1/areas"]["get"]["responses"]
    assert set(areas) == {"200", "304", "400", "404"}
    assert PROBLEM_MEDIA_TYPE in areas["404"]["content"]
    answer = client.get("/api/v1/areas", params={"parent": "nirgendwo"})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM_MEDIA_TYPE
    invalid = client.get("/api/v1/areas", params={"geometry": "vielleicht"})
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["location"] == "query.geometry"
