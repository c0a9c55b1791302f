"""What the area profile says about an area's validity and its boundary changes:
"gültig von … bis …", what it came from and what it became (issue 12)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis
from sozialmonitor.store.lineage import lineage_of
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.snapshot import Snapshot

KIND_LABELS = {
    LineageKind.MERGED: "Zusammenlegung",
    LineageKind.SPLIT: "Teilung",
    LineageKind.RENAMED: "Umbenennung",
    LineageKind.RECODED: "neuer Schlüssel",
}
SHARE_TEXTS = {
    ShareBasis.POPULATION: "{share} der Einwohner",
    ShareBasis.AREA: "{share} der Fläche",
    ShareBasis.OFFICIAL: "{share} laut amtlicher Zuordnung",
}


@dataclass(frozen=True, kw_only=True)
class LineageStep:
    """A predecessor or successor of the area, as a link with what happened."""

    code: str
    name: str
    url: str
    kind: str
    """``merged``, ``split``, ``renamed`` or ``recoded``."""
    valid_on: str
    """ISO date of the change."""
    share: float | None
    """Share (0–1) of the predecessor that moved; None: unknown."""
    basis: str | None
    """``population``, ``area`` or ``official``."""
    text: str
    """``Teilung am 01.01.2021, 38 % der Fläche``"""


def validity_text(area: Area, lang: Language, t: Translator) -> str:
    """``gültig von 01.01.2019 bis 31.12.2020``, ``gültig seit …``, ``gültig bis …``,
    or empty when the area has no dates."""
    start = formatting.date(area.valid_from, lang) if area.valid_from else ""
    end = formatting.date(area.valid_to, lang) if area.valid_to else ""
    if start and end:
        return t("gültig von {start} bis {end}", start=start, end=end)
    if start:
        return t("gültig seit {start}", start=start)
    if end:
        return t("gültig bis {end}", end=end)
    return ""


def _step(
    link: AreaLink,
    other: str,
    snap: Snapshot,
    lang: Language,
    t: Translator,
    url: Callable[[str], str],
) -> LineageStep | None:
    area = snap.areas.get(other)
    if area is None:  # pragma: no cover - every linked area is in the snapshot
        return None
    text = t(
        "{change} am {date}",
        change=t(KIND_LABELS[link.kind]),
        date=formatting.date(link.valid_on, lang),
    )
    if link.share is not None and link.basis is not None:
        share = formatting.number(link.share * 100, 0, lang) + "\u202f%"
        text += ", " + t(SHARE_TEXTS[link.basis], share=share)
    return LineageStep(
        code=area.code,
        name=area.name,
        url=url(area.code),
        kind=link.kind.value,
        valid_on=link.valid_on.isoformat(),
        share=link.share,
        basis=link.basis.value if link.basis else None,
        text=text,
    )


def lineage_steps(
    conn: Connection,
    snap: Snapshot,
    area: Area,
    lang: Language,
    url: Callable[[str], str],
) -> tuple[tuple[LineageStep, ...], tuple[LineageStep, ...]]:
    """The area's predecessors and successors, each as a link (``url`` of a code)."""
    t = Translator(lang=lang)
    lineage = lineage_of(conn, area.code)
    before = (_step(x, x.predecessor, snap, lang, t, url) for x in lineage.predecessors)
    after = (_step(x, x.successor, snap, lang, t, url) for x in lineage.successors)
    return (
        tuple(s for s in before if s is not None),
        tuple(s for s in after if s is not None),
    )
