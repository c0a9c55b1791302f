"""Text a spreadsheet would run (``=``, ``+``, ``-``, ``@``, tab, CR at the start) is
written as text in every CSV and XLSX file: the portal's downloads and the CLI
``export``. The hostile texts come in through the real imports (catalogue, areas,
observations); numbers, negative ones too, stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from sozialmonitor.cli import app as cli
from sozialmonitor.export import FORMULA_STARTS, as_text, csv_safe, xlsx_bytes
from sozialmonitor.store import schema
from sozialmonitor.store.database import connect
from sozialmonitor.web import german_csv
from sozialmonitor.web.app import create_app

INDICATOR = "saldo"
SOURCE = '=HYPERLINK("http://evil.example","Quelle")'
LICENCE = "@SUM(1+1)*cmd|' /C calc'!A0"
AREA_NAMES = {
    "03241001": '=HYPERLINK("http://evil.example","Hannover")',
    "03241002": "+SUM(1,2)",
    "03241003": "-2+3+cmd|' /C calc'!A0",
}
NOTES = {"03241001": "=1+2", "03241002": "@SUM(A1:A2)"}
VALUES = {"03241": -150.0, "03241001": -120.5, "03241002": 40.0, "03241003": -69.5}
HOSTILE = {SOURCE, LICENCE, *AREA_NAMES.values(), *NOTES.values()}

CATALOGUE = f"""\
- id: {INDICATOR}
  name: Wanderungssaldo
  unit: Personen
  kind: index
  source: Quelle
  licence: Lizenz
"""
AREAS = "code;name;level;parent\n03241;Region Hannover;region;\n" + "".join(
    f"{code};Gemeinde {code};municipality;03241\n" for code in AREA_NAMES
)


def _observations() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["indicator", "area", "period", "value", "note"])
    for code, value in VALUES.items():
        writer.writerow(
            [INDICATOR, code, "2022", value, "Hinweis" if code in NOTES else ""]
        )
    return out.getvalue()


def _cli(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", url, *args])
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database whose catalogue, area names and notes hold formulas, filled and
    published with the CLI's imports, the formulas written in afterwards; yields its
    URL."""
    folder = tmp_path_factory.mktemp("hostile")
    url = f"sqlite:///{folder / 'hostile.db'}"
    (folder / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    (folder / "areas.csv").write_text(AREAS, encoding="utf-8")
    (folder / "values.csv").write_text(_observations(), encoding="utf-8")
    _cli(url, "init")
    _cli(url, "import", "indicators", str(folder / "catalogue.yaml"))
    _cli(url, "import", "areas", str(folder / "areas.csv"))
    _cli(url, "import", "observations", str(folder / "values.csv"), "--release", "R1")
    _cli(url, "release", "validate", "R1")
    _cli(url, "release", "publish", "R1")
    # The imports refuse text starting with '=' or '@' (ingest.checks); such text
    # may still be in a database (written by an older version or another tool), so
    # it is put there directly, and every download must write it as text.
    engine = connect(url)
    with engine.begin() as conn:
        conn.execute(
            update(schema.indicator)
            .where(schema.indicator.c.code == INDICATOR)
            .values(source=SOURCE, licence=LICENCE)
        )
        for code, name in AREA_NAMES.items():
            conn.execute(
                update(schema.area).where(schema.area.c.code == code).values(name=name)
            )
        for code, note in NOTES.items():
            area_id = conn.scalar(
                select(schema.area.c.id).where(schema.area.c.code == code)
            )
            conn.execute(
                update(schema.observation)
                .where(schema.observation.c.area_id == area_id)
                .values(note=note)
            )
    engine.dispose()
    yield url


@pytest.fixture(scope="module")
def client(hostile: str) -> Iterator[TestClient]:
    engine: Engine = connect(hostile)
    yield TestClient(create_app(engine))
    engine.dispose()


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def check_csv(content: bytes, *, german: bool) -> list[dict[str, str]]:
    """No CSV cell starts like a formula unless it is a number; every hostile text
    is marked as text. Returns the rows as dicts."""
    text = content.decode("utf-8-sig" if german else "utf-8")
    reader = csv.reader(io.StringIO(text), delimiter=";" if german else ",")
    table = list(reader)
    cells = [cell for row in table for cell in row]
    running = [c for c in cells if c.startswith(FORMULA_STARTS) and _number(c) is None]
    assert running == [], f"cells a spreadsheet would run: {running}"
    header = table[0]
    if german:
        # German headers (the portal's; the command line's are English), then the
        # rows up to the blank line before the legend
        english = {de: en for en, de in german_csv.HEADERS.items()}
        header = [english.get(h, h) for h in header]
        table = table[: table.index([])] if [] in table else table
    return [dict(zip(header, row, strict=True)) for row in table[1:]]


def check_xlsx(content: bytes) -> dict[str, list[tuple[object, ...]]]:
    """No cell of any sheet is a formula; hostile texts are text cells with the
    quote prefix. Returns each sheet's values."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheets = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in HOSTILE:
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
        sheets[sheet.title] = list(sheet.iter_rows(values_only=True))
    return sheets


def download_links(client: TestClient, view: str) -> dict[str, str]:
    page = BeautifulSoup(
        client.get(f"/indikator/{INDICATOR}?{view}").text, "html.parser"
    )
    links = {a["data-format"]: str(a["href"]) for a in page.select("ul.downloads a")}
    assert {"csv", "csv-de", "xlsx"} <= set(links), links
    return links


VIEWS = ("ansicht=tabelle", "ansicht=karte", "ansicht=diagramm&gebiete=03241001")


@pytest.mark.parametrize("view", VIEWS)
def test_csv_downloads_mark_formulas_as_text(client: TestClient, view: str) -> None:
    links = download_links(client, view)
    for fmt, german in (("csv", False), ("csv-de", True)):
        response = client.get(links[fmt])
        assert response.status_code == 200, response.text[:300]
        rows = check_csv(response.content, german=german)
        assert rows, f"{fmt}: no rows"
        for row in rows:
            if row["area"] in AREA_NAMES:
                assert row["area_name"] == "'" + AREA_NAMES[row["area"]]
            if row["area"] in NOTES and "note" in row:
                assert row["note"] == "'" + NOTES[row["area"]]
            assert row["source"] == "'" + SOURCE
            assert row["licence"] == "'" + LICENCE
            value = _number(row["value"])
            assert value == VALUES[row["area"]], (fmt, row)


@pytest.mark.parametrize("view", VIEWS)
def test_xlsx_downloads_hold_no_formula(client: TestClient, view: str) -> None:
    response = client.get(download_links(client, view)["xlsx"])
    assert response.status_code == 200, response.text[:300]
    sheets = check_xlsx(response.content)
    header, *rows = sheets["Werte"]
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert records
    for record in records:
        code = str(record["area"])
        if code in AREA_NAMES:
            assert record["area_name"] == AREA_NAMES[code]
        if code in NOTES and "note" in record:
            assert record["note"] == NOTES[code]
        assert record["source"] == SOURCE
        # Numbers stay numbers, negative ones too.
        assert isinstance(record["value"], int | float)
        assert record["value"] == VALUES[code]
    source_sheet = dict(row[:2] for row in sheets["Quelle"][1:])
    assert source_sheet["Quelle"] == SOURCE
    assert source_sheet["Lizenz"] == LICENCE


@pytest.mark.parametrize("fmt", ["csv", "csv-de", "xlsx"])
def test_cli_export_writes_formulas_as_text(
    hostile: str, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"out.{fmt.removesuffix('-de')}"
    args = ["--indicator", INDICATOR, "--format", fmt, "--output", str(target)]
    _cli(hostile, "export", *args)
    content = target.read_bytes()
    if fmt == "xlsx":
        header, *rows = check_xlsx(content)["Werte"]
        records = [dict(zip(header, row, strict=True)) for row in rows]
        names = {str(r["area"]): r["area_name"] for r in records}
        values = {str(r["area"]): r["value"] for r in records}
        notes = {str(r["area"]): r["note"] for r in records if r["note"]}
        assert notes == NOTES
    else:
        found = check_csv(content, german=fmt == "csv-de")
        names = {r["area"]: r["area_name"].removeprefix("'") for r in found}
        values = {r["area"]: _number(r["value"]) for r in found}
        assert {r["area"]: r["note"] for r in found if r["note"]} == {
            code: "'" + note for code, note in NOTES.items()
        }
    assert {code: names[code] for code in AREA_NAMES} == AREA_NAMES
    assert values == VALUES


def test_every_formula_start_is_marked_and_numbers_are_not() -> None:
    frame = pd.DataFrame(
        {
            "text": ["=1+2", "+1", "-x", "@A1", "\tcmd", "\rcmd", "Laatzen", None],
            "value": [-1.5, 2.0, -3.25, 0.0, -0.0, 1e6, -7.0, None],
        }
    )
    safe = csv_safe(frame)
    assert list(safe["text"][:6]) == ["'" + t for t in frame["text"][:6]]
    assert safe["text"][6] == "Laatzen" and pd.isna(safe["text"][7])
    assert safe["value"].dtype == frame["value"].dtype
    assert safe["value"].equals(frame["value"])
    assert as_text(-5) == -5
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Werte": frame})))
    cells = list(book["Werte"].iter_rows(min_row=2, max_row=7))
    assert [row[0].data_type for row in cells] == ["s"] * 6
    # XML reads a stored CR back as a line feed (end-of-line normalisation).
    assert [row[0].value for row in cells] == [
        t.replace("\r", "\n") for t in frame["text"][:6]
    ]
    assert [row[1].value for row in cells] == list(frame["value"][:6])
    assert {row[1].data_type for row in cells} == {"n"}
