"""Write the sample files that a text editor cannot make reliably.

Run once from the repository root and commit what it writes::

    .venv/bin/python tests/data/make_samples.py

Byte order marks, Windows-1252 and UTF-16 text, Excel workbooks (intact, truncated
and damaged), a file cut off in the middle of a row and a GeoJSON in UTM coordinates.
All values are made up for tests (the areas are those of ``tests/fixtures.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
GOOD = HERE / "observations"
BAD = HERE / "bad" / "observations"
FIXED_TIME = dt.datetime(2024, 1, 1)
"""Workbook timestamps, so that a new run changes as little as possible."""

GERMAN_BOM_ROWS = [
    "Indikator;Gebiet;Jahr;Wert;Zähler;Nenner;Kennzeichen;Anmerkung",
    "mean_income;03241001;2022;1.234,5;;;;",
    "mean_income;03241002;2022;987,25;;;provisional;",
    "unemployment_share;03241001;2022;7,4;;;;",
    "unemployment_share;03241002;2022;5,6 p;;;;",
    "unemployment_share;03241003;2022;.;;;;Geheimhaltung",
    "population;03241001;2022;302.114;;;;",
    "population;03241002;2022;-;;;;",
    "population;03241003;2022;;;;;",
    "child_poverty;03241001;2022;;1.200;24.000;;",
]
"""Excel's "CSV UTF-8": byte order mark, ';' and CRLF; German numbers and signs."""

CP1252_TAB_ROWS = [
    "Kennzahl\tGebietsschlüssel\tJahr\tZähler\tNenner\tAnmerkung",
    "unemployment_share\t03241001\t2022\t21.500\t302.000\tSchätzung für Süd",
    "unemployment_share\t03241002\t2022\t1.150\t20.150\tGemeinde Größe geprüft",
]
"""Excel's "Text (Tabstopp-getrennt)": Windows-1252 with umlauts in header and notes."""


def write_text(path: Path, rows: list[str], encoding: str, newline: str) -> None:
    path.write_bytes((newline.join(rows) + newline).encode(encoding))


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.active
    sheet.title = "Daten"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


LONG_XLSX = [
    ["Indikator", "Gebiet", "Jahr", "Wert", "Anmerkung"],
    ["unemployment_share", "03241001", 2022, 7.4, None],
    ["population", 3241002, 2022, 20150, "Gebiet als Zahl: die Null fehlt"],
    ["mean_income", "03241001", dt.datetime(2022, 12, 31), "1.234,5", None],
    [None, None, None, None, None],
    ["population", "03241003", 2022, ".", "geheim"],
]
"""Numbers and dates as Excel stores them; one code lost its leading zero."""

WIDE_XLSX = [
    ["Indikator", "Gebiet", 2020, 2021, 2022],
    ["mean_income", "03241001", 1150.5, 1190, 1234.5],
    ["mean_income", "03241002", None, 950.25, 987.25],
]


def damaged(book: bytes) -> bytes:
    """The same workbook with its sheet's XML cut in half (the zip itself is fine)."""
    source = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return out.getvalue()


def utm_areas() -> dict[str, object]:
    """Two districts of Hannover in ETRS89 / UTM zone 32N (EPSG:25832).

    The first square's corner x = 500 000 m lies on the zone's central meridian,
    9° E, so its longitude after reprojection is exactly 9.
    """

    def square(x: int, y: int, size: int) -> list[list[list[int]]]:
        return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]

    features = [
        ("03241001-01", "Mitte", square(500_000, 5_800_000, 2_000)),
        ("03241001-02", "Vahrenwald-List", square(502_000, 5_800_000, 2_000)),
    ]
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": name,
                    "level": "district",
                    "parent": "03241001",
                },
                "geometry": {"type": "Polygon", "coordinates": ring},
            }
            for code, name, ring in features
        ],
    }


def main() -> None:
    BAD.mkdir(parents=True, exist_ok=True)
    write_text(
        GOOD / "long_semicolon_german_bom.csv", GERMAN_BOM_ROWS, "utf-8-sig", "\r\n"
    )
    write_text(GOOD / "long_tab_cp1252.csv", CP1252_TAB_ROWS, "cp1252", "\r\n")
    book = workbook(LONG_XLSX)
    (GOOD / "long.xlsx").write_bytes(book)
    (GOOD / "wide.xlsx").write_bytes(workbook(WIDE_XLSX))
    (HERE / "areas" / "areas_25832.geojson").write_text(
        json.dumps(utm_areas(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    # the bad corpus
    header = "Indikator;Gebietsschlüssel;Jahr;Wert"
    rows = [header, "unemployment_share;03241001;2022;7,4"]
    write_text(BAD / "utf16.csv", rows, "utf-16", "\r\n")
    mojibake = "\r\n".join(rows).encode("utf-8").decode("cp1252").encode("utf-8")
    (BAD / "mojibake.csv").write_bytes(mojibake + b"\r\n")
    (BAD / "bom_not_utf8.csv").write_bytes(
        b"\xef\xbb\xbf" + "\r\n".join(rows).encode("cp1252") + b"\r\n"
    )
    (BAD / "truncated.csv").write_bytes(
        "\n".join(
            [
                "Indikator;Gebiet;Jahr;Wert",
                "unemployment_share;03241001;2022;7,4",
                "unemployment_share;03241002;2022;5,6",
                "unemployment_share;03241003;20",
            ]
        ).encode("utf-8")
    )
    (BAD / "empty.csv").write_bytes(b"")
    (BAD / "truncated.xlsx").write_bytes(book[: len(book) // 2])
    (BAD / "damaged.xlsx").write_bytes(damaged(book))


if __name__ == "__main__":
    main()
