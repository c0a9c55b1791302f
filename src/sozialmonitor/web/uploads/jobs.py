"""Import jobs: an uploaded file from its dry run to the end of its import.

A job is a row of ``import_job``. Its import runs in a background thread of the
portal's process, in one transaction of its own (``ingest/``): killed or failed, it
writes nothing. How far it is lives in memory while it runs (``_LIVE``) and goes
to the row only when it starts and ends — so that, on SQLite, where the import's
write transaction holds the one write lock, following it needs no write at all,
and on every database it costs the import nothing. A row that says ``running``
without a live thread in this process belongs to a process that ended (a restart,
a kill): it is shown as ``aborted``, and its transaction was rolled back.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Row, insert, select, update

from sozialmonitor.access import audit
from sozialmonitor.access.clock import as_utc, now
from sozialmonitor.errors import ImportValidationError, SozialmonitorError
from sozialmonitor.ingest.limits import MAX_MESSAGE_CHARS, shorten
from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.store.schema import import_job
from sozialmonitor.store.writes import file_digest
from sozialmonitor.web.uploads.checking import KeptReport, Kind, run_import
from sozialmonitor.web.uploads.receive import ReceivedFile

logger = logging.getLogger(__name__)

FAILED_EVENT = "import-failed"
"""The audit log's action for an upload whose file was refused by its check, or
whose import failed (it wrote nothing; an import that wrote something is audited
as ``import`` by ``ingest/journal.py``)."""
KEEP_UPLOADS = dt.timedelta(days=2)
"""How long an uploaded file waits for its confirmation before it is removed."""
RECENT_JOBS = 20


class Status(StrEnum):
    WAITING = "waiting"
    """Checked and clean: waits for the uploader's confirmation."""
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    """Refused by the check, or the import failed: nothing was written."""
    ABORTED = "aborted"
    """The process running it ended (shown so; the row still says running)."""


FINISHED = frozenset({Status.DONE, Status.FAILED, Status.ABORTED})


@dataclass(frozen=True, kw_only=True)
class Progress:
    """How far a running import is (in memory only)."""

    phase: str
    """``importing``, ``recording``."""
    rows_done: int
    rows_total: int


_LIVE: dict[str, Progress] = {}
_LOCK = threading.Lock()


def _set_live(job_id: str, progress: Progress | None) -> None:
    with _LOCK:
        if progress is None:
            _LIVE.pop(job_id, None)
        else:
            _LIVE[job_id] = progress


def _live(job_id: str) -> Progress | None:
    with _LOCK:
        return _LIVE.get(job_id)


@dataclass(frozen=True, kw_only=True)
class Job:
    id: str
    account: str
    kind: Kind
    file_name: str
    sha256: str
    release_name: str | None
    """The draft asked for (None: the newest draft, else a new one), and after the
    import the draft written into."""
    status: Status
    """As shown: a running job without a live thread here is ``aborted``."""
    phase: str
    rows_done: int
    rows_total: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    message: str
    """Why it failed (the importer's words), bounded."""
    report: KeptReport | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def _job(row: Row[Any], before: Progress | None) -> Job:
    """The job of ``row``; ``before``: its progress in memory as it was before the
    row was read. A job that finished between the two reads (its row read while
    running, its progress gone after it was written) is shown as still running,
    not as aborted: the next read shows how it ended."""
    status = Status(row.status)
    live = _live(row.id) or before
    phase, done, total = row.phase, row.rows_done, row.rows_total
    if status is Status.RUNNING:
        if live is None:
            status = Status.ABORTED
        else:
            phase, done, total = live.phase, live.rows_done, live.rows_total
    started = row.started_at
    finished = row.finished_at
    return Job(
        id=row.id,
        account=row.account,
        kind=Kind(row.kind),
        file_name=row.file_name,
        sha256=row.sha256,
        release_name=row.release_name,
        status=status,
        phase=phase,
        rows_done=done,
        rows_total=total,
        created_at=as_utc(row.created_at),
        started_at=as_utc(started) if started else None,
        finished_at=as_utc(finished) if finished else None,
        message=row.message,
        report=KeptReport.from_json(row.report),
    )


def get(engine: Engine, job_id: str) -> Job | None:
    before = _live(job_id)
    with engine.connect() as conn:
        row = conn.execute(select(import_job).where(import_job.c.id == job_id)).first()
    return _job(row, before) if row is not None else None


def recent(engine: Engine, account: str | None, limit: int = RECENT_JOBS) -> list[Job]:
    """The newest jobs, of ``account`` (None: of everyone)."""
    query = select(import_job).order_by(import_job.c.created_at.desc()).limit(limit)
    if account is not None:
        query = query.where(import_job.c.account == account)
    with _LOCK:
        before = dict(_LIVE)
    with engine.connect() as conn:
        return [_job(row, before.get(row.id)) for row in conn.execute(query)]


def _bounded(text: str) -> str:
    return shorten(text, MAX_MESSAGE_CHARS)


def prepare(
    engine: Engine,
    received: ReceivedFile,
    *,
    kind: Kind,
    release: str | None,
    account: str,
    address: str,
) -> Job:
    """Check an uploaded file with its importer's dry run and keep the job: waiting
    for confirmation when the file is clean (warnings allowed), else failed — then
    its file is removed and the refusal audited (``import-failed``)."""
    digest = file_digest(received.path)
    report: ValidationReport | None = None
    message = ""
    try:
        report = run_import(
            engine,
            kind,
            received.path,
            release=release,
            dry_run=True,
            actor=account,
            address=address,
        ).report
    except ImportValidationError as exc:
        report = exc.report  # type: ignore[assignment]
    except SozialmonitorError as exc:
        message = _bounded(exc.message)
    kept = KeptReport.of(report) if report is not None else None
    clean = kept is not None and kept.is_valid and not message
    status = Status.WAITING if clean else Status.FAILED
    at = now()
    with engine.begin() as conn:
        conn.execute(
            insert(import_job).values(
                id=received.token,
                account=account,
                kind=kind.value,
                file_name=received.original_name,
                sha256=digest,
                release_name=release,
                status=status.value,
                phase="",
                rows_done=0,
                rows_total=kept.rows_valid if kept else 0,
                created_at=at,
                finished_at=None if clean else at,
                message=message,
                report=kept.to_json() if kept else "",
            )
        )
        if not clean:
            audit.record(
                conn,
                FAILED_EVENT,
                actor=account,
                target=release or "",
                address=address,
                detail={
                    "kind": kind.value,
                    "file": received.original_name,
                    "sha256": digest,
                    "errors": kept.error_count if kept else 1,
                    "job": received.token,
                },
                at=at,
            )
    if not clean:
        shutil.rmtree(received.path.parent, ignore_errors=True)
    found = get(engine, received.token)
    assert found is not None
    return found


def start(
    engine: Engine, job_id: str, folder: Path, *, actor: str, address: str
) -> threading.Thread | None:
    """Start a waiting job's import in a background thread (None when it is not
    waiting: started already, or failed). The thread, for whoever wants to wait."""
    job = get(engine, job_id)
    if job is None or job.status is not Status.WAITING:
        return None
    _set_live(
        job_id, Progress(phase="importing", rows_done=0, rows_total=job.rows_total)
    )
    with engine.begin() as conn:
        claimed = conn.execute(
            update(import_job)
            .where(import_job.c.id == job_id)
            .where(import_job.c.status == Status.WAITING.value)
            .values(status=Status.RUNNING.value, phase="importing", started_at=now())
        ).rowcount
    if claimed != 1:  # another request started it a moment ago
        _set_live(job_id, None)
        return None
    path = folder / job_id / job.file_name
    thread = threading.Thread(
        target=_run,
        args=(engine, job, path, actor, address),
        name=f"import-{job_id[:8]}",
        daemon=True,
    )
    thread.start()
    return thread


def _run(engine: Engine, job: Job, path: Path, actor: str, address: str) -> None:
    """The import, then the job's end in its row (a separate transaction)."""
    started = time.monotonic()
    values: dict[str, object] = {}
    try:
        if not path.is_file():
            values = {
                "status": Status.FAILED.value,
                "message": "The uploaded file is no longer there (uploads are kept "
                "for two days). Upload it again.",
            }
        else:
            outcome = run_import(
                engine,
                job.kind,
                path,
                release=job.release_name,
                dry_run=False,
                actor=actor,
                address=address,
            )
            values = {
                "status": Status.DONE.value,
                "rows_done": outcome.rows_written,
                "release_name": outcome.release.name
                if outcome.release
                else job.release_name,
            }
    except ImportValidationError as exc:  # the database changed since the check
        report: ValidationReport = exc.report  # type: ignore[assignment]
        values = {
            "status": Status.FAILED.value,
            "message": _bounded(report.to_text(limit=5)),
            "report": KeptReport.of(report).to_json(),
        }
    except SozialmonitorError as exc:
        values = {"status": Status.FAILED.value, "message": _bounded(exc.message)}
    except Exception:
        logger.exception("import job %s failed", job.id)
        values = {
            "status": Status.FAILED.value,
            "message": "The import failed on an internal error; nothing was written. "
            "The server's log has the details.",
        }
    finally:
        values.setdefault("status", Status.FAILED.value)
        _set_live(
            job.id,
            Progress(phase="recording", rows_done=0, rows_total=job.rows_total),
        )
        try:
            with engine.begin() as conn:
                conn.execute(
                    update(import_job)
                    .where(import_job.c.id == job.id)
                    .values(phase="", finished_at=now(), **values)
                )
                if values["status"] == Status.FAILED.value:
                    audit.record(
                        conn,
                        FAILED_EVENT,
                        actor=actor,
                        target=job.release_name or "",
                        address=address,
                        detail={
                            "kind": job.kind.value,
                            "file": job.file_name,
                            "sha256": job.sha256,
                            "job": job.id,
                        },
                    )
        finally:
            _set_live(job.id, None)
            shutil.rmtree(path.parent, ignore_errors=True)
            logger.info(
                "import job %s: %s in %.1f s",
                job.id,
                values["status"],
                time.monotonic() - started,
            )


def sweep(folder: Path) -> None:
    """Remove uploads older than ``KEEP_UPLOADS`` (never confirmed)."""
    limit = time.time() - KEEP_UPLOADS.total_seconds()
    for entry in folder.iterdir():
        try:
            if entry.is_dir() and entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue
