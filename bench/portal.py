"""Portal latency and page weight, on the demo data and at Germany size.

For every page type and its JSON twin: server-side latency (median and 95th
percentile, in-process through the ASGI app) over distinct URLs, 2 x ``--runs`` per
page type, built from the database itself (indicators with values at one level,
their periods, areas spread over the level, topics, words of indicator, topic and
area names). The page is timed on the first half, its twin on the second, each URL
requested once in one app started as ``sozialmonitor serve`` starts it
(``create_app``, ``warm_up``, ``settle_memory``): every timed request is
the first of its view in a running server — the catalogue snapshot warm, the
per-view caches cold. Where the data has fewer views than URLs are needed (the
start page; the topics, even with their ``?lang=en`` views; the demo's 22
municipalities) the URLs repeat, and the table says how many were distinct.

Beside it, the bare SQL behind the page: the statements a fresh process sends to
answer the page — read per request or once per data version into the catalogue
snapshot — replayed bare. They are recorded (SELECTs, through an SQLAlchemy event)
while a fresh engine and app, without ``warm_up``, answer the first twin URL of the
page type, and replayed ``--runs`` times through the driver with nothing else around
them; "JSON / bare" is the twin's median over the bare median. Of it "per request":
the statements the same URL sends as the first request of a fresh app after
``warm_up``, replayed alike; that request's time is reported too. And the bytes a
browser transfers for the page (gzip) with its stylesheets and scripts (first URL).

Targets (issue "The public portal"): p95 under 100 ms for every page type at Germany
size; each JSON twin within 2x of its bare SQL; under 300 KB compressed per page.

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
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portal_index import store_index
from portal_urls import PageCase, cases
from sqlalchemy import Engine, event, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
OUT = Path(__file__).resolve().parent / "out"
DEFAULT_SHARED = REPO.parent / "shared" / "data"
RUNS = 30
TARGET_P95_MS = 100.0
TARGET_BYTES = 300 * 1024
BACKGROUND_THREADS = (
    "sozialmonitor-gap-count",
    "sozialmonitor-keep-warm",
    "sozialmonitor-lisa",
)
"""Names of the app's background threads, whose reads are no request's."""
REPLAY_BUDGET_S = 10.0
"""Seconds one bare replay series may take; slower statements run three times."""

if TYPE_CHECKING:
    from httpx import Response


@dataclass(frozen=True)
class Figures:
    name: str
    urls: int
    distinct: int
    page_median: float
    page_p95: float
    json_median: float
    json_p95: float
    bare_median: float
    statements: int
    request_median: float
    """Bare SQL of the statements the first twin URL sends after ``warm_up``."""
    request_statements: int
    page_bytes: int
    cold_ms: float


def _timed(
    call: Callable[[], Any], runs: int, budget_s: float = REPLAY_BUDGET_S
) -> list[float]:
    """Milliseconds of ``runs`` calls, or of as many as fit in ``budget_s`` (at
    least three): a bare replay that reads a country's values from 11,000
    municipalities takes seconds."""
    times: list[float] = []
    spent = 0.0
    while len(times) < runs and (len(times) < 3 or spent < budget_s):
        start = time.perf_counter()
        call()
        took = time.perf_counter() - start
        times.append(took * 1000)
        spent += took
    return times


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


# --- measuring ----------------------------------------------------------------------


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
        # Reads only: the connection's own BEGIN (SQLite recipe) is not the page's;
        # nor what the app's background threads read meanwhile (the map of data
        # gaps that warm_up starts: a scan of every value, ~1 minute bare).
        first = statement.lstrip()[:6].upper()
        if threading.current_thread().name.startswith(BACKGROUND_THREADS):
            return
        if self.recording and (first == "SELECT" or first.startswith("WITH")):
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


def _get(client: Any, url: str) -> Response:
    """``url``, which must answer HTTP 200."""
    response: Response = client.get(url)
    _check(url, response)
    return response


def _check(url: str, response: Response) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}\n{response.text[:500]}")


def _timed_requests(client: Any, urls: Sequence[str]) -> list[float]:
    """Each URL once; the status is checked after the clock stopped."""
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        _check(url, response)
    return times


_ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def page_bytes(client: Any, url: str) -> int:
    """Compressed bytes of the page and every stylesheet and script it loads."""
    headers = {"Accept-Encoding": "gzip"}
    response = client.get(url, headers=headers)
    _check(url, response)
    total = response.num_bytes_downloaded
    for asset in sorted(set(_ASSET.findall(response.text))):
        total += client.get(asset, headers=headers).num_bytes_downloaded
    return int(total)


def wait_for_gap_counts(engine: Engine) -> None:
    """Wait until the gap counts ``warm_up`` started in the background are done."""
    from sozialmonitor.web.pages.gaps_matrix import (
        COUNTED,
        chosen_top,
        start_gap_matrix,
    )
    from sozialmonitor.web.snapshot import snapshot

    for audience in COUNTED:
        top = chosen_top(snapshot(engine, audience), "")
        start_gap_matrix(engine, audience, top).result()


def _fresh_request(
    url: str, twin: str, *, warm: bool
) -> tuple[list[tuple[str, Any]], float]:
    """The SELECTs and the milliseconds of ``twin`` as the first request of a fresh
    engine and app (after ``warm_up`` when ``warm``)."""
    from fastapi.testclient import TestClient

    from sozialmonitor.store.database import connect
    from sozialmonitor.web.app import create_app, warm_up

    fresh = connect(url)
    try:
        client = TestClient(create_app(fresh))
        if warm:
            warm_up(fresh)  # as `sozialmonitor serve` does before it takes requests
            # ... and its map of data gaps, counted in the background (half a minute
            # at Germany size): waited for, so that its scan is neither recorded as
            # the request's SQL nor left running beside the timed requests.
            wait_for_gap_counts(fresh)
        log = StatementLog(fresh)
        start = time.perf_counter()
        statements = log.capture(lambda: _get(client, twin))
        return statements, (time.perf_counter() - start) * 1000
    finally:
        fresh.dispose()


def _figures(
    client: Any,
    engine: Engine,
    case: PageCase,
    statements: list[tuple[str, Any]],
    cold: tuple[list[tuple[str, Any]], float],
) -> Figures:
    """Time the case's pages and twins in the running app, then replay its SQL."""
    page = _timed_requests(client, case.pages)
    twin = _timed_requests(client, case.twins)
    bare = _timed(lambda: replay(engine, statements), len(case.pages))
    per_request = _timed(lambda: replay(engine, cold[0]), len(case.pages))
    return Figures(
        name=case.name,
        urls=len(case.urls),
        distinct=case.distinct,
        page_median=statistics.median(page),
        page_p95=_p95(page),
        json_median=statistics.median(twin),
        json_p95=_p95(twin),
        bare_median=statistics.median(bare),
        statements=len(statements),
        request_median=statistics.median(per_request),
        request_statements=len(cold[0]),
        page_bytes=page_bytes(client, case.urls[0]),
        cold_ms=cold[1],
    )


def measure(
    engine: Engine,
    page_cases: list[PageCase],
    role: str | None = None,
    scope: str | None = None,
    during_round: str | None = None,
) -> list[Figures]:
    """The figures of every page type, for the public, or with ``role`` for an
    account of that role (and area ``scope``) signed in first. With
    ``during_round`` (``worker`` or ``thread``), timed while the keep-warm round
    computes the hot spots of the large levels — as after every start and data
    version — in the worker process or, for comparison, in a thread of the
    serving process as before; otherwise after the round."""
    from fastapi.testclient import TestClient
    from signed_in import development_cookies, sign_in

    from sozialmonitor.web.app import create_app, settle_memory, warm_data, warm_up

    url = engine.url.render_as_string(hide_password=False)
    # Each page type's first twin URL in fresh processes: without warm_up, every
    # statement behind it, catalogue reads included; after warm_up, the first
    # request a visitor can meet.
    behind = {c.name: _fresh_request(url, c.twins[0], warm=False) for c in page_cases}
    colds = {c.name: _fresh_request(url, c.twins[0], warm=True) for c in page_cases}
    # One app for all timed requests, started as `sozialmonitor serve` starts it;
    # no request before the timed ones, so each is the first of its view.
    # The client as a context manager: one event loop and its worker threads for
    # all requests, as under uvicorn (without it every request starts new threads,
    # and thread-bound state such as pyproj's transformers is rebuilt each time).
    defaults = gc.get_threshold()
    app = create_app(engine)
    development_cookies(app)
    with TestClient(app) as client:
        warm_up(engine)
        # The map of data gaps, which `serve` computes in the background after
        # start-up (half a minute at Germany size): one-time work, waited for here
        # so that it does not share the processor with the timed requests.
        warm_data(engine, hotspots=during_round is None)
        if role is not None:
            sign_in(client, engine, role, scope)
        settle_memory()
        round_ = None if during_round is None else hotspot_round(engine, during_round)
        try:
            return [
                _figures(client, engine, c, behind[c.name][0], colds[c.name])
                for c in page_cases
            ]
        finally:
            gc.unfreeze()
            gc.set_threshold(*defaults)
            if round_ is not None:
                print(
                    "The hot-spot round was still running after the last timed "
                    f"request: {'yes' if round_.is_alive() else 'NO'}. " + memory_line()
                )


def memory_line() -> str:
    """Peak and current resident memory of this process and its children (the
    hot-spot worker process), MB."""
    import multiprocessing

    parts = []
    for name, pid in [("this process", "self")] + [
        (f"worker {child.pid}", str(child.pid))
        for child in multiprocessing.active_children()
    ]:
        status = dict(
            line.split(":", 1)
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if ":" in line
        )
        peak, now = (int(status[k].split()[0]) / 1024 for k in ("VmHWM", "VmRSS"))
        parts.append(f"{name}: peak {peak:.0f} MB, resident {now:.0f} MB")
    return "; ".join(parts) + "."


def hotspot_round(engine: Engine, where: str) -> threading.Thread:
    """Start the keep-warm round of hot-spot analyses in a thread (it hands each
    analysis to the worker process, or with ``where == "thread"`` computes it in
    that thread, as the portal did before the worker process)."""
    from concurrent.futures import ThreadPoolExecutor

    from sozialmonitor.analysis.service import cluster_worker
    from sozialmonitor.web.app import warm_data

    if where == "thread":
        in_thread = ThreadPoolExecutor(max_workers=1)
        cluster_worker.submit = lambda eng, job: in_thread.submit(
            cluster_worker.compact_clusters, eng, job
        )
    started = threading.Thread(target=warm_data, args=(engine,), daemon=True)
    started.start()
    return started


def print_table(title: str, figures: list[Figures]) -> None:
    urls = figures[0].urls if figures else 0
    print(f"\n## {title}\n")
    print(
        f"Page and JSON figures over {urls} distinct URLs per page type (the page on "
        f"{urls // 2}, its twin on the other {urls // 2}, each requested once in one "
        "app warmed as `sozialmonitor serve` is: every request the first of its "
        "view), except where the column URLs says fewer: those URLs repeat, and "
        "later requests meet what earlier ones left in the caches. Bare SQL: every "
        "SELECT a fresh process sends for the first twin URL (catalogue reads "
        "included), replayed bare; of it per request: the SELECTs the same URL sends "
        "after warm_up.\n"
    )
    print(
        "| page | URLs | page median / p95 ms | JSON median / p95 ms "
        "| bare SQL median ms (statements) | of it per request ms (statements) "
        "| JSON / bare | JSON / per request | KB (gzip, with assets) "
        "| first JSON request (fresh app, after warm_up) ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for f in figures:
        ratio = f.json_median / f.bare_median if f.bare_median else float("nan")
        own = f.json_median / f.request_median if f.request_median else float("nan")
        flags = []
        if f.page_p95 > TARGET_P95_MS:
            flags.append("p95>100")
        if ratio > 2:
            flags.append("JSON>2x")
        if f.page_bytes > TARGET_BYTES:
            flags.append(">300KB")
        mark = f" **{', '.join(flags)}**" if flags else ""
        shown = str(f.urls) if f.distinct == f.urls else f"{f.distinct}, repeated"
        print(
            f"| {f.name}{mark} | {shown} | {f.page_median:.1f} / {f.page_p95:.1f} | "
            f"{f.json_median:.1f} / {f.json_p95:.1f} | "
            f"{f.bare_median:.2f} ({f.statements}) | "
            f"{f.request_median:.2f} ({f.request_statements}) | {ratio:.1f}x | "
            f"{own:.1f}x | "
            f"{f.page_bytes / 1024:.0f} | {f.cold_ms:.0f} |"
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
    from sozialmonitor.store.database import connect, init_database

    source, target = out / "germany.db", out / "portal_germany.db"
    if not source.exists():
        raise SystemExit(
            f"{source} is missing: run `python bench/germany.py --skip-pg` first."
        )
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        engine = connect(f"sqlite:///{target}")
        init_database(engine)  # a copy from an earlier run may lack new migrations
        return engine
    shutil.copyfile(source, target)
    engine = connect(f"sqlite:///{target}")
    init_database(engine)
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


def _page_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def chosen(page_cases: list[PageCase], names: list[str] | None) -> list[PageCase]:
    """The cases named (all without ``--pages``); stops on a name no case has."""
    if names is None:
        return page_cases
    known = [c.name for c in page_cases]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(
            f"--pages: no page type {', '.join(map(repr, unknown))} in this data; "
            f"known: {', '.join(known)}"
        )
    return [c for c in page_cases if c.name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=RUNS,
        help="requests per page and per JSON twin, each on a URL of its own",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--skip-germany", action="store_true", help="demo data only")
    parser.add_argument(
        "--role",
        choices=["reader", "editor", "publisher", "administrator"],
        help="time the pages for a signed-in account of this role (the read gate's "
        "internal view); default: the public",
    )
    parser.add_argument("--scope", help="the signed-in account's area scope (a code)")
    parser.add_argument(
        "--pages",
        type=_page_names,
        help="time only these page types, comma-separated by their names in the "
        "table (e.g. 'sozialindex,start'; 'indicator: map' with its space quoted); "
        "default: all",
    )
    parser.add_argument(
        "--during-round",
        choices=["worker", "thread"],
        help="time the pages while the hot-spot round of the large levels runs (as "
        "after every start and data version), in the worker process or, for "
        "comparison, in a thread of the serving process; default: after it",
    )
    args = parser.parse_args(argv)
    who = f"signed in as {args.role}" + (f" within {args.scope}" if args.scope else "")
    who = who if args.role else "public"
    args.out.mkdir(parents=True, exist_ok=True)

    demo = demo_engine(args.out)
    demo_cases = chosen(
        cases(demo, level="municipality", period="2021", runs=args.runs), args.pages
    )
    print_table(
        f"Demo data (Region Hannover, Berlin), {who}",
        measure(demo, demo_cases, args.role, args.scope, args.during_round),
    )
    if args.skip_germany:
        return 0
    germany = germany_engine(args.out, args.shared)
    store_index(germany, args.out)
    germany_cases = chosen(
        cases(germany, level="municipality", period="2021", runs=args.runs),
        args.pages,
    )
    print_table(
        "Germany size (10,786 municipalities, 100 indicators, 10 years; SQLite), "
        + who,
        measure(germany, germany_cases, args.role, args.scope, args.during_round),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
