"""A corpus of hostile files, generated from code (seeded), and a runner that imports
each through the importers the CLI calls, in a child process whose time and memory
are measured.

Every file must be refused: an ``ImportValidationError`` whose report has the
expected finding (with its row and column where there is one), nothing written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import random
import resource
import struct
import sys
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sozialmonitor.ingest import limits
from tests.fixtures import TOWNS

TIME_LIMIT_S = 30.0
MEMORY_LIMIT_BYTES = 1 << 30
SEED = 20261206

GEO_HEADER = {"type": "FeatureCollection"}
SQUARE = [[[9.6, 52.3], [9.7, 52.3], [9.7, 52.4], [9.6, 52.4], [9.6, 52.3]]]
"""A small square near Hannover (longitude, latitude)."""


@dataclass(frozen=True, kw_only=True)
class Hostile:
    """A hostile file and the finding it must get."""

    name: str
    """File name in the corpus folder."""
    importer: str
    """observations, indicators or areas."""
    codes: tuple[str, ...]
    """Codes of which the report must have at least one as an error."""
    row: int | None = None
    """Row of that finding, where there is one."""
    column: str | None = None
    """Column of that finding, where there is one."""


class Corpus:
    """Collects the files written into ``folder``."""

    def __init__(self, folder: Path, seed: int = SEED) -> None:
        self.folder = folder
        self.random = random.Random(seed)
        self.cases: list[Hostile] = []

    def add(
        self,
        name: str,
        content: bytes | str,
        importer: str,
        *codes: str,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        path = self.folder / name
        assert not path.exists(), name
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        self.cases.append(
            Hostile(name=name, importer=importer, codes=codes, row=row, column=column)
        )

    def sparse(self, name: str, size: int, importer: str) -> None:
        """A file of ``size`` bytes that takes no room on disk."""
        with (self.folder / name).open("wb") as handle:
            handle.truncate(size)
        self.cases.append(
            Hostile(name=name, importer=importer, codes=("file-too-large",))
        )

    def noise(self, size: int) -> bytes:
        return self.random.randbytes(size)


# --- observations -------------------------------------------------------------------

HOSTILE_VALUES: dict[str, tuple[str, ...]] = {
    "inf": ("not-a-number",),
    "-inf": ("not-a-number",),
    "Infinity": ("not-a-number",),
    "INF": ("not-a-number",),
    "1e308": ("not-a-number",),
    "-1e308": ("not-a-number",),
    "1e999": ("not-a-number",),
    "1e16": ("not-a-number",),
    "9" * 400: ("not-a-number",),
    "99999999999999999999": ("not-a-number",),
    "=1+1": ("not-a-number",),
    '=HYPERLINK("http://example.org/x","klick")': ("not-a-number",),
    "@SUM(A1:A9)": ("not-a-number",),
    "+cmd|' /C calc'!A0": ("not-a-number",),
    "-2+3": ("not-a-number",),
    "0x1F": ("not-a-number",),
    "NULL": ("not-a-number",),
    "true": ("not-a-number",),
    "12,5%": ("not-a-number",),
    "\u202e521": ("not-a-number",),
    "1.2.3,4,5": ("not-a-number",),
    "x" * 40_000: ("cell-too-long",),
}
"""A value cell and the finding it gets."""

HOSTILE_CODES: dict[str, tuple[str, str]] = {
    "area": ("=cmd|' /C calc'!A0", "unknown-area-code"),
    "indicator": ("__proto__", "unknown-indicator"),
    "period": ("99999999999", "invalid-period"),
}


def _long_rows(corpus: Corpus, count: int) -> list[list[str]]:
    rows = []
    for _ in range(count):
        rows.append(
            [
                "unemployment_share",
                corpus.random.choice(TOWNS),
                str(corpus.random.choice(range(2015, 2023))),
                f"{corpus.random.uniform(1, 20):.1f}".replace(".", ","),
            ]
        )
    return rows


def _csv(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(";".join(r) for r in [header, *rows]) + "\n"


def observations(corpus: Corpus) -> None:
    header = ["Indikator", "Gebiet", "Jahr", "Wert"]
    for n, (value, codes) in enumerate(HOSTILE_VALUES.items()):
        for variant in range(3):
            rows = _long_rows(corpus, corpus.random.randint(1, 40))
            # distinct periods per area: no duplicate rows, only the hostile cell
            for i, row in enumerate(rows):
                row[1], row[2] = TOWNS[i % 3], str(1960 + i // 3)
            target = corpus.random.randrange(len(rows))
            rows[target][3] = value
            corpus.add(
                f"obs_value_{n:02d}_{variant}.csv",
                _csv(header, rows),
                "observations",
                *codes,
                row=target + 2,
                column="Wert",
            )
    for role, (cell, code) in HOSTILE_CODES.items():
        column = {"area": 1, "indicator": 0, "period": 2}[role]
        for variant in range(3):
            rows = _long_rows(corpus, 5)
            for i, row in enumerate(rows):
                row[1], row[2] = TOWNS[i % 3], str(2015 + i // 3)
            target = corpus.random.randrange(len(rows))
            rows[target][column] = cell
            corpus.add(
                f"obs_{role}_{variant}.csv",
                _csv(header, rows),
                "observations",
                code,
                row=target + 2,
                column=header[column],
            )
    ratio = ["Indikator", "Gebiet", "Jahr", "Zähler", "Nenner"]
    for n, (numerator, denominator, code, column) in enumerate(
        [
            ("5", "inf", "not-a-number", "Nenner"),
            ("5", "1e-300", "number-out-of-range", "Nenner"),
            ("1e300", "1", "not-a-number", "Zähler"),
            ("NaN", "inf", "not-a-number", "Nenner"),
        ]
    ):
        rows = [["unemployment_share", "03241001", "2015", numerator, denominator]]
        corpus.add(
            f"obs_ratio_{n}.csv",
            _csv(ratio, rows),
            "observations",
            code,
            row=2,
            column=column,
        )
    # thousands of period columns of empty cells: a few MB that would turn into
    # millions of long rows
    start = dt.date(1950, 1, 1)
    days = [(start + dt.timedelta(days=i)).strftime("%d.%m.%Y") for i in range(5000)]
    wide = ["Indikator", "Gebiet", *days]
    blank = [""] * len(days)
    empty = [["unemployment_share", TOWNS[i % 3], *blank] for i in range(400)]
    corpus.add("obs_wide_empty.csv", _csv(wide, empty), "observations", "no-values")
    target = corpus.random.randrange(len(empty))
    empty[target][1] = "09999999"
    corpus.add(
        "obs_wide_empty_unknown_area.csv",
        _csv(wide, empty),
        "observations",
        "unknown-area-code",
        row=target + 2,
        column="Gebiet",
    )
    noted = ["Indikator", "Gebiet", "Jahr", "Wert", "Anmerkung"]
    for n, note in enumerate(
        ['=HYPERLINK("http://example.org")', "@SUM(A1)", "a\x01b"]
    ):
        rows = [["unemployment_share", "03241001", "2015", "5,5", note]]
        corpus.add(
            f"obs_note_{n}.csv",
            _csv(noted, rows),
            "observations",
            "invalid-text",
            row=2,
            column="Anmerkung",
        )


LAYOUT_CODES = {
    "indicators": ("unknown-field", "missing-field", "no-rows"),
    "areas": ("missing-column", "no-rows"),
}
"""What a table the reader takes but that is no catalogue or area file gets."""


def content(importer: str, *codes: str) -> tuple[str, ...]:
    """``codes`` for an observation file, else the importer's layout codes."""
    return codes if importer == "observations" else LAYOUT_CODES[importer]


def tables(corpus: Corpus, importer: str, prefix: str) -> None:
    """Files no table reader may take, for an importer that reads tables."""
    good = _csv(["Indikator", "Gebiet", "Jahr", "Wert"], _long_rows(corpus, 5))
    add = corpus.add
    add(
        f"{prefix}_cols_1e6.csv",
        ";".join(["x"] * 1_000_000) + "\n",
        importer,
        "too-many-columns",
        row=1,
    )
    wide = ";".join(f"c{i}" for i in range(limits.MAX_COLUMNS + 1))
    add(f"{prefix}_cols_limit.csv", wide + "\n1\n", importer, "too-many-columns", row=1)
    long_cell = "Indikator;Gebiet;Jahr;Wert\nunemployment_share;03241001;2015;"
    add(
        f"{prefix}_cell_40k.csv",
        long_cell + "1" * 40_000 + "\n",
        importer,
        "cell-too-long",
        row=2,
        column="Wert",
    )
    add(
        f"{prefix}_cell_200k.csv",
        long_cell + "y" * 200_000 + "\n",
        importer,
        "cell-too-long",
        row=2,
    )
    add(
        f"{prefix}_unclosed_big.csv",
        long_cell + '"' + "z;" * 100_000,
        importer,
        "cell-too-long",
        "unclosed-quote",
    )
    nul_at = corpus.random.randint(5000, 9000)
    body = (good * 200)[:nul_at] + "\x00" + (good * 10)
    add(
        f"{prefix}_nul.csv",
        body,
        importer,
        "control-character",
        row=body[:nul_at].count("\n") + 1,
    )
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        add(
            f"{prefix}_{encoding}.csv",
            good.encode(encoding),
            importer,
            "wrong-encoding",
        )
    add(
        f"{prefix}_bom_cp1252.csv",
        b"\xef\xbb\xbf" + "Gebiet;Jahr\nMünchen;2015\n".encode("cp1252"),
        importer,
        "wrong-encoding",
        row=2,
    )
    add(
        f"{prefix}_mojibake.csv",
        "Gebiet;Jahr\nMÃ¼nchen;2015\n",
        importer,
        "double-encoded",
        row=2,
    )
    add(f"{prefix}_gzip.csv", gzip.compress(good.encode()), importer, "wrong-encoding")
    add(
        f"{prefix}_ebcdic.csv",
        good.encode("cp500"),
        importer,
        *content(importer, "missing-column"),
    )
    add(f"{prefix}_only_separators.csv", ";;;\n;;;\n", importer, "empty-file")
    add(f"{prefix}_only_blanks.csv", " \n\t\n  \r\n", importer, "empty-file")
    add(f"{prefix}_bom_only.csv", b"\xef\xbb\xbf", importer, "empty-file")
    add(f"{prefix}_empty.csv", b"", importer, "empty-file")
    add(f"{prefix}_xls.xls", corpus.noise(512), importer, "unreadable-file")
    add(
        f"{prefix}_pdf.pdf",
        b"%PDF-1.4\n" + corpus.noise(512),
        importer,
        "unreadable-file",
    )
    for n in range(8):
        noise = corpus.noise(corpus.random.randint(1, 20_000))
        add(
            f"{prefix}_noise_{n}.csv",
            noise,
            importer,
            "wrong-encoding",
            "missing-column",
            "missing-field",
            "empty-file",
            "extra-cell",
            "missing-cell",
            "unclosed-quote",
            "truncated-file",
            "unknown-field",
            "double-encoded",
            "control-character",
            "missing-value",
        )
    add(
        f"{prefix}_cols_1e6.tsv",
        "\t".join(["x"] * 1_000_000) + "\n",
        importer,
        "too-many-columns",
        row=1,
    )
    add(f"{prefix}_utf16.txt", good.encode("utf-16"), importer, "wrong-encoding")
    corpus.sparse(f"{prefix}_huge.tsv", limits.MAX_FILE_BYTES + 1, importer)
    corpus.sparse(f"{prefix}_huge.csv", limits.MAX_FILE_BYTES + 1, importer)
    lines = b"a;b\n" + b"\n" * limits.MAX_ROWS
    add(f"{prefix}_lines.csv", lines, importer, "too-many-rows")
    xlsx(corpus, importer, prefix)


# --- Excel --------------------------------------------------------------------------


def _workbook(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = content if info.filename == name else source.read(info.filename)
            target.writestr(info.filename, body)
    return out.getvalue()


def _lying_sizes(data: bytes, size: int) -> bytes:
    """The zip with every member's unpacked size in the central directory set to
    ``size`` (what a forged bomb declares)."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        struct.pack_into("<I", out, start + 24, size)
        start += 4
    return bytes(out)


def xlsx(corpus: Corpus, importer: str, prefix: str) -> None:
    add = corpus.add
    header = ["Indikator", "Gebiet", "Jahr", "Wert"]
    good = _workbook([header, ["unemployment_share", "03241001", "2015", 5.5]])
    sheet = "xl/worksheets/sheet1.xml"
    zeros = io.BytesIO()
    with zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr(sheet, b"<" + b" " * (64 << 20))
    add(f"{prefix}_zip_bomb.xlsx", zeros.getvalue(), importer, "zip-bomb")
    add(f"{prefix}_lying.xlsx", _lying_sizes(good, 0xFFFFFFF0), importer, "zip-bomb")
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(limits.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"m{i}", b"")
    add(f"{prefix}_many_members.xlsx", many.getvalue(), importer, "zip-bomb")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    add(f"{prefix}_other_zip.xlsx", other.getvalue(), importer, "not-a-workbook")
    add(
        f"{prefix}_encrypted.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + corpus.noise(4000),
        importer,
        "encrypted-workbook",
    )
    wide = _workbook([header])
    text = zipfile.ZipFile(io.BytesIO(wide)).read(sheet).decode()

    def second_row(value: str) -> bytes:
        """The header and a row whose 'Wert' is ``value`` (openpyxl itself cuts a
        text at Excel's 32,767 characters)."""
        cells = ["unemployment_share", "03241001", "2015", value]
        row = "".join(
            f'<c r="{c}2" t="inlineStr"><is><t>{v}</t></is></c>'
            for c, v in zip("ABCD", cells, strict=True)
        )
        xml = text.replace("</sheetData>", f'<row r="2">{row}</row></sheetData>')
        return _replace_member(wide, sheet, xml.encode())

    add(
        f"{prefix}_cell_40k.xlsx",
        second_row("7" * 40_000),
        importer,
        "cell-too-long",
        row=2,
        column="Wert",
    )
    add(f"{prefix}_cell_bomb.xlsx", second_row("7" * (8 << 20)), importer, "zip-bomb")
    far = text.replace(
        "</sheetData>",
        '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    add(
        f"{prefix}_col_xfd.xlsx",
        _replace_member(wide, sheet, far.encode()),
        importer,
        "too-many-columns",
        row=2,
    )
    down = text.replace(
        "</sheetData>",
        '<row r="1048576"><c r="A1048576" t="inlineStr">'
        "<is><t>x</t></is></c></row></sheetData>",
    )
    add(
        f"{prefix}_row_last.xlsx",
        _replace_member(wide, sheet, down.encode()),
        importer,
        *content(importer, "unknown-indicator"),
    )
    dimension = text.replace(
        '<dimension ref="A1:D1"/>', '<dimension ref="A1:XFD1048576"/>'
    )
    add(
        f"{prefix}_dimension.xlsx",
        _replace_member(wide, sheet, dimension.encode()),
        importer,
        *content(importer, "no-rows"),
    )
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    doctype = f'<!DOCTYPE lolz [<!ENTITY l0 "lol">{laughs}]>'
    bomb = text.replace("?>", "?>" + doctype, 1).replace("<t>Wert</t>", "<t>&l9;</t>")
    add(
        f"{prefix}_xml_laughs.xlsx",
        _replace_member(wide, sheet, bomb.encode()),
        importer,
        "unreadable-file",
    )
    xxe = text.replace(
        "?>", '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1
    )
    xxe = xxe.replace("<t>Wert</t>", "<t>&e;</t>")
    add(
        f"{prefix}_xml_external.xlsx",
        _replace_member(wide, sheet, xxe.encode()),
        importer,
        "unreadable-file",
    )
    formulas = _workbook(
        [
            header,
            ["unemployment_share", "03241001", "2015", "=1/0"],
            ["unemployment_share", "03241002", "2015", "=A1*2"],
        ]
    )
    add(f"{prefix}_formulas.xlsx", formulas, importer, *content(importer, "no-values"))
    extreme = _workbook([header, ["unemployment_share", "03241001", "2015", 1e308]])
    add(f"{prefix}_1e308.xlsx", extreme, importer, *content(importer, "not-a-number"))
    for n in range(6):
        cut = corpus.random.randint(1, len(good) - 1)
        add(f"{prefix}_truncated_{n}.xlsx", good[:cut], importer, "unreadable-file")
        add(f"{prefix}_noise_{n}.xlsx", corpus.noise(cut), importer, "unreadable-file")
    corpus.sparse(f"{prefix}_huge.xlsx", limits.MAX_FILE_BYTES + 1, importer)


# --- indicator catalogue ------------------------------------------------------------

ENTRY = "- id: x1\n  name: Name\n  unit: '%'\n"


def catalogues(corpus: Corpus) -> None:
    add = corpus.add
    lol = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lol.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    add("cat_laughs.yaml", "\n".join(lol) + "\n", "indicators", "yaml-bomb")
    quadratic = "a: &a '" + "q" * 100_000 + "'\nb: [" + ", ".join(["*a"] * 5000) + "]\n"
    add("cat_quadratic.yaml", quadratic, "indicators", "yaml-bomb")
    add("cat_recursive.yaml", "- &a [*a]\n", "indicators", "yaml-bomb")
    add(
        "cat_deep_flow.yaml",
        "[" * 100_000 + "]" * 100_000,
        "indicators",
        "yaml-too-deep",
        row=1,
    )
    deep = "".join("  " * i + "- \n" for i in range(500))
    add("cat_deep_block.yaml", deep, "indicators", "yaml-too-deep")
    add(
        "cat_many_nodes.yaml",
        "- 1\n" * (limits.MAX_YAML_NODES + 10),
        "indicators",
        "yaml-bomb",
    )
    longest = '- "' + "x " * ((limits.MAX_YAML_BYTES - 10) // 2) + '"\n'
    add("cat_long_scalar.yaml", longest, "indicators", "unreadable-file")
    corpus.sparse("cat_huge.yaml", limits.MAX_YAML_BYTES + 1, "indicators")
    fields = {
        "min_count": ["1" + "0" * 100, "1e100", "-5", "1" + "0" * 5000],
        "multiplier": [".nan", ".inf", "-.inf", "-1", "1e300"],
        "decimals": ["1000", "-1"],
        "name": [
            "'=HYPERLINK(\"http://example.org\")'",
            '"a\\x01b"',
            '"a\\0b"',
            "'@SUM(A1)'",
            '"\\ud800"',
            "x" * 20_000,
        ],
        "first_period": ["2021-13-45", "99999"],
        "kind": ["'; DROP TABLE indicator; --'", "[1, 2]", "{a: 1}"],
        "keywords": ['["=cmd"]'],
        "id": ["'../../etc/passwd'", "''", "'\\u0000'"],
    }
    for name, values in fields.items():
        for n, value in enumerate(values):
            body = ENTRY.replace("- id: x1\n", "- id: x1\n" if name != "id" else "-\n")
            body += f"  {name}: {value}\n"
            codes = ("invalid-field", "invalid-yaml", "missing-field")
            add(f"cat_{name}_{n}.yaml", body, "indicators", *codes, row=None)
    for n, tag in enumerate(
        [
            "!!python/object/apply:os.system ['echo pwned']",
            "!!python/name:os.system",
            "!!binary AAAA",
            "!!set {a, b}",
            "!!timestamp 2021-99-99",
        ]
    ):
        add(
            f"cat_tag_{n}.yaml",
            ENTRY + f"  definition: {tag}\n",
            "indicators",
            "invalid-yaml",
            "invalid-field",
        )
    add(
        "cat_utf16.yaml",
        ENTRY.encode("utf-16"),
        "indicators",
        "wrong-encoding",
        "invalid-yaml",
    )
    add("cat_tabs.yaml", "- id: x\n\tname: y\n", "indicators", "invalid-yaml")
    add("cat_scalar.yaml", "just text", "indicators", "unreadable-file")
    add("cat_null.yaml", "~", "indicators", "unreadable-file")
    for n in range(6):
        add(
            f"cat_noise_{n}.yaml",
            corpus.noise(corpus.random.randint(1, 5000)),
            "indicators",
            "wrong-encoding",
            "invalid-yaml",
            "unreadable-file",
        )
    header = "id;name;unit;min_count;multiplier\n"
    for n, (min_count, multiplier) in enumerate(
        [
            ("1e100", "100"),
            ("3", "nan"),
            ("3", "inf"),
            ("3", "1e300"),
            ("1" + "0" * 5000, "1"),
            ("-1", "1"),
        ]
    ):
        add(
            f"cat_csv_{n}.csv",
            header + f"x1;Name;%;{min_count};{multiplier}\n",
            "indicators",
            "invalid-field",
            row=2,
        )
    tables(corpus, "indicators", "cat")


# --- areas --------------------------------------------------------------------------


def _feature(geometry: object, **properties: object) -> dict[str, object]:
    props = {
        "code": "03241001-09",
        "name": "Nord",
        "level": "district",
        "parent": "03241001",
        **properties,
    }
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _geojson(features: list[dict[str, object]], crs: str | None = None) -> str:
    data: dict[str, object] = {**GEO_HEADER, "features": features}
    if crs is not None:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data)


def areas(corpus: Corpus) -> None:
    add = corpus.add
    polygon = {"type": "Polygon", "coordinates": SQUARE}
    broken = {
        "unclosed": [[[9.6, 52.3], [9.7, 52.3], [9.7, 52.4], [9.6, 52.4]]],
        "two_points": [[[9.6, 52.3], [9.7, 52.3]]],
        "three_points": [[[9.6, 52.3], [9.7, 52.3], [9.6, 52.3]]],
    }
    for name, rings in broken.items():
        for n in range(3):
            features = [_feature(polygon, code=f"0324100{i}-9") for i in range(n)]
            features.append(_feature({"type": "Polygon", "coordinates": rings}))
            add(
                f"geo_{name}_{n}.geojson",
                _geojson(features),
                "areas",
                "impossible-geometry",
                row=n + 1,
            )
    nan = _geojson([_feature(polygon)]).replace("9.7, 52.3", "NaN, 52.3", 1)
    add("geo_nan.geojson", nan, "areas", "impossible-geometry", row=1)
    huge = _geojson([_feature(polygon)]).replace("9.7, 52.3", "1e308, 52.3", 1)
    add("geo_1e308.geojson", huge, "areas", "wrong-crs")
    add(
        "geo_point.geojson",
        _geojson([_feature({"type": "Point", "coordinates": [9.6, 52.3]})]),
        "areas",
        "wrong-geometry-type",
        row=1,
    )
    line = {"type": "LineString", "coordinates": SQUARE[0]}
    add(
        "geo_line.geojson",
        _geojson([_feature(line)]),
        "areas",
        "wrong-geometry-type",
        row=1,
    )
    wrong = _geojson([_feature(polygon)], "urn:ogc:def:crs:EPSG::25832")
    add("geo_latlon_as_utm.geojson", wrong, "areas", "outside-crs-area", row=1)
    gk = [
        [
            [3550000, 5800000],
            [3551000, 5800000],
            [3551000, 5801000],
            [3550000, 5801000],
            [3550000, 5800000],
        ]
    ]
    add(
        "geo_gk_as_utm.geojson",
        _geojson(
            [_feature({"type": "Polygon", "coordinates": gk})],
            "urn:ogc:def:crs:EPSG::25832",
        ),
        "areas",
        "outside-crs-area",
        row=1,
    )
    utm = [
        [
            [550000, 5800000],
            [551000, 5800000],
            [551000, 5801000],
            [550000, 5801000],
            [550000, 5800000],
        ]
    ]
    add(
        "geo_utm_as_latlon.geojson",
        _geojson([_feature({"type": "Polygon", "coordinates": utm})]),
        "areas",
        "wrong-crs",
    )
    add(
        "geo_utm_as_3035.geojson",
        _geojson(
            [_feature({"type": "Polygon", "coordinates": SQUARE})],
            "urn:ogc:def:crs:EPSG::3035",
        ),
        "areas",
        "outside-crs-area",
        row=1,
    )
    for n, crs in enumerate(["EPSG:999999", "urn:ogc:def:crs:EPSG::0", "Gauß-Krüger"]):
        add(
            f"geo_unknown_crs_{n}.geojson",
            _geojson([_feature(polygon)], crs),
            "areas",
            "unknown-crs",
        )
    for n, name in enumerate(
        ['=HYPERLINK("http://example.org")', "@cmd", "a\u0001b", "x" * 20_000, "\ud800"]
    ):
        add(
            f"geo_name_{n}.geojson",
            _geojson([_feature(polygon, name=name)]),
            "areas",
            "invalid-text",
            row=1,
            column="name",
        )
    deep = (
        '{"type":"FeatureCollection","features":['
        + "[" * 100_000
        + "]" * 100_000
        + "]}"
    )
    add("geo_deep.geojson", deep, "areas", "unreadable-file")
    good = _geojson([_feature(polygon, code=f"0324100{i}-9") for i in range(3)])
    for n in range(6):
        cut = corpus.random.randint(1, len(good) - 2)
        add(f"geo_truncated_{n}.geojson", good[:cut], "areas", "unreadable-file")
        add(f"geo_noise_{n}.geojson", corpus.noise(cut), "areas", "unreadable-file")
        add(f"geo_noise_{n}.gpkg", corpus.noise(cut * 10), "areas", "unreadable-file")
        add(f"geo_noise_{n}.shp", corpus.noise(cut), "areas", "unreadable-file")
    zeros = io.BytesIO()
    with zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.shp", b"\0" * (64 << 20))
    add("geo_zip_bomb.zip", zeros.getvalue(), "areas", "zip-bomb")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "no shapefile")
    add("geo_other.zip", other.getvalue(), "areas", "unreadable-file")
    geodata(corpus)
    corpus.sparse("geo_huge.geojson", limits.MAX_GEO_FILE_BYTES + 1, "areas")
    corpus.sparse("geo_huge.gpkg", limits.MAX_GEO_FILE_BYTES + 1, "areas")
    head = "code;name;level;parent\n"
    add(
        "areas_formula.csv",
        head + "03241001-9;=1+1;district;03241001\n",
        "areas",
        "invalid-text",
        row=2,
        column="name",
    )
    add(
        "areas_control.csv",
        head + "03241001-9;a\x07b;district;03241001\n",
        "areas",
        "invalid-text",
        row=2,
        column="name",
    )
    tables(corpus, "areas", "areas")


def geodata(corpus: Corpus) -> None:
    """GeoPackages and Shapefiles written by GDAL, then spoilt."""
    import warnings

    import geopandas as gpd
    from shapely.geometry import Polygon

    utm = [(550000, 5800000), (551000, 5800000), (551000, 5801000), (550000, 5800000)]
    frame = gpd.GeoDataFrame(
        {"code": ["03241001-9"], "name": ["Nord"], "level": ["district"]}
        | {"parent": ["03241001"]},
        geometry=[Polygon(utm)],
        crs="EPSG:25832",
    )

    def write(name: str, crs: str, *codes: str, row: int | None = None) -> Path:
        path = corpus.folder / name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame.set_crs(crs, allow_override=True).to_file(path)
        corpus.cases.append(Hostile(name=name, importer="areas", codes=codes, row=row))
        return path

    write("geo_utm_as_wgs84.gpkg", "EPSG:4326", "wrong-crs")
    write("geo_utm_as_3035.shp", "EPSG:3035", "outside-crs-area", row=1)
    path = write("geo_local_crs.shp", "EPSG:25832", "unknown-crs")
    path.with_suffix(".prj").write_text('LOCAL_CS["arbitrary",UNIT["metre",1]]')
    path = write("geo_garbage_prj.shp", "EPSG:25832", "missing-crs")
    path.with_suffix(".prj").write_text("no WKT at all")
    good = write("geo_good.gpkg", "EPSG:25832").read_bytes()
    corpus.cases.pop()
    (corpus.folder / "geo_good.gpkg").unlink()
    for n in range(4):
        cut = corpus.random.randint(1, len(good) - 1)
        corpus.add(f"geo_truncated_{n}.gpkg", good[:cut], "areas", "unreadable-file")


def build_corpus(folder: Path, seed: int = SEED) -> list[Hostile]:
    """Write the corpus into ``folder``; returns its files and what each must get."""
    corpus = Corpus(folder, seed)
    observations(corpus)
    tables(corpus, "observations", "obs")
    catalogues(corpus)
    areas(corpus)
    return corpus.cases


# --- the child process --------------------------------------------------------------


def run_corpus(db_url: str, folder: Path, cases: list[Hostile]) -> dict[str, object]:
    """Import every file; what happened to each, and the peak memory of all."""
    from sqlalchemy import Engine

    from sozialmonitor.errors import ImportValidationError
    from sozialmonitor.ingest.areas import import_areas
    from sozialmonitor.ingest.indicators import import_indicators
    from sozialmonitor.ingest.observations import import_observations
    from sozialmonitor.ingest.report import ImportOutcome
    from sozialmonitor.store.database import connect

    importers: dict[str, Callable[[Engine, Path], ImportOutcome]] = {
        "observations": import_observations,
        "indicators": import_indicators,
        "areas": import_areas,
    }
    engine = connect(db_url)
    results = []
    for case in cases:
        start = time.perf_counter()
        outcome: dict[str, object] = {"name": case.name}
        try:
            importers[case.importer](engine, folder / case.name)
            outcome["exception"] = None
        except ImportValidationError as exc:
            report = exc.report
            outcome["exception"] = type(exc).__name__
            outcome["message"] = exc.message
            outcome["findings"] = report.to_dict()["findings"]  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - a bug: recorded for the test to show
            outcome["exception"] = type(exc).__name__
            outcome["message"] = traceback.format_exc()[-3000:]
        outcome["seconds"] = time.perf_counter() - start
        results.append(outcome)
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {"results": results, "peak_rss_bytes": peak}


def main() -> None:
    """``python -m tests.ingest.hostile DB_URL FOLDER CASES.json RESULTS.json``"""
    db_url, folder, cases_file, results_file = sys.argv[1:5]
    cases = [Hostile(**c) for c in json.loads(Path(cases_file).read_text())]
    for case in cases:
        object.__setattr__(case, "codes", tuple(case.codes))
    outcome = run_corpus(db_url, Path(folder), cases)
    Path(results_file).write_text(json.dumps(outcome), encoding="utf-8")


def dump_cases(cases: list[Hostile], path: Path) -> None:
    path.write_text(json.dumps([asdict(c) for c in cases]), encoding="utf-8")


if __name__ == "__main__":
    main()
