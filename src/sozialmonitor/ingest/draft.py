"""The one tail of every observation import: values into a draft release, inside
the import's transaction, and at the end the import recorded — or, when nothing
changed, everything taken back."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import pandas as pd
from sqlalchemy import Connection, RootTransaction

from sozialmonitor.domain.release import Release
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.store.queries import list_releases
from sozialmonitor.store.writes import (
    WRITE_CHUNK_ROWS,
    bulk_write,
    draft_release,
    store_observations,
)


class DraftWrite:
    """Writes validated rows into a draft release, call by call (a file read in
    chunks writes each chunk as it is checked), in ``transaction``.

    Used as a context manager around the writes; ``finish`` ends the import.

    Parameters
    ----------
    release
        The draft's name (created if new; None: the newest draft or a new one).
    dry_run
        Write nothing; ``finish`` only checks that ``release`` may take values.
    expected_rows
        About how many rows the import writes (for ``bulk_write``).
    chunk_rows
        At most so many rows compared and written at once (``store_observations``).
    """

    def __init__(
        self,
        conn: Connection,
        transaction: RootTransaction,
        *,
        release: str | None,
        dry_run: bool,
        expected_rows: int = 0,
        chunk_rows: int = WRITE_CHUNK_ROWS,
    ) -> None:
        self.conn = conn
        self.transaction = transaction
        self.release = release
        self.dry_run = dry_run
        self.expected_rows = expected_rows
        self.chunk_rows = chunk_rows
        self.existing = {r.id for r in list_releases(conn)}
        """Releases before the import (a draft created by it is taken back with it)."""
        self.target: Release | None = None
        self.written = 0
        self._stack = ExitStack()

    def __enter__(self) -> DraftWrite:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stack.close()

    def write(self, rows: pd.DataFrame) -> None:
        """Store validated rows (``store_observations``'s columns) in the draft."""
        if self.dry_run or rows.empty:
            return
        if self.target is None:
            self.target = draft_release(self.conn, self.release)
            self._stack.enter_context(
                bulk_write(self.conn, max(self.expected_rows, len(rows)))
            )
        self.written += store_observations(
            self.conn, self.target, rows, chunk_rows=self.chunk_rows
        )

    def finish(
        self,
        report: ValidationReport,
        *,
        path: Path,
        actor: str,
        address: str,
        also_changed: int = 0,
    ) -> ImportOutcome:
        """End the import: record it, or take everything back when it is a dry run
        or changed nothing (``also_changed``: what else the import changed, e.g.
        indicators it declared) — importing a file twice changes nothing, and
        leaves no empty draft and no log entry."""
        self._stack.close()  # e.g. SQLite's index built again, before the log entry
        if self.dry_run:
            if self.release is not None:
                draft_release(self.conn, self.release)  # refuses a published one
            self.transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        target = self.target or draft_release(self.conn, self.release)
        if self.written == 0 and also_changed == 0:
            self.transaction.rollback()
            kept = target if target.id in self.existing else None
            return ImportOutcome(report=report, release=kept, rows_written=0)
        record_import(
            self.conn,
            kind="observations",
            path=path,
            release=target,
            report=report,
            rows_written=self.written,
            actor=actor,
            address=address,
        )
        return ImportOutcome(report=report, release=target, rows_written=self.written)
