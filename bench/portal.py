"""Portal latency and page weight, on the demo data and at Germany size.

For every page type and its JSON twin: server-side latency (median and 95th
percentile, in-process through the ASGI app, as ``sozialmonitor serve`` runs it after
``gc.freeze()``), beside the time of the bare SQL behind the page in the same run —
the very statements the JSON twin sent to the database, recorded and replayed
through the driver with nothing else around them — and the bytes a browser
transfers for the page (gzip) with its stylesheets and scripts.

Targets (issue "The public portal"): p95 under 100 ms for every page type at Germany
size; each JSON twin within 2x of its bare query; under 300 KB compressed per page.

The Germany database is the one ``bench/germany.py`` builds (``bench/out/germany.db``,
10,786 municipalities x 100 indicators x 10 years, 97 of them SYNTHETIC); this script
copies it and gives the municipalities and districts their real VG5000 boundaries
(BKG, dl-de/by-2-0) through the product's own area import.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
OUT = Path(__file__).resolve().parent / "out"
DEFAULT_SHARED = REPO.parent / "shared" / "data"
RUNS = 30
TARGET_P95_MS = 100.0
TARGET_BYTES = 300 * 1024


@dataclass(frozen=True)
class PageCase:
    """One page type and the URL measured for it."""

    name: str
    url: str


@dataclass(frozen=True)
class Figures:
    name: str
    page_median: float
    page_p95: float
    json_median: float
    json_p95: float
    bare_median: float
    page_bytes: int
    cold_ms: float


def _timed(call: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def cases(
    *,
    indicator: str,
    level: str,
    period: str,
    area: str,
    other: str,
    topic: str,
    query: str,
) -> list[PageCase]:
    base = f"/indikator/{indicator}?ebene={level}&zeitraum={period}"
    return [
        PageCase("start", "/"),
        PageCase("topic", f"/thema/{topic}"),
        PageCase("indicator: map", base + "&ansicht=karte"),
        PageCase("indicator: chart", base + f"&ansicht=diagramm&gebiete={area}"),
        PageCase("indicator: table", base + "&ansicht=tabelle"),
        PageCase("indicator: change", base + "&ansicht=veraenderung"),
        PageCase("area profile", f"/gebiet/{area}"),
        PageCase("compare", f"/vergleich?gebiete={area}&gebiete={other}"),
        PageCase("methods", "/methoden"),
        PageCase("search", f"/suche?q={query}"),
    ]


class StatementLog:
    """The SQL statements a request runs, recorded so they can be replayed bare."""

    def __init__(self, engine: Engine) -> None:
        self.recording = False
        self.statements: list[tuple[str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(
        self,
        _conn: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        _many: bool,
    ) -> None:
        # Reads only: the connection's own BEGIN (SQLite recipe) is not the page's.
        if self.recording and statement.lstrip()[:6].upper() in ("SELECT", "WITH ("):
            self.statements.append((statement, parameters))

    def capture(self, call: Callable[[], Any]) -> list[tuple[str, Any]]:
        self.statements, self.recording = [], True
        try:
            call()
        finally:
            self.recording = False
        return self.statements


def replay(engine: Engine, statements: list[tuple[str, Any]]) -> None:
    """The recorded statements through the driver, rows fetched, nothing else."""
    with engine.connect() as conn:
        for statement, parameters in statements:
            conn.exec_driver_sql(statement, parameters).fetchall()


def json_url(url: str) -> str:
    path, _, query = url.partition("?")
    twin = "/api/v1/pages" + ("/start" if path == "/" else path)
    return twin + (f"?{query}" if query else "")


_ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def page_bytes(client: Any, url: str) -> int:
    """Compressed bytes of the page and every stylesheet and script it loads."""
    headers = {"Accept-Encoding": "gzip"}
    response = client.get(url, headers=headers)
    total = response.num_bytes_downloaded
    for asset in sorted(set(_ASSET.findall(response.text))):
        total += client.get(asset, headers=headers).num_bytes_downloaded
    return int(total)


def measure(engine: Engine, page_cases: list[PageCase], runs: int) -> list[Figures]:
    from fastapi.testclient import TestClient

    from sozialmonitor.store.database import connect
    from sozialmonitor.web.app import create_app, warm_up

    colds: dict[str, float] = {}
    behind: dict[str, list[tuple[str, Any]]] = {}
    url = engine.url.render_as_string(hide_password=False)
    for case in page_cases:
        # A fresh engine and app per view: nothing of this view is kept yet, so the
        # statements of its first JSON request are all the SQL behind it.
        fresh = connect(url)
        fresh_client = TestClient(create_app(fresh))
        warm_up(fresh)  # as `sozialmonitor serve` does before it takes requests
        log = StatementLog(fresh)
        start = time.perf_counter()
        behind[case.name] = log.capture(
            lambda c=case, f=fresh_client: f.get(json_url(c.url)).raise_for_status()
        )
        colds[case.name] = (time.perf_counter() - start) * 1000
        fresh.dispose()
    client = TestClient(create_app(engine))
    warm_up(engine)
    for case in page_cases:
        response = client.get(case.url)
        if response.status_code != 200:
            raise SystemExit(
                f"{case.url}: HTTP {response.status_code}\n{response.text[:500]}"
            )
        client.get(json_url(case.url)).raise_for_status()
    gc.collect()
    gc.freeze()  # as `sozialmonitor serve` does after start-up
    found: list[Figures] = []
    for case in page_cases:
        page = _timed(lambda c=case: client.get(c.url), runs)
        twin = _timed(lambda c=case: client.get(json_url(c.url)), runs)
        bare_times = _timed(lambda s=behind[case.name]: replay(engine, s), runs)
        found.append(
            Figures(
                name=case.name,
                page_median=statistics.median(page),
                page_p95=_p95(page),
                json_median=statistics.median(twin),
                json_p95=_p95(twin),
                bare_median=statistics.median(bare_times),
                page_bytes=page_bytes(client, case.url),
                cold_ms=colds[case.name],
            )
        )
    gc.unfreeze()
    return found


def print_table(title: str, figures: list[Figures]) -> None:
    print(f"\n## {title}\n")
    print(
        "| page | page median / p95 ms | JSON median / p95 ms | bare SQL median ms "
        "| JSON / bare | KB (gzip, with assets) | first JSON request (fresh app) ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for f in figures:
        ratio = f.json_median / f.bare_median if f.bare_median else float("nan")
        flags = []
        if f.page_p95 > TARGET_P95_MS:
            flags.append("p95>100")
        if ratio > 2:
            flags.append("JSON>2x")
        if f.page_bytes > TARGET_BYTES:
            flags.append(">300KB")
        mark = f" **{', '.join(flags)}**" if flags else ""
        print(
            f"| {f.name}{mark} | {f.page_median:.1f} / {f.page_p95:.1f} | "
            f"{f.json_median:.1f} / {f.json_p95:.1f} | {f.bare_median:.2f} | "
            f"{ratio:.1f}x | {f.page_bytes / 1024:.0f} | {f.cold_ms:.0f} |"
        )


def demo_engine(out: Path) -> Engine:
    from sozialmonitor.ingest.demo import build_demo_database
    from sozialmonitor.store.database import connect

    engine = connect(f"sqlite:///{out / 'portal_demo.db'}")
    build_demo_database(engine)
    return engine


def germany_engine(out: Path, shared: Path) -> Engine:
    """A copy of the Germany benchmark database with real boundaries."""
    from sozialmonitor.ingest.areas import import_areas
    from sozialmonitor.store.database import connect

    source, target = out / "germany.db", out / "portal_germany.db"
    if not source.exists():
        raise SystemExit(
            f"{source} is missing: run `python bench/germany.py --skip-pg` first."
        )
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return connect(f"sqlite:///{target}")
    shutil.copyfile(source, target)
    engine = connect(f"sqlite:///{target}")
    boundaries = shared / "germany-vg5000"
    if not (boundaries / "VG5000_GEM.shp").exists():
        raise SystemExit(f"{boundaries}/VG5000_GEM.shp is missing (BKG VG5000).")
    import geopandas as gpd

    with engine.connect() as conn:
        known = {
            r.code: r
            for r in conn.execute(
                text(
                    "SELECT a.code, a.name, l.code AS level, p.code AS parent "
                    "FROM area a JOIN area_level l ON l.id = a.level_id "
                    "LEFT JOIN area p ON p.id = a.parent_id"
                )
            )
        }
    features = []
    for layer, column in (("VG5000_GEM.shp", "AGS"), ("VG5000_KRS.shp", "AGS")):
        frame = gpd.read_file(boundaries / layer)
        frame = frame[frame["GF"].isin([4, 9])].to_crs(4326)
        frame = frame.dissolve(by=column).reset_index()
        for row in frame.itertuples():
            area = known.get(getattr(row, column))
            if area is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": area.code,
                        "name": area.name,
                        "level": area.level,
                        "parent": area.parent,
                    },
                    "geometry": row.geometry.__geo_interface__,
                }
            )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "germany_boundaries.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outcome = import_areas(engine, path)
    print(f"boundaries: {len(features)} areas, {outcome.rows_written} changed")
    return engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="requests per page")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--skip-germany", action="store_true", help="demo data only")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    demo = demo_engine(args.out)
    demo_cases = cases(
        indicator="unemployment_share",
        level="municipality",
        period="2021",
        area="03241011",
        other="03241001",
        topic="arbeit",
        query="Pflege",
    )
    print_table(
        "Demo data (Region Hannover, Berlin)", measure(demo, demo_cases, args.runs)
    )
    if args.skip_germany:
        return 0
    germany = germany_engine(args.out, args.shared)
    germany_cases = cases(
        indicator="inkar_unemployment_share",
        level="municipality",
        period="2021",
        area="03241011",
        other="03241001",
        topic="arbeit",
        query="Arbeitslose",
    )
    print_table(
        "Germany size (10,786 municipalities, 100 indicators, 10 years; SQLite)",
        measure(germany, germany_cases, args.runs),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
