"""Writes. Callers hand over validated records; each call runs inside the caller's
transaction, so an import is all-or-nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from sozialmonitor.access import audit
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.period import parse_period
from sozialmonitor.domain.release import Release, ReleaseStatus, check_release_name
from sozialmonitor.errors import (
    ReleaseStateError,
    UnknownLevelError,
)
from sozialmonitor.store import schema
from sozialmonitor.store.bulk_insert import bulk_insert
from sozialmonitor.store.queries import (
    get_release,
    level_id,
    list_levels,
    list_releases,
    release_priorities,
)
from sozialmonitor.store.records import indicator_from_row, indicator_to_row
from sozialmonitor.store.release_review import passing_findings
from sozialmonitor.store.suppression import (
    protect_release,
    reprotect_after_withdrawal,
    reprotect_indicator,
)

OBSERVATION_COLUMNS = (
    "indicator_id",
    "period",
    "area_id",
    "release_id",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "flags",
    "note",
)
KEY = ["indicator_id", "area_id", "period"]
CONTENT = ["value", "numerator", "denominator", "flags", "note"]
WRITE_CHUNK_ROWS = 1_000_000
"""Rows ``store_observations`` compares and writes at once: the comparison with the
stored values and the driver's rows are held for one chunk, not for the whole file."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- levels and areas -------------------------------------------------------------


def add_level(
    conn: Connection, code: str, label: str, *, after: str | None = None
) -> AreaLevel:
    """Add a level below ``after`` (default: below the smallest level)."""
    levels = list_levels(conn)
    if any(lvl.code == code for lvl in levels):
        raise UnknownLevelError(f"The level '{code}' exists already.")
    if after is None:
        rank = (levels[-1].rank if levels else 0) + 100
    else:
        index = next((i for i, lvl in enumerate(levels) if lvl.code == after), None)
        if index is None:
            raise UnknownLevelError(f"There is no level '{after}' to add it after.")
        upper = levels[index].rank
        lower = levels[index + 1].rank if index + 1 < len(levels) else upper + 200
        if lower - upper < 2:
            raise UnknownLevelError(f"No room for another level after '{after}'.")
        rank = (upper + lower) // 2
    conn.execute(insert(schema.area_level).values(code=code, label=label, rank=rank))
    return AreaLevel(code=code, label=label, rank=rank)


def set_level_visibility(conn: Connection, code: str, visibility: Visibility) -> None:
    """Make a level's values public or internal (the administration's only)."""
    level_id(conn, code)  # raises the clear error for an unknown level
    lvl = schema.area_level
    conn.execute(
        update(lvl).where(lvl.c.code == code).values(visibility=visibility.value)
    )


def save_areas(conn: Connection, areas: Sequence[Area]) -> int:
    """Insert or update areas by code (parents may come later in the list).

    Returns the number of areas inserted or changed.
    """
    a = schema.area
    level_ids = {
        r.code: r.id
        for r in conn.execute(select(schema.area_level.c.code, schema.area_level.c.id))
    }
    existing = {r.code: r for r in conn.execute(select(a))}
    changed = 0
    for area in areas:
        row = {
            "code": area.code,
            "name": area.name,
            "level_id": level_ids[area.level],
            "valid_from": area.valid_from,
            "valid_to": area.valid_to,
            "successor_code": area.successor,
            "geometry": area.geometry,
        }
        old = existing.get(area.code)
        if old is None:
            conn.execute(insert(a).values(**row))
            changed += 1
        elif any(getattr(old, k) != v for k, v in row.items()):
            conn.execute(update(a).where(a.c.id == old.id).values(**row))
            changed += 1
    ids = {r.code: r.id for r in conn.execute(select(a.c.code, a.c.id))}
    parents = {r.code: r.parent_id for r in existing.values()}
    for area in areas:
        parent_id = ids[area.parent] if area.parent else None
        if area.code in parents and parents[area.code] == parent_id:
            continue
        conn.execute(update(a).where(a.c.code == area.code).values(parent_id=parent_id))
        if area.code in parents:
            changed += 1
    return changed


# --- indicators -------------------------------------------------------------------


PROTECTION_FIELDS = frozenset(
    {
        "min_count",
        "numerator_indicator",
        "denominator_indicator",
        "change_of",
        "change_base",
    }
)
"""Fields whose change computes the indicator's patterns again."""


def save_indicators(
    conn: Connection,
    indicators: Iterable[Indicator],
    *,
    actor: str = audit.SYSTEM,
    address: str = "",
) -> int:
    """Insert or update indicators by id; returns how many were new or changed.

    A changed indicator gets its next ``revision`` (so the data version changes and
    the portal's caches read it anew) and is in the audit log (``indicator-changed``,
    with the fields before and after); one whose ``min_count`` or links
    (``PROTECTION_FIELDS``) changed gets the
    suppression patterns of every published release computed again, in the same
    transaction, so a raised minimum hides the newly small counts at once."""
    ind = schema.indicator
    existing = {r.code: r for r in conn.execute(select(ind))}
    changed = 0
    for indicator in indicators:
        row = indicator_to_row(indicator)
        old = existing.get(indicator.id)
        if old is None:
            conn.execute(insert(ind).values(**row))
            changed += 1
        elif any(getattr(old, k) != v for k, v in row.items()):
            conn.execute(
                update(ind)
                .where(ind.c.id == old.id)
                .values(**row, revision=ind.c.revision + 1)
            )
            changed += 1
            before = indicator_from_row(old)
            fields = changed_fields(before, indicator)
            if fields.keys() & PROTECTION_FIELDS:
                reprotect_indicator(conn, old.id)
            audit.record(
                conn,
                "indicator-changed",
                actor=actor,
                target=indicator.id,
                address=address,
                detail={"changed": fields},
            )
    return changed


def changed_fields(before: Indicator, after: Indicator) -> dict[str, dict[str, object]]:
    """The fields that differ, each with its value before and after (as JSON)."""
    old, new = before.to_dict(), after.to_dict()
    return {
        name: {"before": old[name], "after": new[name]}
        for name in new
        if old.get(name) != new[name]
    }


# --- releases ---------------------------------------------------------------------


def draft_release(conn: Connection, name: str | None = None) -> Release:
    """The release an import goes into: ``name`` (created as a draft if new), or the
    newest draft, or a new draft named after today's date.

    Raises
    ------
    ReleaseStateError
        ``name`` is published or withdrawn.
    InvalidReleaseNameError
        A new ``name`` that ``domain.release.check_release_name`` refuses (a ``/``
        would break the address of the release's page).
    """
    if name is not None:
        found = [r for r in list_releases(conn) if r.name == name]
        if found:
            if not found[0].is_editable:
                raise ReleaseStateError(
                    f"The release '{name}' is {found[0].status.value}; a published or "
                    "withdrawn release is never changed. Import into a new draft "
                    "(--release NEW-NAME)."
                )
            return found[0]
        return _create_release(conn, name)
    drafts = [r for r in list_releases(conn) if r.is_editable]
    if drafts:
        return drafts[-1]
    base = f"{now().date().isoformat()}"
    taken = {r.name for r in list_releases(conn)}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return _create_release(conn, candidate)


def _create_release(conn: Connection, name: str) -> Release:
    """A new draft named ``name`` (refused unless ``check_release_name`` passes)."""
    conn.execute(
        insert(schema.release).values(
            name=check_release_name(name),
            status=ReleaseStatus.DRAFT.value,
            created_at=now(),
            note="",
        )
    )
    return get_release(conn, name)


def validate_release(
    conn: Connection, name: str, *, actor: str = audit.SYSTEM, address: str = ""
) -> Release:
    """Mark a draft as checked and ready to publish, after the checks of
    ``store.release_review.passing_findings``: an error among them refuses it."""
    rel = get_release(conn, name)
    if rel.status is not ReleaseStatus.DRAFT:
        raise ReleaseStateError(
            f"Only a draft can be validated; '{name}' is {rel.status.value}."
        )
    findings = passing_findings(conn, rel, "validate")
    _set_status(conn, rel, status=ReleaseStatus.VALIDATED.value)
    audit.record(
        conn,
        "release-validated",
        actor=actor,
        target=name,
        address=address,
        detail={"warnings": [f.code for f in findings]},
    )
    return get_release(conn, name)


def publish_release(
    conn: Connection, name: str, *, actor: str = audit.SYSTEM, address: str = ""
) -> Release:
    """Publish a draft or validated release; it becomes the newest state, and the
    suppression patterns of every indicator and period it touches are computed and
    stored with it (``store.suppression``)."""
    rel = get_release(conn, name)
    if not rel.is_editable:
        raise ReleaseStateError(
            f"'{name}' is {rel.status.value}; only a draft can be published."
        )
    sequence = (conn.scalar(select(func.max(schema.release.c.sequence))) or 0) + 1
    _set_status(
        conn,
        rel,
        status=ReleaseStatus.PUBLISHED.value,
        published_at=now(),
        sequence=sequence,
    )
    published = get_release(conn, name)
    hidden = protect_release(conn, published)
    audit.record(
        conn,
        "release-published",
        actor=actor,
        target=name,
        address=address,
        detail={"sequence": sequence, "hidden_cells": hidden},
    )
    return published


def withdraw_release(
    conn: Connection,
    name: str,
    reason: str = "",
    *,
    actor: str = audit.SYSTEM,
    address: str = "",
) -> Release:
    """Withdraw a published release: reads fall back to the releases before it; its
    values stay stored and can still be read "as of" it by the administration."""
    rel = get_release(conn, name)
    if rel.status is not ReleaseStatus.PUBLISHED:
        raise ReleaseStateError(
            f"Only a published release can be withdrawn; '{name}' is "
            f"{rel.status.value}."
        )
    note = f"{rel.note}\nWithdrawn: {reason}".strip() if reason else rel.note
    _set_status(
        conn,
        rel,
        status=ReleaseStatus.WITHDRAWN.value,
        withdrawn_at=now(),
        note=note,
    )
    reprotect_after_withdrawal(conn, rel)
    audit.record(
        conn,
        "release-withdrawn",
        actor=actor,
        target=name,
        address=address,
        detail={"reason": reason},
    )
    return get_release(conn, name)


def _set_status(conn: Connection, rel: Release, **values: Any) -> None:
    conn.execute(
        update(schema.release).where(schema.release.c.id == rel.id).values(**values)
    )


# --- observations -----------------------------------------------------------------


def store_observations(
    conn: Connection,
    release: Release,
    frame: pd.DataFrame,
    *,
    chunk_rows: int = WRITE_CHUNK_ROWS,
) -> int:
    """Store validated values in an editable release; returns rows written.

    ``frame`` has the columns ``indicator_id, area_id, period, value, numerator,
    denominator, flags, note``. A release stores only what it changes: a value equal
    to the published one is not stored again, and storing the same values twice
    changes nothing. The rows are written in chunks of at most ``chunk_rows``
    (sorted by indicator, so that each chunk compares with the stored values of few
    indicators), all in the caller's transaction: the result is the same as in one
    chunk, and a failure in any chunk still writes nothing.
    """
    if not release.is_editable:
        raise ReleaseStateError(f"The release '{release.name}' cannot be changed.")
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1.")
    if len(frame) <= chunk_rows:
        return _store_chunk(conn, release, frame)
    order = np.argsort(frame["indicator_id"].to_numpy(), kind="stable")
    return sum(
        _store_chunk(conn, release, frame.take(order[start : start + chunk_rows]))
        for start in range(0, len(frame), chunk_rows)
    )


def _store_chunk(conn: Connection, release: Release, frame: pd.DataFrame) -> int:
    """``store_observations`` for rows whose keys are unique among all chunks."""
    if frame.empty:
        return 0
    incoming = _normalise(frame)
    within = _Within.of(incoming)
    published = _published_state(conn, within)
    drafted = _release_rows(conn, release.id, within)
    as_published = _equal_rows(incoming, published)
    to_write = incoming.loc[~as_published & ~_equal_rows(incoming, drafted)]
    # Draft rows to drop: those replaced now, and those whose value went back to the
    # published one.
    replaced = to_write[KEY].merge(drafted[KEY], on=KEY) if not drafted.empty else None
    reverted = (
        incoming.loc[as_published, KEY].merge(drafted[KEY], on=KEY)
        if not drafted.empty
        else None
    )
    for keys in (replaced, reverted):
        if keys is not None:
            _delete_keys(conn, release.id, keys)
    if not to_write.empty:
        to_write = to_write.assign(
            release_id=release.id, period_end=_period_ends(to_write["period"])
        )
        bulk_insert(conn, to_write[list(OBSERVATION_COLUMNS)])
    return len(to_write) + (len(reverted) if reverted is not None else 0)


def remove_observations(
    conn: Connection, release: Release, keys: Sequence[tuple[int, int, str]]
) -> int:
    """Make an editable release remove published values (indicator, area, period)."""
    frame = pd.DataFrame(keys, columns=KEY).assign(
        value=np.nan, numerator=np.nan, denominator=np.nan, flags=int(Flag.REMOVED)
    )
    frame["note"] = None
    return store_observations(conn, release, frame)


_PERIOD_END_CACHE: dict[str, str] = {}


def _period_end(code: str) -> str:
    end = _PERIOD_END_CACHE.get(code)
    if end is None:
        end = _PERIOD_END_CACHE[code] = parse_period(code).end.isoformat()
    return end


def _period_ends(periods: pd.Series) -> np.ndarray:
    """The end date of each period (parsed once per distinct period)."""
    codes, distinct = pd.factorize(periods)
    ends: np.ndarray = np.array([_period_end(p) for p in distinct], dtype=object)
    return np.asarray(ends[codes])


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[KEY + CONTENT].copy()
    out["indicator_id"] = out["indicator_id"].astype("int64")
    out["area_id"] = out["area_id"].astype("int64")
    out["period"] = out["period"].astype(str)
    for col in ("value", "numerator", "denominator"):
        out[col] = pd.to_numeric(out[col], errors="raise").astype("float64")
    out["flags"] = out["flags"].fillna(0).astype("int64")
    out["note"] = out["note"].astype(object).where(out["note"].notna(), None)
    return out


@dataclass(frozen=True)
class _Within:
    """The keys a chunk can meet among the stored rows: per indicator the range of
    its area ids, and the chunk's periods (when they are few). A chunk compares with
    these rows only, not with every stored row of its indicators — which a file read
    in many chunks would read again for each (quadratic in the rows of an
    indicator); nor with the rows of the chunks before it in a file sorted by
    indicator and area (one range of all areas would take in the indicator the
    chunk before ended with)."""

    areas: dict[int, tuple[int, int]]
    """Indicator id → its first and last area id in the chunk."""
    periods: list[str] | None

    @classmethod
    def of(cls, incoming: pd.DataFrame) -> _Within:
        periods = sorted(str(p) for p in incoming["period"].unique())
        ranges = incoming.groupby("indicator_id", sort=True)["area_id"].agg(
            ["min", "max"]
        )
        return cls(
            areas={
                int(i): (int(first), int(last))
                for i, first, last in ranges.itertuples(index=True)
            },
            periods=periods if len(periods) <= MAX_PERIODS_LISTED else None,
        )


MAX_PERIODS_LISTED = 500
"""Up to so many periods a chunk's comparison names them; more: all periods."""
MAX_PERIODS_BOUND = 2_000
"""The periods are named with each indicator while the indicators times the periods
are at most so many (else once for all: SQLite binds at most 32,766 values)."""
MAX_INDICATORS_LISTED = 200
"""Up to so many indicators a chunk's comparison takes each with its own range of
areas; more: one range of areas for all of them."""


def _published_state(conn: Connection, within: _Within) -> pd.DataFrame:
    """The newest published row per key for the chunk's keys (``within``)."""
    priorities = release_priorities(conn, as_of=None, audience=Audience.INTERNAL)
    if not priorities:
        return pd.DataFrame(columns=KEY + CONTENT)
    frame = _rows(conn, list(priorities), within)
    if frame.empty:
        return frame
    frame["rank"] = frame["release_id"].map(priorities)
    frame = frame.sort_values("rank").drop_duplicates(KEY, keep="last")
    frame = frame[(frame["flags"] & int(Flag.REMOVED)) == 0]
    return frame[KEY + CONTENT]


def _release_rows(conn: Connection, release_id: int, within: _Within) -> pd.DataFrame:
    frame = _rows(conn, [release_id], within)
    return frame[KEY + CONTENT] if not frame.empty else pd.DataFrame(columns=KEY)


def _rows(conn: Connection, release_ids: list[int], within: _Within) -> pd.DataFrame:
    o = schema.observation
    sel = select(
        o.c.indicator_id,
        o.c.area_id,
        o.c.period,
        o.c.release_id,
        o.c.value,
        o.c.numerator,
        o.c.denominator,
        o.c.flags,
        o.c.note,
    ).where(o.c.release_id.in_(release_ids))
    periods = [] if within.periods is None else [o.c.period.in_(within.periods)]
    if len(within.areas) > MAX_INDICATORS_LISTED:
        firsts, lasts = zip(*within.areas.values(), strict=True)
        return _frame(
            conn,
            sel.where(
                o.c.indicator_id.in_(list(within.areas)),
                o.c.area_id.between(min(firsts), max(lasts)),
                *periods,
            ),
        )
    if len(within.areas) * len(within.periods or []) > MAX_PERIODS_BOUND:
        sel, periods = sel.where(*periods), []  # the periods once, not per indicator
    # The periods in each indicator's branch: SQLite then seeks the primary key
    # (indicator, period, area) in each instead of scanning an indicator's rows.
    return _frame(
        conn,
        sel.where(
            or_(
                *(
                    and_(
                        o.c.indicator_id == indicator,
                        *periods,
                        o.c.area_id.between(first, last),
                    )
                    for indicator, (first, last) in within.areas.items()
                )
            )
        ),
    )


def _frame(conn: Connection, sel: Select[Any]) -> pd.DataFrame:
    """The rows of ``sel`` (the columns of ``_rows``) as a frame."""
    result = conn.execute(sel)
    # The driver's tuples: a frame built from SQLAlchemy's rows takes ten times as
    # long (pandas probes each row as a mapping). The columns need no conversion.
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    frame = pd.DataFrame(
        rows,
        columns=[
            "indicator_id",
            "area_id",
            "period",
            "release_id",
            *CONTENT,
        ],
    )
    if frame.empty:
        return frame
    return _normalise(frame).assign(release_id=frame["release_id"].to_numpy())


def _equal_rows(
    incoming: pd.DataFrame, existing: pd.DataFrame
) -> npt.NDArray[np.bool_]:
    """Per incoming row: does ``existing`` hold the same key with the same content?"""
    if existing.empty:
        return np.zeros(len(incoming), dtype=bool)
    merged = incoming.merge(existing, on=KEY, how="left", suffixes=("", "_r"))
    # stored flags are never empty
    same: npt.NDArray[np.bool_] = merged["flags_r"].notna().to_numpy(copy=True)
    for col in CONTENT:
        a, b = merged[col], merged[f"{col}_r"]
        same &= ((a == b) | (a.isna() & b.isna())).to_numpy()
    return same


def _delete_keys(conn: Connection, release_id: int, keys: pd.DataFrame) -> None:
    if keys.empty:
        return
    o = schema.observation
    stmt = delete(o).where(
        o.c.release_id == release_id,
        o.c.indicator_id == bindparam("b_indicator_id"),
        o.c.area_id == bindparam("b_area_id"),
        o.c.period == bindparam("b_period"),
    )
    conn.execute(
        stmt,
        [
            {"b_indicator_id": int(i), "b_area_id": int(a), "b_period": str(p)}
            for i, a, p in keys.drop_duplicates().itertuples(index=False)
        ],
    )


# --- import log -------------------------------------------------------------------


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def log_import(
    conn: Connection,
    *,
    kind: str,
    path: Path,
    release: Release | None,
    rows_read: int,
    rows_written: int,
) -> str:
    """Add the import to the import log; the file's SHA-256 digest."""
    digest = file_digest(path)
    conn.execute(
        insert(schema.import_log).values(
            release_id=release.id if release else None,
            kind=kind,
            file_name=path.name,
            sha256=digest,
            rows_read=rows_read,
            rows_written=rows_written,
            imported_at=now(),
        )
    )
    return digest
