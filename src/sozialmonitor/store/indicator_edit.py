"""Editing one indicator's metadata (the administration's form): optimistic
concurrency by a fingerprint of the stored record, then the one writer of
indicators, ``store.writes.save_indicators`` (the indicator's next revision, which
changes the data version; audit log; patterns computed again for a changed
``min_count``)."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Connection, select

from sozialmonitor.access import audit
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.errors import StaleEditError, UnknownIndicatorError
from sozialmonitor.store import schema
from sozialmonitor.store.records import indicator_from_row
from sozialmonitor.store.writes import save_indicators


def fingerprint(indicator: Indicator) -> str:
    """A short digest of every field: it changes with any change of the record.

    Examples
    --------
    >>> a = Indicator(id="x", name="X", unit="%")
    >>> fingerprint(a) == fingerprint(a.model_copy(update={"name": "Y"}))
    False
    """
    text = json.dumps(indicator.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stored_indicator(conn: Connection, code: str, *, lock: bool = False) -> Indicator:
    """The stored indicator ``code`` (its row locked for the transaction on
    PostgreSQL when ``lock``)."""
    query = select(schema.indicator).where(schema.indicator.c.code == code)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).one_or_none()
    if row is None:
        raise UnknownIndicatorError(f"There is no indicator '{code}'.")
    return indicator_from_row(row)


def edit_indicator(
    conn: Connection,
    edited: Indicator,
    *,
    opened: str,
    actor: str = audit.SYSTEM,
    address: str = "",
) -> bool:
    """Store ``edited`` if the stored record still has the fingerprint ``opened``
    (the one the form was opened with); returns whether anything changed.

    Raises
    ------
    StaleEditError
        Someone else changed the indicator meanwhile; nothing is written.
    """
    current = stored_indicator(conn, edited.id, lock=True)
    if fingerprint(current) != opened:
        raise StaleEditError(
            f"The indicator '{edited.id}' was changed by someone else after it was "
            "opened. Open it again and repeat your change."
        )
    return bool(save_indicators(conn, [edited], actor=actor, address=address))
