"""Storing and reading area lineage (``area_lineage``): the links between the areas
before and after a boundary change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, insert, or_, select, update

from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis
from sozialmonitor.store import schema


def save_links(conn: Connection, links: Sequence[AreaLink]) -> int:
    """Insert or update links by (predecessor, successor); every code must be an
    area in the database. Returns how many links were new or changed."""
    a, lin = schema.area, schema.area_lineage
    codes = {c for link in links for c in (link.predecessor, link.successor)}
    ids = {
        r.code: r.id
        for r in conn.execute(select(a.c.code, a.c.id).where(a.c.code.in_(codes)))
    }
    existing = {
        (r.predecessor_id, r.successor_id): r for r in conn.execute(select(lin))
    }
    changed = 0
    for link in links:
        key = (ids[link.predecessor], ids[link.successor])
        row = {
            "kind": link.kind.value,
            "valid_on": link.valid_on,
            "share": link.share,
            "basis": link.basis.value if link.basis else None,
        }
        old = existing.get(key)
        if old is None:
            conn.execute(
                insert(lin).values(predecessor_id=key[0], successor_id=key[1], **row)
            )
            changed += 1
        elif any(getattr(old, k) != v for k, v in row.items()):
            conn.execute(update(lin).where(lin.c.id == old.id).values(**row))
            changed += 1
    return changed


def list_links(
    conn: Connection, *, codes: Iterable[str] | None = None
) -> list[AreaLink]:
    """All links, or those with one of ``codes`` on either side, by date and code."""
    lin = schema.area_lineage
    old, new = schema.area.alias("old"), schema.area.alias("new")
    query = (
        select(
            old.c.code.label("predecessor"),
            new.c.code.label("successor"),
            lin.c.kind,
            lin.c.valid_on,
            lin.c.share,
            lin.c.basis,
        )
        .join(old, lin.c.predecessor_id == old.c.id)
        .join(new, lin.c.successor_id == new.c.id)
        .order_by(lin.c.valid_on, old.c.code, new.c.code)
    )
    if codes is not None:
        wanted = list(codes)
        query = query.where(or_(old.c.code.in_(wanted), new.c.code.in_(wanted)))
    return [
        AreaLink(
            predecessor=r.predecessor,
            successor=r.successor,
            kind=LineageKind(r.kind),
            valid_on=r.valid_on,
            share=r.share,
            basis=ShareBasis(r.basis) if r.basis else None,
        )
        for r in conn.execute(query)
    ]


@dataclass(frozen=True, kw_only=True)
class Lineage:
    """What an area came from and what it became."""

    predecessors: tuple[AreaLink, ...]
    """Links whose successor is the area."""
    successors: tuple[AreaLink, ...]
    """Links whose predecessor is the area."""


def lineage_of(conn: Connection, code: str) -> Lineage:
    """The area's predecessors and successors (one step each way)."""
    links = list_links(conn, codes=[code])
    return Lineage(
        predecessors=tuple(link for link in links if link.successor == code),
        successors=tuple(link for link in links if link.predecessor == code),
    )
