"""Read a delimited text file into a ``Table``; encoding and separator are detected."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from sozialmonitor.errors import UnreadableFileError
from sozialmonitor.ingest.formats.csv.options import (
    DELIMITERS,
    ENCODINGS,
    MOJIBAKE,
    UTF8_BOM,
    UTF16_BOMS,
)
from sozialmonitor.ingest.table import Table

_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def decode(path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    raw = path.read_bytes()
    if raw.startswith(UTF16_BOMS) or b"\x00" in raw[:4096]:
        raise UnreadableFileError(
            f"{path}: the file is not text in UTF-8 or Windows-1252 (it looks like "
            "UTF-16 or a binary file). Save it as 'CSV UTF-8' or 'CSV (Trennzeichen-"
            "getrennt)'; if it is an Excel file, give it the extension .xlsx."
        )
    if raw.startswith(UTF8_BOM):
        return raw[len(UTF8_BOM) :].decode("utf-8", errors="strict"), "utf-8-sig"
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
    text, encoding = decode(path)
    if not text.strip():
        raise UnreadableFileError(f"{path}: the file has no content.")
    header = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(header)
    if any(m in text for m in MOJIBAKE):
        raise UnreadableFileError(
            f"{path}: the text contains characters like 'Ã¤': it was converted to "
            "UTF-8 twice. Export it again from the original program as 'CSV UTF-8'."
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            skipinitialspace=False,
        )
    except pd.errors.ParserError as exc:
        found = _EXPECTED_FIELDS.search(str(exc))
        if found:
            expected, line, saw = found.groups()
            raise UnreadableFileError(
                f"{path}, row {line}: {saw} columns where the header has {expected}. "
                f"Check that row for a stray '{delimiter}' or a missing quote."
            ) from None
        raise UnreadableFileError(f"{path}: cannot be read as CSV: {exc}") from None
    except pd.errors.EmptyDataError:
        raise UnreadableFileError(f"{path}: the file has no header row.") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    rows = _row_numbers(text, len(frame))
    short = frame.isna().any(axis=1).to_numpy()
    if short.any():
        index = int(short.argmax())
        last = index == len(frame) - 1 and not text.endswith(("\n", "\r"))
        hint = (
            "The file ends in the middle of this row: it was cut off (truncated). "
            "Export or copy the whole file again."
            if last
            else f"Check that row for a missing '{delimiter}'."
        )
        raise UnreadableFileError(
            f"{path}, row {rows[index]}: fewer columns than the header has. {hint}"
        )
    frame = frame.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    return Table(
        path=path, frame=frame, rows=rows, delimiter=delimiter, encoding=encoding
    )


def _row_numbers(text: str, count: int) -> list[int]:
    """Line number of each data row (header = 1), skipping blank lines."""
    numbers = []
    lines = text.lstrip("\r\n").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            numbers.append(number)
    numbers = numbers[:count]
    while len(numbers) < count:  # quoted cells spanning lines: best effort
        numbers.append(numbers[-1] + 1 if numbers else 2)
    return numbers
