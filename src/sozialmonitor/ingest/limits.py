"""The limits every import enforces, declared once.

A file beyond one of them is refused with a message that names the limit, the value
found and what to do, before the work that the limit protects is done: the size
before the file is read, an Excel file's unpacked size before it is unpacked, a YAML
file's aliases and nesting before its objects are built.
"""

from __future__ import annotations

MAX_FILE_BYTES = 1 << 30
"""Largest table (CSV, Excel) or catalogue file read: 1 GiB."""
MAX_GEO_FILE_BYTES = 512 << 20
"""Largest boundary file (GeoJSON, GeoPackage, Shapefile) read: 512 MiB."""
MAX_YAML_BYTES = 2 << 20
"""Largest YAML catalogue read: 2 MiB (a catalogue of 1,000 indicators with
definitions is < 1 MiB; the YAML parser reads about 0.5 MiB a second)."""
MAX_ROWS = 20_000_000
"""Most lines (rows) of a table, counted before it is parsed."""
MAX_COLUMNS = 10_000
"""Most columns of a table (a wide file with one column per period has dozens)."""
MAX_CELL_CHARS = 32_767
"""Longest cell, in characters: what one cell of Excel can hold."""
MAX_FEATURES = 1_000_000
"""Most areas (features) in one boundary file."""

MAX_UNPACKED_BYTES = 1 << 30
"""Largest total unpacked size of the members of a zip file (.xlsx, zipped
Shapefile): 1 GiB."""
MAX_SHARED_STRINGS_BYTES = 128 << 20
"""Largest unpacked table of texts of a workbook (``xl/sharedStrings.xml``), which
openpyxl holds in memory as a whole: 128 MiB."""
MAX_PACKING_RATIO = 100
"""Largest ratio of unpacked to packed size of one zip member; Excel's XML packs
5- to 20-fold, a zip bomb thousands-fold."""
PACKING_RATIO_FROM_BYTES = 1 << 20
"""Members smaller than this (1 MiB unpacked) are not checked for their ratio."""
MAX_ZIP_MEMBERS = 10_000
"""Most members of a zip file."""

MAX_YAML_ALIASES = 100
"""Most YAML aliases (``*name``) in a catalogue; a 'billion laughs' file needs many."""
MAX_YAML_DEPTH = 20
"""Deepest nesting of YAML lists and mappings (a catalogue needs 4)."""
MAX_YAML_NODES = 100_000
"""Most values a YAML file may stand for, aliases counted as often as they are used
(a 'billion laughs' file of 1 KiB stands for 10^9; a catalogue of 1,000 indicators
with 20 fields has about 40,000)."""

MAX_ABS_NUMBER = 1e15
"""Largest magnitude of a number in a file: larger ones are typing or export errors
(Germany's GDP in euros is about 4e12)."""

MAX_QUOTED_CHARS = 80
"""Longest value quoted in a message; longer ones are shortened."""
MAX_MESSAGE_CHARS = 1_000
"""Longest message of a finding."""
MAX_FINDINGS_PER_CODE = 100
"""Findings a report keeps per code; the rest are counted."""
MAX_FINDINGS = 1_000
"""Findings a report keeps in all; the rest are counted."""


def shorten(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """``text`` as quoted in a message: at most about ``limit`` characters.

    Examples
    --------
    >>> shorten("x" * 100, 10)
    'xxxxxxxxxx… (100 characters)'
    >>> shorten("12,5")
    '12,5'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


def size_text(size: int) -> str:
    """A size in bytes as a person reads it.

    Examples
    --------
    >>> size_text(3 << 30)
    '3.0 GiB'
    >>> size_text(2048)
    '2.0 KiB'
    """
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


MAX_XLS_BYTES = 64 << 20
"""Largest Excel 97–2003 workbook (.xls) read: 64 MiB. xlrd holds the whole file
and the cells of the sheet read in memory; the format holds at most 65,536 rows of
256 columns, and INKAR's largest export (all municipalities) has 2.6 MiB."""
