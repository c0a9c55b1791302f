"""A SQLite database that Sozialmonitor creates is private to its owner: the file and
its -wal and -shm companions are 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from sozialmonitor.errors import ConfigurationError
from sozialmonitor.store.database import SQLITE_FILE_MODE, connect, init_database


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: files are created as asked, nothing masked."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_a_new_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "neu.db"
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    with engine.connect() as conn:
        # An open connection in WAL mode keeps -wal and -shm on disk.
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        files = sorted(p.name for p in tmp_path.iterdir())
        assert files == ["neu.db", "neu.db-shm", "neu.db-wal"]
        assert {name: mode(tmp_path / name) for name in files} == dict.fromkeys(
            files, SQLITE_FILE_MODE
        )
    engine.dispose()
    assert SQLITE_FILE_MODE == 0o600


@pytest.mark.usefixtures("open_umask")
def test_an_existing_file_keeps_its_permissions(tmp_path: Path) -> None:
    """The owner may have shared it on purpose (a group of analysts)."""
    path = tmp_path / "geteilt.db"
    path.touch(mode=0o640)
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    engine.dispose()
    assert mode(path) == 0o640


def test_a_missing_folder_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "gibt-es-nicht" / "db.sqlite"
    engine = connect(f"sqlite:///{path}")  # the file is made at the first connection
    with pytest.raises(ConfigurationError) as caught:
        engine.connect()
    assert str(path) in caught.value.message
    assert "folder exists" in caught.value.message


def test_an_in_memory_database_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = connect("sqlite://")
    init_database(engine)
    engine.dispose()
    assert list(tmp_path.iterdir()) == []
