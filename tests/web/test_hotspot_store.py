"""Hot-spot analyses of large levels stored per data version (issue 13): a restarted
portal serves them without analysing again, a public read never gets the
administration's analysis, and a scope shares the administration's only where its
values are the administration's."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from sozialmonitor.analysis.service import cluster_store, cluster_worker
from sozialmonitor.domain.access import Audience
from sozialmonitor.store import queries, schema
from sozialmonitor.store.data_version import data_version
from sozialmonitor.store.database import connect
from sozialmonitor.store.hotspot_results import (
    HotspotKey,
    StoredHotspot,
    read_hotspot,
    slice_pattern,
    write_hotspot,
)
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    store_observations,
)
from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages import indicator_hotspots
from tests.web.test_trends_hotspots import (
    GRID,
    PERIODS,
    ROOT,
    SECRET_CELL,
    SHARE,
    cell,
    cli_json,
    grid_engine,
    page_json,
)

__all__ = ["grid_engine"]  # the fixture, used by name
PARAMS = {"raum": ROOT, "ebene": "municipality", "ansicht": "hotspots"}


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid's 36 municipalities count as a large level (Germany's)."""
    monkeypatch.setattr(indicator_hotspots, "IN_REQUEST_LIMIT", GRID * GRID - 1)
    monkeypatch.setattr(indicator_hotspots, "FIRST_VIEW_WAIT", 0.0)


@pytest.fixture
def restarted(grid_engine: Engine) -> Iterator[Engine]:
    """A new engine on the same database: a portal started again, with none of the
    first one's caches."""
    fresh = connect(grid_engine.url.render_as_string(hide_password=False))
    yield fresh
    fresh.dispose()


class Analyses:
    """Counts the analyses asked for; none of them finishes during the test."""

    def __init__(self) -> None:
        self.jobs: list[cluster_worker.ClusterJob] = []
        self.futures: list[Future[cluster_worker.CompactClusters]] = []
        _UNFINISHED.append(self)

    def submit(
        self, _engine: Engine, job: cluster_worker.ClusterJob
    ) -> Future[cluster_worker.CompactClusters]:
        self.jobs.append(job)
        self.futures.append(Future())
        return self.futures[-1]

    def asked(self, indicator: str) -> list[cluster_worker.ClusterJob]:
        """The analyses of ``indicator`` asked for. Only its own: a keep-warm round
        an earlier test's portal left running may submit others meanwhile."""
        return [job for job in self.jobs if job.indicator == indicator]

    def here(self, _engine: Engine, job: cluster_worker.ClusterJob) -> Any:
        raise AssertionError(f"analysed in the request: {job}")


_UNFINISHED: list[Analyses] = []


@pytest.fixture(autouse=True)
def _cancel_unfinished() -> Iterator[None]:
    """Cancel the analyses a test left unfinished: each holds one of the page's
    few background slots (``MAX_PENDING``), which later tests need."""
    yield
    for analyses in _UNFINISHED:
        for future in analyses.futures:
            future.cancel()
    _UNFINISHED.clear()


def no_analysis(monkeypatch: pytest.MonkeyPatch) -> Analyses:
    """From now on, count the analyses asked for and finish none."""
    analyses = Analyses()
    monkeypatch.setattr(cluster_worker, "submit", analyses.submit)
    monkeypatch.setattr(indicator_hotspots, "compact_clusters", analyses.here)
    return analyses


def stored_rows(engine: Engine) -> list[Any]:
    res = schema.hotspot_result
    with engine.connect() as conn:
        return list(conn.execute(select(res.c.version, res.c.audience, res.c.period)))


def expected_clusters(engine: Engine, period: str) -> dict[str, Any]:
    found = cli_json(
        engine,
        "stats",
        "spatial",
        "--indicator",
        SHARE,
        "--level",
        "municipality",
        "--period",
        period,
    )
    return {
        "clusters": {a["code"]: a["cluster"]["code"] for a in found["areas"]},
        "moran_p": found["moran"]["p_value"],
        "moran_i": found["moran"]["i"],
    }


@pytest.mark.usefixtures("large")
def test_a_restarted_portal_serves_the_stored_analyses_without_analysing(
    grid_engine: Engine, restarted: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first portal's keep-warm round.
    assert indicator_hotspots.precompute(grid_engine) == len(PERIODS)
    analyses = no_analysis(monkeypatch)
    rows = stored_rows(grid_engine)
    assert len(rows) == len(PERIODS)
    assert {r.audience for r in rows} == {"public"}
    client = TestClient(create_app(restarted))
    for period in ("2015", "2021"):
        content = page_json(client, **PARAMS, zeitraum=period)["hotspots"]
        assert not content["pending"]
        expected = expected_clusters(grid_engine, period)
        assert content["clusters"] == expected["clusters"]
        assert content["moran_p"] == expected["moran_p"]
        assert content["moran_i"] == pytest.approx(expected["moran_i"], rel=1e-12)
    # The secret value stays unclassified for the public.
    assert content["clusters"][SECRET_CELL[0]] == "not_analysed"
    # The restarted portal's round finds everything stored.
    assert indicator_hotspots.precompute(restarted) == 0
    assert analyses.asked(SHARE) == []


@pytest.mark.usefixtures("large")
def test_a_public_read_never_gets_the_administrations_analysis(
    grid_engine: Engine, restarted: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert indicator_hotspots.precompute(grid_engine, Audience.INTERNAL) == len(PERIODS)
    assert {r.audience for r in stored_rows(grid_engine)} == {"internal"}
    analyses = no_analysis(monkeypatch)
    client = TestClient(create_app(restarted))
    content = page_json(client, **PARAMS, zeitraum="2021")["hotspots"]
    # Not served from the administration's row: analysed anew, for the public.
    assert content["pending"]
    assert [job.audience for job in analyses.asked(SHARE)] == [Audience.PUBLIC]
    assert content["clusters"][SECRET_CELL[0]] == "not_analysed"


def job(audience: Audience, period: str = "2021") -> cluster_worker.ClusterJob:
    return cluster_worker.ClusterJob(
        indicator=SHARE,
        level="municipality",
        period=period,
        rule="queen",
        audience=audience,
    )


def test_a_scope_holding_the_whole_level_shares_the_administrations_analysis(
    grid_engine: Engine,
) -> None:
    """A scope of the whole region reads every municipality as the administration
    does: the same values, the same analysis, one stored row. A scope of one
    municipality reads the others as the public does: an analysis of its own."""
    whole, one = Audience.within(ROOT), Audience.within(SECRET_CELL[0])
    with grid_engine.connect() as conn:
        assert cluster_store.analysed_audience(conn, whole, "municipality") == (
            Audience.INTERNAL
        )
        assert cluster_store.analysed_audience(conn, one, "municipality") == one
        # Below the level: its areas are the public's (and an internal indicator
        # nobody's), never the administration's.
        assert cluster_store.analysed_audience(conn, one, "region") == one
        assert cluster_store.analysed_audience(conn, Audience.PUBLIC, "region") == (
            Audience.PUBLIC
        )
    analysed = {
        str(a): cluster_worker.compact_clusters(grid_engine, job(a))
        for a in (Audience.PUBLIC, Audience.INTERNAL, whole, one)
    }
    # Shared only where the values are the same.
    assert analysed[str(whole)] == analysed["internal"]
    assert analysed[str(one)] != analysed["public"]
    secret = analysed["public"].codes.index(SECRET_CELL[0])
    assert analysed["public"].kinds[secret] != analysed[str(one)].kinds[secret]


@pytest.mark.usefixtures("large")
def test_scoped_rounds_share_or_keep_their_own_rows(
    grid_engine: Engine, restarted: Engine
) -> None:
    assert indicator_hotspots.precompute(grid_engine, Audience.INTERNAL) == len(PERIODS)
    # The whole region's staff: nothing to compute after a restart.
    assert indicator_hotspots.precompute(restarted, Audience.within(ROOT)) == 0
    # One municipality's staff: their own analyses, stored under their scope.
    one = Audience.within(cell(0))
    assert indicator_hotspots.precompute(restarted, one) == len(PERIODS)
    audiences = sorted({r.audience for r in stored_rows(grid_engine)})
    assert audiences == ["internal", str(one)]


@pytest.mark.usefixtures("large")
def test_a_new_data_version_leaves_the_old_analyses_unused_and_removes_them(
    grid_engine: Engine, restarted: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    indicator_hotspots.precompute(grid_engine)
    with grid_engine.connect() as conn:
        old = data_version(conn)
    # A new release changes one value and is published: a new data version.
    with grid_engine.begin() as conn:
        release = draft_release(conn, "2023")
        store_observations(
            conn,
            release,
            pd.DataFrame(
                [
                    {
                        "indicator_id": queries.indicator_id(conn, SHARE),
                        "area_id": queries.area_id(conn, cell(0)),
                        "period": "2021",
                        "value": 1.0,
                        "numerator": 100.0,
                        "denominator": 10_000.0,
                        "flags": 0,
                        "note": None,
                    }
                ]
            ),
        )
        publish_release(conn, "2023")
        new = data_version(conn)
    assert new != old
    analyses = no_analysis(monkeypatch)
    client = TestClient(create_app(restarted))
    assert page_json(client, **PARAMS, zeitraum="2021")["hotspots"]["pending"]
    assert len(analyses.asked(SHARE)) == 1
    monkeypatch.undo()
    monkeypatch.setattr(indicator_hotspots, "IN_REQUEST_LIMIT", GRID * GRID - 1)
    # The next stored analysis removes every row of the old version.
    assert indicator_hotspots.precompute(restarted) == len(PERIODS)
    versions = {r.version for r in stored_rows(grid_engine)}
    assert versions == {",".join(str(p) for p in new)}
    with grid_engine.connect() as conn:
        codes = conn.scalars(select(schema.hotspot_areas.c.version)).all()
    assert set(codes) == versions and len(codes) == 1


def stored_example(codes: tuple[str, ...]) -> StoredHotspot:
    return StoredHotspot(
        codes=codes,
        kinds=bytes(range(len(codes))),
        n=len(codes),
        moran={
            "i": 0.1,
            "expected": -0.2,
            "z": float("nan"),
            "p_normal": 0.3,
            "p_value": 0.004,
            "permutations": 999,
        },
        note="",
    )


def test_a_changed_suppression_pattern_leaves_the_stored_analysis_unused(
    grid_engine: Engine,
) -> None:
    """An area scope protected anew hides more cells without a new data version:
    an analysis stored before is not served after."""
    with grid_engine.begin() as conn:
        key = HotspotKey(
            version=data_version(conn),
            audience="public",
            indicator=SHARE,
            level="municipality",
            period="2021",
            method=cluster_store.method("queen"),
        )
        before = slice_pattern(conn, SHARE, "2021")
        example = stored_example((cell(0), cell(1), cell(2)))
        assert write_hotspot(conn, key, before, example)
        found = read_hotspot(conn, key, before)
        assert found is not None and found.codes == example.codes
        assert found.kinds == example.kinds and found.moran is not None
        assert found.moran["p_value"] == 0.004
        release = conn.scalar(select(schema.release.c.id))
        conn.execute(
            insert(schema.suppressed_cell).values(
                release_id=release,
                indicator_id=queries.indicator_id(conn, SHARE),
                period="2021",
                area_id=queries.area_id(conn, cell(1)),
                reason="secondary",
            )
        )
        after = slice_pattern(conn, SHARE, "2021")
        assert after != before
        assert read_hotspot(conn, key, after) is None
        assert slice_pattern(conn, SHARE, "2020") != after


def test_an_analysis_of_an_older_data_version_is_not_stored(
    grid_engine: Engine,
) -> None:
    with grid_engine.begin() as conn:
        current = data_version(conn)
        stale = HotspotKey(
            version=(*current, 999),
            audience="public",
            indicator=SHARE,
            level="municipality",
            period="2021",
            method=cluster_store.method("queen"),
        )
        assert not write_hotspot(conn, stale, "x", stored_example((cell(0),)))
    assert stored_rows(grid_engine) == []
