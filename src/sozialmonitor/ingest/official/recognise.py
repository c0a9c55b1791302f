"""Recognise an official statistics export by its own title block."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sozialmonitor.errors import ReadError, UnreadableFileError
from sozialmonitor.ingest.formats.csv.options import UTF8_BOM
from sozialmonitor.ingest.formats.xls.reader import is_xls, read_xls_sheet
from sozialmonitor.ingest.formats.xlsx.reader import read_xlsx_sheets
from sozialmonitor.ingest.official.text import cell_text

HEAD_BYTES = 4096
"""Bytes read to recognise a file: the title block is its first line."""
MAPPINGS_DOC = "docs/mapping-files.md"
"""Where writing a mapping file is explained."""

_GENESIS_TITLE = re.compile(r"^GENESIS-Tabelle:\s*([0-9A-Za-z][0-9A-Za-z.\-_]{0,40})")
_FLAT_HEADER = "statistics_code"
INKAR = "INKAR"
INKAR_HEADER = ("Kennziffer", "Raumeinheit", "Aggregat")
"""The first cells of an INKAR export's first header row (then the indicators)."""
INKAR_SHEET = "Daten"
"""The sheet of an INKAR workbook that holds the values (beside ``Metadaten`` and
``Quellangabe``)."""
BA = "BA"
BA_IMPRINT = "Impressum"
"""The first sheet of a Bundesagentur für Arbeit statistics workbook: who ordered
it, its title (row 'Titel:') and region."""
ZIP_MAGIC = b"PK\x03\x04"
"""Start of a zip file: an .xlsx workbook."""
IRIS = "IRIS"
IRIS_LABELS = ("Gebietskennziffer", "Name")
"""The first cells of an IRIS export's second header row (the first holds the
variables' short names, e.g. ``gemeindeve22``, ``q_einkst_bev98``)."""
_IRIS_KEY_NAME = re.compile(r"^[a-z][a-z_]*\d{2}$")
_LABEL_YEAR = re.compile(r"^(.*\S)\s+(\d{4})$")
_SLUG_CHARS = 60


@dataclass(frozen=True, kw_only=True)
class OfficialExport:
    """What the first line of a file says it is."""

    source: str
    """The publishing system, e.g. ``GENESIS``."""
    table: str
    """The table code as the export names it, e.g. ``12411-01-01-4``."""

    @property
    def described(self) -> str:
        """How the export is named in messages."""
        if self.source == INKAR:
            return f"an INKAR export ({self.table})"
        if self.source == IRIS:
            return f"an IRIS export of the BBSR ({self.table})"
        if self.source == BA:
            return f"a Bundesagentur für Arbeit statistics workbook ({self.table})"
        if self.table.count("-") >= 3:
            return f"a Regionalstatistik export (table {self.table})"
        return f"a {self.source} export (table {self.table})"

    def advice(self) -> str:
        """What to do with it instead of ``import observations``."""
        return (
            f"This looks like {self.described}: use `sozialmonitor import official "
            "FILE`, which reads such exports as downloaded through the table's "
            "mapping (or `sozialmonitor import mapped MAPPING FILE` with a mapping "
            f"of your own, see {MAPPINGS_DOC})."
        )


def head_bytes(path: Path, size: int) -> bytes:
    """The first bytes of a file; empty when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def head_text(path: Path, size: int = HEAD_BYTES) -> str:
    """The first bytes of a file as text (UTF-8, else Windows-1252); empty when
    the file cannot be read."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(size)
    except OSError:
        return ""
    raw = raw.removeprefix(UTF8_BOM)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3:  # a character cut at the end of the block
            return raw[: exc.start].decode("utf-8")
        return raw.decode("cp1252", errors="replace")


def recognise(path: Path) -> OfficialExport | None:
    """The export a file is, by its first line (of a workbook: the first row of
    its sheet ``Daten``, or its imprint's title), or None for any other file."""
    if is_xls(path):
        try:
            rows = read_xls_sheet(path, INKAR_SHEET, max_rows=1)
        except UnreadableFileError:
            return None
        return inkar_export(rows[0][1]) if rows else None
    if head_bytes(path, len(ZIP_MAGIC)) == ZIP_MAGIC:
        return _workbook_export(path)
    return identify(head_text(path))


def _official_sheets(names: list[str]) -> list[str]:
    return [n for n in names if n in (INKAR_SHEET, BA_IMPRINT)][:1]


def _workbook_export(path: Path) -> OfficialExport | None:
    try:
        sheets = read_xlsx_sheets(path, _official_sheets, max_rows=20)
    except UnreadableFileError:
        return None
    if rows := sheets.get(INKAR_SHEET):
        return inkar_export([cell_text(c) for c in rows[0][1]])
    if rows := sheets.get(BA_IMPRINT):
        return ba_export([[cell_text(c) for c in cells] for _, cells in rows])
    return None


def ba_export(imprint: list[list[str]]) -> OfficialExport | None:
    """The Bundesagentur's workbook whose imprint sheet these rows are, or None:
    ``ba-`` and its title (row ``Titel:``) in lower case ASCII.

    Examples
    --------
    >>> ba_export([["Impressum"], ["Titel:", "", "SvB am Wohnort"]]).table
    'ba-svb-am-wohnort'
    """
    if not any(cells and cells[0] == BA_IMPRINT for cells in imprint):
        return None
    for cells in imprint:
        if cells and cells[0] == "Titel:":
            title = next((c for c in cells[1:] if c), "")
            if title:
                return OfficialExport(source=BA, table=f"ba-{slug(title)}")
    return None


def inkar_export(cells: list[str]) -> OfficialExport | None:
    """The INKAR export whose first header row these cells are, or None.

    INKAR names no table: an export is named by its indicators. One indicator
    gives ``inkar-`` and the indicator's name in lower case ASCII; several give
    ``inkar-`` and ten hex digits of a hash of their sorted names, so any vintage
    of the same selection has the same name.

    Examples
    --------
    >>> inkar_export(["Kennziffer", "Raumeinheit", "Aggregat", "Arbeitslose"]).table
    'inkar-arbeitslose'
    >>> inkar_export(["Kennziffer", "Raumeinheit", "Aggregat", "Schulabgänger ohne "
    ...     "Abschluss", "Schulabgänger ohne Abschluss"]).table
    'inkar-schulabgaenger-ohne-abschluss'
    >>> inkar_export(["Kennziffer", "Name", "Wert"]) is None
    True
    """
    cells = [c.strip().strip('"').strip() for c in cells]
    if tuple(cells[:3]) != INKAR_HEADER:
        return None
    names = sorted({c for c in cells[3:] if c})
    if not names:
        return None
    if len(names) == 1:
        return OfficialExport(source=INKAR, table=f"inkar-{slug(names[0])}")
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:10]
    return OfficialExport(source=INKAR, table=f"inkar-{digest}")


def iris_export(names: list[str], labels: list[str]) -> OfficialExport | None:
    """The IRIS export whose two header rows these are, or None: ``iris-`` and
    its value columns' label without the year, in lower case ASCII.

    Examples
    --------
    >>> iris_export(["gemeindeve22", "gemeindeve22name", "q_einkst_bev98"],
    ...     ["Gebietskennziffer", "Name", "Einkommensteuer 1998"]).table
    'iris-einkommensteuer'
    """
    names = [c.strip().strip('"') for c in names]
    labels = [c.strip().strip('"') for c in labels]
    if tuple(labels[:2]) != IRIS_LABELS or not _IRIS_KEY_NAME.match(names[0]):
        return None
    topics = sorted(
        {m.group(1) if (m := _LABEL_YEAR.match(c)) else c for c in labels[2:] if c}
    )
    if not topics:
        return None
    if len(topics) == 1:
        return OfficialExport(source=IRIS, table=f"iris-{slug(topics[0])}")
    digest = hashlib.sha256("\n".join(topics).encode()).hexdigest()[:10]
    return OfficialExport(source=IRIS, table=f"iris-{digest}")


def split_year(label: str) -> tuple[str, str]:
    """A column label and the year at its end (``Einkommensteuer 1998``), or the
    label and an empty year."""
    if m := _LABEL_YEAR.match(label):
        return m.group(1), m.group(2)
    return label, ""


def slug(text: str) -> str:
    """A name in lower case ASCII letters, digits and dashes.

    >>> slug("Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)")
    'erwerbsfaehige-bevoelkerung-15-bis-unter-65-jahre'
    """
    text = text.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > _SLUG_CHARS:  # cut at a word's end
        text = text[: _SLUG_CHARS + 1].rsplit("-", 1)[0]
    return text


def identify(head: str) -> OfficialExport | None:
    """The export that the start of a file's text names, or None.

    Examples
    --------
    >>> identify("GENESIS-Tabelle: 12411-01-01-4\\n;;31.12.2015\\n").table
    '12411-01-01-4'
    >>> identify("statistics_code;statistics_label;time\\n12411-0013;Bev;2021\\n").table
    '12411-0013'
    >>> identify("indicator;area;period;value\\n") is None
    True
    """
    lines = head.splitlines()
    if not lines:
        return None
    first = lines[0].strip()
    if m := _GENESIS_TITLE.match(first):
        return OfficialExport(source="GENESIS", table=m.group(1).rstrip(";"))
    cells = [c.strip().strip('"') for c in first.split(";")]
    if (inkar := inkar_export(cells)) is not None:
        return inkar
    if len(lines) > 1 and (iris := iris_export(cells, lines[1].split(";"))):
        return iris
    if cells and cells[0] == _FLAT_HEADER and len(lines) > 1:
        code = lines[1].split(";", 1)[0].strip().strip('"')
        if re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-_]{0,40}", code):
            return OfficialExport(source="GENESIS", table=code)
    return None


def unreadable_export(path: Path, reason: str, *, row: int | None = None) -> ReadError:
    """The error for an export whose layout cannot be read (finding
    ``unreadable-export``), naming the file, the row where known and the reason."""
    return ReadError(path, reason, finding="unreadable-export", row=row)
