"""What disclosure control costs the read gate, at Germany size.

Runs on the database ``bench/germany.py`` leaves (``bench/out/germany.db`` or
``--db URL``; its data are 3 real INKAR indicators and 97 SYNTHETIC ones). For the
two reads every portal page is built on — a map (one indicator and year, every
municipality) and a profile (one area, every indicator and year) — and for the stored
rows the level views read, it times in one interleaved run, per request:

- ``bare``: the same rows read by the same SQL without any pattern (the store's
  resolution of the newest value per key, on a warm connection);
- ``public``: the read gate for the public (pattern read and applied);
- ``internal``: the read gate for the administration (pattern read, cells marked);
- ``scoped``: the read gate for a reader with an area scope (``--scope``, default
  the profile area's parent): internal inside it, public outside.

It prints median and p95 in ms, the pattern's hidden cells in the read, and peak and
resident memory. Usage: ``.venv/bin/python bench/gate.py [--db URL] [--runs 30]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import schema
from sozialmonitor.store.database import connect
from sozialmonitor.store.queries import (
    ObservationQuery,
    _read_plan,
    read_observations,
    read_stored_rows,
)
from sozialmonitor.store.resolution import indicator_codes, stored_rows

DEFAULT_DB = Path(__file__).parent / "out" / "germany.db"


def _busiest_slice(conn: Connection) -> tuple[str, str]:
    """The indicator and period with the most hidden cells (a map worth timing)."""
    sl, ind = schema.suppression_slice, schema.indicator
    row = conn.execute(
        select(ind.c.code, sl.c.period)
        .join(ind, ind.c.id == sl.c.indicator_id)
        .order_by(sl.c.hidden.desc())
        .limit(1)
    ).first()
    if row is None:
        raise SystemExit("The database has no suppression patterns: publish first.")
    return row.code, row.period


def _area_with_hidden(conn: Connection) -> str:
    sc, a = schema.suppressed_cell, schema.area
    row = conn.execute(
        select(a.c.code).join(sc, sc.c.area_id == a.c.id).limit(1)
    ).first()
    return row.code if row else conn.scalar(select(a.c.code).limit(1))


def _parent_of(conn: Connection, code: str) -> str:
    a, parent = schema.area, schema.area.alias("parent")
    found = conn.scalar(
        select(parent.c.code)
        .join(a, a.c.parent_id == parent.c.id)
        .where(a.c.code == code)
    )
    return str(found or code)


def _bare(query: ObservationQuery) -> Callable[[Connection], int]:
    def read(conn: Connection) -> int:
        plan = _read_plan(conn, query, Audience.PUBLIC)
        assert plan is not None
        priorities, indicators, scope = plan
        codes = indicator_codes(conn, indicators)
        return len(stored_rows(conn, query, priorities, codes, scope))

    return read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=f"sqlite:///{DEFAULT_DB}")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--indicator", help="default: the most hidden cells")
    parser.add_argument("--period")
    parser.add_argument("--area", help="default: one with hidden cells")
    parser.add_argument(
        "--scope", help="area scope of the scoped reader; default: the area's parent"
    )
    args = parser.parse_args(argv)
    engine = connect(args.db)
    with engine.connect() as conn:
        indicator, period = (
            (args.indicator, args.period)
            if args.indicator and args.period
            else _busiest_slice(conn)
        )
        area = args.area or _area_with_hidden(conn)
        scope = args.scope or _parent_of(conn, area)
    scoped = Audience.within(scope)
    level = "municipality"
    map_query = ObservationQuery(indicators=[indicator], periods=[period], level=level)
    rows_query = ObservationQuery(
        indicators=[indicator], periods=[period], level=level, computed=False
    )
    profile = ObservationQuery(areas=[area], computed=False)

    def gate(
        query: ObservationQuery, audience: Audience
    ) -> Callable[[Connection], int]:
        return lambda conn: len(read_observations(conn, query, audience=audience))

    def rows(audience: Audience) -> Callable[[Connection], int]:
        return lambda conn: len(
            read_stored_rows(conn, rows_query, audience=audience).rows
        )

    reads: dict[str, Callable[[Connection], Any]] = {
        "map bare": _bare(rows_query),
        "map public": gate(map_query, Audience.PUBLIC),
        "map internal": gate(map_query, Audience.INTERNAL),
        "level rows public": rows(Audience.PUBLIC),
        "level rows internal": rows(Audience.INTERNAL),
        "profile bare": _bare(profile),
        "profile public": gate(profile, Audience.PUBLIC),
        "profile internal": gate(profile, Audience.INTERNAL),
        "map scoped": gate(map_query, scoped),
        "profile scoped": gate(profile, scoped),
    }
    timings: dict[str, list[float]] = {name: [] for name in reads}
    with engine.connect() as conn:
        for read in reads.values():  # warm: statements compiled, pages cached
            read(conn)
        hidden_map = sum(
            1
            for o in read_observations(conn, map_query)
            if o.flags & Flag.SUPPRESSED and o.value is None
        )
        hidden_profile = sum(
            1
            for o in read_observations(conn, profile)
            if o.flags & Flag.SUPPRESSED and o.value is None
        )
        for _run in range(args.runs):  # interleaved: every read once per run
            for name, read in reads.items():
                start = time.perf_counter()
                read(conn)
                timings[name].append((time.perf_counter() - start) * 1000)
    print(
        f"Read gate with disclosure control: map {indicator} {period} "
        f"({level}, {hidden_map} cells hidden), profile {area} "
        f"({hidden_profile} cells hidden); scoped: internal within {scope}; "
        f"{args.runs} interleaved runs"
    )
    print(f"{'read':<22}{'median ms':>11}{'p95 ms':>9}")
    for name, values in timings.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
        print(f"{name:<22}{statistics.median(values):>11.1f}{p95:>9.1f}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    resident = Path("/proc/self/statm").read_text().split()[1]
    print(
        f"peak memory {usage.ru_maxrss / 1024:.0f} MB, resident "
        f"{int(resident) * resource.getpagesize() / 2**20:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
