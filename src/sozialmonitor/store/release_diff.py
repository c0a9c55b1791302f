"""The difference between two releases: the values new, changed and removed between
the state as of one and the state as of the other, read through the gate."""

from __future__ import annotations

from sqlalchemy import Connection, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.release import ReleaseChange
from sozialmonitor.store import schema
from sozialmonitor.store.queries import read_observations
from sozialmonitor.store.resolution import ObservationQuery


def release_diff(conn: Connection, old: str, new: str) -> list[ReleaseChange]:
    """New, changed and removed values between the state as of ``old`` and ``new``."""
    before = {
        o.key: o
        for o in read_observations(
            conn,
            ObservationQuery(as_of=old, computed=False),
            audience=Audience.INTERNAL,
        )
    }
    after = {
        o.key: o
        for o in read_observations(
            conn,
            ObservationQuery(as_of=new, computed=False),
            audience=Audience.INTERNAL,
        )
    }
    changes: list[ReleaseChange] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is None and now is not None:
            kind = "new"
        elif now is None and was is not None:
            kind = "removed"
        elif was is not None and now is not None and _differs(was, now):
            kind = "changed"
        else:
            continue
        changes.append(
            ReleaseChange(
                change=kind,
                indicator=key[0],
                area=key[1],
                period=key[2],
                old_value=was.value if was else None,
                new_value=now.value if now else None,
            )
        )
    return changes


def _differs(a: Observation, b: Observation) -> bool:
    return (a.value, a.numerator, a.denominator, a.flags, a.note) != (
        b.value,
        b.numerator,
        b.denominator,
        b.flags,
        b.note,
    )


def release_indicators(conn: Connection, release: str) -> list[str]:
    """The ids of the indicators ``release`` stores values (or removals) of."""
    o, ind, rel = schema.observation, schema.indicator, schema.release
    query = (
        select(ind.c.code)
        .where(
            ind.c.id.in_(
                select(o.c.indicator_id)
                .join(rel, rel.c.id == o.c.release_id)
                .where(rel.c.name == release)
                .distinct()
            )
        )
        .order_by(ind.c.code)
    )
    return list(conn.scalars(query))
