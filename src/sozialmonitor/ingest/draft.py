"""The one tail of every observation import: values into a draft release, inside
the import's transaction, and at the end the import recorded — or, when nothing
changed, everything taken back.

A file read in chunks is written while the next chunk is read and checked: the
writes run in one worker thread, one chunk at a time, with at most one more waiting —
memory holds three chunks at most. SQLite and the PostgreSQL driver let go of the
interpreter while they wait for the disk or the server, and only then do the two
overlap: on a Germany-size file the import takes about as long as its CPU time.
Only the worker uses the connection until the writes are settled (``settle``)."""

from __future__ import annotations

import queue
import threading
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import pandas as pd
from sqlalchemy import Connection, RootTransaction

from sozialmonitor.domain.release import Release
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.store.bulk_insert import bulk_write
from sozialmonitor.store.queries import list_releases
from sozialmonitor.store.writes import (
    WRITE_CHUNK_ROWS,
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
        self._waiting: queue.Queue[pd.DataFrame | None] = queue.Queue(maxsize=1)
        self._worker: threading.Thread | None = None
        self._failure: BaseException | None = None

    def __enter__(self) -> DraftWrite:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self._stop()
        finally:
            self._stack.close()

    def write(self, rows: pd.DataFrame) -> None:
        """Store validated rows (``store_observations``'s columns) in the draft: hand
        them to the writer and return (waiting while it still has a chunk waiting).

        Raises
        ------
        Exception
            What a write of an earlier chunk raised.
        """
        if self.dry_run or rows.empty:
            return
        self._raise_failure()
        if self._worker is None:
            self._worker = threading.Thread(
                target=self._write_waiting, name="DraftWrite", daemon=True
            )
            self._worker.start()
        self._waiting.put(rows)

    def settle(self) -> None:
        """Wait until every chunk handed over is written; after it the caller may
        use the connection again (e.g. for the checks across the whole file).

        Raises
        ------
        Exception
            What a write raised.
        """
        self._waiting.join()
        self._raise_failure()

    def _write_waiting(self) -> None:
        """The worker: writes the chunks handed over until told to stop; after a
        failure it takes the remaining chunks without writing them."""
        while (rows := self._waiting.get()) is not None:
            try:
                if self._failure is None:
                    self._write_now(rows)
            except BaseException as error:  # noqa: BLE001 - raised in the caller
                self._failure = error
            finally:
                del rows
                self._waiting.task_done()
        self._waiting.task_done()

    def _write_now(self, rows: pd.DataFrame) -> None:
        if self.target is None:
            self.target = draft_release(self.conn, self.release)
            self._stack.enter_context(
                bulk_write(self.conn, max(self.expected_rows, len(rows)))
            )
        self.written += store_observations(
            self.conn, self.target, rows, chunk_rows=self.chunk_rows
        )

    def _stop(self) -> None:
        """Let the worker finish what it has and end."""
        if self._worker is None:
            return
        self._waiting.put(None)
        self._worker.join()
        self._worker = None

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

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
        self.settle()
        self._stop()
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
