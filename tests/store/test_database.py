"""How the embedded database is opened."""

from __future__ import annotations

from pathlib import Path

from sozialmonitor.store.database import SQLITE_MMAP_BYTES, connect, init_database


def test_sqlite_reads_through_memory_mapped_pages_in_wal_mode(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'portal.db'}")
    try:
        init_database(engine)
        with engine.connect() as conn:
            mapped = conn.exec_driver_sql("PRAGMA mmap_size").scalar()
            journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        # SQLite caps the size at its compile-time maximum; it must not be off.
        assert 0 < int(mapped) <= SQLITE_MMAP_BYTES
        assert journal == "wal"
    finally:
        engine.dispose()
