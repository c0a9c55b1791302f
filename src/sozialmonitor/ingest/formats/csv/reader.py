"""Read a delimited text file into a ``Table``; encoding and separator are detected."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

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
    READ_CHUNK_ROWS,
    Table,
    TableStream,
    check_cells,
    check_file_size,
    check_width,
    column_names,
)

_SAVE_AS = "Save it again as 'CSV UTF-8' or 'CSV (Trennzeichen-getrennt)'."


BLOCK_BYTES = 1 << 20
"""Bytes read at once while the file is checked before it is parsed."""


@dataclass(frozen=True, kw_only=True)
class TextFile:
    """What one pass over a text file found, before it is parsed."""

    encoding: str
    """The codec to read it with (``utf-8-sig`` after a byte order mark)."""
    lines: int
    ends_in_row: bool
    """The last line has no line break (a file cut off ends so)."""


def _blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(BLOCK_BYTES), b"")


def _check_bytes(path: Path) -> tuple[int, bool]:
    """The lines of the file and whether its last line has no line break; refuses
    UTF-16 and binary files, NUL characters and too many lines."""
    lines, last, first = 1, b"", True
    for block in _blocks(path):
        if first and (block.startswith(UTF16_BOMS) or b"\x00" in block[:4096]):
            raise ReadError(
                path,
                "the file is not text in UTF-8 or Windows-1252 (it looks like UTF-16 "
                f"or a binary file). {_SAVE_AS} If it is an Excel file, give it the "
                "extension .xlsx.",
                finding="wrong-encoding",
            )
        first = False
        if (nul := block.find(b"\x00")) >= 0:
            raise ReadError(
                path,
                "the line contains a NUL character (byte 0), which no text holds: the "
                f"file is damaged or partly binary. {_SAVE_AS}",
                finding="control-character",
                row=lines + block.count(b"\n", 0, nul),
            )
        lines += block.count(b"\n")
        last = block[-1:]
    if lines > MAX_ROWS:
        raise LimitExceededError(
            path,
            f"the file has {lines:,} lines, more than the {MAX_ROWS:,} an import "
            "reads. Split it into several files (e.g. by indicator or year).",
            finding="too-many-rows",
        )
    return lines, last not in (b"\n", b"\r")


def _decoded(path: Path, encoding: str, skip: int) -> Iterator[str]:
    """The file's text block by block; ``UnicodeDecodeError.start`` counts from the
    start of the file (after ``skip`` bytes)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    for block in _blocks(path):
        part = block[skip:] if offset == 0 else block
        try:
            yield decoder.decode(part)
        except UnicodeDecodeError as exc:
            exc.start += offset
            raise
        offset += len(part)
    yield decoder.decode(b"", final=True)


def _check_text(path: Path, encoding: str, skip: int, *, strict: bool) -> None:
    """Decode the whole file once; raises ``UnicodeDecodeError`` when it is not in
    ``encoding``. ``strict``: refuse text that is blank, or was converted to UTF-8
    twice."""
    blank, tail, newlines = True, "", 0
    for text in _decoded(path, encoding, skip):
        if not strict:
            continue
        if blank and text.strip():
            blank = False
        window = tail + text  # a sign may span two blocks
        found = [(window.find(m), m) for m in MOJIBAKE if m in window]
        if found:
            index, sign = min(found)
            raise ReadError(
                path,
                f"the text contains characters like '{sign}': it was converted to "
                "UTF-8 twice. Export it again from the original program as 'CSV "
                "UTF-8'.",
                finding="double-encoded",
                row=newlines - tail.count("\n") + window[:index].count("\n") + 1,
                value=sign,
            )
        newlines += text.count("\n")
        tail = text[-1:]
    if strict and blank:
        raise ReadError(
            path,
            "the file has no content (only blanks or empty lines). Export or copy the "
            "file again.",
            finding="empty-file",
        )


def decode(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with (for readers that hold the
    whole text: official exports of a few MB).

    Raises
    ------
    ReadError
        For UTF-16 and binary files, and for a UTF-8 byte order mark before text
        that is not UTF-8.
    """
    found = scan_text(path, strict=False)
    return path.read_bytes().decode(found.encoding), found.encoding


def scan_text(path: Path, *, strict: bool = True) -> TextFile:
    """Check the file's bytes and find its encoding, in passes over the file that
    hold one block at a time.

    Raises
    ------
    ReadError
        For UTF-16 and binary files, for a UTF-8 byte order mark before text that
        is not UTF-8, and (``strict``) for blank and double-converted text.
    """
    check_file_size(path)
    lines, ends_in_row = _check_bytes(path)
    with path.open("rb") as handle:
        bom = handle.read(len(UTF8_BOM)) == UTF8_BOM
    if bom:
        try:
            _check_text(path, "utf-8", len(UTF8_BOM), strict=strict)
        except UnicodeDecodeError as exc:
            start = len(UTF8_BOM) + exc.start
            with path.open("rb") as handle:
                before = handle.read(start + 1)
            raise ReadError(
                path,
                "the file says it is UTF-8 (it starts with a byte order mark) but "
                f"byte {before[start]:#04x} is not UTF-8: the text was changed in "
                f"another encoding. {_SAVE_AS}",
                finding="wrong-encoding",
                row=before[:start].count(b"\n") + 1,
            ) from None
        return TextFile(encoding="utf-8-sig", lines=lines, ends_in_row=ends_in_row)
    for encoding in (*ENCODINGS, "latin-1"):
        try:
            _check_text(path, encoding, 0, strict=strict)
        except UnicodeDecodeError:
            continue
        return TextFile(encoding=encoding, lines=lines, ends_in_row=ends_in_row)
    raise AssertionError("unreachable: latin-1 decodes every byte")  # pragma: no cover


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def stream_csv(path: Path, chunk_rows: int) -> TableStream:
    """Open a CSV file and read its header; every row must have as many cells as
    the header. The rows follow in chunks of at most ``chunk_rows``.

    Rows are numbered as a spreadsheet program shows them (the header is row 1); rows
    without any value are left out.

    Raises
    ------
    ReadError
        When the file cannot be decoded or was converted twice, and (while the
        chunks are read) when rows have too many or too few cells, or the file ends
        in the middle of a row or a quoted cell.
    """
    found = scan_text(path)
    handle = path.open(encoding=found.encoding, newline="")
    try:
        header_line = ""
        while not header_line.strip("\r\n") and (line := handle.readline()):
            header_line = line
        handle.seek(0)
        delimiter = sniff_delimiter(header_line.rstrip("\r\n"))
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        rows = _Rows(path, reader, delimiter, found)
        header = rows.header()
    except BaseException:
        handle.close()
        raise
    return TableStream(
        path=path,
        columns=header,
        chunks=_chunks(path, header, rows, handle, chunk_rows),
        lines=found.lines,
        delimiter=delimiter,
        encoding=found.encoding,
    )


def _chunks(
    path: Path, header: list[str], rows: _Rows, handle: TextIO, chunk_rows: int
) -> Iterator[Table]:
    with handle:
        while True:
            data, numbers = rows.take(chunk_rows)
            if not data:
                return
            frame = pd.DataFrame(data, columns=header, dtype=object)
            yield Table(path=path, frame=frame, rows=numbers)


class _Rows:
    """The records of a CSV reader, checked; knows the row it is at for messages."""

    def __init__(
        self, path: Path, reader: Any, delimiter: str, found: TextFile
    ) -> None:
        self.path = path
        self.reader = reader
        self.delimiter = delimiter
        self.found = found
        self.record = 0
        self.width = 0
        self.names: list[str] = []

    def _next(self) -> tuple[list[str], list[str]] | None:
        """The next record that has a value (its cells as read and stripped), or
        None at the end."""
        try:
            for cells in self.reader:
                self.record += 1
                stripped = [c.strip() for c in cells]
                if any(stripped):
                    return cells, stripped
        except csv.Error as exc:
            raise self._csv_error(exc) from None
        return None

    def header(self) -> list[str]:
        found = self._next()
        if found is None:  # pragma: no cover - decode refuses blank text
            raise ReadError(
                self.path, "the file has no header row.", finding="empty-file"
            )
        cells = found[0]
        check_width(self.path, len(cells), row=self.record)
        header = column_names(cells)
        while len(header) > 1 and header[-1].startswith("(column "):
            header.pop()  # trailing separators after the last name
        self.width = len(header)
        self.names = header
        check_cells(self.path, cells, header, row=self.record)
        return header

    def take(self, count: int) -> tuple[list[list[str]], list[int]]:
        """Up to ``count`` data rows (stripped cells) and their row numbers."""
        data: list[list[str]] = []
        numbers: list[int] = []
        while len(data) < count and (found := self._next()) is not None:
            data.append(self._fit(*found))
            numbers.append(self.record)
        return data, numbers

    def _fit(self, cells: list[str], stripped: list[str]) -> list[str]:
        """The stripped cells of a record as wide as the header (``cells``: as read,
        for the checks)."""
        path, width, delimiter = self.path, self.width, self.delimiter
        check_cells(path, cells, self.names, row=self.record)
        if len(cells) > width:
            if any(stripped[width:]):
                raise ReadError(
                    path,
                    f"{len(cells)} cells where the header has {width} columns. "
                    f"Check that row for a stray '{delimiter}' or a missing "
                    "quote, or give the extra column a name in the header.",
                    finding="extra-cell",
                    row=self.record,
                )
            return stripped[:width]
        if len(cells) < width:
            cut = self.found.ends_in_row and self.reader.line_num == self.found.lines
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
                row=self.record,
            )
        return stripped

    def _csv_error(self, exc: csv.Error) -> ReadError:
        record = self.record
        if "field larger than field limit" in str(exc):
            return LimitExceededError(
                self.path,
                f"a cell has more than {MAX_CELL_CHARS:,} characters, more than a "
                "cell may hold. Check the quotes in this row, or shorten the text.",
                finding="cell-too-long",
                row=record + 1,
            )
        unclosed = "end of data" in str(exc)
        return ReadError(
            self.path,
            (
                'a quote (") opens a cell that is never closed, so the rest of the '
                "file would be one cell. Close the quote or remove it."
            )
            if unclosed
            else f"cannot be read as CSV ({exc}). Check the quotes in this row.",
            finding="unclosed-quote" if unclosed else "unreadable-file",
            row=record + 1 if unclosed else record,
        )


def read_csv(path: Path) -> Table:
    """Read a whole CSV file (see ``stream_csv``)."""
    return stream_csv(path, READ_CHUNK_ROWS).read_all()
