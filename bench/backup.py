"""Benchmark of backup and restore: time, file size and peak memory.

Builds the Germany benchmark's database (``bench/germany.py``: the real INKAR
municipal series widened by SYNTHETIC generated indicators, seeded; ``--scale``
picks a seeded sample of the municipalities) on SQLite through the product's own
import path, then, each step in a fresh process so that its peak memory is its own:

1. backs the SQLite database up (``store.backup.backup``),
2. restores the file into a new SQLite database,
3. with ``--pg``: restores it into PostgreSQL and backs that up again,

and checks that every restored table holds the rows the manifest lists and that the
backup of the PostgreSQL copy has the same row counts. The format and its guarantees:
``docs/backup.md``.

Usage::

    .venv/bin/python bench/backup.py [--scale 0.1] [--pg URL] [--shared PATH]
        [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from germany import (
    DEFAULT_SHARED,
    OUT,
    PG_ENV,
    _import,
    _in_child,
    _reset,
    find_folder,
)
from sqlalchemy.engine import make_url


def _peak_rss_mb() -> float:
    """This process's own peak (VmHWM): ``ru_maxrss`` would report the parent's peak,
    kept across the fork and exec that started this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def build(url: str, files: dict[str, Any]) -> dict[str, Any]:
    """The source database, imported as ``bench/germany.py`` imports it."""
    from sozialmonitor.store.database import connect

    engine = connect(url)
    start = time.perf_counter()
    _, _, _, written = _import(engine, files)
    engine.dispose()
    return {"seconds": time.perf_counter() - start, "rows": written}


def run_backup(url: str, path: str) -> dict[str, Any]:
    from sozialmonitor.store.backup import backup
    from sozialmonitor.store.database import connect

    engine = connect(url)
    start = time.perf_counter()
    manifest = backup(engine, Path(path))
    seconds = time.perf_counter() - start
    engine.dispose()
    return {
        "seconds": seconds,
        "rss_mb": _peak_rss_mb(),
        "bytes": Path(path).stat().st_size,
        "unpacked": sum(t.bytes for t in manifest.tables),
        "rows": {t.name: t.rows for t in manifest.tables},
    }


def run_restore(path: str, url: str) -> dict[str, Any]:
    from sqlalchemy import text

    from sozialmonitor.store.backup import restore
    from sozialmonitor.store.database import connect

    engine = connect(url)
    start = time.perf_counter()
    result = restore(Path(path), engine)
    seconds = time.perf_counter() - start
    with engine.connect() as conn:
        counts = {
            t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar_one()
            for t in result.manifest.tables
        }
    engine.dispose()
    expected = {t.name: t.rows for t in result.manifest.tables}
    if counts != expected:
        raise SystemExit(
            f"Restored counts {counts} differ from the backup's {expected}"
        )
    return {"seconds": seconds, "rss_mb": _peak_rss_mb()}


def _reset_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    from germany_data import write_files

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument(
        "--scale", type=float, default=0.1, help="fraction of the municipalities"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get(PG_ENV),
        help=f"PostgreSQL URL of a database the benchmark may wipe (${PG_ENV})",
    )
    parser.add_argument("--out", type=Path, default=OUT / "backup")
    args = parser.parse_args(argv)
    if args.pg and "bench" not in (make_url(args.pg).database or ""):
        sys.exit(
            f"Refusing to use {args.pg!r}: the benchmark wipes the database's schema "
            "'public'. Use a database with 'bench' in its name."
        )
    args.out.mkdir(parents=True, exist_ok=True)
    print("Writing the input files (real INKAR + SYNTHETIC indicators) …", flush=True)
    bench_files = write_files(find_folder(args.shared), args.out, args.scale)
    files = {
        "areas": str(bench_files.areas),
        "indicators": str(bench_files.indicators),
        "observations": [str(p) for p in bench_files.observations],
    }
    source, restored = args.out / "source.db", args.out / "restored.db"
    file, again = args.out / "backup.zip", args.out / "backup-pg.zip"
    _reset_sqlite(source)
    print("Importing into SQLite …", flush=True)
    built = _in_child(build, f"sqlite:///{source}", files)

    print("Backing up SQLite …", flush=True)
    results = [
        ("backup  SQLite", _in_child(run_backup, f"sqlite:///{source}", str(file)))
    ]
    _reset_sqlite(restored)
    print("Restoring into SQLite …", flush=True)
    results.append(
        ("restore SQLite", _in_child(run_restore, str(file), f"sqlite:///{restored}"))
    )
    if args.pg:
        _reset("postgresql", args.pg)
        print("Restoring into PostgreSQL …", flush=True)
        results.append(
            ("restore PostgreSQL", _in_child(run_restore, str(file), args.pg))
        )
        print("Backing up PostgreSQL …", flush=True)
        results.append(
            ("backup  PostgreSQL", _in_child(run_backup, args.pg, str(again)))
        )
        if results[-1][1]["rows"] != results[0][1]["rows"]:
            raise SystemExit("The PostgreSQL backup's row counts differ.")

    rows = results[0][1]["rows"]
    print()
    print(
        f"SYNTHETIC-widened Germany data, scale {args.scale}: "
        f"{bench_files.municipalities:,} municipalities, "
        f"{rows['observation']:,} observations ({built['seconds']:.0f} s import)"
    )
    print(
        f"backup file: {results[0][1]['bytes'] / 2**20:,.1f} MB "
        f"({results[0][1]['unpacked'] / 2**20:,.1f} MB unpacked)"
    )
    print(f"{'step':<20} {'seconds':>8} {'rows/s':>10} {'peak RSS MB':>12}")
    total = sum(rows.values())
    for name, found in results:
        print(
            f"{name:<20} {found['seconds']:>8.1f} {total / found['seconds']:>10,.0f} "
            f"{found['rss_mb']:>12,.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
