"""Benchmark of the reports on the demo database: the time to make the
Sozialbericht of Region Hannover as HTML and as PDF, and the Gebietsprofil of all
21 municipalities as PDF (what ``sozialmonitor report render gebietsprofil
--parent 03241 --format pdf`` does), with the PDFs' pages and sizes.

The demo database is built first when the file does not exist (``--db``; about a
minute). Not meant for Germany size: a report reads an area's values, and the
Sozialbericht draws one map per indicator.

Usage::

    .venv/bin/python bench/reports.py [--db PATH] [--out FOLDER]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

REGION = "03241"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench-reports-demo.db", help="SQLite file")
    parser.add_argument("--out", default=None, help="folder for the files made")
    args = parser.parse_args()

    import pypdf

    from sozialmonitor.domain.access import Audience
    from sozialmonitor.ingest.demo import build_demo_database, demo_site
    from sozialmonitor.reports.document import report_document
    from sozialmonitor.reports.files import write_reports
    from sozialmonitor.reports.making import make_report
    from sozialmonitor.reports.pdf import pdf_bytes
    from sozialmonitor.store.database import connect
    from sozialmonitor.web.site import load_site

    engine = connect(f"sqlite:///{Path(args.db).resolve()}")
    started = time.perf_counter()
    if build_demo_database(engine):
        print(f"demo database built in {time.perf_counter() - started:.1f} s")
    site = load_site(demo_site("hannover"))
    out = Path(args.out or tempfile.mkdtemp(prefix="sm-reports-"))
    out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    report = make_report(engine, "sozialbericht", area=REGION, site=site)
    html = report_document(report, site)
    html_s = time.perf_counter() - started
    (out / "sozialbericht.html").write_text(html, encoding="utf-8")
    started = time.perf_counter()
    pdf = pdf_bytes(html)
    pdf_s = time.perf_counter() - started
    (out / "sozialbericht.pdf").write_bytes(pdf)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"Sozialbericht {REGION}: HTML {html_s:.1f} s ({len(html) / 1e3:.0f} kB), "
        f"PDF {pdf_s:.1f} s more ({pages} pages, {len(pdf) / 1e3:.0f} kB)"
    )

    started = time.perf_counter()
    with engine.connect() as conn:
        from sozialmonitor.store import queries

        towns = [
            a.code
            for a in queries.list_areas(conn, parent=REGION)
            if a.level == "municipality"
        ]
    written = write_reports(
        engine,
        "gebietsprofil",
        areas=towns,
        folder=out / "profile",
        output=None,
        topic=None,
        release=None,
        audience=Audience.PUBLIC,
        lang="de",
        site=site,
        fmt="pdf",
    )
    total = time.perf_counter() - started
    pages = [len(pypdf.PdfReader(p).pages) for p in written]
    print(
        f"Gebietsprofil x {len(written)}: {total:.1f} s "
        f"({total / len(written):.2f} s each), pages {min(pages)}–{max(pages)}"
    )
    print(f"files in {out}")


if __name__ == "__main__":
    main()
