"""Benchmark of the composite index (Berlin's MSS 2021): Berlin and a 3-million grid.

1. **Berlin**: the real demo data (``sozialmonitor/demo``) imported by the product's
   own demo loader into a temporary SQLite database; the full MSS computation on the
   542 planning areas, (a) the pure computation (``compute_index``) on the inputs in
   memory and (b) end to end from the database through the public read gate
   (``compute_from_database``, what ``sozialmonitor index show mss`` does).
2. **Synthetic grid**: SYNTHETIC inputs for 3 million cells, the size of Germany's
   100 m census grid (seeded ``numpy.random.default_rng(42)``; not real data): the
   three status shares, the three dynamics changes and a population with some cells
   under 300 inhabitants. The pure computation is timed in a fresh process, with the
   peak memory of that process.

Target: the grid computation under 10 s. See ``bench/README.md``.

Usage::

    .venv/bin/python bench/indices.py [--cells 3000000] [--repeat 5] [--profile]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import cProfile
import io
import multiprocessing
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from sozialmonitor.analysis.index_definition import IndexDefinition, find_definition
from sozialmonitor.analysis.index_inputs import compute_from_database, read_inputs
from sozialmonitor.analysis.index_result import IndexResult
from sozialmonitor.analysis.indices import compute_index
from sozialmonitor.ingest.demo import build_demo_database
from sozialmonitor.store.database import connect

CELLS = 3_000_000
"""The size of Germany's 100 m census grid (inhabited cells), as the issue gives it."""
REPEAT = 5
SEED = 42
GRID_TARGET_S = 10.0
INDEX = "mss"
BERLIN_AREAS = 542
BERLIN_INDEXED = 536
"""The MSS 2021 leaves out 5 planning areas under 300 inhabitants and 1 outlier."""
SMALL_SHARE = 0.05
"""Share of the synthetic cells with fewer than 300 inhabitants (left out)."""
PROFILE_LINES = 25

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class Timing:
    """Seconds of repeated runs of one step."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def worst(self) -> float:
        return max(self.runs)


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What one index computation gave: for the table and a sanity check."""

    areas: int
    indexed: int
    focus: int
    cells: int
    """Distinct combined cells (2-, 4+/- …) among the indexed areas."""


@dataclass(frozen=True, kw_only=True)
class BerlinFigures:
    setup_s: float
    pure: Timing
    end_to_end: Timing
    outcome: Outcome


@dataclass(frozen=True, kw_only=True)
class GridFigures:
    cells: int
    inputs_s: float
    compute: Timing
    outcome: Outcome
    rss_before_mb: float
    """Peak memory of the process once the inputs are made (before computing)."""
    rss_peak_mb: float
    """Peak memory of the process after the computations."""
    profile: str


def timed(run: Callable[[], T], repeat: int) -> tuple[Timing, T]:
    """Time ``repeat`` runs of ``run`` (no warm-up run); the last result with it."""
    runs, result = [], None
    for _ in range(repeat):
        # Free the previous result first: freeing it is not part of the next run,
        # and the peak memory is that of one result.
        result = None
        start = time.perf_counter()
        result = run()
        runs.append(time.perf_counter() - start)
    assert result is not None
    return Timing(runs=tuple(runs)), result


def outcome(result: IndexResult) -> Outcome:
    included = result.included
    return Outcome(
        areas=len(result.areas),
        indexed=len(included),
        focus=len(result.focus),
        cells=included["cell"].nunique() if "cell" in included else 0,
    )


def maxrss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- Berlin -----------------------------------------------------------------------


def bench_berlin(definition: IndexDefinition, repeat: int) -> BerlinFigures:
    """The demo database in a temporary folder, then the pure and the full path."""
    with tempfile.TemporaryDirectory(prefix="sozialmonitor-bench-") as folder:
        engine = connect(f"sqlite:///{Path(folder) / 'demo.db'}")
        try:
            start = time.perf_counter()
            build_demo_database(engine)
            setup_s = time.perf_counter() - start
            with engine.connect() as conn:
                inputs = read_inputs(conn, definition)
            pure, _ = timed(
                lambda: compute_index(
                    definition,
                    inputs.values,
                    population=inputs.population,
                    names=inputs.names,
                    period=definition.period,
                ),
                repeat,
            )

            def from_database() -> IndexResult:
                with engine.connect() as conn:
                    return compute_from_database(conn, definition)

            end_to_end, result = timed(from_database, repeat)
        finally:
            engine.dispose()
    found = outcome(result)
    if (found.areas, found.indexed) != (BERLIN_AREAS, BERLIN_INDEXED):
        sys.exit(
            f"Berlin: expected {BERLIN_AREAS} planning areas, {BERLIN_INDEXED} of them "
            f"indexed (MSS 2021); got {found.areas} and {found.indexed}."
        )
    return BerlinFigures(
        setup_s=setup_s, pure=pure, end_to_end=end_to_end, outcome=found
    )


# --- synthetic grid ---------------------------------------------------------------


def synthetic_grid(cells: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.Series]:
    """SYNTHETIC MSS inputs for ``cells`` grid cells (not real data).

    Cell ids are written like the census grid's (``CRS3035RES100mN…E…``) on a square
    of 100 m cells. A latent disadvantage per cell drives the three shares (percent)
    and the three changes (percentage points), so that the indicators correlate as
    they do in a real city; 5 % of the cells have fewer than 300 inhabitants.
    """
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(cells)))
    north = 2_700_000 + 100 * (np.arange(cells) // side)
    east = 4_000_000 + 100 * (np.arange(cells) % side)
    codes = pd.Index(
        [f"CRS3035RES100mN{n}E{e}" for n, e in zip(north, east, strict=True)],
        name="code",
    )
    latent = rng.standard_normal(cells)
    trend = rng.standard_normal(cells)

    def share(level: float, spread: float, noise: float) -> np.ndarray:
        z = level + spread * latent + noise * rng.standard_normal(cells)
        return np.clip(z, 0.0, 100.0)

    def change(spread: float) -> np.ndarray:
        return spread * (0.7 * trend + 0.3 * latent) + 0.5 * rng.standard_normal(cells)

    values = pd.DataFrame(
        {
            "s1": share(6.0, 2.5, 1.5),
            "s3": share(12.0, 6.0, 3.0),
            "s4": share(25.0, 12.0, 6.0),
            "d1": change(0.8),
            "d3": change(1.2),
            "d4": change(2.5),
        },
        index=codes,
    )
    population = rng.integers(300, 8_000, size=cells).astype(float)
    small = rng.random(cells) < SMALL_SHARE
    population[small] = rng.integers(0, 300, size=int(small.sum()))
    return values, pd.Series(population, index=codes, name="population")


def bench_grid(cells: int, repeat: int, profile: bool) -> GridFigures:
    """Inputs for ``cells`` synthetic cells, then ``repeat`` timed computations.

    Runs in a fresh process (``main``), so that the peak memory is the grid's.
    """
    definition = find_definition(INDEX)
    start = time.perf_counter()
    values, population = synthetic_grid(cells)
    inputs_s = time.perf_counter() - start
    rss_before = maxrss_mb()

    def run() -> IndexResult:
        return compute_index(definition, values, population=population)

    compute, result = timed(run, repeat)
    rss_peak = maxrss_mb()
    found = outcome(result)
    del result
    text = ""
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(run)
        lines = io.StringIO()
        pstats.Stats(profiler, stream=lines).sort_stats("cumulative").print_stats(
            PROFILE_LINES
        )
        text = lines.getvalue()
    return GridFigures(
        cells=cells,
        inputs_s=inputs_s,
        compute=compute,
        outcome=found,
        rss_before_mb=rss_before,
        rss_peak_mb=rss_peak,
        profile=text,
    )


# --- report -----------------------------------------------------------------------


def print_table(berlin: BerlinFigures | None, grid: GridFigures | None) -> None:
    rows: list[tuple[str, str, str]] = []
    if berlin is not None:
        b = berlin.outcome
        areas = f"{b.areas} planning areas, {b.indexed} indexed, {b.focus} focus areas"
        rows += [
            ("Berlin: demo database (setup)", f"{berlin.setup_s:.1f} s", "once"),
            ("Berlin: pure compute_index", _ms(berlin.pure), areas),
            ("Berlin: end to end (read gate)", _ms(berlin.end_to_end), areas),
        ]
    if grid is not None:
        g = grid.outcome
        verdict = (
            f"target < {GRID_TARGET_S:.0f} s: "
            + ("OK" if grid.compute.median < GRID_TARGET_S else "MISSED")
            if grid.cells >= CELLS
            else f"the target is for {CELLS:,} cells"
        )
        rows += [
            (
                "SYNTHETIC grid: making inputs",
                f"{grid.inputs_s:.1f} s",
                f"{grid.cells:,} cells, seed {SEED} (not timed)",
            ),
            (
                "SYNTHETIC grid: pure compute_index",
                _s(grid.compute),
                f"{g.indexed:,} indexed, {g.areas - g.indexed:,} left out, "
                f"{g.focus:,} focus areas; {verdict}",
            ),
            (
                "SYNTHETIC grid: peak memory",
                f"{grid.rss_peak_mb:,.0f} MB",
                f"maxrss of the process; {grid.rss_before_mb:,.0f} MB with the "
                "inputs made",
            ),
        ]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    print()
    print(f"{'step':<{widths[0]}}  {'time':>{widths[1]}}  notes")
    print(f"{'-' * widths[0]}  {'-' * widths[1]}  {'-' * 5}")
    for step, figure, note in rows:
        print(f"{step:<{widths[0]}}  {figure:>{widths[1]}}  {note}")
    if grid is not None and grid.profile:
        print(f"\nProfile of one grid computation (top {PROFILE_LINES}, cumulative):")
        print(grid.profile)


def _ms(t: Timing) -> str:
    median, best, worst = (x * 1000 for x in (t.median, t.best, t.worst))
    return f"{median:.1f} ms (min {best:.1f}, max {worst:.1f})"


def _s(t: Timing) -> str:
    return f"{t.median:.2f} s (min {t.best:.2f}, max {t.worst:.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cells", type=int, default=CELLS, help=f"grid cells (default {CELLS:,})"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=REPEAT,
        help=f"timed runs of each step; the median is shown (default {REPEAT})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile one more grid computation (cProfile) and print the top lines",
    )
    parser.add_argument("--skip-berlin", action="store_true", help="grid only")
    parser.add_argument("--skip-grid", action="store_true", help="Berlin only")
    args = parser.parse_args(argv)
    if args.cells < 2 or args.repeat < 1:
        parser.error("--cells must be at least 2 and --repeat at least 1")
    print(
        f"Index '{INDEX}', {args.repeat} run(s) per step; the grid is SYNTHETIC "
        f"(numpy default_rng({SEED}))."
    )
    grid = None
    if not args.skip_grid:
        print(f"Grid: {args.cells:,} cells in a fresh process …", flush=True)
        spawn = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as pool:
            grid = pool.submit(
                bench_grid, args.cells, args.repeat, args.profile
            ).result()
    berlin = None
    if not args.skip_berlin:
        print("Berlin: building the demo database …", flush=True)
        berlin = bench_berlin(find_definition(INDEX), args.repeat)
    print_table(berlin, grid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
