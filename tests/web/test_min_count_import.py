"""Issue 11, a changed minimum count: importing the catalogue again with a raised
``min_count`` computes the indicator's published patterns again in the import's
transaction, so a count between the old and the new minimum is hidden on the API
at once — and, solved as a linear programme from what the API shows, every hidden
count keeps a range at least as wide as the new minimum. (The edit in the browser
goes the same way: ``tests/web/test_indicator_editing.py``.)"""

from __future__ import annotations

from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.ingest.indicators import import_indicators
from tests.access.attacker import hidden_ranges
from tests.store.disclosure_data import (
    CASES,
    INDICATORS,
    MIN,
    REGION,
    TOWNS,
    make_small_counts_db,
)
from tests.web.sign_in_client import portal

RAISED = 41
"""Just above T2's 40 cases, the largest town count."""


def public_cases(client: TestClient) -> dict[str, float | None]:
    body = client.get("/api/v1/observations", params={"indicator": "cases"}).json()
    return {o["area"]: o["value"] for o in body["observations"]}


def catalogue(tmp_path: Path, min_count: int) -> Path:
    entries = [i.to_dict() for i in INDICATORS]
    for entry in entries:
        if entry["id"] == "cases":
            entry["min_count"] = min_count
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"indicators": entries}, allow_unicode=True))
    return path


def test_a_raised_min_count_imported_hides_the_newly_small_count(
    engine: Engine, tmp_path: Path
) -> None:
    make_small_counts_db(engine)
    client = TestClient(portal(engine))
    before = public_cases(client)
    assert MIN <= CASES["T2"] < RAISED
    assert before["T2"] == CASES["T2"]  # shown under the old minimum
    page = client.get("/api/v1/pages/indikator/cases?ebene=municipality").json()
    assert "Ort T2" in page["summary"]  # cached by the portal

    outcome = import_indicators(engine, catalogue(tmp_path, RAISED))

    assert outcome.rows_written == 1
    after = public_cases(client)
    assert after["T2"] is None
    ranges = hidden_ranges([after], {REGION: list(TOWNS)})
    assert (0, "T2") in ranges
    assert min(high - low for low, high in ranges.values()) >= RAISED
    page = client.get("/api/v1/pages/indikator/cases?ebene=municipality").json()
    assert "Ort T2" not in page["summary"] and "40 Fälle (" not in page["summary"]
