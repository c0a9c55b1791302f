"""Restoring a backup into an empty SQLite or PostgreSQL database, in one transaction.

The file is checked before the database is touched (zip, manifest, sizes); then, in
one transaction, the target's tables are dropped (it must be empty unless
``replace``), the schema is built at the backup's revision (Alembic), the rows are
inserted in chunks while every value, the row counts and the checksums are checked,
the schema is upgraded to the newest revision, and PostgreSQL's sequences are moved
past the restored ids. Any problem rolls everything back: the target is then exactly
as before (a new SQLite file is removed again).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, Table, inspect, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from sozialmonitor.domain.area import DEFAULT_LEVELS, LEVEL_RANK_STEP
from sozialmonitor.errors import (
    BackupFileError,
    BackupVersionError,
    ConfigurationError,
    RestoreTargetError,
)
from sozialmonitor.store import schema
from sozialmonitor.store.backup.archive import (
    ALEMBIC_TABLE,
    BackupManifest,
    TableEntry,
    bad,
    checked_manifest,
    column_type,
    loaded_column,
    member_chunks,
    open_archive,
)
from sozialmonitor.store.backup.dump import Progress
from sozialmonitor.store.backup.migration import known_revision, shown, upgrade
from sozialmonitor.store.suppression import ensure_patterns

SQLITE_RESTORE_CACHE_KIB = 256 * 1024
"""SQLite's page cache while restoring (its default is 2 MB): the key indexes of a
large table stay in memory while they grow. Bounded, and freed afterwards."""
MAX_REVISION_BYTES = 100
"""``alembic_version`` holds one short revision id."""
_SQLITE_IN_MEMORY = ("", ":memory:")


@dataclass(frozen=True, kw_only=True)
class RestoreResult:
    """What ``restore`` did."""

    manifest: BackupManifest
    """The manifest of the backup restored."""
    schema_revision: str
    """The schema revision of the database afterwards (the newest this code knows)."""


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
    progress
        Called after each table with its name and number of rows.

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
    with open_archive(path) as archive:
        manifest = checked_manifest(path, archive)
        if not known_revision(engine, manifest.schema_revision):
            raise BackupVersionError(
                f"{path} holds schema revision '{manifest.schema_revision}', which "
                "this Sozialmonitor does not know: the backup was made by a newer "
                "version. Upgrade Sozialmonitor (pip install -U sozialmonitor) and "
                "restore again."
            )
        try:
            with engine.connect() as conn, conn.begin():
                _clear_target(conn, engine, replace=replace)
                upgrade(engine, conn, manifest.schema_revision)
                with _sqlite_cache(conn):
                    _load_tables(conn, path, archive, manifest, progress)
                upgrade(engine, conn, "head")
                revision = str(MigrationContext.configure(conn).get_current_revision())
                if conn.dialect.name == "postgresql":
                    _advance_sequences(conn)
                # A backup from before suppression patterns: compute them, or the
                # read gate hides every slice without one.
                ensure_patterns(conn)
        except OperationalError as exc:
            _remove_new_file(engine, new_file)
            raise ConfigurationError(
                f"Cannot restore into the database {shown(engine)}: {exc.orig}"
            ) from None
        except BaseException:
            _remove_new_file(engine, new_file)
            raise
    return RestoreResult(manifest=manifest, schema_revision=revision)


# --- the target -------------------------------------------------------------------


def _new_sqlite_file(engine: Engine) -> Path | None:
    """The SQLite file the restore would create, if it does not exist yet."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, *_SQLITE_IN_MEMORY):
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


def _clear_target(conn: Connection, engine: Engine, *, replace: bool) -> None:
    """Check that the target is empty (or ``replace``) and drop its tables, which are
    then built anew at the backup's revision."""
    names = set(inspect(conn).get_table_names())
    if ALEMBIC_TABLE in names:
        for head in MigrationContext.configure(conn).get_current_heads():
            if not known_revision(engine, head):
                raise RestoreTargetError(
                    f"The database {shown(engine)} has schema revision '{head}', "
                    "newer than this Sozialmonitor knows. Restore with the newer "
                    "version, or into another database."
                )
    ours = names & (set(schema.metadata.tables) | {ALEMBIC_TABLE})
    if not replace:
        for name in sorted(ours - {ALEMBIC_TABLE}):
            if not _holds_only_seed(conn, name):
                raise RestoreTargetError(
                    f"The database {shown(engine)} already holds data (table "
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


# --- the rows ---------------------------------------------------------------------


def _load_tables(
    conn: Connection,
    path: Path,
    archive: zipfile.ZipFile,
    manifest: BackupManifest,
    progress: Progress | None,
) -> None:
    """Insert every table's rows into the schema just built at the backup's revision."""
    built = set(inspect(conn).get_table_names())
    listed = {t.name for t in manifest.tables}
    if built != listed:
        differing = sorted(built ^ listed)
        raise bad(
            path,
            f"its tables do not match schema revision '{manifest.schema_revision}' "
            f"({', '.join(differing)})",
        )
    for entry in manifest.tables:
        table = Table(entry.name, MetaData(), autoload_with=conn)
        declared = sorted((c.name, c.type) for c in entry.columns)
        actual = sorted((c.name, column_type(c.type)) for c in table.columns)
        if declared != actual:
            raise bad(
                path,
                f"the columns of table '{entry.name}' do not match schema revision "
                f"'{manifest.schema_revision}'",
            )
        if entry.name == ALEMBIC_TABLE:
            _check_revision_rows(path, archive, entry, manifest.schema_revision)
        else:
            with _sqlite_indexes_rebuilt(conn, table, entry.rows):
                _insert_table(conn, path, archive, entry, table)
            count = conn.execute(select(text("count(*)")).select_from(table)).scalar()
            if count != entry.rows:
                raise bad(
                    path, f"table '{entry.name}' got {count} rows, not {entry.rows}"
                )
        if progress is not None:
            progress(entry.name, entry.rows)


def _check_revision_rows(
    path: Path, archive: zipfile.ZipFile, entry: TableEntry, revision: str
) -> None:
    """Alembic has written the revision; the member must name the same one."""
    if entry.rows != 1 or entry.bytes > MAX_REVISION_BYTES:
        raise bad(path, f"{entry.member} must hold one revision, nothing else")
    rows = [row for chunk in member_chunks(path, archive, entry) for row in chunk]
    if rows != [[revision]]:
        raise bad(path, f"{entry.member} does not hold the revision '{revision}'")


def _insert_table(
    conn: Connection,
    path: Path,
    archive: zipfile.ZipFile,
    entry: TableEntry,
    table: Table,
) -> None:
    names = [c.name for c in entry.columns]
    # A reference to the same table (an area's parent) is set after all rows are in,
    # so that the order of the rows does not matter.
    later = _self_references(conn, table, names)
    keys = [names.index(c.name) for c in table.primary_key.columns]
    deferred: list[tuple[Any, ...]] = []
    with _writer(conn, path, entry, table) as write:
        for chunk in member_chunks(path, archive, entry):
            columns = [
                loaded_column(path, entry, i, values)
                for i, values in enumerate(zip(*chunk, strict=True))
            ]
            if later:
                deferred += [
                    row
                    for row in zip(*(columns[i] for i in later + keys), strict=True)
                    if any(r is not None for r in row[: len(later)])
                ]
                for i in later:
                    columns[i] = [None] * len(chunk)
            _guarded(path, entry, partial(write, columns))
    if deferred:
        _set_references(conn, path, entry, table, [names[i] for i in later], deferred)
    if conn.dialect.name == "postgresql" and entry.rows:
        # Planner statistics now, not whenever autovacuum comes by.
        conn.exec_driver_sql(
            f"ANALYZE {conn.dialect.identifier_preparer.quote(table.name)}"
        )


def _set_references(
    conn: Connection,
    path: Path,
    entry: TableEntry,
    table: Table,
    columns: list[str],
    rows: list[tuple[Any, ...]],
) -> None:
    q = conn.dialect.identifier_preparer.quote
    keys = [c.name for c in table.primary_key.columns]
    sets = ", ".join(f"{q(c)} = :r{n}" for n, c in enumerate(columns))
    where = " AND ".join(f"{q(c)} = :k{n}" for n, c in enumerate(keys))
    params = [
        {
            **{f"r{n}": row[n] for n in range(len(columns))},
            **{f"k{n}": row[len(columns) + n] for n in range(len(keys))},
        }
        for row in rows
    ]
    statement = text(f"UPDATE {q(table.name)} SET {sets} WHERE {where}")
    _guarded(path, entry, lambda: conn.execute(statement, params))


def _self_references(conn: Connection, table: Table, names: list[str]) -> list[int]:
    """Positions of the columns that refer to the table itself."""
    found = []
    for fk in inspect(conn).get_foreign_keys(table.name):
        if fk["referred_table"] == table.name:
            found += [names.index(c) for c in fk["constrained_columns"]]
    return sorted(set(found))


Write = Callable[[list[Any]], None]
"""Writes one chunk, given as its columns."""


@contextmanager
def _writer(
    conn: Connection, path: Path, entry: TableEntry, table: Table
) -> Iterator[Write]:
    """A function writing chunks: COPY on PostgreSQL, the driver's ``executemany`` on
    SQLite (values converted as SQLAlchemy's column types would)."""
    q = conn.dialect.identifier_preparer.quote
    names = [c.name for c in entry.columns]
    columns = ", ".join(q(n) for n in names)
    if conn.dialect.name == "postgresql":
        dbapi = conn.dialect.loaded_dbapi
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {q(table.name)} ({columns}) FROM STDIN") as copy:

                def copy_rows(chunk: list[Any]) -> None:
                    for row in zip(*chunk, strict=True):
                        copy.write_row(row)

                yield copy_rows
        except dbapi.Error as exc:
            if isinstance(exc, dbapi.OperationalError):
                raise
            raise _refused(path, entry, exc) from None
        return
    dialect = conn.dialect
    processors = [
        (i, p)
        for i, name in enumerate(names)
        if (p := table.columns[name].type.dialect_impl(dialect).bind_processor(dialect))
        is not None
    ]
    marks = ", ".join("?" for _ in names)
    statement = f"INSERT INTO {q(table.name)} ({columns}) VALUES ({marks})"

    def insert_rows(chunk: list[Any]) -> None:
        for i, process in processors:
            chunk[i] = [process(v) for v in chunk[i]]
        conn.exec_driver_sql(statement, list(zip(*chunk, strict=True)))

    yield insert_rows


def _guarded(path: Path, entry: TableEntry, action: Callable[[], Any]) -> None:
    """Run a write; a row the database refuses (a duplicate key, a missing parent)
    means the file is not what it claims to be."""
    try:
        action()
    except DBAPIError as exc:
        if isinstance(exc, OperationalError):
            raise
        raise _refused(path, entry, exc.orig or exc) from None
    except (OverflowError, UnicodeError, ValueError) as exc:
        # Raised by the driver for a value it cannot send: an integer beyond 64
        # bits, text with a lone surrogate (valid JSON, not valid UTF-8).
        raise _refused(path, entry, exc) from None


def _refused(path: Path, entry: TableEntry, exc: BaseException) -> BackupFileError:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return bad(path, f"the rows of table '{entry.name}' cannot be stored ({detail})")


# --- SQLite and PostgreSQL specifics ----------------------------------------------


@contextmanager
def _sqlite_cache(conn: Connection) -> Iterator[None]:
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    conn.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_RESTORE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")


SQLITE_REBUILD_MIN_ROWS = 100_000
"""From this many rows on, a table's secondary indexes are built after its rows are
in (one sort) instead of growing row by row."""


@contextmanager
def _sqlite_indexes_rebuilt(
    conn: Connection, table: Table, rows: int
) -> Iterator[None]:
    """Drop a large table's own indexes (as the migrations created them) and create
    them again from the same SQL afterwards, inside the restore's transaction."""
    if conn.dialect.name != "sqlite" or rows < SQLITE_REBUILD_MIN_ROWS:
        yield
        return
    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table.name,),
    ).all()
    q = conn.dialect.identifier_preparer.quote
    for name, _sql in indexes:
        conn.exec_driver_sql(f"DROP INDEX {q(name)}")
    yield
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)


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
