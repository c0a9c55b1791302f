"""Backup and restore of a whole database, portable between SQLite and PostgreSQL.

A backup is a zip file (format described in ``docs/backup.md``): one member per table,
``tables/<table>.jsonl``, each line a JSON array of one row's values in the column order
the manifest gives, and ``manifest.json`` with the format version, the Alembic schema
revision, the creation time and per table its columns, row count, size and SHA-256.
Every table of ``schema.metadata`` is included without being named here, and the
``alembic_version`` table, so tables added by later migrations are covered unchanged.

``backup`` reads inside one transaction (SQLite: one read transaction in WAL mode;
PostgreSQL: REPEATABLE READ), so an import committed meanwhile is wholly in or out.
Rows are streamed in chunks and written to the zip as they come: memory stays bounded
for 11 million observations.

``restore`` treats the file as hostile. It checks the zip and the manifest before it
touches the database, then, in one transaction, builds the schema at the backup's
revision (Alembic), inserts the rows in chunks while checking every row, the row counts
and the checksums, upgrades the schema to the newest revision and moves PostgreSQL's
sequences past the restored ids. Any problem rolls everything back: the target is then
exactly as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.types import TypeEngine

from sozialmonitor.domain.area import DEFAULT_LEVELS, LEVEL_RANK_STEP
from sozialmonitor.errors import (
    BackupFileError,
    BackupVersionError,
    BackupWriteError,
    ConfigurationError,
    RestoreTargetError,
    SchemaRevisionError,
)
from sozialmonitor.store import schema
from sozialmonitor.store.database import _alembic_config

FORMAT: Literal["sozialmonitor-backup"] = "sozialmonitor-backup"
FORMAT_VERSION = 1
"""Raised when the layout of the file changes; a reader refuses a newer one."""
MANIFEST = "manifest.json"
MEMBER_PREFIX = "tables/"
MEMBER_SUFFIX = ".jsonl"
ALEMBIC_TABLE = "alembic_version"

READ_CHUNK = 10_000
"""Rows fetched from the database at a time while writing a backup."""
INSERT_CHUNK = 10_000
"""Rows inserted at a time while restoring."""
MAX_MANIFEST_BYTES = 1 << 20
"""A manifest is a few KB; a larger one is not ours."""
MAX_LINE_BYTES = 64 << 20
"""The longest row accepted (an area's boundary is the largest value, at most a few
MB); a longer line is refused before it is held in memory."""
MAX_COMPRESSION_RATIO = 200
"""JSON lines of real tables deflate 5 to 20 times; a member claiming far more is a
zip bomb and refused before it is unpacked."""
SMALL_MEMBER_BYTES = 1 << 20
"""Members up to this size are not checked for their compression ratio."""

ColumnType = Literal["integer", "float", "text", "boolean", "date", "datetime"]
_NAME = r"^[a-z_][a-z0-9_]{0,62}$"
_SQLITE_DATABASES_IN_MEMORY = ("", ":memory:")

alembic_version = Table(
    ALEMBIC_TABLE,
    MetaData(),
    Column("version_num", String(32), primary_key=True),
)
"""Alembic's own table, which ``schema.metadata`` does not declare."""


# --- the manifest ---------------------------------------------------------------------


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


@dataclass(frozen=True, kw_only=True)
class RestoreResult:
    """What ``restore`` did."""

    manifest: BackupManifest
    """The manifest of the backup restored."""
    schema_revision: str
    """The schema revision of the database afterwards (the newest this code knows)."""


Progress = Callable[[str, int], None]
"""Called after each table with its name and its number of rows."""


# --- column types -------------------------------------------------------------------


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
        "add one to store/backup.py and docs/backup.md."
    )


def _dump_datetime(zoned: bool) -> Callable[[Any], Any]:
    def dump(value: Any) -> Any:
        if value is None:
            return None
        if zoned:
            # SQLite hands back the stored UTC time without its zone; PostgreSQL
            # in the session's zone: written as UTC, the same from both.
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.UTC)
            value = value.astimezone(dt.UTC)
        return value.isoformat()

    return dump


def _dump_date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _dumpers(table: Table) -> list[Callable[[Any], Any] | None]:
    dumpers: list[Callable[[Any], Any] | None] = []
    for col in table.columns:
        kind = column_type(col.type)
        if kind == "datetime":
            dumpers.append(_dump_datetime(bool(getattr(col.type, "timezone", False))))
        elif kind == "date":
            dumpers.append(_dump_date)
        else:
            dumpers.append(None)
    return dumpers


# --- backup ---------------------------------------------------------------------------


def backed_up_tables() -> list[Table]:
    """The tables a backup holds, parents first: every table of the schema, and
    Alembic's ``alembic_version``."""
    return [alembic_version, *schema.metadata.sorted_tables]


def backup(
    engine: Engine, path: Path, *, progress: Progress | None = None
) -> BackupManifest:
    """Write a backup of the whole database to ``path`` (replaced if it exists).

    The file appears only when it is complete; a failed backup leaves no file.

    Raises
    ------
    SchemaRevisionError
        When the database is not initialised or not at the newest schema revision.
    BackupWriteError
        When the file cannot be written.
    """
    from sozialmonitor import __version__

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in finally)
            dir=folder, prefix=f".{path.name}.", suffix=".partial", delete=False
        )
    except OSError as exc:
        raise BackupWriteError(
            f"Cannot write the backup {path}: {exc.strerror or exc}. Choose a file in "
            "a folder that exists and that you may write to."
        ) from None
    partial = Path(handle.name)
    try:
        with _snapshot(engine) as conn:
            revision = _current_revision(conn, engine)
            created = dt.datetime.now(dt.UTC)
            entries = []
            with zipfile.ZipFile(
                handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6
            ) as archive:
                for table in backed_up_tables():
                    entry = _write_table(conn, archive, table)
                    entries.append(entry)
                    if progress is not None:
                        progress(entry.name, entry.rows)
                manifest = BackupManifest(
                    format=FORMAT,
                    format_version=FORMAT_VERSION,
                    schema_revision=revision,
                    created_at=created,
                    sozialmonitor_version=__version__,
                    source_dialect=engine.dialect.name,
                    tables=tuple(entries),
                )
                archive.writestr(
                    MANIFEST, manifest.model_dump_json(indent=2).encode() + b"\n"
                )
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(partial, path)
    except OSError as exc:
        raise BackupWriteError(
            f"Cannot write the backup {path}: {exc.strerror or exc}. Check the free "
            "space and the permissions of the folder, then run the backup again."
        ) from None
    finally:
        handle.close()
        partial.unlink(missing_ok=True)
    return manifest


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one consistent state of the database."""
    try:
        conn = engine.connect()
    except OperationalError as exc:
        raise ConfigurationError(
            f"Cannot open the database {_shown(engine)}: {exc.orig}"
        ) from None
    with conn:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        # SQLite (WAL): the transaction's first read fixes the snapshot it reads.
        with conn.begin():
            yield conn


def _current_revision(conn: Connection, engine: Engine) -> str:
    heads = MigrationContext.configure(conn).get_current_heads()
    known = _script(engine).get_heads()
    if not heads or set(heads) != set(known):
        raise SchemaRevisionError(
            f"The database {_shown(engine)} is not initialised or not at the newest "
            "schema. Run 'sozialmonitor init' on it, then back it up."
        )
    return str(heads[0])


def _write_table(
    conn: Connection, archive: zipfile.ZipFile, table: Table
) -> TableEntry:
    member = f"{MEMBER_PREFIX}{table.name}{MEMBER_SUFFIX}"
    dumpers = _dumpers(table)
    converted = [(i, d) for i, d in enumerate(dumpers) if d is not None]
    digest = hashlib.sha256()
    rows = size = 0
    encode = json.JSONEncoder(
        ensure_ascii=False, separators=(",", ":"), allow_nan=True
    ).encode
    query = select(table)
    keys = list(table.primary_key.columns)
    if keys:
        query = query.order_by(*keys)
    info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as out:
        result = conn.execution_options(yield_per=READ_CHUNK).execute(query)
        for chunk in result.partitions():
            lines = []
            for row in chunk:
                values = list(row)
                for i, dump in converted:
                    values[i] = dump(values[i])
                lines.append(encode(values))
            data = ("\n".join(lines) + "\n").encode()
            digest.update(data)
            out.write(data)
            rows += len(lines)
            size += len(data)
    return TableEntry(
        name=table.name,
        member=member,
        columns=tuple(
            ColumnEntry(name=c.name, type=column_type(c.type)) for c in table.columns
        ),
        rows=rows,
        bytes=size,
        sha256=digest.hexdigest(),
    )


# --- restore: the file ---------------------------------------------------------


def read_manifest(path: Path) -> BackupManifest:
    """The manifest of a backup file, checked against the members of the zip.

    Raises
    ------
    BackupFileError
        When the file is missing, not a zip, truncated, or its manifest is wrong.
    BackupVersionError
        When the file was written in a newer format.
    """
    with _open_archive(Path(path)) as archive:
        return _checked_manifest(Path(path), archive)


@contextmanager
def _open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
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


def _bad(path: Path, reason: str) -> BackupFileError:
    return BackupFileError(
        f"{path}: {reason}. The file is damaged or not a Sozialmonitor backup; "
        "restore from an intact copy (nothing was written)."
    )


def _checked_manifest(path: Path, archive: zipfile.ZipFile) -> BackupManifest:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise _bad(path, "the zip lists a member twice")
    if MANIFEST not in names:
        raise _bad(path, f"it has no {MANIFEST}")
    info = archive.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _bad(path, f"its {MANIFEST} is {info.file_size} bytes, far too large")
    try:
        with archive.open(info) as member:
            raw = json.loads(member.read(MAX_MANIFEST_BYTES + 1))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RecursionError) as exc:
        raise _bad(path, f"its {MANIFEST} cannot be unpacked ({exc})") from None
    except ValueError as exc:  # JSON and UTF-8 errors
        raise _bad(path, f"its {MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _bad(path, f"its {MANIFEST} does not describe a Sozialmonitor backup")
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
        raise _bad(
            path, f"its {MANIFEST} is wrong at '{where}': {first['msg']}"
        ) from None
    if manifest.format_version != FORMAT_VERSION:
        raise _bad(path, f"unknown backup format version {manifest.format_version}")
    seen: set[str] = set()
    for entry in manifest.tables:
        _check_member(path, archive, entry, names)
        if entry.name in seen:
            raise _bad(path, f"{MANIFEST} lists the table '{entry.name}' twice")
        seen.add(entry.name)
    if ALEMBIC_TABLE not in seen:
        raise _bad(path, f"{MANIFEST} lists no '{ALEMBIC_TABLE}' table")
    return manifest


def _check_member(
    path: Path, archive: zipfile.ZipFile, entry: TableEntry, names: list[str]
) -> None:
    if entry.member != f"{MEMBER_PREFIX}{entry.name}{MEMBER_SUFFIX}":
        raise _bad(path, f"table '{entry.name}' is in an unexpected member")
    if entry.member not in names:
        raise _bad(path, f"the member {entry.member} is missing")
    info = archive.getinfo(entry.member)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _bad(path, f"{entry.member} uses an unsupported compression")
    if info.file_size != entry.bytes:
        raise _bad(
            path,
            f"{entry.member} unpacks to {info.file_size} bytes, the manifest says "
            f"{entry.bytes}",
        )
    if (
        info.file_size > SMALL_MEMBER_BYTES
        and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
    ):
        raise _bad(
            path,
            f"{entry.member} would unpack from {info.compress_size} to "
            f"{info.file_size} bytes (a zip bomb?)",
        )
    if [c.name for c in entry.columns] != list(
        dict.fromkeys(c.name for c in entry.columns)
    ):
        raise _bad(path, f"table '{entry.name}' lists a column twice")


def _member_rows(
    path: Path, archive: zipfile.ZipFile, entry: TableEntry
) -> Iterator[list[Any]]:
    """The rows of a member, each a JSON array of the right length; checks the size,
    the number of rows and the checksum when the member has been read to its end."""
    digest = hashlib.sha256()
    size = rows = 0
    width = len(entry.columns)
    try:
        with archive.open(entry.member) as member:
            while True:
                line = member.readline(MAX_LINE_BYTES + 1)
                if not line:
                    break
                size += len(line)
                digest.update(line)
                if not line.endswith(b"\n"):
                    reason = (
                        "longer than allowed"
                        if len(line) > MAX_LINE_BYTES
                        else ("not ended (truncated)")
                    )
                    raise _bad(path, f"{entry.member}, line {rows + 1} is {reason}")
                if size > entry.bytes:
                    raise _bad(path, f"{entry.member} is longer than the manifest says")
                rows += 1
                try:
                    values = json.loads(line)
                except (ValueError, RecursionError) as exc:
                    raise _bad(
                        path, f"{entry.member}, line {rows} is not valid JSON ({exc})"
                    ) from None
                if not isinstance(values, list) or len(values) != width:
                    raise _bad(
                        path,
                        f"{entry.member}, line {rows} is not a list of {width} values",
                    )
                yield values
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _bad(path, f"{entry.member} cannot be unpacked ({exc})") from None
    if rows != entry.rows:
        raise _bad(
            path, f"{entry.member} has {rows} rows, the manifest says {entry.rows}"
        )
    if size != entry.bytes or digest.hexdigest() != entry.sha256:
        raise _bad(path, f"{entry.member} does not match its checksum")


def _loader(kind: ColumnType, path: Path, entry: TableEntry, column: str) -> Any:
    """A function turning a JSON value of a column into the value to store, refusing
    a value of the wrong kind (SQLite would store a string in an integer column)."""

    def wrong(value: Any) -> BackupFileError:
        return _bad(
            path,
            f"table '{entry.name}', column '{column}' holds {value!r}, which is not "
            f"a valid {kind} value",
        )

    def integer(value: Any) -> Any:
        if value is None or type(value) is int:
            return value
        raise wrong(value)

    def real(value: Any) -> Any:
        if value is None or type(value) is float:
            return value
        if type(value) is int:
            return float(value)
        raise wrong(value)

    def string(value: Any) -> Any:
        if value is None or type(value) is str:
            return value
        raise wrong(value)

    def boolean(value: Any) -> Any:
        if value is None or type(value) is bool:
            return value
        raise wrong(value)

    def date(value: Any) -> Any:
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise wrong(value) from None

    def datetime(value: Any) -> Any:
        if value is None:
            return None
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            raise wrong(value) from None
        return moment if moment.tzinfo is None else moment.astimezone(dt.UTC)

    loaders: dict[ColumnType, Callable[[Any], Any]] = {
        "integer": integer,
        "float": real,
        "text": string,
        "boolean": boolean,
        "date": date,
        "datetime": datetime,
    }
    return loaders[kind]


# --- restore: the database -----------------------------------------------------


class _OneConnection:
    """Stands in for the engine ``migrations/env.py`` runs on, handing it the restore's
    connection: the migrations then run inside the restore's one transaction."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        yield self._conn


def restore(
    path: Path,
    engine: Engine,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Restore a backup into an empty database (new, or freshly initialised).

    Everything happens in one transaction: a failed restore writes nothing. A backup
    of an older schema revision is upgraded to the newest after its rows are in.

    Parameters
    ----------
    path
        The backup file.
    engine
        The target database; SQLite or PostgreSQL, whichever the backup came from.
    replace
        Drop everything Sozialmonitor stores in the target first, even data.

    Raises
    ------
    BackupFileError
        When the file is not an intact backup (nothing is written).
    BackupVersionError
        When it was written by a newer Sozialmonitor.
    RestoreTargetError
        When the target holds data (and ``replace`` is not given) or a newer schema.
    """
    path = Path(path)
    new_file = _new_sqlite_file(engine)
    with _open_archive(path) as archive:
        manifest = _checked_manifest(path, archive)
        script = _script(engine)
        if not _known_revision(script, manifest.schema_revision):
            raise BackupVersionError(
                f"{path} holds schema revision '{manifest.schema_revision}', which "
                "this Sozialmonitor does not know: the backup was made by a newer "
                "version. Upgrade Sozialmonitor (pip install -U sozialmonitor) and "
                "restore again."
            )
        try:
            with engine.connect() as conn, conn.begin():
                _clear_target(conn, engine, script, replace=replace)
                config = _alembic_config(engine)
                config.attributes["engine"] = _OneConnection(conn)
                command.upgrade(config, manifest.schema_revision)
                _load_tables(conn, path, archive, manifest, progress)
                command.upgrade(config, "head")
                revision = str(MigrationContext.configure(conn).get_current_revision())
                if conn.dialect.name == "postgresql":
                    _advance_sequences(conn)
        except OperationalError as exc:
            _remove_new_file(engine, new_file)
            raise ConfigurationError(
                f"Cannot restore into the database {_shown(engine)}: {exc.orig}"
            ) from None
        except BaseException:
            _remove_new_file(engine, new_file)
            raise
    return RestoreResult(manifest=manifest, schema_revision=revision)


def _script(engine: Engine) -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config(engine))


def _known_revision(script: ScriptDirectory, revision: str) -> bool:
    return any(s.revision == revision for s in script.walk_revisions())


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _new_sqlite_file(engine: Engine) -> Path | None:
    """The SQLite file the restore would create, if it does not exist yet."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (
        None,
        *_SQLITE_DATABASES_IN_MEMORY,
    ):
        return None
    file = Path(str(database))
    return None if file.exists() else file


def _remove_new_file(engine: Engine, file: Path | None) -> None:
    """A failed restore into a new SQLite file leaves no (empty) file behind."""
    if file is None:
        return
    engine.dispose()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{file}{suffix}").unlink(missing_ok=True)


def _clear_target(
    conn: Connection, engine: Engine, script: ScriptDirectory, *, replace: bool
) -> None:
    """Check that the target is empty (or ``replace``) and drop its tables, which are
    then built anew at the backup's revision."""
    names = set(inspect(conn).get_table_names())
    if ALEMBIC_TABLE in names:
        for head in MigrationContext.configure(conn).get_current_heads():
            if not _known_revision(script, head):
                raise RestoreTargetError(
                    f"The database {_shown(engine)} has schema revision '{head}', "
                    "newer than this Sozialmonitor knows. Restore with the newer "
                    "version, or into another database."
                )
    ours = names & ({t.name for t in schema.metadata.tables.values()} | {ALEMBIC_TABLE})
    if not replace:
        for name in sorted(ours - {ALEMBIC_TABLE}):
            if not _holds_only_seed(conn, name):
                raise RestoreTargetError(
                    f"The database {_shown(engine)} already holds data (table "
                    f"'{name}' is not empty); a restore would mix two databases. "
                    "Restore into a new database, or pass --replace to drop "
                    "everything in this one first."
                )
    reflected = MetaData()
    reflected.reflect(conn, only=sorted(ours))
    reflected.drop_all(conn)


def _holds_only_seed(conn: Connection, name: str) -> bool:
    """Whether a table holds nothing, or only what ``init_database`` puts in it."""
    quoted = conn.dialect.identifier_preparer.quote(name)
    if name != schema.area_level.name:
        return conn.exec_driver_sql(f"SELECT 1 FROM {quoted} LIMIT 1").first() is None
    seeded = {
        (code, label, (i + 1) * LEVEL_RANK_STEP)
        for i, (code, label) in enumerate(DEFAULT_LEVELS)
    }
    lvl = schema.area_level
    found = {
        tuple(r) for r in conn.execute(select(lvl.c.code, lvl.c.label, lvl.c.rank))
    }
    return found <= seeded


def _load_tables(
    conn: Connection,
    path: Path,
    archive: zipfile.ZipFile,
    manifest: BackupManifest,
    progress: Progress | None,
) -> None:
    """Insert every table's rows into the schema just built at the backup's revision."""
    inspector = inspect(conn)
    built = set(inspector.get_table_names())
    listed = {t.name for t in manifest.tables}
    if built != listed:
        missing = sorted(built - listed) or sorted(listed - built)
        raise _bad(
            path,
            f"its tables do not match schema revision '{manifest.schema_revision}' "
            f"({', '.join(missing)})",
        )
    for entry in manifest.tables:
        table = Table(entry.name, MetaData(), autoload_with=conn)
        declared = [(c.name, c.type) for c in entry.columns]
        actual = [(c.name, column_type(c.type)) for c in table.columns]
        if sorted(declared) != sorted(actual):
            raise _bad(
                path,
                f"the columns of table '{entry.name}' do not match schema revision "
                f"'{manifest.schema_revision}'",
            )
        if entry.name == ALEMBIC_TABLE:
            _check_revision_rows(path, archive, entry, manifest.schema_revision)
        else:
            _insert_table(conn, path, archive, entry, table)
        count = conn.execute(select(text("count(*)")).select_from(table)).scalar_one()
        if entry.name != ALEMBIC_TABLE and count != entry.rows:
            raise _bad(path, f"table '{entry.name}' got {count} rows, not {entry.rows}")
        if progress is not None:
            progress(entry.name, entry.rows)


def _check_revision_rows(
    path: Path, archive: zipfile.ZipFile, entry: TableEntry, revision: str
) -> None:
    """Alembic has written the revision; the member must name the same one."""
    rows = list(_member_rows(path, archive, entry))
    if rows != [[revision]]:
        raise _bad(path, f"{entry.member} does not hold the revision '{revision}'")


def _insert_table(
    conn: Connection,
    path: Path,
    archive: zipfile.ZipFile,
    entry: TableEntry,
    table: Table,
) -> None:
    loaders = [_loader(c.type, path, entry, c.name) for c in entry.columns]
    names = [c.name for c in entry.columns]
    # A reference to the same table (an area's parent) is set after all rows are in,
    # so that the order of the rows does not matter.
    later = _self_references(conn, table, names)
    keys = [names.index(c.name) for c in table.primary_key.columns]
    deferred: list[tuple[Any, ...]] = []
    with _writer(conn, path, entry, table) as write:
        chunk: list[list[Any]] = []
        for values in _member_rows(path, archive, entry):
            row = [load(v) for load, v in zip(loaders, values, strict=True)]
            if later:
                refs = [row[i] for i in later]
                if any(r is not None for r in refs):
                    deferred.append((*refs, *(row[i] for i in keys)))
                    for i in later:
                        row[i] = None
            chunk.append(row)
            if len(chunk) >= INSERT_CHUNK:
                _write_chunk(write, path, entry, chunk)
                chunk = []
        if chunk:
            _write_chunk(write, path, entry, chunk)
    if deferred:
        q = conn.dialect.identifier_preparer.quote
        sets = ", ".join(f"{q(names[i])} = :r{n}" for n, i in enumerate(later))
        where = " AND ".join(f"{q(names[i])} = :k{n}" for n, i in enumerate(keys))
        params = [
            {
                **{f"r{n}": d[n] for n in range(len(later))},
                **{f"k{n}": d[len(later) + n] for n in range(len(keys))},
            }
            for d in deferred
        ]
        _guarded(
            path,
            entry,
            lambda: conn.execute(
                text(f"UPDATE {q(table.name)} SET {sets} WHERE {where}"), params
            ),
        )
    if conn.dialect.name == "postgresql" and entry.rows:
        conn.exec_driver_sql(
            f"ANALYZE {conn.dialect.identifier_preparer.quote(table.name)}"
        )


def _self_references(conn: Connection, table: Table, names: list[str]) -> list[int]:
    """Positions of the columns that refer to the table itself."""
    found = []
    for fk in inspect(conn).get_foreign_keys(table.name):
        if fk["referred_table"] == table.name:
            found += [names.index(c) for c in fk["constrained_columns"]]
    return sorted(set(found))


Write = Callable[[list[list[Any]]], None]


@contextmanager
def _writer(
    conn: Connection, path: Path, entry: TableEntry, table: Table
) -> Iterator[Write]:
    """A function writing chunks of rows: COPY on PostgreSQL, the driver's
    ``executemany`` on SQLite (values converted as SQLAlchemy would)."""
    q = conn.dialect.identifier_preparer.quote
    names = [c.name for c in entry.columns]
    columns = ", ".join(q(n) for n in names)
    if conn.dialect.name == "postgresql":
        dbapi = conn.dialect.loaded_dbapi
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {q(table.name)} ({columns}) FROM STDIN") as copy:

                def copy_rows(rows: list[list[Any]]) -> None:
                    for row in rows:
                        copy.write_row(row)

                yield copy_rows
        except dbapi.Error as exc:
            if isinstance(exc, dbapi.OperationalError):
                raise
            raise _refused(path, entry, exc) from None
        return
    processors = [
        (i, p)
        for i, name in enumerate(names)
        if (p := table.columns[name].type.bind_processor(conn.dialect)) is not None
    ]
    marks = ", ".join("?" for _ in names)
    statement = f"INSERT INTO {q(table.name)} ({columns}) VALUES ({marks})"

    def insert_rows(rows: list[list[Any]]) -> None:
        for row in rows:
            for i, process in processors:
                row[i] = process(row[i])
        conn.exec_driver_sql(statement, [tuple(r) for r in rows])

    yield insert_rows


def _write_chunk(
    write: Write, path: Path, entry: TableEntry, rows: list[list[Any]]
) -> None:
    _guarded(path, entry, lambda: write(rows))


def _guarded(path: Path, entry: TableEntry, action: Callable[[], Any]) -> None:
    """Run a write; a row the database refuses (a duplicate key, a missing parent)
    means the file is not what it claims to be."""
    try:
        action()
    except DBAPIError as exc:
        if isinstance(exc, OperationalError):
            raise
        raise _refused(path, entry, exc.orig or exc) from None


def _refused(path: Path, entry: TableEntry, exc: BaseException) -> BackupFileError:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return _bad(path, f"the rows of table '{entry.name}' cannot be stored ({detail})")


def _advance_sequences(conn: Connection) -> None:
    """Set every serial/identity sequence past the largest restored id, so that the
    next import's ids do not collide with them."""
    inspector = inspect(conn)
    q = conn.dialect.identifier_preparer.quote
    for name in inspector.get_table_names():
        for col in inspector.get_columns(name):
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": q(name), "c": col["name"]},
            ).scalar()
            if sequence is None:
                continue
            conn.execute(
                text(
                    f"SELECT setval(:s, coalesce(max({q(col['name'])}), 0) + 1, false) "
                    f"FROM {q(name)}"
                ),
                {"s": sequence},
            )


__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "BackupManifest",
    "ColumnEntry",
    "RestoreResult",
    "TableEntry",
    "backed_up_tables",
    "backup",
    "column_type",
    "read_manifest",
    "restore",
]
