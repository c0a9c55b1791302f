"""Engines for SQLite (embedded default) and PostgreSQL, and ``init`` via Alembic."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from sozialmonitor.domain.area import DEFAULT_LEVELS, LEVEL_RANK_STEP
from sozialmonitor.errors import ConfigurationError
from sozialmonitor.store import schema

SQLITE_FILE_MODE = 0o600
"""A new SQLite file is readable and writable by its owner only: it holds every
figure, published or not (drafts, suppressed cells). SQLite gives its -wal and
-shm files the database file's permissions."""
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 2**31
"""Reads through memory-mapped pages instead of copying them into SQLite's 2 MB page
cache: reading a Germany-size level of 22,000 values takes 27 instead of 30 ms, and
the slow outliers (45-55 ms, the cache churning) are gone. SQLite caps it at its
compile-time maximum (about 2 GB); writes are unchanged."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite opens transactions lazily and never around DDL; take that job over
    # (SQLAlchemy's documented recipe) so that every import is one real transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def connect(url: str) -> Engine:
    """An engine for a database URL (``sqlite:///file.db``, ``postgresql+psycopg://…``).

    Raises
    ------
    ConfigurationError
        When the URL cannot be understood or its driver is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"'{url}' is not a database URL. Use sqlite:///FILE.db or "
            "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE."
        ) from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed)
    except (NoSuchModuleError, ModuleNotFoundError):
        raise ConfigurationError(
            f"The database driver for '{parsed.drivername}' is not installed. "
            "For PostgreSQL install the extra: pip install 'sozialmonitor[pg]'."
        ) from None
    if engine.dialect.name == "sqlite":
        database = parsed.database

        def private_file(*_args: Any) -> None:
            # Made when SQLite would make it (the first connection), not when the
            # engine is: a backup of a file that does not exist must not create it.
            _create_private_file(database)

        event.listen(engine, "do_connect", private_file)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _create_private_file(database: str | None) -> None:
    """Create a SQLite database file that does not exist yet with
    ``SQLITE_FILE_MODE``, before SQLite would create it world-readable (0644 under
    the usual umask). In-memory databases and existing files are left alone.

    Raises
    ------
    ConfigurationError
        When the file's folder does not exist or cannot be written.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        descriptor = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SQLITE_FILE_MODE
        )
    except FileExistsError:
        return
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot create the database file '{path}': {exc.strerror}. "
            "Check that its folder exists and may be written."
        ) from None
    os.close(descriptor)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(files("sozialmonitor.store").joinpath("migrations"))
    )
    config.attributes["engine"] = engine
    return config


def init_database(engine: Engine) -> None:
    """Create the tables or upgrade them to the newest migration; seed the levels;
    compute the suppression patterns and the newest release's public digest a
    database from an older version lacks (``analysis.digest_record``; older
    releases' digests are computed and stored when first read)."""
    try:
        command.upgrade(_alembic_config(engine), "head")
    except OperationalError as exc:
        raise ConfigurationError(
            f"Cannot open the database {engine.url!r}: {exc.orig}"
        ) from None
    from sozialmonitor.analysis.digest_record import refresh_newest_digest
    from sozialmonitor.store.suppression import ensure_patterns

    with engine.begin() as conn:
        ensure_patterns(conn)  # releases published before patterns existed
        refresh_newest_digest(conn)  # published before digests were stored
        if conn.scalar(select(func.count()).select_from(schema.area_level)) == 0:
            conn.execute(
                insert(schema.area_level),
                [
                    {"code": code, "label": label, "rank": (i + 1) * LEVEL_RANK_STEP}
                    for i, (code, label) in enumerate(DEFAULT_LEVELS)
                ],
            )


def schema_is_current(engine: Engine) -> bool:
    """Whether the database has been initialised to the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(engine))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(script.get_heads())
