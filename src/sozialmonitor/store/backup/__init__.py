"""Backup and restore of a whole database, portable between SQLite and PostgreSQL.

A backup is a zip file (described in ``docs/backup.md``): ``manifest.json`` (format
version, Alembic schema revision, creation time, per table its columns, row count,
size and SHA-256) and one member per table, ``tables/<table>.jsonl``, a JSON array
per row. Every table of ``schema.metadata`` is included without being named here, and
Alembic's ``alembic_version``, so tables added by later migrations are covered
unchanged.

- ``archive``: the format; reading the file as hostile input.
- ``dump``: ``backup``, from one consistent snapshot.
- ``load``: ``restore``, in one transaction.
"""

from __future__ import annotations

from sozialmonitor.store.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    BackupManifest,
    ColumnEntry,
    TableEntry,
    column_type,
    read_manifest,
)
from sozialmonitor.store.backup.dump import backed_up_tables, backup
from sozialmonitor.store.backup.load import RestoreResult, restore

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
