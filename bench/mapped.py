"""Benchmark: a Gemeinde-level Regionalstatistik table through its shipped mapping.

Writes a SYNTHETIC export in the GENESIS classic layout of table 12411-01-01-5
(Bevölkerung nach Geschlecht, Stichtag 31.12., Gemeinden) for the real municipality
keys of BKG VG250 (``../shared/data/germany-inkar-gisd/vg250``, as ``germany.py``
reads them) and ten years, then imports it with ``import official`` (the shipped
mapping ``12411-01-01-5.yaml``) into an empty database in a fresh process and prints
the time and that process's peak memory. The values are generated (seeded), not
published figures; the file says so in its title lines.

Usage::

    .venv/bin/python bench/mapped.py [--shared PATH] [--scale 0.1] [--years 10]
        [--db URL] [--chunk-rows N] [--out PATH]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
OUT = Path(__file__).resolve().parent / "out"
TABLE = "12411-01-01-5"
FIRST_YEAR = 2013
IMPORT_TARGET_S = 30.0
SEED = 12411


def write_export(
    path: Path, areas: Path, shared: Path, scale: float, years: int
) -> int:
    """The synthetic export and the areas CSV (DG, Länder, Kreise, Gemeinden);
    returns the number of municipalities."""
    import csv

    import numpy as np
    from germany_data import FOLDER, STATES, read_municipalities

    towns = read_municipalities(shared / FOLDER, scale)
    rng = np.random.default_rng(SEED)
    periods = [f"31.12.{FIRST_YEAR + i}" for i in range(years)][::-1]
    base = np.where(towns.inhabitants > 0, towns.inhabitants, 100.0)
    growth = rng.normal(1.0, 0.01, size=(len(base), years)).cumprod(axis=1)
    total = np.rint(base[:, None] * growth[:, ::-1]).astype(np.int64)
    female = np.rint(total * rng.normal(0.505, 0.01, size=total.shape)).astype(np.int64)
    by_code = {code: (total[i], female[i]) for i, code in enumerate(towns.codes)}

    def summed(prefix: str) -> tuple[Any, Any]:
        rows = [v for c, v in by_code.items() if c.startswith(prefix)]
        return sum(r[0] for r in rows), sum(r[1] for r in rows)

    def line(key: str, name: str, indent: int, values: tuple[Any, Any]) -> str:
        cells = []
        for t, f in zip(values[0], values[1], strict=True):
            cells += [str(t), str(t - f), str(f)]
        return ";".join([key, " " * indent + name, *cells])

    empty = ";" * (2 + 3 * years - 1)
    lines = [
        f"GENESIS-Tabelle: {TABLE}",
        f"Bevölkerungsstand: Bevölkerung nach Geschlecht (SYNTHETISCH){empty}",
        f"- Stichtag 31.12. -{empty}",
        f"regionale Tiefe: Gemeinden, Samt-/Verbandsgemeinden{empty}",
        f"Synthetische Werte für einen Benchmark, keine amtlichen Zahlen{empty}",
        f"Bevölkerungsstand (Anzahl){empty}",
        ";;" + ";".join(p for p in periods for _ in range(3)),
        ";;" + ";".join("Insgesamt;männlich;weiblich" for _ in periods),
        line("DG", "Deutschland", 0, summed("")),
    ]
    states = sorted({c[:2] for c in towns.codes})
    for state in states:
        lines.append(line(state, STATES[state], 2, summed(state)))
        for district, name in towns.districts.items():
            if not district.startswith(state):
                continue
            lines.append(line(district, name, 6, summed(district)))
            for code, town in zip(towns.codes, towns.names, strict=True):
                if code.startswith(district):
                    lines.append(line(code, town, 8, by_code[code]))
    lines += [
        "__________",
        "Synthetische Daten (Sozialmonitor-Benchmark), Schlüssel: BKG VG250.",
        "Stand: 01.01.2026 / 00:00:00",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with areas.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "name", "level", "parent"])
        writer.writerow(["DG", "Deutschland", "country", ""])
        for state in states:
            writer.writerow([state, STATES[state], "state", "DG"])
        for district, name in towns.districts.items():
            writer.writerow([district, name, "region", district[:2]])
        for code, name in zip(towns.codes, towns.names, strict=True):
            writer.writerow([code, name, "municipality", code[:5]])
    return len(towns.codes)


def import_figures(
    url: str, export: str, areas: str, chunk_rows: int
) -> dict[str, Any]:
    """Areas (not timed), then the export through the shipped mapping (timed)."""
    from sozialmonitor.ingest.areas import import_areas
    from sozialmonitor.ingest.official.importer import import_official
    from sozialmonitor.store.database import connect, init_database

    engine = connect(url)
    init_database(engine)
    import_areas(engine, Path(areas))
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    start = time.perf_counter()
    outcome = import_official(engine, Path(export), chunk_rows=chunk_rows)
    seconds = time.perf_counter() - start
    engine.dispose()
    return {
        "seconds": seconds,
        "rows_written": outcome.rows_written,
        "warnings": outcome.report.warning_count,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "before_mb": before_mb,
    }


def main(argv: list[str] | None = None) -> int:
    from sozialmonitor.store.writes import WRITE_CHUNK_ROWS

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--scale", type=float, default=1.0, help="share of towns")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--db", help="database URL (default: SQLite in --out)")
    parser.add_argument("--chunk-rows", type=int, default=WRITE_CHUNK_ROWS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not 0.0 < args.scale <= 1.0 or args.years < 1:
        parser.error("--scale must be in (0, 1] and --years at least 1.")
    args.out.mkdir(parents=True, exist_ok=True)
    export = args.out / f"{TABLE}_synthetic.csv"
    areas = args.out / "mapped_areas.csv"
    database = args.out / "mapped.db"
    url = args.db or f"sqlite:///{database}"
    if args.db is None:
        for old in args.out.glob("mapped.db*"):
            old.unlink()
    towns = write_export(export, areas, args.shared, args.scale, args.years)
    print(
        f"SYNTHETIC {TABLE}: {towns:,} municipalities x {args.years} years "
        f"({export.stat().st_size / 1e6:.1f} MB) -> {url}",
        flush=True,
    )
    # a fresh process, so that the peak memory is the import's own
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        figures = pool.apply(
            import_figures, (url, str(export), str(areas), args.chunk_rows)
        )
    verdict = "ok" if figures["seconds"] < IMPORT_TARGET_S else "MISSED"
    print(
        f"import official: {figures['seconds']:.1f} s ({verdict}, target < "
        f"{IMPORT_TARGET_S:.0f} s), {figures['rows_written']:,} values written, "
        f"{figures['warnings']:,} warnings; peak memory {figures['peak_mb']:,.0f} MB "
        f"(of which {figures['before_mb']:,.0f} MB before the import)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
