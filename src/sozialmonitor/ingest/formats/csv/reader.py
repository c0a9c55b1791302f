"""Read a delimited text file into a ``Table``; encoding and separator are detected."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from sozialmonitor.errors import LimitExceededError, ReadError
from sozialmonitor.ingest.formats.csv.options import (
    DELIMITERS,
    ENCODINGS,
    MOJIBAKE,
    UTF8_BOM,
    UTF16_BOMS,
)
from sozialmonitor.ingest.limits import MAX_CELL_CHARS, MAX_ROWS
from sozialmonitor.ingest.table import (
    Table,
    check_cells,
    check_file_size,
    check_width,
    column_names,
)

_LEADING_NEWLINES = re.compile(r"[\r\n]*")
_SAVE_AS = "Save it again as 'CSV UTF-8' or 'CSV (Trennzeichen-getrennt)'."


def decode(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with.

    Raises
    ------
    ReadError
        For UTF-16 and binary files, and for a UTF-8 byte order mark before text
        that is not UTF-8.
    """
    check_file_size(path)
    raw = path.read_bytes()
    if raw.startswith(UTF16_BOMS) or b"\x00" in raw[:4096]:
        raise ReadError(
            path,
            "the file is not text in UTF-8 or Windows-1252 (it looks like UTF-16 or "
            f"a binary file). {_SAVE_AS} If it is an Excel file, give it the "
            "extension .xlsx.",
            finding="wrong-encoding",
        )
    if (nul := raw.find(b"\x00")) >= 0:
        raise ReadError(
            path,
            "the line contains a NUL character (byte 0), which no text holds: the "
            f"file is damaged or partly binary. {_SAVE_AS}",
            finding="control-character",
            row=raw.count(b"\n", 0, nul) + 1,
        )
    lines = raw.count(b"\n") + 1
    if lines > MAX_ROWS:
        raise LimitExceededError(
            path,
            f"the file has {lines:,} lines, more than the {MAX_ROWS:,} an import "
            "reads. Split it into several files (e.g. by indicator or year).",
            finding="too-many-rows",
        )
    if raw.startswith(UTF8_BOM):
        try:
            return raw[len(UTF8_BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            start = len(UTF8_BOM) + exc.start
            line = raw[:start].count(b"\n") + 1
            raise ReadError(
                path,
                "the file says it is UTF-8 (it starts with a byte order mark) but "
                f"byte {raw[start]:#04x} is not UTF-8: the text was changed in "
                f"another encoding. {_SAVE_AS}",
                finding="wrong-encoding",
                row=line,
            ) from None
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path) -> Table:
    """Read a CSV file; every row must have as many cells as the header.

    Rows are numbered as a spreadsheet program shows them (the header is row 1); rows
    without any value are left out.

    Raises
    ------
    ReadError
        When the file cannot be decoded, was converted twice, has rows with too many
        or too few cells, or ends in the middle of a row or a quoted cell.
    """
    text, encoding = decode(path)
    if not text.strip():
        raise ReadError(
            path,
            "the file has no content (only blanks or empty lines). Export or copy the "
            "file again.",
            finding="empty-file",
        )
    if any(m in text for m in MOJIBAKE):
        found = next(m for m in MOJIBAKE if m in text)
        line = text[: text.index(found)].count("\n") + 1
        raise ReadError(
            path,
            f"the text contains characters like '{found}': it was converted to UTF-8 "
            "twice. Export it again from the original program as 'CSV UTF-8'.",
            finding="double-encoded",
            row=line,
            value=found,
        )
    # the first line without copying the whole text (a file may be hundreds of MB)
    start = _LEADING_NEWLINES.match(text).end()  # type: ignore[union-attr]
    end = text.find("\n", start)
    header_line = text[start : end if end >= 0 else len(text)]
    delimiter = sniff_delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    data: list[list[str]] = []
    rows: list[int] = []
    width = 0
    record = 0
    lines = text.count("\n") + 1
    ends_in_row = not text.endswith(("\n", "\r"))
    try:
        for cells in reader:
            record += 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                check_width(path, len(cells), row=record)
                header = column_names(cells)
                while len(header) > 1 and header[-1].startswith("(column "):
                    header.pop()  # trailing separators after the last name
                width = len(header)
                check_cells(path, cells, header, row=record)
                continue
            check_cells(path, cells, header, row=record)
            if len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    raise ReadError(
                        path,
                        f"{len(cells)} cells where the header has {width} columns. "
                        f"Check that row for a stray '{delimiter}' or a missing "
                        "quote, or give the extra column a name in the header.",
                        finding="extra-cell",
                        row=record,
                    )
                cells = cells[:width]
            elif len(cells) < width:
                cut = ends_in_row and reader.line_num == lines
                raise ReadError(
                    path,
                    (
                        "the file ends in the middle of this row: it was cut off "
                        "(truncated). Export or copy the whole file again."
                    )
                    if cut
                    else f"{len(cells)} cells where the header has {width} columns. "
                    f"Check that row for a missing '{delimiter}'.",
                    finding="truncated-file" if cut else "missing-cell",
                    row=record,
                )
            data.append([c.strip() for c in cells])
            rows.append(record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise LimitExceededError(
                path,
                f"a cell has more than {MAX_CELL_CHARS:,} characters, more than a "
                "cell may hold. Check the quotes in this row, or shorten the text.",
                finding="cell-too-long",
                row=record + 1,
            ) from None
        unclosed = "end of data" in str(exc)
        raise ReadError(
            path,
            (
                'a quote (") opens a cell that is never closed, so the rest of the '
                "file would be one cell. Close the quote or remove it."
            )
            if unclosed
            else f"cannot be read as CSV ({exc}). Check the quotes in this row.",
            finding="unclosed-quote" if unclosed else "unreadable-file",
            row=record + 1 if unclosed else record,
        ) from None
    if header is None:  # pragma: no cover - text.strip() is not empty
        raise ReadError(path, "the file has no header row.", finding="empty-file")
    frame = pd.DataFrame(data, columns=header, dtype=object)
    return Table(
        path=path, frame=frame, rows=rows, delimiter=delimiter, encoding=encoding
    )
