"""The content of one release's page in the administration: what it changes against
the published state (counted per indicator, one page of values), its checks, and
which actions the signed-in role may take. Built from ``store.release_review``;
the routes are in ``releases_admin.py``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Connection

from sozialmonitor.access.roles import Action, Role, may
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.store import queries
from sozialmonitor.store.release_review import (
    JUMP_MIN_ABSOLUTE,
    JUMP_RELATIVE,
    ChangePage,
    Finding,
    ValueChange,
    change_page,
    diff_by_indicator,
    release_findings,
)
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import Option
from sozialmonitor.web.urls import href

LIST_PATH = "/verwaltung/veroeffentlichungen"


def release_path(name: str) -> str:
    """The address of a release's page, its name quoted whole: a name from before
    ``check_release_name`` may hold a ``/`` (the routes take it, see
    ``releases_admin``).

    Examples
    --------
    >>> release_path("2021/22 neu")
    '/verwaltung/veroeffentlichungen/2021%2F22%20neu'
    """
    return f"{LIST_PATH}/{quote(name, safe='')}"


STATUS_LABELS: dict[ReleaseStatus, str] = {
    ReleaseStatus.DRAFT: "Entwurf",
    ReleaseStatus.VALIDATED: "geprüft, bereit zur Veröffentlichung",
    ReleaseStatus.PUBLISHED: "veröffentlicht",
    ReleaseStatus.WITHDRAWN: "zurückgezogen",
}
CHANGE_LABELS = {"new": "neu", "changed": "geändert", "removed": "entfernt"}
FINDING_TEXTS: dict[str, tuple[str, str]] = {
    "empty": ("Der Datenstand enthält keine Werte.",) * 2,
    "share-above-total": (
        "{n} Anteilswert hat einen Zähler, der größer als der Nenner ist.",
        "{n} Anteilswerte haben einen Zähler, der größer als der Nenner ist.",
    ),
    "negative-count": (
        "{n} Wert hat eine negative Anzahl, einen negativen Zähler oder Nenner.",
        "{n} Werte haben eine negative Anzahl, einen negativen Zähler oder Nenner.",
    ),
    "large-jumps": (
        "{n} geänderter Wert ist ein großer Sprung (siehe Tabelle).",
        "{n} geänderte Werte sind große Sprünge (siehe Tabelle).",
    ),
    "values-removed": (
        "{n} veröffentlichter Wert wird entfernt.",
        "{n} veröffentlichte Werte werden entfernt.",
    ),
}
"""German texts of the checks' findings (``store.release_review.release_findings``),
singular and plural."""
WITHDRAWN_PREFIX = "Withdrawn: "
"""How ``store.writes.withdraw_release`` writes the reason into the note."""


@dataclass(frozen=True, kw_only=True)
class FindingRow:
    error: bool
    text: str


@dataclass(frozen=True, kw_only=True)
class IndicatorRow:
    name: str
    url: str
    """The release page filtered to this indicator."""
    new: str
    changed: str
    removed: str
    jumps: str


@dataclass(frozen=True, kw_only=True)
class ChangeRow:
    indicator: str
    area: str
    period: str
    kind: str
    old: str
    new: str
    difference: str
    jump: bool


@dataclass(frozen=True, kw_only=True)
class Paging:
    page: int
    pages: int
    total: str
    previous_url: str
    next_url: str


@dataclass(frozen=True, kw_only=True)
class ReleasePage:
    """One release: status, changes, checks, and the forms the role may use."""

    name: str
    status: str
    status_label: str
    created: str
    published: str
    withdrawn: str
    withdrawal_reason: str
    findings: tuple[FindingRow, ...]
    has_errors: bool
    indicators: tuple[IndicatorRow, ...]
    changes: tuple[ChangeRow, ...]
    paging: Paging
    indicator_options: tuple[Option, ...]
    only_jumps: bool
    jump_rule: str
    may_validate: bool
    may_publish: bool
    may_withdraw: bool
    filter_url: str
    validate_url: str
    confirm_url: str
    """The confirmation page before publishing."""
    withdraw_url: str
    csrf_token: str
    message: str = ""
    message_is_error: bool = False
    reason: str = ""
    """The reason typed (shown again after a refusal)."""


def when(value: dt.datetime | None, lang: Language) -> str:
    """``06.12.2026, 23:10`` in the portal's time zone, or empty."""
    if value is None:
        return ""
    local = value.astimezone(formatting.PORTAL_ZONE)
    return f"{formatting.date(local, lang)}, {local:%H:%M}"


def withdrawal_reason(release: Release) -> str:
    """The reason given when the release was withdrawn, if any."""
    for line in release.note.splitlines():
        if line.startswith(WITHDRAWN_PREFIX):
            return line[len(WITHDRAWN_PREFIX) :]
    return ""


def jump_rule(t: Translator) -> str:
    return t(
        "Ein geänderter Wert gilt als großer Sprung, wenn er sich um mindestens "
        "{percent} % des alten Werts ändert und zugleich um mindestens {units} "
        "Einheit des Werts (bei Anteilen ein Prozentpunkt), bei Anzahlen um "
        "mindestens die Mindestfallzahl der Kennzahl. Kleinere Änderungen sind das "
        "Rauschen kleiner Zahlen.",
        percent=round(JUMP_RELATIVE * 100),
        units=int(JUMP_MIN_ABSOLUTE),
    )


def release_page(
    conn: Connection,
    release: Release,
    *,
    role: Role,
    csrf_token: str,
    lang: Language,
    indicator: str | None,
    only_jumps: bool,
    page: int,
) -> ReleasePage:
    t = Translator(lang=lang)
    indicators = {
        i.id: i for i in queries.list_indicators(conn, audience=Audience.INTERNAL)
    }
    if indicator not in indicators:
        indicator = None
    totals = diff_by_indicator(conn, release)
    findings = release_findings(conn, release, totals)
    changes = change_page(
        conn, release, indicator=indicator, only_jumps=only_jumps, page=page
    )
    base = release_path(release.name)

    def filtered(**extra: object) -> str:
        params: dict[str, object] = {}
        if indicator:
            params["indikator"] = indicator
        if only_jumps:
            params["spruenge"] = "1"
        params.update(extra)
        return href(base, lang, **params)

    has_errors = any(f.is_error for f in findings)
    editable = release.is_editable
    return ReleasePage(
        name=release.name,
        status=release.status.value,
        status_label=t(STATUS_LABELS[release.status]),
        created=when(release.created_at, lang),
        published=when(release.published_at, lang),
        withdrawn=when(release.withdrawn_at, lang),
        withdrawal_reason=withdrawal_reason(release),
        findings=tuple(_finding(f, t) for f in findings),
        has_errors=has_errors,
        indicators=tuple(
            IndicatorRow(
                name=d.name,
                url=href(base, lang, indikator=d.indicator),
                new=formatting.number(d.new, 0, lang),
                changed=formatting.number(d.changed, 0, lang),
                removed=formatting.number(d.removed, 0, lang),
                jumps=formatting.number(d.jumps, 0, lang),
            )
            for d in totals
        ),
        changes=tuple(
            _change(c, indicators.get(c.indicator), lang, t) for c in changes.rows
        ),
        paging=_paging(changes, lang, filtered),
        indicator_options=(
            Option(value="", label=t("alle Kennzahlen"), selected=indicator is None),
            *(
                Option(
                    value=d.indicator, label=d.name, selected=d.indicator == indicator
                )
                for d in totals
            ),
        ),
        only_jumps=only_jumps,
        jump_rule=jump_rule(t),
        may_validate=release.status is ReleaseStatus.DRAFT
        and may(role, Action.PREPARE_RELEASE)
        and not has_errors,
        may_publish=editable and may(role, Action.PUBLISH),
        may_withdraw=release.status is ReleaseStatus.PUBLISHED
        and may(role, Action.WITHDRAW),
        filter_url=href(base, lang),
        validate_url=href(f"{base}/pruefen", lang),
        confirm_url=href(f"{base}/veroeffentlichen", lang),
        withdraw_url=href(f"{base}/zurueckziehen", lang),
        csrf_token=csrf_token,
    )


def _finding(finding: Finding, t: Translator) -> FindingRow:
    texts = FINDING_TEXTS.get(finding.code)
    return FindingRow(
        error=finding.is_error,
        text=t.plural(*texts, finding.count) if texts else finding.message,
    )


def _change(
    change: ValueChange, indicator: Indicator | None, lang: Language, t: Translator
) -> ChangeRow:
    decimals = indicator.decimals if indicator else 1

    def shown(value: float | None) -> str:
        if value is None:
            return "–"
        if indicator is None:
            return formatting.number(value, decimals, lang)
        return formatting.with_unit(value, indicator, lang)

    difference = "–"
    if change.old_value is not None and change.new_value is not None:
        delta = change.new_value - change.old_value
        difference = (
            formatting.change(delta, indicator, lang)
            if indicator
            else formatting.change_number(delta, decimals, lang)
        )
    return ChangeRow(
        indicator=change.indicator_name,
        area=f"{change.area_name} ({change.area})",
        period=formatting.period_label(change.period, lang),
        kind=t(CHANGE_LABELS[change.change]),
        old=shown(change.old_value),
        new=shown(change.new_value),
        difference=difference,
        jump=change.jump,
    )


def _paging(
    changes: ChangePage, lang: Language, filtered: Callable[..., str]
) -> Paging:
    return Paging(
        page=changes.page,
        pages=changes.pages,
        total=formatting.number(changes.total, 0, lang),
        previous_url=filtered(seite=changes.page - 1) if changes.page > 1 else "",
        next_url=filtered(seite=changes.page + 1)
        if changes.page < changes.pages
        else "",
    )
