"""The catalogue snapshot: scopes (which levels and periods exist where), caching."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select

from sozialmonitor.domain.area import Area
from sozialmonitor.lru import Lru
from sozialmonitor.store import schema
from sozialmonitor.store.coverage import read_coverage
from sozialmonitor.store.indicator_edit import (
    edit_indicator,
    fingerprint,
    stored_indicator,
)
from sozialmonitor.store.writes import save_areas
from sozialmonitor.web.app import create_app
from sozialmonitor.web.snapshot import snapshot
from tests.fixtures import FIRST_RELEASE, REGION, TOWNS


def test_scopes_name_stored_and_computed_levels(small_engine: Engine) -> None:
    snap = snapshot(small_engine)
    (scope,) = snap.scopes_for(snap.indicator("unemployment_share"))
    assert scope.root.code == REGION
    # stored for the municipalities, computed for the region from their parts
    assert scope.periods_by_level == {
        "region": ("2020", "2021"),
        "municipality": ("2020", "2021"),
    }
    assert scope.latest == "2021"
    assert snap.release is not None and snap.release.name == FIRST_RELEASE


def test_internal_indicators_are_not_in_the_snapshot(small_engine: Engine) -> None:
    snap = snapshot(small_engine)
    assert "internal_case_load" not in snap.indicator_by_id
    assert all(c.indicator != "internal_case_load" for c in snap.coverage)


def test_areas_are_grouped_by_their_top_area(small_engine: Engine) -> None:
    snap = snapshot(small_engine)
    assert [a.code for a in snap.areas_in(REGION, "municipality")] == list(TOWNS)
    assert snap.top_area(TOWNS[0]).code == REGION
    assert [a.code for a in snap.ancestors(TOWNS[0])] == [REGION]


def test_a_new_area_makes_a_new_snapshot(small_engine: Engine) -> None:
    first = snapshot(small_engine)
    assert snapshot(small_engine) is first
    with small_engine.begin() as conn:
        save_areas(
            conn,
            [Area(code="03241004", name="Neu", level="municipality", parent=REGION)],
        )
    second = snapshot(small_engine)
    assert second is not first
    assert "03241004" in second.areas


def test_coverage_counts_areas_and_parts(small_engine: Engine) -> None:
    with small_engine.connect() as conn:
        found = {(c.indicator, c.level): c for c in read_coverage(conn)}
    share = found[("unemployment_share", "municipality")]
    assert share.under == REGION
    assert share.periods == ("2020", "2021")
    assert share.areas == 3
    assert share.parts
    assert not found[("population", "municipality")].parts


def test_caches_are_dropped_with_the_data_version(small_engine: Engine) -> None:
    first = snapshot(small_engine)
    first.lru("values", 2).put("key", 1)
    assert first.lru("values", 2) is first.lru("values", 2)
    assert first.remember("count", lambda: 1) == 1
    with small_engine.begin() as conn:
        save_areas(
            conn,
            [Area(code="03241004", name="Neu", level="municipality", parent=REGION)],
        )
    second = snapshot(small_engine)
    assert second.lru("values", 2).get("key") is None
    assert second.remember("count", lambda: 2) == 2


def test_concurrent_requests_compute_a_remembered_key_once(
    small_engine: Engine,
) -> None:
    snap = snapshot(small_engine)
    calls = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    found: list[int] = []
    threads = [
        threading.Thread(target=lambda: found.append(snap.remember("slow", compute)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [42] * 8
    assert len(calls) == 1


def test_lru_keeps_the_most_recently_used() -> None:
    cache = Lru(2)
    cache.store({"a": 1, "b": None})
    assert cache.lookup(["a", "b", "c"]) == ({"a": 1, "b": None}, {"c"})
    cache.put("c", 3)  # drops "a", used before "b"
    assert cache.get("a", "gone") == "gone"
    assert len(cache) == 2


def _reads(engine: Engine) -> list[tuple[str, str]]:
    """(thread name, statement) of every statement sent from now on."""
    sent: list[tuple[str, str]] = []

    def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        sent.append((threading.current_thread().name, statement))

    event.listen(engine, "before_cursor_execute", record)
    return sent


def test_a_served_portal_reads_new_data_before_the_visitors(
    small_engine: Engine,
) -> None:
    app = create_app(small_engine, refresh_seconds=0.05)
    with TestClient(app) as client:  # serving: the lifespan keeps the data warm
        sent = _reads(small_engine)
        with small_engine.begin() as conn:  # as an import by another process
            save_areas(
                conn,
                [
                    Area(
                        code="03241004", name="Neu", level="municipality", parent=REGION
                    )
                ],
            )
        mark = len(sent)
        deadline = time.monotonic() + 20
        while True:  # the keep-warm thread: top values read, then its next round
            mine = [s for name, s in sent[mark:] if name == "sozialmonitor-keep-warm"]
            read = next(
                (i for i, s in enumerate(mine) if "FROM observation" in s), None
            )
            if read is not None and any("import_log" in s for s in mine[read:]):
                break
            assert time.monotonic() < deadline, "the new data was not read"
            time.sleep(0.05)
        start = len(sent)
        response = client.get("/api/v1/pages/start")
        assert response.status_code == 200
        # the start page's key figures come from the values read ahead
        request_reads = [
            s
            for name, s in sent[start:]
            if name != "sozialmonitor-keep-warm" and "FROM observation" in s
        ]
        assert request_reads == []
        figures = [f for t in response.json()["topics"] for f in t["figures"]]
        assert figures and all(f["value"] is not None for f in figures)


def test_the_pages_show_an_edited_indicator_at_once_issue_11(
    small_engine: Engine,
) -> None:
    """An edit in the administration changes the data version by the indicator's
    revision, not by an import row: the cached catalogue is read anew."""
    client = TestClient(create_app(small_engine))
    address = "/api/v1/pages/indikator/population"
    imports = select(func.count()).select_from(schema.import_log)
    with small_engine.connect() as conn:
        before = conn.scalar(imports)
    assert client.get(address).json()["indicator"]["name"] != "Einwohnerzahl"
    with small_engine.begin() as conn:
        population = stored_indicator(conn, "population")
        edit_indicator(
            conn,
            population.model_copy(update={"name": "Einwohnerzahl"}),
            opened=fingerprint(population),
        )
    assert client.get(address).json()["indicator"]["name"] == "Einwohnerzahl"
    with small_engine.connect() as conn:
        assert conn.scalar(imports) == before
