"""What a release changes against the published state, and the checks before it is
validated: counted and paged in SQL, so a Germany-size draft (11,000
municipalities x 100 indicators) never has to be read into memory.

A release stores only what it changes (``store.writes.store_observations``): each
of its rows is a value that is new, a changed one, or a tombstone that removes a
published value. Its base is the newest row of the same key in the releases
published before it (all published releases for a draft).

Large jumps
-----------
A changed value is flagged as a *large jump* when both hold:

- it moved by at least :data:`JUMP_RELATIVE` (50 %) of the old value, and
- by at least one unit of the value (a percentage point for shares, one per 1,000
  for rates), for counts by at least the indicator's ``min_count``: smaller moves
  are the noise of small numbers, not a sign of a wrong delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from sozialmonitor.domain.indicator import IndicatorKind
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.errors import ReleaseCheckError
from sozialmonitor.store import schema

JUMP_RELATIVE = 0.5
"""A change of at least this share of the old value may be a large jump."""
JUMP_MIN_ABSOLUTE = 1.0
"""... if it is at least this large (a count: at least the indicator's min_count)."""
PAGE_SIZE = 50
"""Changes shown per page."""
MAX_PAGE = 100_000
"""The highest page number asked for that is taken as it is."""

_REMOVED = int(Flag.REMOVED)


@dataclass(frozen=True, kw_only=True)
class IndicatorDiff:
    """What a release changes in one indicator."""

    indicator: str
    """The indicator's id."""
    name: str
    new: int
    changed: int
    removed: int
    jumps: int
    """Changed values flagged as large jumps."""


@dataclass(frozen=True, kw_only=True)
class ValueChange:
    """One changed value."""

    indicator: str
    indicator_name: str
    area: str
    """The area's code."""
    area_name: str
    period: str
    change: str
    """``new``, ``changed`` or ``removed``."""
    old_value: float | None
    new_value: float | None
    jump: bool


@dataclass(frozen=True, kw_only=True)
class ChangePage:
    rows: tuple[ValueChange, ...]
    total: int
    """Changes matching the filter, on all pages."""
    page: int
    pages: int


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One result of the checks before validation."""

    code: str
    severity: str
    """``error`` (validation refused) or ``warning`` (to look at)."""
    count: int
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def _earlier(conn: Connection, release: Release) -> dict[int, int]:
    """The releases the changes are counted against: release id → sequence."""
    r = schema.release
    query = select(r.c.id, r.c.sequence).where(
        r.c.status == ReleaseStatus.PUBLISHED.value
    )
    if release.sequence is not None:
        query = query.where(r.c.sequence < release.sequence)
    return {int(i): int(s) for i, s in conn.execute(query)}


def _changes(
    conn: Connection, release: Release, indicator: str | None = None
) -> Select[Any]:
    """Every row of ``release`` with the kind of its change (``None`` when it removes
    a value nothing published holds) and whether it is a large jump; only those of
    ``indicator`` when given.

    The base of a row is the newest row of its key among the earlier releases: the
    release's rows and the earlier rows of the same keys (joined along the primary
    key) are ranked per key, and ``lag`` hands each of the release's rows its
    predecessor — one pass, no lookup per row and no join on a derived table."""
    d, b, k = (
        schema.observation.alias("d"),
        schema.observation.alias("b"),
        schema.observation.alias("k"),
    )
    ind = schema.indicator
    earlier = _earlier(conn, release)
    wanted = (
        conn.scalar(select(ind.c.id).where(ind.c.code == indicator))
        if indicator
        else None
    )
    if indicator and wanted is None:
        wanted = -1  # no such indicator: no changes

    def only(table: Any) -> list[ColumnElement[bool]]:
        return [] if wanted is None else [table.c.indicator_id == wanted]

    own_rank = max(earlier.values(), default=0) + 1
    rank: ColumnElement[Any] = (
        case(earlier, value=b.c.release_id) if earlier else literal(0)
    )
    both = union_all(
        select(
            d.c.indicator_id,
            d.c.period,
            d.c.area_id,
            d.c.value,
            d.c.flags,
            literal(own_rank).label("rank"),
        ).where(d.c.release_id == release.id, *only(d)),
        select(b.c.indicator_id, b.c.period, b.c.area_id, b.c.value, b.c.flags, rank)
        .join(
            k,
            and_(
                k.c.release_id == release.id,
                k.c.indicator_id == b.c.indicator_id,
                k.c.period == b.c.period,
                k.c.area_id == b.c.area_id,
            ),
        )
        .where(b.c.release_id.in_(sorted(earlier)), *only(k)),
    ).subquery("both_states")
    key = (both.c.indicator_id, both.c.period, both.c.area_id)

    def before(column: Any) -> Any:
        return func.lag(column).over(partition_by=key, order_by=both.c.rank)

    rows = select(
        *key,
        both.c.value,
        both.c.flags,
        both.c.rank,
        before(both.c.value).label("old_value"),
        before(both.c.flags).label("old_flags"),
        before(both.c.rank).label("old_rank"),
    ).subquery("rows")
    removes = rows.c.flags.op("&")(_REMOVED) != 0
    base_exists = and_(
        rows.c.old_rank.isnot(None), rows.c.old_flags.op("&")(_REMOVED) == 0
    )
    kind = case(
        (and_(removes, base_exists), literal("removed")),
        (removes, literal(None)),
        (base_exists, literal("changed")),
        else_=literal("new"),
    )
    difference = func.abs(rows.c.value - rows.c.old_value)
    floor = case(
        (
            ind.c.kind == IndicatorKind.COUNT.value,
            case((ind.c.min_count > 1, ind.c.min_count), else_=1),
        ),
        else_=JUMP_MIN_ABSOLUTE,
    )
    jump: ColumnElement[Any] = case(
        (
            and_(
                ~removes,
                base_exists,
                difference >= JUMP_RELATIVE * func.abs(rows.c.old_value),
                difference >= floor,
            ),
            1,
        ),
        else_=0,
    )
    return (
        select(
            rows.c.indicator_id,
            rows.c.area_id,
            rows.c.period,
            case((base_exists, rows.c.old_value), else_=None).label("old_value"),
            case((removes, None), else_=rows.c.value).label("new_value"),
            kind.label("change"),
            jump.label("jump"),
        )
        .join(ind, ind.c.id == rows.c.indicator_id)
        .where(rows.c.rank == own_rank)
    )


def diff_by_indicator(conn: Connection, release: Release) -> list[IndicatorDiff]:
    """Per indicator the release changes: values new, changed, removed, and jumps."""
    changes = _changes(conn, release).subquery("changes")
    ind = schema.indicator

    def counted(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = conn.execute(
        select(
            ind.c.code,
            ind.c.name,
            counted(changes.c.change == "new"),
            counted(changes.c.change == "changed"),
            counted(changes.c.change == "removed"),
            counted(changes.c.jump == 1),
        )
        .join(ind, ind.c.id == changes.c.indicator_id)
        .where(changes.c.change.isnot(None))
        .group_by(ind.c.code, ind.c.name)
        .order_by(ind.c.code)
    ).all()
    return [
        IndicatorDiff(
            indicator=code,
            name=name,
            new=int(new),
            changed=int(changed),
            removed=int(removed),
            jumps=int(jumps),
        )
        for code, name, new, changed, removed, jumps in rows
    ]


def change_page(
    conn: Connection,
    release: Release,
    *,
    indicator: str | None = None,
    only_jumps: bool = False,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> ChangePage:
    """One page of the release's changes (large jumps first), optionally of one
    indicator or only the large jumps."""
    changes = _changes(conn, release, indicator).subquery("changes")
    ind, area = schema.indicator, schema.area
    conditions: list[ColumnElement[bool]] = [changes.c.change.isnot(None)]
    if only_jumps:
        conditions.append(changes.c.jump == 1)
    total = int(
        conn.scalar(
            select(func.count())
            .select_from(changes)
            .join(ind, ind.c.id == changes.c.indicator_id)
            .where(*conditions)
        )
        or 0
    )
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages, MAX_PAGE)
    found = conn.execute(
        select(
            ind.c.code,
            ind.c.name,
            area.c.code,
            area.c.name,
            changes.c.period,
            changes.c.change,
            changes.c.old_value,
            changes.c.new_value,
            changes.c.jump,
        )
        .select_from(changes)
        .join(ind, ind.c.id == changes.c.indicator_id)
        .join(area, area.c.id == changes.c.area_id)
        .where(*conditions)
        .order_by(
            changes.c.jump.desc(), ind.c.code, changes.c.period.desc(), area.c.code
        )
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return ChangePage(
        rows=tuple(
            ValueChange(
                indicator=r[0],
                indicator_name=r[1],
                area=r[2],
                area_name=r[3],
                period=r[4],
                change=r[5],
                old_value=r[6],
                new_value=r[7],
                jump=bool(r[8]),
            )
            for r in found
        ),
        total=total,
        page=page,
        pages=pages,
    )


def release_findings(
    conn: Connection,
    release: Release,
    totals: list[IndicatorDiff] | None = None,
) -> list[Finding]:
    """The checks before a draft is validated (``sozialmonitor release validate``
    and the administration run the same): errors refuse the validation, warnings
    are to be looked at. ``totals``: ``diff_by_indicator`` if already counted."""
    o, ind = schema.observation, schema.indicator
    findings: list[Finding] = []
    stored = int(
        conn.scalar(
            select(func.count()).select_from(o).where(o.c.release_id == release.id)
        )
        or 0
    )
    if stored == 0:
        findings.append(
            Finding(
                code="empty",
                severity="error",
                count=0,
                message="The release holds no values.",
            )
        )
        return findings
    above = int(
        conn.scalar(
            select(func.count())
            .select_from(o)
            .join(ind, ind.c.id == o.c.indicator_id)
            .where(
                o.c.release_id == release.id,
                ind.c.kind == IndicatorKind.SHARE.value,
                o.c.numerator > o.c.denominator,
            )
        )
        or 0
    )
    if above:
        findings.append(
            Finding(
                code="share-above-total",
                severity="error",
                count=above,
                message=f"{above} values of shares have a numerator larger than "
                "their denominator.",
            )
        )
    negative = int(
        conn.scalar(
            select(func.count())
            .select_from(o)
            .join(ind, ind.c.id == o.c.indicator_id)
            .where(
                o.c.release_id == release.id,
                or_(
                    and_(
                        ind.c.kind == IndicatorKind.COUNT.value,
                        o.c.value < 0,
                    ),
                    o.c.numerator < 0,
                    o.c.denominator < 0,
                ),
            )
        )
        or 0
    )
    if negative:
        findings.append(
            Finding(
                code="negative-count",
                severity="error",
                count=negative,
                message=f"{negative} values have a negative count, numerator or "
                "denominator.",
            )
        )
    if totals is None:
        totals = diff_by_indicator(conn, release)
    jumps = sum(d.jumps for d in totals)
    if jumps:
        findings.append(
            Finding(
                code="large-jumps",
                severity="warning",
                count=jumps,
                message=f"{jumps} changed values are large jumps (see the list of "
                "changes).",
            )
        )
    removed = sum(d.removed for d in totals)
    if removed:
        findings.append(
            Finding(
                code="values-removed",
                severity="warning",
                count=removed,
                message=f"{removed} published values are removed.",
            )
        )
    return findings


def passing_findings(
    conn: Connection, release: Release, step: Literal["validate", "publish"]
) -> list[Finding]:
    """The findings of ``release_findings`` for ``step`` when none is an error
    (warnings only): validating and publishing refuse a draft the same way.

    Raises
    ------
    ReleaseCheckError
        The checks found errors (in ``findings``); the message names them and
        what to do.
    """
    findings = release_findings(conn, release)
    errors = [f for f in findings if f.is_error]
    if errors:
        done = {"validate": "validated", "publish": "published"}[step]
        raise ReleaseCheckError(
            f"'{release.name}' cannot be {done}: "
            + " ".join(f.message for f in errors)
            + f" Correct the data with a new import into the draft, then {step} "
            "again.",
            findings=errors,
        )
    return findings
