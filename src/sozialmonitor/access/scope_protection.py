"""Re-protection for a new area scope, as a job.

An account given a scope no other account holds is *pending*
(``accounts.scope_needs_protection``): it reads as the public until the suppression
patterns are computed again with that scope's knowledge
(``store.scope_reprotection.reprotect_for_scope``: seconds on a county, minutes at
Germany size). The job does that in one transaction of its own and, in the same
transaction, ends the pending state of every account with the scope: the public
sees the old patterns until the new ones are committed, the account gets its
internal view only with them — fail closed, and never half a pattern.

The portal runs it in a background thread (as uploads run), the command line in the
foreground. How far it is lives in memory (``progress``); a job whose process ended
leaves its accounts pending, and ``resume`` starts it again (the portal on start and
on the accounts page).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Engine, select, update

from sozialmonitor.access import audit
from sozialmonitor.analysis.digest_record import refresh_newest_digest
from sozialmonitor.store.schema import account
from sozialmonitor.store.scope_reprotection import reprotect_for_scope

logger = logging.getLogger(__name__)

DONE_EVENT = "scope-protected"
"""The audit log's action when a scope's patterns are stored and its accounts read
within it."""


@dataclass(frozen=True, kw_only=True)
class Progress:
    """How far a running job is (in memory only)."""

    slices_done: int
    slices_total: int


_RUNNING: dict[tuple[str, str], Progress] = {}
_LOCK = threading.Lock()


def _key(engine: Engine, area_code: str) -> tuple[str, str]:
    return (engine.url.render_as_string(hide_password=True), area_code)


def pending_scopes(engine: Engine) -> list[str]:
    """The area codes whose accounts wait for their patterns."""
    with engine.connect() as conn:
        return sorted(
            conn.scalars(
                select(account.c.area_code)
                .where(account.c.scope_pending.is_(True))
                .where(account.c.area_code.is_not(None))
                .distinct()
            )
        )


def progress(engine: Engine, area_code: str) -> Progress | None:
    """How far the job of ``area_code`` is, None when none runs in this process."""
    with _LOCK:
        return _RUNNING.get(_key(engine, area_code))


def run(engine: Engine, area_code: str) -> int:
    """Compute the patterns for ``area_code`` and end the pending state of its
    accounts, in one transaction; returns the number of cells hidden in the slices
    computed. Another job of the same scope in this process: returns 0 at once."""
    key = _key(engine, area_code)
    with _LOCK:
        if key in _RUNNING:
            return 0
        _RUNNING[key] = Progress(slices_done=0, slices_total=0)

    def told(done: int, total: int) -> None:
        with _LOCK:
            _RUNNING[key] = Progress(slices_done=done, slices_total=total)

    try:
        with engine.begin() as conn:
            hidden = reprotect_for_scope(conn, area_code, told)
            # Cells hidden anew: the stored public digest must not state them.
            refresh_newest_digest(conn)
            names = list(
                conn.scalars(
                    select(account.c.name).where(
                        account.c.area_code == area_code,
                        account.c.scope_pending.is_(True),
                    )
                )
            )
            conn.execute(
                update(account)
                .where(account.c.area_code == area_code)
                .values(scope_pending=False)
            )
            audit.record(
                conn,
                DONE_EVENT,
                actor=audit.SYSTEM,
                target=area_code,
                detail={"hidden": hidden, "accounts": names},
            )
        return hidden
    finally:
        with _LOCK:
            _RUNNING.pop(key, None)


def start(engine: Engine, area_code: str) -> threading.Thread | None:
    """Run the job of ``area_code`` in a background thread (None when one runs
    already). The thread, for whoever wants to wait."""
    if progress(engine, area_code) is not None:
        return None
    thread = threading.Thread(
        target=_run_logged,
        args=(engine, area_code),
        name=f"scope-protection-{area_code}",
        daemon=True,
    )
    thread.start()
    return thread


def resume(engine: Engine) -> list[threading.Thread]:
    """Start the job of every pending scope that has none running here (after a
    restart, or a job that failed)."""
    started = (start(engine, code) for code in pending_scopes(engine))
    return [thread for thread in started if thread is not None]


def _run_logged(engine: Engine, area_code: str) -> None:
    try:
        run(engine, area_code)
    except Exception:  # the accounts stay pending (fail closed); resume retries
        logger.exception("re-protection for the area scope %s failed", area_code)
