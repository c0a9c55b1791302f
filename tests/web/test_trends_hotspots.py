"""Trend markers and the hot-spot map of the indicator page (issue 13): the same
results as ``sozialmonitor stats trend|spatial``, suppressed values kept hidden."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from typer.testing import CliRunner

from sozialmonitor.analysis.service import cluster_worker
from sozialmonitor.analysis.service.clusters import level_contiguity, spatial_level
from sozialmonitor.analysis.spatial import Contiguity
from sozialmonitor.cli import app as cli
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)
from sozialmonitor.web.app import create_app, warm_data
from sozialmonitor.web.pages import indicator_hotspots
from tests.cli_access import cli_env
from tests.fixtures import INDICATORS

SHARE = "unemployment_share"
ROOT = "03241"
GRID = 6
"""A GRID × GRID block of square municipalities."""
PERIODS = tuple(str(year) for year in range(2015, 2022))
SECRET_CELL = (f"{ROOT}{2 * GRID + 3:03d}", "2021")
SECRET_VALUE = 77.7777
"""Stored with the source's "secret" flag: the public must never see it."""
runner = CliRunner()


def cli_json(engine: Engine, *args: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(cli, ["--db", url, *args, "--json"], env=cli_env(url))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def cell(i: int) -> str:
    return f"{ROOT}{i + 1:03d}"


def square(i: int) -> str:
    x, y = 9.0 + 0.1 * (i % GRID), 52.0 + 0.1 * (i // GRID)
    ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def grid_value(i: int, year: int) -> float:
    """High in the west, low in the east; rising in the west, falling in the east,
    flat in the middle columns."""
    column = i % GRID
    slope = {0: 0.8, 1: 0.6, GRID - 1: -0.7}.get(column, 0.0)
    wobble = ((i * 7 + year * 3) % 5) / 10  # breaks ties, keeps the middle flat
    return 20.0 - 2.5 * column + slope * (year - 2015) + (0 if slope else wobble)


@pytest.fixture
def grid_engine(engine: Engine) -> Engine:
    """A region of 36 square municipalities with seven years of a share; one
    2021 value is kept secret by the source."""
    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
        save_areas(
            conn,
            [Area(code=ROOT, name="Region Raster", level="region")]
            + [
                Area(
                    code=cell(i),
                    name=f"Rasterort {i + 1:02d}",
                    level="municipality",
                    parent=ROOT,
                    geometry=square(i),
                )
                for i in range(GRID * GRID)
            ],
        )
        share = queries.indicator_id(conn, SHARE)
        rows = []
        for i in range(GRID * GRID):
            area_id = queries.area_id(conn, cell(i))
            for period in PERIODS:
                secret = (cell(i), period) == SECRET_CELL
                value = SECRET_VALUE if secret else grid_value(i, int(period))
                rows.append(
                    {
                        "indicator_id": share,
                        "area_id": area_id,
                        "period": period,
                        "value": value,
                        "numerator": value * 100,
                        "denominator": 10_000.0,
                        "flags": int(Flag.SUPPRESSED) if secret else 0,
                        "note": None,
                    }
                )
        release = draft_release(conn, "2022")
        store_observations(conn, release, pd.DataFrame(rows))
        publish_release(conn, "2022")
    return engine


def page_json(client: TestClient, **params: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/pages/indikator/{SHARE}", params=params)
    assert response.status_code == 200, response.text[:500]
    found: dict[str, Any] = response.json()
    return found


def hidden_cells(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        found = queries.read_observations(
            conn,
            queries.ObservationQuery(indicators=[SHARE], periods=["2021"]),
            audience=Audience.PUBLIC,
        )
    return {o.area for o in found if o.value is None}


def test_hot_spots_equal_the_command_line_and_hide_the_secret_value(
    grid_engine: Engine,
) -> None:
    client = TestClient(create_app(grid_engine))
    params = {"raum": ROOT, "ebene": "municipality", "ansicht": "hotspots"}
    content = page_json(client, **params)["hotspots"]
    expected = cli_json(
        grid_engine, "stats", "spatial", "--indicator", SHARE, "--level", "municipality"
    )
    assert expected["period"] == "2021"
    assert content["moran_i"] == pytest.approx(expected["moran"]["i"], rel=1e-12)
    assert content["moran_p"] == expected["moran"]["p_value"]
    assert content["clusters"] == {
        a["code"]: a["cluster"]["code"] for a in expected["areas"]
    }
    # The pattern is there to be found: west hot, east cold.
    assert content["clusters"][cell(0)] == "high-high"
    assert content["clusters"][cell(GRID - 1)] == "low-low"
    # Every cell the gate hides (the secret one and any secondary) is not classified.
    hidden = hidden_cells(grid_engine)
    assert SECRET_CELL[0] in hidden
    assert {content["clusters"][code] for code in hidden} == {"not_analysed"}

    html = client.get(f"/indikator/{SHARE}", params=params)
    assert html.status_code == 200
    page = BeautifulSoup(html.text, "html.parser")
    view = page.select_one("section.view-hotspots")
    assert view is not None
    statement = view.select_one(".moran-statement")
    assert statement is not None
    i_text = f"{expected['moran']['i']:.2f}".replace(".", ",")
    p_text = f"{expected['moran']['p_value']:.3f}".replace(".", ",")
    assert statement.get_text(strip=True) == (
        f"Die Werte sind räumlich geclustert (Moran's I = {i_text}, p = {p_text})."
    )
    secret = view.select_one(f'a.map-area[data-code="{SECRET_CELL[0]}"]')
    assert secret is not None
    assert "nicht untersucht" in secret["aria-label"]
    assert "77,8" not in html.text and "77.8" not in html.text
    legend = [" ".join(li.get_text().split()) for li in view.select(".map-legend li")]
    assert legend[0].startswith("hoch-hoch (Hot Spot) (")
    assert any(line.startswith("nicht untersucht") for line in legend)
    tab = page.select_one('nav a[aria-current="page"]')
    assert tab is not None and tab.get_text(strip=True) == "Hot Spots"


def test_a_large_level_is_analysed_in_the_background(
    grid_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``IN_REQUEST_LIMIT`` areas (Germany's municipalities) a view not
    computed ahead is analysed in the background: the page waits up to
    ``FIRST_VIEW_WAIT`` for it, and says it is being computed when that is not
    enough; a later request shows it, with the command line's numbers."""
    monkeypatch.setattr(indicator_hotspots, "IN_REQUEST_LIMIT", GRID * GRID - 1)
    monkeypatch.setattr(indicator_hotspots, "FIRST_VIEW_WAIT", 0.0)
    client = TestClient(create_app(grid_engine))
    params = {"raum": ROOT, "ebene": "municipality", "ansicht": "hotspots"}
    first = client.get(f"/indikator/{SHARE}", params=params)
    assert first.status_code == 200
    page = BeautifulSoup(first.text, "html.parser")
    status = page.select_one('.view-hotspots [role="status"]')
    assert status is not None and "wird gerade berechnet" in status.get_text()
    assert page.select_one(".view-hotspots svg") is None
    deadline = time.monotonic() + 60
    content = page_json(client, **params)["hotspots"]
    while content["pending"] and time.monotonic() < deadline:
        time.sleep(0.2)
        content = page_json(client, **params)["hotspots"]
    expected = cli_json(
        grid_engine, "stats", "spatial", "--indicator", SHARE, "--level", "municipality"
    )
    assert not content["pending"]
    assert content["moran_i"] == pytest.approx(expected["moran"]["i"], rel=1e-12)
    assert content["clusters"] == {
        a["code"]: a["cluster"]["code"] for a in expected["areas"]
    }
    # With time to wait, the first request of another view shows its map.
    monkeypatch.setattr(indicator_hotspots, "FIRST_VIEW_WAIT", 30.0)
    other = page_json(client, **params, zeitraum="2018")["hotspots"]
    assert not other["pending"] and other["moran_i"] is not None


def test_a_large_level_is_computed_ahead_for_every_period(
    grid_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keep-warm round computes the hot spots of every indicator and period of
    a large level ahead (issue 13: the first request of any view draws the map at
    once), with the numbers of ``stats spatial`` for that period."""
    monkeypatch.setattr(indicator_hotspots, "IN_REQUEST_LIMIT", GRID * GRID - 1)
    monkeypatch.setattr(indicator_hotspots, "FIRST_VIEW_WAIT", 0.0)
    warm_data(grid_engine)
    # Nothing left to compute for this data version.
    assert indicator_hotspots.precompute(grid_engine) == 0
    client = TestClient(create_app(grid_engine))
    for period in ("2015", "2019", "2021"):
        params = {
            "raum": ROOT,
            "ebene": "municipality",
            "ansicht": "hotspots",
            "zeitraum": period,
        }
        content = page_json(client, **params)["hotspots"]
        assert not content["pending"]
        expected = cli_json(
            grid_engine,
            "stats",
            "spatial",
            "--indicator",
            SHARE,
            "--level",
            "municipality",
            "--period",
            period,
        )
        assert content["moran_p"] == expected["moran"]["p_value"]
        assert content["clusters"] == {
            a["code"]: a["cluster"]["code"] for a in expected["areas"]
        }
        page = BeautifulSoup(
            client.get(f"/indikator/{SHARE}", params=params).text, "html.parser"
        )
        assert page.select_one(".view-hotspots svg") is not None
        assert page.select_one('.view-hotspots [role="status"]') is None


def test_trend_markers_equal_the_command_line(grid_engine: Engine) -> None:
    client = TestClient(create_app(grid_engine))
    table = page_json(client, raum=ROOT, ebene="municipality", ansicht="tabelle")[
        "table"
    ]
    shown = {row["code"]: row["trend"] for row in table["rows"]}
    assert len(shown) == GRID * GRID
    for code in (cell(0), cell(1), cell(2), cell(GRID - 1), SECRET_CELL[0]):
        expected = cli_json(
            grid_engine, "stats", "trend", "--indicator", SHARE, "--area", code
        )
        assert shown[code]["code"] == expected["direction"]["code"]
        assert shown[code]["text"] == expected["direction"]["label"]
    assert shown[cell(0)]["text"] == "steigend, signifikant"
    assert shown[cell(GRID - 1)]["text"] == "fallend, signifikant"
    assert shown[cell(2)]["text"] == "kein signifikanter Trend"
    # The secret 2021 value is left out of the test: 2015–2020.
    assert shown[SECRET_CELL[0]]["periods"] == "2015–2020"
    assert table["trend_note"].startswith("Trend: Mann-Kendall-Test")

    page = BeautifulSoup(
        client.get(
            f"/indikator/{SHARE}",
            params={"raum": ROOT, "ebene": "municipality", "ansicht": "tabelle"},
        ).text,
        "html.parser",
    )
    marker = page.select_one(f'tr[data-code="{cell(0)}"] .trend-marker')
    assert marker is not None
    symbol = marker.select_one(".trend-symbol")
    assert symbol is not None and symbol["aria-hidden"] == "true"
    assert marker.get_text(" ", strip=True) == "▲ steigend, signifikant (2015–2021)"

    chart = page_json(
        client,
        raum=ROOT,
        ebene="municipality",
        ansicht="diagramm",
        gebiete=cell(GRID - 1),
    )["chart"]
    trends = {c["code"]: c["trend"]["code"] for c in chart["columns"]}
    root = cli_json(grid_engine, "stats", "trend", "--indicator", SHARE, "--area", ROOT)
    assert trends == {ROOT: root["direction"]["code"], cell(GRID - 1): "decreasing"}


def test_trend_markers_in_english(grid_engine: Engine) -> None:
    client = TestClient(create_app(grid_engine))
    page = BeautifulSoup(
        client.get(
            f"/indikator/{SHARE}",
            params={
                "raum": ROOT,
                "ebene": "municipality",
                "ansicht": "tabelle",
                "lang": "en",
            },
        ).text,
        "html.parser",
    )
    marker = page.select_one(f'tr[data-code="{cell(GRID - 1)}"] .trend-marker')
    assert marker is not None
    assert marker.get_text(" ", strip=True) == "▼ decreasing, significant (2015–2021)"
    note = page.select_one(".trend-note")
    assert note is not None and note.get_text().startswith("Trend: Mann-Kendall test")


def test_contiguity_is_built_once_and_anew_after_an_area_import(
    grid_engine: Engine, tmp_path: Path
) -> None:
    """Every indicator and period of a level shares one contiguity (issue 13: at
    Germany size building it takes seconds); an import of areas builds it anew."""
    rule = Contiguity.QUEEN
    with grid_engine.connect() as conn:
        first = level_contiguity(conn, "municipality", rule)
        for period in ("2021", "2019"):
            spatial_level(conn, indicator=SHARE, level="municipality", period=period)
        assert level_contiguity(conn, "municipality", rule) is first
        assert level_contiguity(conn, "municipality", Contiguity.ROOK) is not first
    assert first is not None and first.of(cell(0)) == (
        cell(1),
        cell(GRID),
        cell(GRID + 1),
    )
    # Rasterort 02 moves far away: it borders nobody any more.
    moved = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": cell(1),
                    "name": "Rasterort 02",
                    "level": "municipality",
                    "parent": ROOT,
                },
                "geometry": json.loads(square(1))
                | {
                    "coordinates": [
                        [[50, 50], [50.1, 50], [50.1, 50.1], [50, 50.1], [50, 50]]
                    ]
                },
            }
        ],
    }
    path = tmp_path / "moved.geojson"
    path.write_text(json.dumps(moved), encoding="utf-8")
    import_areas(grid_engine, path)
    with grid_engine.connect() as conn:
        rebuilt = level_contiguity(conn, "municipality", rule)
        report = spatial_level(conn, indicator=SHARE, level="municipality")
    assert rebuilt is not first and rebuilt is not None
    assert rebuilt.of(cell(1)) == ()
    assert cell(1) in report.analysis.islands


def test_the_analysis_reads_one_period_only(grid_engine: Engine) -> None:
    """The values of the view's period (or, without one, of the newest), never
    every period's (issue 13)."""
    sent: list[str] = []

    def keep(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any
    ) -> None:
        sent.append(f"{statement} {parameters}")

    event.listen(grid_engine, "before_cursor_execute", keep)
    try:
        with grid_engine.connect() as conn:
            for period in ("2019", None):
                sent.clear()
                report = spatial_level(
                    conn, indicator=SHARE, level="municipality", period=period
                )
                reads = [s for s in sent if "observation" in s and "period" in s]
                assert reads
                shown = report.period
                others = {p for p in PERIODS if p != shown}
                assert not [s for s in reads if any(f"'{p}'" in s for p in others)]
                assert any(f"'{shown}'" in s for s in reads)
    finally:
        event.remove(grid_engine, "before_cursor_execute", keep)
    assert report.period == "2021"


def test_large_levels_are_analysed_in_a_worker_process(grid_engine: Engine) -> None:
    """The analyses computed ahead or in the background run in a child process,
    not in the one serving pages (whose requests they would otherwise slow), and
    give what the same analysis gives here — for the public and for the
    administration, whose values differ."""
    results = []
    for audience in (Audience.PUBLIC, Audience.INTERNAL):
        job = cluster_worker.ClusterJob(
            indicator=SHARE,
            level="municipality",
            period="2021",
            rule="queen",
            audience=audience,
        )
        there = cluster_worker.submit(grid_engine, job).result(timeout=120)
        assert there == cluster_worker.compact_clusters(grid_engine, job)
        results.append(there)
    workers = multiprocessing.active_children()
    assert workers and all(worker.pid != os.getpid() for worker in workers)
    public, internal = results
    # The secret value: not analysed for the public, analysed inside.
    assert public.codes == internal.codes and public.kinds != internal.kinds


def test_without_a_worker_process_the_analyses_run_here(
    grid_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Where no process can be started (a program embedding the app without the
    main-module guard), the analyses run in a thread of this process, with a
    warning, instead of failing every round."""

    def refused() -> None:
        raise RuntimeError("An attempt has been made to start a new process …")

    monkeypatch.setattr(cluster_worker, "_process", refused)
    monkeypatch.setattr(cluster_worker, "_warned", threading.Event())
    job = cluster_worker.ClusterJob(
        indicator=SHARE,
        level="municipality",
        period="2021",
        rule="queen",
        audience=Audience.PUBLIC,
    )
    with caplog.at_level("WARNING"):
        found = cluster_worker.submit(grid_engine, job).result(timeout=120)
    assert found == cluster_worker.compact_clusters(grid_engine, job)
    assert found.codes and found.moran is not None
    assert "no worker process could be started" in caplog.text
