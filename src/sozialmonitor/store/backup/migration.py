"""Alembic for backup and restore: the known revisions, and migrations run on the
restore's own connection (inside its one transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from sozialmonitor.store.database import _alembic_config


def script(engine: Engine) -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config(engine))


def known_revision(engine: Engine, revision: str) -> bool:
    """Whether this code has the migration ``revision`` (else it is newer)."""
    return any(s.revision == revision for s in script(engine).walk_revisions())


def shown(engine: Engine) -> str:
    """The engine's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


class _OneConnection:
    """Stands in for the engine ``migrations/env.py`` runs on, handing it the
    restore's connection: the migrations then run inside the restore's transaction
    (Alembic sees the transaction already begun and leaves it to us)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        yield self._conn


def upgrade(engine: Engine, conn: Connection, revision: str) -> None:
    """Run the migrations up to ``revision`` on ``conn``, in its transaction."""
    config = _alembic_config(engine)
    config.attributes["engine"] = _OneConnection(conn)
    command.upgrade(config, revision)
