"""The index results download (``/sozialindex/<id>/download.xlsx``) at Germany size.

Builds (once, into ``--out``) a SQLite database with the tests' made-up index
``viele`` (``tests/web/sozialindex_data.py``: one status indicator, every status
class a focus class, so every area has drivers) over ``--areas`` planning areas,
then times the download's steps: the stored results read, the table built
(``result_rows``), the workbook written (``export.xlsx_bytes``), the same table
through ``DataFrame.to_excel`` and openpyxl (how it was written before) and the
whole request. Made-up data, labelled so in its names ("Vielstadt").

    PYTHONPATH=src:. .venv/bin/python bench/index_xlsx.py --areas 11000 [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def timed(runs: int, step: Callable[[], T]) -> tuple[list[float], T]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    assert result is not None
    return times, result


def show(name: str, times: list[float]) -> None:
    print(
        f"{name:<28} median {statistics.median(times) * 1000:8.0f} ms   "
        f"max {max(times) * 1000:8.0f} ms   ({len(times)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=11_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/out"))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    import pandas as pd
    from fastapi.testclient import TestClient
    from tests.web.sozialindex_data import MANY_PERIOD, store_many_index

    from sozialmonitor.export import xlsx_bytes
    from sozialmonitor.store.database import connect, init_database
    from sozialmonitor.web.app import create_app
    from sozialmonitor.web.i18n import Translator
    from sozialmonitor.web.pages import sozialindex_data as results
    from sozialmonitor.web.pages.sozialindex_download import result_rows
    from sozialmonitor.web.snapshot import snapshot

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"index-xlsx-{args.areas}.db"
    if not path.exists():
        start = time.perf_counter()
        building = path.with_suffix(".building")
        engine = connect(f"sqlite:///{building}")
        init_database(engine)
        values = {n: float((n * 7919) % 1000) / 10 for n in range(args.areas)}
        store_many_index(engine, args.areas, values, geometry=False)
        engine.dispose()
        os.replace(building, path)
        print(f"built {path} in {time.perf_counter() - start:.0f} s")
    engine = connect(f"sqlite:///{path}")
    snap = snapshot(engine)
    stored = results.stored_indices(snap)["viele"]
    period = stored.periods[-1]
    assert period == MANY_PERIOD
    t = Translator(lang="de")

    def read() -> results.PeriodResults:
        with engine.connect() as conn:
            return results.read_results(conn, snap, stored, period)

    read_times, found = timed(args.runs, read)
    rows_times, frame = timed(args.runs, lambda: result_rows(snap, stored, found, t))
    xlsx_times, content = timed(args.runs, lambda: xlsx_bytes({"Werte": frame}))

    def to_excel() -> bytes:
        """What xlsx_bytes did before issue 13's change (without its loop over
        the text cells): pandas' to_excel through openpyxl."""
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name="Werte")
        return buffer.getvalue()

    before_times, _ = timed(args.runs, to_excel)
    client = TestClient(create_app(engine))
    url = f"/sozialindex/viele/download.xlsx?zeitraum={period}"
    client.get(url)  # the snapshot's caches, as a running portal has them
    request_times, response = timed(args.runs, lambda: client.get(url))
    assert response.status_code == 200
    print(f"{len(frame)} areas, {len(frame.columns)} columns, {len(content)} bytes")
    show("read_results", read_times)
    show("result_rows", rows_times)
    show("xlsx_bytes", xlsx_times)
    show("to_excel (before)", before_times)
    show("GET download.xlsx", request_times)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        client.get(url)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
