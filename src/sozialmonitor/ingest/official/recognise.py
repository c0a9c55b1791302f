"""Recognise an official statistics export by its own title block."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sozialmonitor.ingest.formats.csv.options import UTF8_BOM

HEAD_BYTES = 4096
"""Bytes read to recognise a file: the title block is its first line."""
MAPPINGS_DOC = "docs/mapping-files.md"
"""Where writing a mapping file is explained."""

_GENESIS_TITLE = re.compile(r"^GENESIS-Tabelle:\s*([0-9A-Za-z][0-9A-Za-z.\-_]{0,40})")
_FLAT_HEADER = "statistics_code"


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
    """The export a file is, by its first line, or None for any other file."""
    return identify(head_text(path))


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
    if cells and cells[0] == _FLAT_HEADER and len(lines) > 1:
        code = lines[1].split(";", 1)[0].strip().strip('"')
        if re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-_]{0,40}", code):
            return OfficialExport(source="GENESIS", table=code)
    return None
