"""Time the hot-spot analysis (``stats spatial``, the hot-spot view) step by step.

On a portal database (bench/portal.py's Germany-size one, or any other), for one
level: the contiguity built from the boundaries (once), then for ``--views``
distinct (indicator, period) views the steps of one analysis — the values of the
period through the read gate, the level's areas of that period, the contiguity
from the cache, Moran's I with its permutations, the local statistics with theirs —
and the whole ``spatial_level`` call; with ``--pages`` the first request of each of
another ``--views`` hot-spot views in one app warmed as ``sozialmonitor serve`` is.
Prints median and p95 per step, the peak and current resident memory, and the load
average (the figures are only as quiet as the machine).

    .venv/bin/python bench/hotspots.py /tmp/hotfast/portal_germany.db --views 20
    .venv/bin/python bench/hotspots.py DB --profile  # cProfile of one cold analysis

Never writes the database (read-only connection for SQLite).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from sqlalchemy import Connection, Engine, create_engine

from sozialmonitor.analysis.service import clusters
from sozialmonitor.analysis.service.shared import areas_of_period
from sozialmonitor.analysis.spatial import (
    DEFAULT_PERMUTATIONS,
    DEFAULT_SEED,
    Contiguity,
    _global_moran,
    _local_moran,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.store import queries

T = TypeVar("T")


def timed(times: dict[str, list[float]], step: str, run: Callable[[], T]) -> T:
    start = time.perf_counter()
    found = run()
    times.setdefault(step, []).append((time.perf_counter() - start) * 1000)
    return found


def memory_mb() -> tuple[float, float]:
    """Peak and current resident memory of this process, MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return peak, current


def views(conn: Connection, count: int) -> list[tuple[str, str]]:
    """``count`` (indicator, period) pairs: each indicator's newest period first,
    then the older ones."""
    found: list[tuple[int, str, str]] = []
    for indicator in queries.list_indicators(conn):
        periods = queries.stored_periods(conn, indicator.id)
        found += [(age, indicator.id, p) for age, p in enumerate(periods)]
    found.sort(key=lambda item: item[0])  # stable: the catalogue's order in each
    return [(ind, period) for _, ind, period in found[:count]]


def analysis_steps(
    engine: Engine, level: str, chosen: list[tuple[str, str]]
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    rule = Contiguity.QUEEN
    with engine.connect() as conn:
        timed(
            times,
            "contiguity from the boundaries (once per level)",
            lambda: clusters.level_contiguity(conn, level, rule),
        )
        for indicator, period in chosen:
            period_values = timed(
                times,
                "values of the period (read gate)",
                partial(
                    clusters._period_values,
                    conn,
                    indicator,
                    level,
                    period,
                    None,
                    Audience.PUBLIC,
                ),
            )
            areas = timed(
                times,
                "areas of the period",
                partial(areas_of_period, conn, level, period),
            )
            weights = timed(
                times,
                "contiguity from the cache",
                partial(clusters.level_contiguity, conn, level, rule),
            )
            assert weights is not None
            by_area = {o.area: o.value for o in period_values[1]}
            keep = [
                a.code
                for a in areas
                if a.code in weights.position and by_area.get(a.code) is not None
            ]
            sub = timed(
                times,
                "contiguity of the areas with a value",
                partial(weights.among, keep),
            )
            lonely = set(sub.islands)
            sub = sub.among([c for c in sub.codes if c not in lonely])
            y = np.array([by_area[c] for c in sub.codes], dtype=float)
            for step, statistic in (
                ("Moran's I", _global_moran),
                ("local Moran (LISA)", _local_moran),
            ):
                timed(
                    times,
                    f"{step}, {DEFAULT_PERMUTATIONS} permutations",
                    partial(
                        statistic,
                        y,
                        sub.matrix,
                        DEFAULT_PERMUTATIONS,
                        np.random.default_rng(DEFAULT_SEED),
                    ),
                )
            timed(
                times,
                "spatial_level (all of it, contiguity cached)",
                partial(
                    clusters.spatial_level,
                    conn,
                    indicator=indicator,
                    level=level,
                    period=period,
                ),
            )
    return times


def page_steps(
    engine: Engine, level: str, chosen: list[tuple[str, str]]
) -> dict[str, list[float]]:
    from fastapi.testclient import TestClient

    from sozialmonitor.web.app import create_app, settle_memory, warm_data, warm_up
    from sozialmonitor.web.snapshot import snapshot

    times: dict[str, list[float]] = {}
    app = create_app(engine)
    snap = snapshot(engine)

    def request(step: str, indicator: str, period: str) -> None:
        scope = next(
            s
            for s in snap.scopes_for(snap.indicator(indicator))
            if level in s.periods_by_level
        )
        params = {
            "raum": scope.root.code,
            "ebene": level,
            "zeitraum": period,
            "ansicht": "hotspots",
        }
        response = timed(
            times, step, partial(client.get, f"/indikator/{indicator}", params=params)
        )
        assert response.status_code == 200, response.text[:300]
        pending = "wird gerade berechnet" in response.text
        times.setdefault(f"{step}: pending (1) or drawn (0)", []).append(float(pending))

    with TestClient(app) as client:
        timed(times, "warm_up (before the first visitor)", partial(warm_up, engine))
        # Before the round that computes ahead: the request waits for the analysis.
        for indicator, period in chosen[-5:]:
            request(
                "hot-spot page, first request, not computed ahead", indicator, period
            )
        timed(
            times,
            "warm_data (the keep-warm round: hot spots ahead)",
            partial(warm_data, engine),
        )
        settle_memory()
        for indicator, period in chosen[:-5]:
            request("hot-spot page, first request of its view", indicator, period)
    return times


def report(times: dict[str, list[float]]) -> None:
    print("| step | n | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for step, found in times.items():
        ordered = sorted(found)
        p95 = ordered[min(len(ordered) - 1, int(np.ceil(0.95 * len(ordered))) - 1)]
        print(
            f"| {step} | {len(found)} | {statistics.median(found):.1f} "
            f"| {p95:.1f} | {ordered[-1]:.1f} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="a SQLite portal database")
    parser.add_argument("--level", default="municipality")
    parser.add_argument("--views", type=int, default=20)
    parser.add_argument("--pages", action="store_true", help="time the page, too")
    parser.add_argument("--profile", action="store_true", help="cProfile one view")
    args = parser.parse_args(argv)
    url = f"sqlite:///file:{args.database}?mode=ro&uri=true"
    engine = create_engine(url)
    print(f"load average before: {os.getloadavg()}")
    with engine.connect() as conn:
        chosen = views(conn, 2 * args.views)
    if args.profile:
        profile = cProfile.Profile()
        with engine.connect() as conn:
            profile.runcall(
                clusters.spatial_level,
                conn,
                indicator=chosen[0][0],
                level=args.level,
                period=chosen[0][1],
            )
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return 0
    report(analysis_steps(engine, args.level, chosen[: args.views]))
    if args.pages:
        report(page_steps(engine, args.level, chosen[args.views :]))
    peak, current = memory_mb()
    print(f"\npeak resident memory {peak:.0f} MB, now {current:.0f} MB")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
