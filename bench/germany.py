"""Benchmark on Germany-size data: import time, database size and read times.

The real INKAR municipal series for all ~11,000 municipalities, widened by generated
(labelled synthetic) indicators to 100 indicators x 10 years, about 11 million
observations, imported through the product's own import path into one release on
SQLite and on PostgreSQL; then the two reads every portal page is built on are timed
through the public read gate. See ``bench/README.md``.

Usage::

    .venv/bin/python bench/germany.py [--shared PATH] [--scale 0.1] [--pg URL]
        [--skip-pg] [--skip-sqlite] [--runs 20] [--explain] [--reads-only]
        [--gc-freeze] [--out PATH]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import importlib
import multiprocessing
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from germany_data import BenchFiles

# germany_data (pandas, xlrd, …) is imported where it is needed, not here: the reads
# run in a child process that imports this module and should hold what a web server
# holds, not more.

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out"
PG_ENV = "SOZIALMONITOR_BENCH_PG_URL"
RELEASE = "Germany benchmark"
WEB_APP = "sozialmonitor.web.app"
"""Loaded by the reading process, which then holds what the portal's process holds."""
MANIFEST = "files.json"
"""What the last run wrote (for ``--reads-only``)."""
RUNS = 20
IMPORT_TARGET_S = 120.0
READ_TARGET_MS = 50.0


def find_folder(shared: Path) -> Path:
    """The folder with the real files: ``shared/germany-inkar-gisd`` or ``shared``."""
    from germany_data import FOLDER, missing_files

    for candidate in (shared / FOLDER, shared):
        if not missing_files(candidate):
            return candidate
    missing = "\n  ".join(str(p) for p in missing_files(shared / FOLDER))
    sys.exit(
        f"The benchmark needs the real INKAR and VG250 files and did not find them "
        f"in {shared / FOLDER} (nor in {shared}). Missing:\n  {missing}\n"
        "Point --shared at the shared data folder (the one holding "
        f"'{FOLDER}/'), e.g. --shared ../shared/data."
    )


# --- measuring one database (in a fresh process, so that peak memory is its own) ---


@dataclass(kw_only=True)
class Figures:
    """What one database run measured."""

    database: str
    setup_s: float | None = None
    """Initialise, import the catalogue and the areas (not part of the target)."""
    import_s: float | None = None
    """All observation files validated and written into the draft release."""
    publish_s: float | None = None
    """The release published (the suppression patterns computed and stored)."""
    store_s: float | None = None
    """Of ``import_s``: the time spent in ``store_observations`` (the write)."""
    rows_written: int | None = None
    import_cpu_s: float | None = None
    """CPU seconds of the importing process during the import (the wall-clock time
    of a machine shared with other work says less)."""
    import_memory_mb: float | None = None
    """Peak memory of the importing process up to the end of the import."""
    publish_memory_mb: float | None = None
    """Peak memory of that process up to the end of the publication."""
    size_bytes: int
    size_detail: str
    read_memory_mb: float
    """Peak memory of the reading process."""
    settle_s: float
    """PostgreSQL: VACUUM (ANALYZE) after the import, before the reads."""
    gc_pauses_ms: list[float]
    """Full garbage collections during the timed reads."""
    profile_rows: int
    profile_ms: list[float]
    map_rows: int
    map_ms: list[float]
    plans: list[str]


@contextmanager
def _timed_store(seconds: list[float]) -> Iterator[None]:
    """Time ``store_observations`` inside ``import_observations`` (bench-only probe:
    the real function runs, it is only wrapped with a clock)."""
    from sozialmonitor.ingest import draft

    real = draft.store_observations

    def wrapper(*args: Any, **kwargs: Any) -> int:
        start = time.perf_counter()
        try:
            written: int = real(*args, **kwargs)
            return written
        finally:
            seconds.append(time.perf_counter() - start)

    draft.store_observations = wrapper
    try:
        yield
    finally:
        draft.store_observations = real


def _reset(database: str, url: str) -> None:
    if database == "sqlite":
        path = Path(make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    from sozialmonitor.store.database import connect

    engine = connect(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _size(database: str, engine: Engine) -> tuple[int, str]:
    if database == "sqlite":
        path = Path(engine.url.database or "")
        parts = {s or "db": Path(f"{path}{s}") for s in ("", "-wal", "-shm")}
        sizes = {k: p.stat().st_size if p.exists() else 0 for k, p in parts.items()}
        detail = ", ".join(f"{k} {v / 1e6:,.0f} MB" for k, v in sizes.items())
        return sum(sizes.values()), detail
    with engine.connect() as conn:
        total = int(conn.scalar(text("SELECT pg_database_size(current_database())")))
        table = int(conn.scalar(text("SELECT pg_total_relation_size('observation')")))
    return total, f"observation table with indexes {table / 1e6:,.0f} MB"


@contextmanager
def _full_collections(pauses: list[float]) -> Iterator[None]:
    """Record the milliseconds of each full (generation 2) garbage collection."""
    started: list[float] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            pauses.append((time.perf_counter() - started.pop()) * 1000.0)

    gc.callbacks.append(watch)
    try:
        yield
    finally:
        gc.callbacks.remove(watch)


def _timed_reads(
    engine: Engine, read: Callable[[Any], int], runs: int, pauses: list[float]
) -> list[float]:
    times = []
    with _full_collections(pauses):
        for _ in range(runs):
            with engine.connect() as conn:
                start = time.perf_counter()
                read(conn)
                times.append((time.perf_counter() - start) * 1000.0)
    return times


def _settle(database: str, engine: Engine) -> float:
    """PostgreSQL: what autovacuum does soon after a large import (hint bits,
    visibility map, statistics), done now so that the reads measure the steady
    state. Returns its seconds (not part of the import)."""
    if database != "postgresql":
        return 0.0
    start = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) observation"))
    return time.perf_counter() - start


def _plans(
    database: str, engine: Engine, reads: list[Callable[[Any], int]]
) -> list[str]:
    """The query plans of the observation SELECTs the reads send."""
    captured: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any
    ) -> None:
        if "FROM observation" in statement and statement.lstrip().startswith("SELECT"):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn:
            for read in reads:
                read(conn)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if database == "sqlite" else "EXPLAIN ANALYZE "
    plans = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters in captured:
            cursor = raw.cursor()  # type: ignore[union-attr]
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
            lines = [" | ".join(str(c) for c in row) for row in rows]
            plans.append(statement.strip() + "\n  " + "\n  ".join(lines))
    return plans


def _import(engine: Engine, files: dict[str, Any]) -> dict[str, Any]:
    """Catalogue, areas, then the observations into one release, published.

    Returns the seconds of the setup, of the import, of its writes and of the
    publication, the rows written and the peak memory after the import.
    """
    from sozialmonitor.ingest.areas import import_areas
    from sozialmonitor.ingest.indicators import import_indicators
    from sozialmonitor.ingest.observations import import_observations
    from sozialmonitor.store.database import init_database
    from sozialmonitor.store.writes import publish_release

    start = time.perf_counter()
    init_database(engine)
    import_indicators(engine, Path(files["indicators"]))
    import_areas(engine, Path(files["areas"]))
    setup_s = time.perf_counter() - start

    store_seconds: list[float] = []
    written = 0
    start = time.perf_counter()
    with _timed_store(store_seconds):
        for path in files["observations"]:
            outcome = import_observations(engine, Path(path), release=RELEASE)
            written += outcome.rows_written
    import_s = time.perf_counter() - start
    import_memory_mb = _peak_memory_mb()
    start = time.perf_counter()
    with engine.begin() as conn:
        publish_release(conn, RELEASE)
    return {
        "setup_s": setup_s,
        "import_s": import_s,
        "store_s": sum(store_seconds),
        "rows_written": written,
        "import_memory_mb": import_memory_mb,
        "publish_s": time.perf_counter() - start,
    }


def _peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def import_figures(database: str, url: str, files: dict[str, Any]) -> dict[str, Any]:
    """Import everything into an empty database (runs in a child process)."""
    from sozialmonitor.store.database import connect

    _reset(database, url)
    engine = connect(url)
    cpu_before = _cpu_seconds()
    found = _import(engine, files)
    cpu_s = _cpu_seconds() - cpu_before
    size, detail = _size(database, engine)  # SQLite: with the WAL, while it is open
    engine.dispose()
    return {
        **found,
        "import_cpu_s": cpu_s,
        "size_bytes": size,
        "size_detail": detail,
        "publish_memory_mb": _peak_memory_mb(),
    }


def read_figures(
    database: str,
    url: str,
    files: dict[str, Any],
    runs: int,
    explain: bool,
    gc_freeze: bool,
) -> dict[str, Any]:
    """Time the reads in a fresh child process that has loaded the web application,
    as the portal's server process has: the size of its heap decides how long
    CPython's full garbage collections take."""
    from sozialmonitor.domain.access import Audience
    from sozialmonitor.store.database import connect
    from sozialmonitor.store.queries import ObservationQuery, read_observations

    importlib.import_module(WEB_APP)
    engine = connect(url)
    profile = ObservationQuery(areas=[files["profile_area"]])
    map_query = ObservationQuery(
        indicators=[files["map_indicator"]],
        periods=[files["map_period"]],
        level="municipality",
    )

    def read_profile(conn: Any) -> int:
        return len(read_observations(conn, profile, audience=Audience.PUBLIC))

    def read_map(conn: Any) -> int:
        return len(read_observations(conn, map_query, audience=Audience.PUBLIC))

    settle_s = _settle(database, engine)
    with engine.connect() as conn:  # warm up: first use of pool, caches, statements
        profile_rows, map_rows = read_profile(conn), read_map(conn)
    if gc_freeze:
        gc.freeze()
    pauses: list[float] = []
    profile_ms = _timed_reads(engine, read_profile, runs, pauses)
    map_ms = _timed_reads(engine, read_map, runs, pauses)
    plans = _plans(database, engine, [read_profile, read_map]) if explain else []
    size, detail = _size(database, engine)
    engine.dispose()
    return {
        "size_bytes": size,
        "size_detail": detail,
        "settle_s": settle_s,
        "gc_pauses_ms": pauses,
        "profile_rows": profile_rows,
        "profile_ms": profile_ms,
        "map_rows": map_rows,
        "map_ms": map_ms,
        "plans": plans,
        "read_memory_mb": _peak_memory_mb(),
    }


def _in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``function(*args)`` in a fresh interpreter: its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def measure(
    database: str, url: str, files: dict[str, Any], args: argparse.Namespace
) -> Figures:
    """Import (one process), then read (another), unless ``--reads-only``."""
    found: dict[str, Any] = {"database": database}
    if not args.reads_only:
        found.update(_in_child(import_figures, database, url, files))
    reads = _in_child(
        read_figures, database, url, files, args.runs, args.explain, args.gc_freeze
    )
    if not args.reads_only:  # the size while the import's database was open
        del reads["size_bytes"], reads["size_detail"]
    found.update(reads)
    return Figures(**found)


# --- the report ---------------------------------------------------------------------


def _seconds(value: float | None, target: float | None = None) -> str:
    if value is None:
        return "–"
    verdict = "" if target is None else " ok" if value < target else " MISSED"
    return f"{value:.1f} s{verdict}"


def _ms(value: float) -> str:
    return f"{value:.1f} ms {'ok' if value < READ_TARGET_MS else 'MISSED'}"


def print_table(files: BenchFiles, results: list[Figures]) -> None:
    print()
    print(
        f"Germany benchmark: {files.municipalities:,} municipalities "
        f"({files.areas_total:,} areas), {len(files.real_indicators)} real INKAR "
        f"indicators + {files.synthetic_indicators} SYNTHETIC, "
        f"{files.years[0]}–{files.years[-1]}, {files.cells:,} values in "
        f"{len(files.observations)} files"
    )
    print(
        f"profile read: area {files.profile_area}, all indicators and years; "
        f"map read: {files.map_indicator} {files.map_period}, all municipalities"
    )
    rows: list[tuple[str, list[str], str]] = [
        (
            "rows written",
            [f"{r.rows_written:,}" if r.rows_written else "–" for r in results],
            "",
        ),
        (
            "import (validate+write)",
            [_seconds(r.import_s, IMPORT_TARGET_S) for r in results],
            f"< {IMPORT_TARGET_S:.0f} s",
        ),
        ("  in the writer thread", [_seconds(r.store_s) for r in results], ""),
        ("publish (suppression)", [_seconds(r.publish_s) for r in results], ""),
        (
            "  CPU time, all of it",
            [_seconds(r.import_cpu_s) for r in results],
            "(setup, import, publish)",
        ),
        ("setup (catalogue, areas)", [_seconds(r.setup_s) for r in results], ""),
        ("database size", [f"{r.size_bytes / 1e6:,.0f} MB" for r in results], ""),
        (
            "peak memory, import",
            [
                f"{r.import_memory_mb:,.0f} MB" if r.import_memory_mb else "–"
                for r in results
            ],
            "< 1,000 MB",
        ),
        (
            "peak memory, publish",
            [
                f"{r.publish_memory_mb:,.0f} MB" if r.publish_memory_mb else "–"
                for r in results
            ],
            "",
        ),
        ("peak memory, reads", [f"{r.read_memory_mb:,.0f} MB" for r in results], ""),
        ("VACUUM ANALYZE after", [_seconds(r.settle_s or None) for r in results], ""),
    ]
    target = f"< {READ_TARGET_MS:.0f} ms"
    for label, times, count in (
        (
            "profile read",
            [r.profile_ms for r in results],
            [r.profile_rows for r in results],
        ),
        ("map read", [r.map_ms for r in results], [r.map_rows for r in results]),
    ):
        rows.append((f"{label} values", [f"{n:,}" for n in count], ""))
        rows.append(
            (f"{label} median", [_ms(statistics.median(t)) for t in times], target)
        )
        rows.append((f"{label} max", [_ms(max(t)) for t in times], target))
    width = 16
    label_width = max(len(r[0]) for r in rows) + 2
    print()
    header = "".join(r.database.rjust(width) for r in results)
    print(" " * label_width + header + "  target")
    for label, cells, goal in rows:
        line = label.ljust(label_width) + "".join(c.rjust(width) for c in cells)
        print(f"{line}  {goal}" if goal else line)
    for r in results:
        print(f"{r.database} size: {r.size_detail}")
    for r in results:
        pauses = r.gc_pauses_ms
        print(
            f"{r.database} reads: {len(pauses)} full garbage collections "
            f"({sum(pauses):.0f} ms, longest {max(pauses, default=0.0):.0f} ms) "
            f"during the {len(r.profile_ms) + len(r.map_ms)} timed reads"
        )
    for r in results:
        for plan in r.plans:
            print(f"\n{r.database} plan:\n{plan}")


def main(argv: list[str] | None = None) -> int:
    from germany_data import FOLDER, BenchFiles, write_files

    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help=f"shared data folder holding {FOLDER}/ (default: {DEFAULT_SHARED})",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of the municipalities, for a quick run (default 1.0)",
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get(PG_ENV),
        help=f"PostgreSQL URL of a database the benchmark may wipe (default: "
        f"${PG_ENV})",
    )
    parser.add_argument("--skip-pg", action="store_true", help="only SQLite")
    parser.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs of each read")
    parser.add_argument(
        "--explain", action="store_true", help="print the query plans of the reads"
    )
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="time the reads on the databases of the last run (no files, no import)",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() before the reads, as a tuned long-running server would",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the files")
    args = parser.parse_args(argv)
    if not 0.0 < args.scale <= 1.0:
        parser.error("--scale must be above 0 and at most 1.")

    targets: list[tuple[str, str]] = []
    if not args.skip_sqlite:
        targets.append(("sqlite", f"sqlite:///{args.out / 'germany.db'}"))
    if not args.skip_pg:
        if not args.pg:
            print(f"PostgreSQL skipped: give --pg URL or set {PG_ENV}.")
        elif "bench" not in (make_url(args.pg).database or ""):
            sys.exit(
                f"Refusing to use {args.pg!r}: the benchmark wipes the database's "
                "schema 'public'. Use a database with 'bench' in its name."
            )
        else:
            targets.append(("postgresql", args.pg))
    if not targets:
        sys.exit("Nothing to measure (both databases skipped).")

    manifest = args.out / MANIFEST
    if args.reads_only:
        if not manifest.is_file():
            sys.exit(f"--reads-only needs a previous run: {manifest} is missing.")
        files = BenchFiles.load(manifest)
    else:
        folder = find_folder(args.shared)
        print(f"Reading the real files in {folder} and writing the input files …")
        start = time.perf_counter()
        files = write_files(folder, args.out, args.scale)
        files.save(manifest)
        unmatched = (
            f" ({files.inkar_keys_unmatched} INKAR keys not in VG250 left out)"
            if files.inkar_keys_unmatched
            else ""
        )
        print(
            f"  {files.cells:,} values written in {time.perf_counter() - start:.0f} s "
            f"to {args.out}{unmatched}"
        )
    shared = {
        "areas": str(files.areas),
        "indicators": str(files.indicators),
        "observations": [str(p) for p in files.observations],
        "profile_area": files.profile_area,
        "map_indicator": files.map_indicator,
        "map_period": files.map_period,
    }
    results = []
    for database, url in targets:
        print(f"Measuring {database} …", flush=True)
        results.append(measure(database, url, shared, args))
    print_table(files, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
