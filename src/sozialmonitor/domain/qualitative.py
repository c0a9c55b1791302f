"""Qualitative records: findings (what a focus group, interview, workshop or expert
found) and recommendations (goals, measures) with the history of their status.

A record carries no personal data: a source is a kind, a group's name, a date and a
number of participants, never a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar


class RecordKind(StrEnum):
    FINDING = "finding"
    RECOMMENDATION = "recommendation"


class RecordVisibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    """Never shown to the public (``Audience.PUBLIC``); the administration sees it
    marked confidential."""


class SourceKind(StrEnum):
    FOCUS_GROUP = "focus_group"
    INTERVIEW = "interview"
    WORKSHOP = "workshop"
    EXPERT = "expert"


class Addressee(StrEnum):
    COUNCIL = "council"
    ADMINISTRATION = "administration"
    PROVIDERS = "providers"


class Status(StrEnum):
    """Where a recommendation stands; it only moves forward (``may_follow``)."""

    PROPOSED = "proposed"
    DECIDED = "decided"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    REJECTED = "rejected"


LABELS: dict[StrEnum, str] = {
    RecordKind.FINDING: "Ergebnis",
    RecordKind.RECOMMENDATION: "Handlungsempfehlung",
    RecordVisibility.PUBLIC: "öffentlich",
    RecordVisibility.INTERNAL: "intern",
    SourceKind.FOCUS_GROUP: "Fokusgruppe",
    SourceKind.INTERVIEW: "Interview",
    SourceKind.WORKSHOP: "Workshop",
    SourceKind.EXPERT: "Expertenbeitrag",
    Addressee.COUNCIL: "Rat",
    Addressee.ADMINISTRATION: "Verwaltung",
    Addressee.PROVIDERS: "Träger",
    Status.PROPOSED: "vorgeschlagen",
    Status.DECIDED: "beschlossen",
    Status.IN_PROGRESS: "in Umsetzung",
    Status.IMPLEMENTED: "umgesetzt",
    Status.REJECTED: "verworfen",
}
"""The German word of each value: what the portal shows and the files hold."""

STATUS_ORDER = (Status.PROPOSED, Status.DECIDED, Status.IN_PROGRESS, Status.IMPLEMENTED)
FINAL_STATUSES = frozenset({Status.IMPLEMENTED, Status.REJECTED})

MAX_CODE_CHARS = 60
MAX_PARTICIPANTS = 100_000


def label(value: StrEnum) -> str:
    """The German word of an enum value.

    Examples
    --------
    >>> label(Status.IN_PROGRESS), label(SourceKind.EXPERT)
    ('in Umsetzung', 'Expertenbeitrag')
    """
    return LABELS[value]


E = TypeVar("E", bound=StrEnum)


def parse_choice(kind: type[E], text: str) -> E:
    """The value of ``kind`` written ``text``: its German word or its code, in any
    case.

    Raises
    ------
    ValueError
        Naming the words allowed.

    Examples
    --------
    >>> parse_choice(Status, "In Umsetzung"), parse_choice(Addressee, "council")
    (<Status.IN_PROGRESS: 'in_progress'>, <Addressee.COUNCIL: 'council'>)
    """
    wanted = " ".join(text.split()).casefold()
    for value in kind:
        if wanted in (value.value.casefold(), LABELS[value].casefold()):
            return value
    allowed = ", ".join(f"'{LABELS[v]}'" for v in kind)
    raise ValueError(f"'{text}' is not one of {allowed}")


def may_follow(current: Status | None, new: Status) -> bool:
    """Whether a recommendation's status may change from ``current`` to ``new``:
    forward along vorgeschlagen → beschlossen → in Umsetzung → umgesetzt (steps may
    be skipped), to verworfen from any open status, never out of a final one.

    Examples
    --------
    >>> may_follow(None, Status.PROPOSED), may_follow(Status.DECIDED, Status.PROPOSED)
    (True, False)
    >>> may_follow(Status.IN_PROGRESS, Status.REJECTED)
    True
    >>> may_follow(Status.REJECTED, Status.IMPLEMENTED)
    False
    """
    if current is None or current == new:
        return True
    if current in FINAL_STATUSES:
        return False
    if new is Status.REJECTED:
        return True
    return STATUS_ORDER.index(new) > STATUS_ORDER.index(current)


@dataclass(frozen=True, kw_only=True)
class Source:
    """Where a finding comes from; never a person."""

    kind: SourceKind
    """Fokusgruppe, Interview, Workshop or Expertenbeitrag."""
    group: str = ""
    """The group's name, e.g. ``Fachkräfte Jugendhilfe``."""
    date: dt.date | None = None
    """When it met or was asked."""
    participants: int | None = None
    """How many took part."""


@dataclass(frozen=True, kw_only=True)
class StatusChange:
    """One entry of a recommendation's status history (append-only)."""

    status: Status
    """The status from then on."""
    on: dt.date
    """The date of the change (e.g. the council's decision)."""
    by: str
    """Who recorded it: an account name, ``token:<id>`` or ``cli``."""
    recorded_at: dt.datetime
    """When it was recorded."""


@dataclass(frozen=True, kw_only=True)
class QualitativeRecord:
    """A finding or a recommendation, as stored and as the portal shows it."""

    code: str
    """The record's own key, e.g. ``E-2024-03`` (unique; an import updates by it)."""
    kind: RecordKind
    """Finding or recommendation."""
    title: str
    """A short heading."""
    text: str
    """The content as Markdown (rendered without raw HTML)."""
    visibility: RecordVisibility
    """Public, or internal (only the administration)."""
    topic: str = ""
    """The Themenfeld (an indicator topic; empty: none)."""
    period: str = ""
    """The period it is about (a period code such as ``2021``; empty: none)."""
    indicators: tuple[str, ...] = ()
    """Codes of the indicators it is about."""
    areas: tuple[str, ...] = ()
    """Codes of the areas it is about."""
    source: Source | None = None
    """For a finding: where it comes from."""
    rationale: str = ""
    """For a recommendation: why (Markdown)."""
    addressee: Addressee | None = None
    """For a recommendation: Rat, Verwaltung or Träger."""
    findings: tuple[str, ...] = ()
    """For a recommendation: the codes of the findings it builds on."""
    responsible_unit: str = ""
    """For a recommendation: the unit in charge."""
    estimated_cost: float | None = None
    """For a recommendation: estimated cost in euros (None: not estimated)."""
    outcome_indicators: tuple[str, ...] = ()
    """For a recommendation: the indicators that show whether it works."""
    history: tuple[StatusChange, ...] = ()
    """For a recommendation: its status changes, oldest first."""

    @property
    def status(self) -> Status | None:
        """The current status (the newest change); None for a finding."""
        return self.history[-1].status if self.history else None

    @property
    def internal(self) -> bool:
        return self.visibility is RecordVisibility.INTERNAL
