"""Editing one finding or recommendation in the browser: the stored record as the
form opens it, a fingerprint for optimistic concurrency, and the save through the
one writer of records (``store.qualitative.save_record``) with an audit log entry,
in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Connection, select

from sozialmonitor.access import audit
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.qualitative import QualitativeRecord, Status
from sozialmonitor.errors import StaleEditError
from sozialmonitor.store import schema
from sozialmonitor.store.qualitative import read_records, save_record

SAVED = "qualitative-record-saved"
"""The audit log's action of a record saved in the browser."""
STATUS_CHANGED = "recommendation-status-changed"
"""The audit log's action of a status appended to a recommendation's history."""


def stored_record(conn: Connection, code: str) -> QualitativeRecord | None:
    """The record ``code`` with every link (as the unscoped administration reads
    it), or None. The caller decides whether the editor may see it."""
    found = read_records(conn, audience=Audience.INTERNAL, codes=[code])
    return found[0] if found else None


def fingerprint(record: QualitativeRecord | None) -> str:
    """A short digest of every field and the history: it changes with any change
    of the record (empty for a record not yet stored).

    Examples
    --------
    >>> from sozialmonitor.domain.qualitative import RecordKind, RecordVisibility
    >>> a = QualitativeRecord(code="E-1", kind=RecordKind.FINDING, title="A",
    ...     text="x", visibility=RecordVisibility.PUBLIC)
    >>> fingerprint(a) == fingerprint(QualitativeRecord(**{**vars(a), "title": "B"}))
    False
    >>> fingerprint(None)
    ''
    """
    if record is None:
        return ""
    return hashlib.sha256(repr(record).encode()).hexdigest()[:32]


def edit_record(
    conn: Connection,
    record: QualitativeRecord,
    *,
    opened: str,
    status: Status | None = None,
    status_on: dt.date | None = None,
    actor: str,
    address: str = "",
) -> bool:
    """Store ``record`` (new, or a change of the stored one) if the stored record
    still has the fingerprint ``opened``, append ``status`` to a recommendation's
    history, and log both; returns whether anything changed.

    Raises
    ------
    StaleEditError
        Someone else created or changed the record meanwhile; nothing is written.
    StatusChangeError
        The status may not follow the current one.
    """
    rec = schema.qualitative_record
    # Lock the row (PostgreSQL) so that two saves of one record do not interleave.
    conn.execute(select(rec.c.id).where(rec.c.code == record.code).with_for_update())
    current = stored_record(conn, record.code)
    if fingerprint(current) != opened:
        raise StaleEditError(
            f"The record '{record.code}' was created or changed by someone else "
            "after the form was opened. Open it again and repeat your change."
        )
    before = current.status if current else None
    changed = save_record(conn, record, status=status, status_on=status_on, actor=actor)
    if changed:
        audit.record(
            conn,
            SAVED,
            actor=actor,
            target=record.code,
            address=address,
            detail={"kind": record.kind.value, "new": current is None},
        )
    if status is not None and status is not before:
        audit.record(
            conn,
            STATUS_CHANGED,
            actor=actor,
            target=record.code,
            address=address,
            detail={
                "from": before.value if before else "",
                "to": status.value,
                "on": (status_on or dt.datetime.now(dt.UTC).date()).isoformat(),
            },
        )
    return changed
