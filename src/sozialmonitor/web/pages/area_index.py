"""The index of all areas (``/gebiet``): every top-level area with its levels, or
the areas a filter finds (name or code, level, parent area), page by page.

A level of up to :data:`FULL_LIST_LIMIT` areas is listed in full (unfolded up to
:data:`OPEN_LIST_LIMIT`); a larger one links to its paged list. The name filter is
tolerant of umlauts and case (:func:`matches`) and also serves the comparison page,
which finds areas by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.errors import UnknownAreaError, UnknownLevelError
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages.area_lineage import validity_text
from sozialmonitor.web.pages.area_values import derive, fold
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

router = APIRouter()

FULL_LIST_LIMIT = 200
"""The index lists a level of a top-level area in full up to this many areas; a
larger level is listed page by page (or found with the filter)."""
OPEN_LIST_LIMIT = 30
"""Levels with up to this many areas are shown unfolded in the index."""
PAGE_SIZE = 100
"""Areas per page of a filtered or paged index list."""


@dataclass(frozen=True, kw_only=True)
class AreaLink:
    code: str
    name: str
    url: str
    level_label: str
    parent_name: str
    ended: str = ""
    """``gültig bis 30.12.2020`` for an area that ended (a boundary change), so
    that it is not mistaken for today's area of the same name; else empty."""


@dataclass(frozen=True, kw_only=True)
class LevelGroup:
    level: str
    label: str
    count: int
    areas: tuple[AreaLink, ...]
    """All areas of the level, when there are at most FULL_LIST_LIMIT."""
    more_url: str
    """The paged list of a larger level; empty when ``areas`` has them all."""
    open: bool


@dataclass(frozen=True, kw_only=True)
class RootGroup:
    area: AreaLink
    levels: tuple[LevelGroup, ...]


@dataclass(frozen=True, kw_only=True)
class AreaIndexPage:
    """The content of ``/gebiet``."""

    query: str
    level: str
    under: str
    filtered: bool
    """Whether a list of results is shown (a filter, a level or a parent is set)."""
    total: int
    page: int
    pages: int
    results: tuple[AreaLink, ...]
    groups: tuple[RootGroup, ...]
    previous_url: str
    next_url: str
    level_options: tuple[Option, ...]
    under_options: tuple[Option, ...]
    area_count: int


def _link(snap: Snapshot, area: Area, lang: Language, t: Translator) -> AreaLink:
    level = snap.level_by_code.get(area.level)
    parent = snap.areas.get(area.parent) if area.parent else None
    return AreaLink(
        code=area.code,
        name=area.name,
        url=href(f"/gebiet/{area.code}", lang),
        level_label=t(level.label) if level else area.level,
        parent_name=parent.name if parent else "",
        ended=validity_text(area, lang, t) if area.valid_to else "",
    )


def _descendants(snap: Snapshot, code: str) -> set[str]:
    found: set[str] = set()
    todo = list(snap.children.get(code, ()))
    while todo:
        child = todo.pop()
        if child not in found:
            found.add(child)
            todo.extend(snap.children.get(child, ()))
    return found


def top_areas(snap: Snapshot) -> list[Area]:
    """The top-level areas, in German name order."""
    return sorted(
        (a for a in snap.areas.values() if not a.parent),
        key=lambda a: german_key(a.name),
    )


def by_rank(snap: Snapshot, areas: Iterable[Area]) -> list[Area]:
    """The areas by level (the largest first), then by German name and code."""
    rank = {code: level.rank for code, level in snap.level_by_code.items()}
    return sorted(
        areas, key=lambda a: (rank.get(a.level, 0), german_key(a.name), a.code)
    )


def matches(snap: Snapshot, query: str) -> list[Area]:
    """Areas whose name or code contains ``query``, tolerant of umlauts and case
    (``Muenchen``, ``Munchen`` and ``münchen`` all find München)."""
    text = query.strip()
    if not text:
        return list(snap.areas.values())
    code_part = text.casefold()
    transliterated, plain = fold(text)
    return [
        snap.areas[code]
        for code, folded_code, name_tr, name_plain in derive(snap).folded
        if code_part in folded_code or transliterated in name_tr or plain in name_plain
    ]


def area_index(
    snap: Snapshot,
    lang: Language,
    *,
    query: str = "",
    level: str = "",
    under: str = "",
    page: int = 1,
) -> AreaIndexPage:
    """The index of all areas, or the areas a filter finds, page by page.

    Raises
    ------
    UnknownLevelError, UnknownAreaError
        For a level or parent area (``unter``) that does not exist.
    """
    t = Translator(lang=lang)
    if level and level not in snap.level_by_code:
        raise UnknownLevelError(f"There is no area level '{level}'.")
    if under:
        snap.area(under)
    roots = top_areas(snap)
    filtered = bool(query.strip() or level or under)
    results: list[Area] = []
    groups: list[RootGroup] = []
    if filtered:
        found = matches(snap, query)
        if level:
            found = [a for a in found if a.level == level]
        if under:
            below = _descendants(snap, under)
            found = [a for a in found if a.code in below]
        results = by_rank(snap, found)
    else:
        for root in roots:
            levels = []
            for lvl in snap.levels:
                members = snap.areas_in(root.code, lvl.code)
                if not members:
                    continue
                complete = len(members) <= FULL_LIST_LIMIT
                levels.append(
                    LevelGroup(
                        level=lvl.code,
                        label=t(lvl.label),
                        count=len(members),
                        areas=tuple(_link(snap, a, lang, t) for a in members)
                        if complete
                        else (),
                        more_url=""
                        if complete
                        else href("/gebiet", lang, ebene=lvl.code, unter=root.code),
                        open=len(members) <= OPEN_LIST_LIMIT,
                    )
                )
            groups.append(
                RootGroup(area=_link(snap, root, lang, t), levels=tuple(levels))
            )
    total = len(results)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown_results = results[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    def page_url(number: int) -> str:
        return href(
            "/gebiet",
            lang,
            q=query.strip(),
            ebene=level,
            unter=under,
            seite=number if number > 1 else None,
        )

    under_codes = [r.code for r in roots]
    if under and under not in under_codes:
        under_codes.append(under)
    return AreaIndexPage(
        query=query.strip(),
        level=level,
        under=under,
        filtered=filtered,
        total=total,
        page=page,
        pages=pages,
        results=tuple(_link(snap, a, lang, t) for a in shown_results),
        groups=tuple(groups),
        previous_url=page_url(page - 1) if filtered and page > 1 else "",
        next_url=page_url(page + 1) if filtered and page < pages else "",
        level_options=tuple(
            Option(value=lvl.code, label=t(lvl.label), selected=lvl.code == level)
            for lvl in snap.levels
            if lvl.code in derive(snap).levels_present
        ),
        under_options=tuple(
            Option(value=c, label=snap.areas[c].name, selected=c == under)
            for c in under_codes
        ),
        area_count=len(snap.areas),
    )


# --- routes ----------------------------------------------------------------------


@router.get("/gebiet", response_class=HTMLResponse, include_in_schema=False)
def area_index_html(
    request: Request,
    q: str = "",
    ebene: str = "",
    unter: str = "",
    seite: int = Query(1, ge=1),
) -> HTMLResponse:
    snap = current_snapshot(request)
    lang = request_language(request)
    t = Translator(lang=lang)
    try:
        page = area_index(snap, lang, query=q, level=ebene, under=unter, page=seite)
    except (UnknownAreaError, UnknownLevelError) as error:
        return not_found(request, snap, error)
    frame = frame_for(request, snap, title=t("Gebiete"))
    return render(request, "area_index.html", frame=frame, page=page)


@router.get("/api/v1/pages/gebiet", tags=["pages"])
def area_index_json(
    request: Request,
    q: str = "",
    ebene: str = "",
    unter: str = "",
    seite: int = Query(1, ge=1),
) -> JSONResponse:
    """The area index (or the areas a filter finds) as JSON."""
    snap = current_snapshot(request)
    page = area_index(
        snap, request_language(request), query=q, level=ebene, under=unter, page=seite
    )
    return json_response(page)
