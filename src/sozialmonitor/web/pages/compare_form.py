"""The form of the comparison page: the two areas as asked for and as understood.

Each of the two slots takes a code or a name (from the URL, a select or a text
field); :func:`resolve` finds the area it means, or the candidates when a name fits
several. While the portal has few areas the form offers two selects, grouped by
top-level area and level (:func:`option_groups`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.pages.area import AreaRef, area_ref
from sozialmonitor.web.pages.area_index import by_rank, matches, top_areas
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

MAX_CANDIDATES = 20
"""Areas offered when a name fits several."""
SLOTS = ("A", "B")


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """An area a name could mean, with the comparison it leads to."""

    code: str
    name: str
    level_label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Choice:
    """One of the two areas as asked for and as understood."""

    slot: str
    """``A`` or ``B``."""
    text: str
    """What the URL or the form gave (a code or a name)."""
    area: AreaRef | None
    candidates: tuple[Candidate, ...] = ()
    """Areas the text fits when it fits several."""
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class OptionGroup:
    label: str
    options: tuple[tuple[str, str], ...]
    """(code, name)"""


def resolve(snap: Snapshot, text: str) -> tuple[Area | None, list[Area]]:
    """The area a code or name means, or the areas it could mean.

    A code is taken as it is; a name that one area has exactly (ignoring case and
    umlaut spelling) or that is part of only one name is that area.
    """
    text = text.strip()
    if not text:
        return None, []
    if text in snap.areas:
        return snap.areas[text], []
    key = german_key(text)
    found = matches(snap, text)
    exact = [a for a in found if german_key(a.name) == key]
    if len(exact) == 1:
        return exact[0], []
    if exact:
        return None, by_rank(snap, exact)
    if len(found) == 1:
        return found[0], []
    return None, by_rank(snap, found)


def area_choices(
    snap: Snapshot, lang: Language, t: Translator, asked: list[str], indicator: str
) -> tuple[Choice, ...]:
    """Slot A and B: the first two areas asked for, resolved."""
    texts = [text.strip() for text in [*asked, "", ""][:2]]
    resolved = [resolve(snap, text) for text in texts]
    codes = [
        area.code if area else text
        for text, (area, _) in zip(texts, resolved, strict=True)
    ]
    found = []
    for index, (slot, text, (area, candidates)) in enumerate(
        zip(SLOTS, texts, resolved, strict=True)
    ):
        error = ""
        if text and area is None and not candidates:
            error = t("Kein Gebiet gefunden für „{text}“.", text=text)

        def url(code: str, index: int = index) -> str:
            pair = list(codes)
            pair[index] = code
            return href("/vergleich", lang, gebiete=pair, kennzahl=indicator or None)

        found.append(
            Choice(
                slot=slot,
                text=text,
                area=area_ref(snap, area, lang, t) if area else None,
                candidates=tuple(
                    Candidate(
                        code=a.code,
                        name=a.name,
                        level_label=area_ref(snap, a, lang, t).level_label,
                        url=url(a.code),
                    )
                    for a in candidates[:MAX_CANDIDATES]
                ),
                error=error,
            )
        )
    return tuple(found)


def current_areas(snap: Snapshot) -> int:
    """How many areas exist today: the selects offer those (an area that ended, e.g.
    a planning area until 2020, is reached by its code or name)."""
    today = dt.date.today()
    return snap.remember(
        ("current-areas", today),
        lambda: sum(a.valid_at(today) for a in snap.areas.values()),
    )


def option_groups(snap: Snapshot, t: Translator) -> tuple[OptionGroup, ...]:
    """The areas for the selects: one group per top-level area and level, of the
    areas that exist today."""
    today = dt.date.today()
    groups = []
    for root in top_areas(snap):
        for level in snap.levels:
            members = [
                a for a in snap.areas_in(root.code, level.code) if a.valid_at(today)
            ]
            if members:
                groups.append(
                    OptionGroup(
                        label=f"{root.name} – {t(level.label)}",
                        options=tuple((a.code, a.name) for a in members),
                    )
                )
    return tuple(groups)
