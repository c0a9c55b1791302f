"""What every import leaves behind, in its own transaction: a row in the import log
and an ``import`` event in the audit log (who, when, what, from where).

The command line and the browser upload both import through ``ingest/observations``,
``ingest/indicators`` and ``ingest/areas``, which call :func:`record_import` here; so
every import is in the audit log, and a failed or killed import (whose transaction is
rolled back) is in neither log.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from sozialmonitor.access import audit
from sozialmonitor.domain.release import Release
from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.store.writes import log_import

IMPORT_EVENT = "import"
"""The audit log's action for an import that wrote something."""


def record_import(
    conn: Connection,
    *,
    kind: str,
    path: Path,
    release: Release | None,
    report: ValidationReport,
    rows_written: int,
    actor: str,
    address: str,
) -> None:
    """Log the import and audit it, in the import's transaction (``conn``)."""
    digest = log_import(
        conn,
        kind=kind,
        path=path,
        release=release,
        rows_read=report.rows_read,
        rows_written=rows_written,
    )
    audit.record(
        conn,
        IMPORT_EVENT,
        actor=actor,
        target=release.name if release else "",
        address=address,
        detail={
            "kind": kind,
            "file": path.name,
            "sha256": digest,
            "rows_read": report.rows_read,
            "rows_written": rows_written,
        },
    )
