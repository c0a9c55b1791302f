"""Protection against insiders: the area scopes of accounts (whose staff know
their area's true values), and the published slices computed again when an
account is given a new scope."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import Connection, select

from sozialmonitor.store import schema
from sozialmonitor.store.suppression import (
    protect_slices,
    published_after,
    touched_slices,
)
from sozialmonitor.store.suppression_tables import (
    Hierarchy,
    hierarchy_of,
    indicators_by_id,
)


def reprotect_for_scope(
    conn: Connection,
    area_code: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """The area scope ``area_code`` was given to an account: the published slices
    it touches are protected again, oldest release first, now also against a
    reader who knows that scope's true values. Returns the number of cells hidden
    in the slices computed.

    A slice is left as it is when no pattern of it (or of a linked indicator's
    slice of its period) in its release or an earlier one hides a cell of the
    scope's area or below: such a reader knows no hidden value, so the audit is the
    public's and its result the stored pattern. ``progress(done, total)`` is told
    the slices computed after each release. Runs in the caller's transaction (a
    job's: ``access.scope_protection``)."""
    if area_code is None:
        return 0
    hierarchy = hierarchy_of(conn)
    if area_code not in hierarchy.parent:
        return 0
    from sozialmonitor.store.linked import groups_of

    inside = {hierarchy.ids[c] for c in subtree(hierarchy, area_code)}
    groups = groups_of(indicators_by_id(conn))

    def group(indicator_id: int) -> int:
        found = groups.get(indicator_id)
        return found.members[0] if found else indicator_id

    sc, rel = schema.suppressed_cell, schema.release
    first: dict[tuple[int, str], int] = {}
    for indicator_id, period, area_id, sequence in conn.execute(
        select(sc.c.indicator_id, sc.c.period, sc.c.area_id, rel.c.sequence).join(
            rel, rel.c.id == sc.c.release_id
        )
    ):
        if area_id in inside and sequence is not None:
            slot = (group(indicator_id), period)
            first[slot] = min(first.get(slot, sequence), sequence)
    work = []
    for release in published_after(conn, 0):
        sequence = release.sequence or 0
        slices = {
            (i, p)
            for i, p in touched_slices(conn, release.id)
            if first.get((group(i), p), sequence + 1) <= sequence
        }
        if slices:
            work.append((release, slices))
    total = sum(len(slices) for _release, slices in work)
    done = hidden = 0
    for release, slices in work:
        hidden += protect_slices(conn, release, slices)
        done += len(slices)
        if progress is not None:
            progress(done, total)
    return hidden


def subtree(hierarchy: Hierarchy, code: str) -> set[str]:
    """``code`` and every area below it."""
    found, frontier = {code}, [code]
    while frontier:
        for child in hierarchy.children.get(frontier.pop(), ()):
            found.add(child)
            frontier.append(child)
    return found


SCOPE_CHANGED = "area-changed"
"""The audit log's action when an account's area scope changes
(``access.accounts.set_area``); its detail names the scope before (``from``)."""


def insider_scopes(conn: Connection, hierarchy: Hierarchy) -> list[frozenset[str]]:
    """Per area scope an account holds or ever held, the codes of its area and
    every area below it.

    A disabled account's staff knew the values; so do the staff of a scope taken
    away from an account (``set_area`` to another area or to none), and they keep
    knowing them: a scope once given stays insider knowledge for good. What they
    saw cannot be unlearnt, the values stay published (a later release revises
    them, never erases them), and a municipality's staff usually know their own
    area's counts from their own files too. It costs nothing when the scope is
    taken away (the stored patterns already protect against it) and, later, a few
    more hidden cells in the slices that hide a cell of that scope. The former
    scopes are read from the append-only audit log, which a backup keeps."""
    a, ev = schema.account, schema.audit_event
    codes = set(conn.scalars(select(a.c.area_code).where(a.c.area_code.is_not(None))))
    for detail in conn.scalars(select(ev.c.detail).where(ev.c.action == SCOPE_CHANGED)):
        former = _former_scope(detail)
        if former is not None:
            codes.add(former)
    scopes = []
    for code in sorted(codes):
        if code in hierarchy.parent:
            scopes.append(frozenset(subtree(hierarchy, code)))
    return scopes


def _former_scope(detail: str | None) -> str | None:
    """The scope before (``from``) in an ``area-changed`` event's detail."""
    try:
        found = json.loads(detail or "{}").get("from")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) and found else None
