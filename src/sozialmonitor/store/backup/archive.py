"""The backup file: its manifest, its members, and reading them as hostile input.

Layout (``docs/backup.md``): a zip with ``manifest.json`` and one member per table,
``tables/<table>.jsonl``, each line a JSON array of one row's values in the order of
the manifest's columns. Numbers are JSON numbers (floats written with ``repr``, so
they read back bit for bit), text and NULL are JSON strings and ``null``, dates and
times ISO 8601 strings (times of zoned columns in UTC with ``+00:00``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String
from sqlalchemy.types import TypeEngine

from sozialmonitor.errors import BackupFileError, BackupVersionError

FORMAT: Literal["sozialmonitor-backup"] = "sozialmonitor-backup"
FORMAT_VERSION = 1
"""Raised when the layout of the file changes; a reader refuses a newer one."""
MANIFEST = "manifest.json"
MEMBER_PREFIX = "tables/"
MEMBER_SUFFIX = ".jsonl"
ALEMBIC_TABLE = "alembic_version"

BLOCK_BYTES = 1 << 20
"""Bytes unpacked at a time while restoring; the rows they end are parsed at once."""
MAX_MANIFEST_BYTES = 1 << 20
"""A manifest is a few KB; a larger one is not ours."""
MAX_LINE_BYTES = 64 << 20
"""The longest row accepted (an area's boundary is the largest value, at most a few
MB); a longer line is refused before more of it is held in memory."""
MAX_COMPRESSION_RATIO = 200
"""JSON lines of real tables deflate 5 to 20 times; a member claiming far more is a
zip bomb and refused before it is unpacked."""
SMALL_MEMBER_BYTES = 1 << 20
"""Members up to this size are not checked for their compression ratio."""

ColumnType = Literal["integer", "float", "text", "boolean", "date", "datetime"]
_NAME = r"^[a-z_][a-z0-9_]{0,62}$"


class ColumnEntry(BaseModel):
    """One column of a table member."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME)
    """Column name."""
    type: ColumnType
    """How the values are written: JSON numbers, strings, booleans; dates and times as
    ISO 8601 strings (times with their UTC offset where the column has a zone)."""


class TableEntry(BaseModel):
    """One table: its member in the zip and what that member must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME)
    """Table name."""
    member: str
    """The zip member holding the rows, ``tables/<name>.jsonl``."""
    columns: tuple[ColumnEntry, ...]
    """The columns, in the order of each row's values."""
    rows: int = Field(ge=0)
    """Number of rows (lines) in the member."""
    bytes: int = Field(ge=0)
    """Size of the member unpacked."""
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """SHA-256 of the member unpacked."""


class BackupManifest(BaseModel):
    """What ``manifest.json`` says about the backup."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["sozialmonitor-backup"]
    """Always ``sozialmonitor-backup``."""
    format_version: int
    """Version of this file layout (``FORMAT_VERSION``)."""
    schema_revision: str = Field(pattern=r"^[0-9A-Za-z_]{1,32}$")
    """The Alembic revision of the database backed up."""
    created_at: dt.datetime
    """When the backup's snapshot was taken (UTC)."""
    sozialmonitor_version: str
    """Version of the Sozialmonitor that wrote the file."""
    source_dialect: str
    """``sqlite`` or ``postgresql``: where the data came from (for information)."""
    tables: tuple[TableEntry, ...]
    """Every table, parents before the tables referring to them."""

    def table(self, name: str) -> TableEntry:
        return next(t for t in self.tables if t.name == name)


def column_type(sql_type: TypeEngine[Any]) -> ColumnType:
    """The backup's name for the values of a column of this SQL type.

    Raises
    ------
    NotImplementedError
        For a type the format does not know yet (add it here and to the docs).
    """
    if isinstance(sql_type, Boolean):
        return "boolean"
    if isinstance(sql_type, Integer):
        return "integer"
    if isinstance(sql_type, Float):
        return "float"
    if isinstance(sql_type, String):
        return "text"
    if isinstance(sql_type, DateTime):
        return "datetime"
    if isinstance(sql_type, Date):
        return "date"
    raise NotImplementedError(
        f"The backup format has no representation for {sql_type!r} columns yet: "
        "add one to store/backup/archive.py and docs/backup.md."
    )


# --- opening and checking ----------------------------------------------------------


def read_manifest(path: Path) -> BackupManifest:
    """The manifest of a backup file, checked against the members of the zip.

    Raises
    ------
    BackupFileError
        When the file is missing, not a zip, truncated, or its manifest is wrong.
    BackupVersionError
        When the file was written in a newer format.
    """
    with open_archive(Path(path)) as archive:
        return checked_manifest(Path(path), archive)


@contextmanager
def open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    if not path.is_file():
        raise BackupFileError(f"{path}: there is no such file. Give the backup's path.")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise BackupFileError(
            f"{path}: not a Sozialmonitor backup ({exc}); the file is not a zip file "
            "or it is truncated. Restore from a complete copy of the backup."
        ) from None
    with archive:
        yield archive


def bad(path: Path, reason: str) -> BackupFileError:
    """The error for a file that is not an intact backup."""
    return BackupFileError(
        f"{path}: {reason}. The file is damaged or not a Sozialmonitor backup; "
        "restore from an intact copy (nothing was written)."
    )


def checked_manifest(path: Path, archive: zipfile.ZipFile) -> BackupManifest:
    """The manifest, after checking it and the zip's members it names (sizes,
    compression) without unpacking them."""
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise bad(path, "the zip lists a member twice")
    if MANIFEST not in names:
        raise bad(path, f"it has no {MANIFEST}")
    info = archive.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise bad(path, f"its {MANIFEST} is {info.file_size} bytes, far too large")
    try:
        with archive.open(info) as member:
            raw = json.loads(member.read(MAX_MANIFEST_BYTES + 1))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RecursionError) as exc:
        raise bad(path, f"its {MANIFEST} cannot be unpacked ({exc})") from None
    except ValueError as exc:  # JSON and UTF-8 errors
        raise bad(path, f"its {MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise bad(path, f"its {MANIFEST} does not describe a Sozialmonitor backup")
    version = raw.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise BackupVersionError(
            f"{path} is written in backup format {version}; this Sozialmonitor reads "
            f"format {FORMAT_VERSION}. Upgrade Sozialmonitor "
            "(pip install -U sozialmonitor) and restore again."
        )
    try:
        manifest = BackupManifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise bad(
            path, f"its {MANIFEST} is wrong at '{where}': {first['msg']}"
        ) from None
    if manifest.format_version != FORMAT_VERSION:
        raise bad(path, f"unknown backup format version {manifest.format_version}")
    seen: set[str] = set()
    for entry in manifest.tables:
        _check_member(path, archive, entry, names)
        if entry.name in seen:
            raise bad(path, f"{MANIFEST} lists the table '{entry.name}' twice")
        seen.add(entry.name)
    if ALEMBIC_TABLE not in seen:
        raise bad(path, f"{MANIFEST} lists no '{ALEMBIC_TABLE}' table")
    return manifest


def _check_member(
    path: Path, archive: zipfile.ZipFile, entry: TableEntry, names: list[str]
) -> None:
    if entry.member != f"{MEMBER_PREFIX}{entry.name}{MEMBER_SUFFIX}":
        raise bad(path, f"table '{entry.name}' is in an unexpected member")
    if entry.member not in names:
        raise bad(path, f"the member {entry.member} is missing")
    info = archive.getinfo(entry.member)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise bad(path, f"{entry.member} uses an unsupported compression")
    if info.file_size != entry.bytes:
        raise bad(
            path,
            f"{entry.member} unpacks to {info.file_size} bytes, the manifest says "
            f"{entry.bytes}",
        )
    if (
        info.file_size > SMALL_MEMBER_BYTES
        and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
    ):
        raise bad(
            path,
            f"{entry.member} would unpack from {info.compress_size} to "
            f"{info.file_size} bytes (a zip bomb?)",
        )
    columns = [c.name for c in entry.columns]
    if len(columns) != len(set(columns)):
        raise bad(path, f"table '{entry.name}' lists a column twice")


# --- reading rows ------------------------------------------------------------------


def member_chunks(
    path: Path, archive: zipfile.ZipFile, entry: TableEntry
) -> Iterator[list[list[Any]]]:
    """The rows of a member in chunks, each row a JSON array of the right length.

    Unpacks ``BLOCK_BYTES`` at a time (never more than ``MAX_LINE_BYTES`` of one
    line); the size, the number of rows and the checksum are checked when the member
    has been read to its end, so a caller writing the rows must be able to take them
    back (restore writes in one transaction).
    """
    digest = hashlib.sha256()
    size = rows = 0
    pending = b""
    try:
        with archive.open(entry.member) as member:
            while block := member.read(BLOCK_BYTES):
                size += len(block)
                if size > entry.bytes:
                    raise bad(path, f"{entry.member} is longer than the manifest says")
                digest.update(block)
                data = pending + block if pending else block
                cut = data.rfind(b"\n") + 1
                pending = data[cut:]
                if len(pending) > MAX_LINE_BYTES:
                    raise bad(
                        path,
                        f"{entry.member}, line {rows + 1} is longer than allowed",
                    )
                if cut:
                    chunk = _parse(path, entry, data[:cut], rows)
                    rows += len(chunk)
                    yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise bad(path, f"{entry.member} cannot be unpacked ({exc})") from None
    if pending:
        raise bad(path, f"{entry.member}, line {rows + 1} is not ended (truncated)")
    if rows != entry.rows:
        raise bad(
            path, f"{entry.member} has {rows} rows, the manifest says {entry.rows}"
        )
    if size != entry.bytes or digest.hexdigest() != entry.sha256:
        raise bad(path, f"{entry.member} does not match its checksum")


def _parse(path: Path, entry: TableEntry, data: bytes, before: int) -> list[list[Any]]:
    """The rows of whole lines; parsed as one JSON array for speed, line by line only
    to name the line that is wrong."""
    width = len(entry.columns)
    lines = data.count(b"\n")
    try:
        text = data.decode("utf-8")
        rows = json.loads("[" + text[:-1].replace("\n", ",") + "]")
    except (ValueError, RecursionError):
        rows = None
    if (
        isinstance(rows, list)
        and len(rows) == lines
        and all(type(r) is list and len(r) == width for r in rows)
    ):
        return rows
    for number, line in enumerate(data.split(b"\n")[:-1], start=before + 1):
        try:
            values = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise bad(
                path, f"{entry.member}, line {number} is not valid JSON ({exc})"
            ) from None
        if type(values) is not list or len(values) != width:
            raise bad(
                path, f"{entry.member}, line {number} is not a list of {width} values"
            )
    raise bad(path, f"{entry.member} has lines that are not one row each")


_NONE = type(None)
_ALLOWED: dict[ColumnType, set[type]] = {
    "integer": {int, _NONE},
    "float": {float, int, _NONE},
    "text": {str, _NONE},
    "boolean": {bool, _NONE},
    "date": {str, _NONE},
    "datetime": {str, _NONE},
}


def _utc_moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC)


_PARSERS: dict[ColumnType, Callable[[str], Any]] = {
    "date": dt.date.fromisoformat,
    "datetime": _utc_moment,
}


def loaded_column(
    path: Path, entry: TableEntry, position: int, values: tuple[Any, ...]
) -> tuple[Any, ...] | list[Any]:
    """One column of a chunk as Python values to store; a value of the wrong kind is
    refused (SQLite would otherwise store a string in an integer column)."""
    column = entry.columns[position]
    kinds = set(map(type, values))
    if not kinds <= _ALLOWED[column.type]:
        wrong = next(v for v in values if type(v) not in _ALLOWED[column.type])
        raise _wrong_value(path, entry, position, wrong)
    parse = _PARSERS.get(column.type)
    if parse is not None:
        try:
            return [None if v is None else parse(v) for v in values]
        except ValueError:
            wrong = next(v for v in values if v is not None and not _parses(parse, v))
            raise _wrong_value(path, entry, position, wrong) from None
    if column.type == "float" and int in kinds:
        return [float(v) if type(v) is int else v for v in values]
    return values


def _parses(parse: Callable[[str], Any], value: str) -> bool:
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _wrong_value(
    path: Path, entry: TableEntry, position: int, value: Any
) -> BackupFileError:
    column = entry.columns[position]
    return bad(
        path,
        f"table '{entry.name}', column '{column.name}' holds {value!r}, which is not "
        f"a valid {column.type} value",
    )
