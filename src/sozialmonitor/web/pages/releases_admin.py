"""Releases in the administration (``/verwaltung/veroeffentlichungen``).

Editors and above see every release and a release's changes against the published
state with its checks (readers do not: a draft is work in progress, and the list
names who prepared it). Editors mark a draft as checked; publishers publish (after
a confirmation page) and withdraw (with a reason, shown on /methoden). Every action
goes through ``store.writes``, which records it in the audit log in the same
transaction: a refused or failed action changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Action, Role, may
from sozialmonitor.domain.indicator import CONTROL_CHARACTERS
from sozialmonitor.errors import ReleaseStateError, SozialmonitorError
from sozialmonitor.store import queries, writes
from sozialmonitor.store.publication import publish_checked, withdraw_published
from sozialmonitor.store.release_review import MAX_PAGE
from sozialmonitor.web.page import current_snapshot, frame_for, render, request_language
from sozialmonitor.web.pages.administration import (
    CRUMB,
    forbidden,
    gate,
    not_found,
    translator,
)
from sozialmonitor.web.pages.release_page import (
    LIST_PATH,
    STATUS_LABELS,
    release_page,
    release_path,
    when,
    withdrawal_reason,
)
from sozialmonitor.web.session import (
    SignedIn,
    client_address,
    csrf_protected,
    engine_of,
    form_of,
    no_store,
)
from sozialmonitor.web.urls import href

router = APIRouter(dependencies=[Depends(csrf_protected)])

MAX_REASON_CHARS = 2_000
"""A withdrawal's reason is a sentence or a short paragraph."""
ACTORS = {
    "release-validated": "geprüft von {actor}",
    "release-published": "veröffentlicht von {actor}",
    "release-withdrawn": "zurückgezogen von {actor}",
}
DONE = {
    "geprueft": "Der Datenstand ist als geprüft markiert.",
    "veroeffentlicht": "Der Datenstand ist veröffentlicht.",
    "zurueckgezogen": "Der Datenstand ist zurückgezogen.",
}


@dataclass(frozen=True, kw_only=True)
class ReleaseRow:
    name: str
    url: str
    status: str
    status_label: str
    created: str
    published: str
    withdrawn: str
    who: str
    """Who validated, published, withdrew it (from the audit log)."""
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReleasesPage:
    releases: tuple[ReleaseRow, ...]


@dataclass(frozen=True, kw_only=True)
class PublishConfirmation:
    name: str
    summary: str
    csrf_token: str
    action_url: str
    back_url: str


@router.get(LIST_PATH, response_class=HTMLResponse)
def releases(request: Request) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    t, lang = translator(request), request_language(request)
    with engine_of(request).connect() as conn:
        found = queries.list_releases(conn)
        actors: dict[str, list[str]] = {}
        for action, text in ACTORS.items():
            for event in audit.events(conn, action=action):
                actors.setdefault(event.target, []).append(t(text, actor=event.actor))
    rows = tuple(
        ReleaseRow(
            name=r.name,
            url=href(release_path(r.name), lang),
            status=r.status.value,
            status_label=t(STATUS_LABELS[r.status]),
            created=when(r.created_at, lang),
            published=when(r.published_at, lang),
            withdrawn=when(r.withdrawn_at, lang),
            who="; ".join(actors.get(r.name, [])),
            reason=withdrawal_reason(r),
        )
        for r in reversed(found)
    )
    frame = frame_for(
        request, current_snapshot(request), title=t("Datenstände"), crumbs=(CRUMB,)
    )
    return no_store(
        render(request, "releases.html", frame=frame, page=ReleasesPage(releases=rows))
    )


def _show(
    request: Request,
    user: SignedIn,
    name: str,
    *,
    message: str = "",
    is_error: bool = False,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    t, lang = translator(request), request_language(request)
    params = request.query_params
    try:
        page = int(params.get("seite", "1"))
    except ValueError:
        page = 1
    with engine_of(request).connect() as conn:
        try:
            release = queries.get_release(conn, name)
        except SozialmonitorError:
            return _unknown(request, name)
        content = release_page(
            conn,
            release,
            role=user.role,
            csrf_token=user.csrf_token,
            lang=lang,
            indicator=params.get("indikator") or None,
            only_jumps=params.get("spruenge") == "1",
            page=min(max(page, 1), MAX_PAGE),
        )
    if not message and params.get("erledigt") in DONE:
        message = t(DONE[params["erledigt"]])
    content = replace(
        content, message=message, message_is_error=is_error, reason=reason
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Datenstand {name}", name=name),
        crumbs=(CRUMB, (t("Datenstände"), LIST_PATH)),
    )
    response = render(request, "release.html", frame=frame, page=content)
    response.status_code = status_code
    return no_store(response)


def _unknown(request: Request, name: str) -> Response:
    t = translator(request)
    return not_found(
        request,
        text=t("Es gibt keinen Datenstand „{name}“.", name=name),
        section=(t("Datenstände"), LIST_PATH),
        back_label=t("Zu den Datenständen"),
    )


def _allowed(request: Request, action: Action, needed: Role) -> SignedIn | Response:
    user = gate(request, Role.EDITOR)
    if isinstance(user, SignedIn) and not may(user.role, action):
        return forbidden(request, user, needed)
    return user


def _done(request: Request, name: str, what: str) -> Response:
    target = href(release_path(name), request_language(request), erledigt=what)
    return no_store(RedirectResponse(target, status_code=303))


def _refused(
    request: Request, user: SignedIn, name: str, error: SozialmonitorError
) -> Response:
    t = translator(request)
    if isinstance(error, ReleaseStateError):
        text = t(
            "Diese Aktion ist im jetzigen Zustand des Datenstands nicht möglich; "
            "es wurde nichts geändert. Laden Sie die Seite neu."
        )
        if error.code == "release-check-failed":
            text = t(
                "Die Prüfung hat Fehler gefunden (siehe „Prüfung“); der Datenstand "
                "bleibt ein Entwurf. Korrigieren Sie die Daten mit einem neuen Import."
            )
        return _show(request, user, name, message=text, is_error=True, status_code=409)
    return _unknown(request, name)


@router.post(LIST_PATH + "/{release_name:path}/pruefen")
def validate(request: Request, release_name: str) -> Response:
    """Mark a draft as checked (editors and above); refused with errors found."""
    name = release_name
    user = _allowed(request, Action.PREPARE_RELEASE, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    try:
        with engine_of(request).begin() as conn:
            writes.validate_release(
                conn,
                name,
                actor=user.account.name,
                address=client_address(request),
            )
    except SozialmonitorError as error:
        return _refused(request, user, name, error)
    return _done(request, name, "geprueft")


@router.get(
    LIST_PATH + "/{release_name:path}/veroeffentlichen", response_class=HTMLResponse
)
def confirm_publication(request: Request, release_name: str) -> Response:
    """The confirmation step before publishing (publishers)."""
    name = release_name
    user = _allowed(request, Action.PUBLISH, Role.PUBLISHER)
    if not isinstance(user, SignedIn):
        return user
    t, lang = translator(request), request_language(request)
    with engine_of(request).connect() as conn:
        try:
            found = queries.get_release(conn, name)
        except SozialmonitorError:
            return _unknown(request, name)
    if not found.is_editable:
        return _show(
            request,
            user,
            name,
            message=t("Nur ein Entwurf kann veröffentlicht werden."),
            is_error=True,
            status_code=409,
        )
    content = PublishConfirmation(
        name=name,
        summary=t(
            "Nach der Veröffentlichung zeigt das Portal allen Besucherinnen und "
            "Besuchern die Werte des Datenstands „{name}“. Die Geheimhaltung kleiner "
            "Fallzahlen wird dabei berechnet; das kann bei großen Datenständen "
            "einige Minuten dauern.",
            name=name,
        ),
        csrf_token=user.csrf_token,
        action_url=href(release_path(name) + "/veroeffentlichen", lang),
        back_url=href(release_path(name), lang),
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Datenstand {name} veröffentlichen", name=name),
        crumbs=(CRUMB, (t("Datenstände"), LIST_PATH)),
    )
    return no_store(render(request, "release_publish.html", frame=frame, page=content))


@router.post(LIST_PATH + "/{release_name:path}/veroeffentlichen")
def publish(request: Request, release_name: str) -> Response:
    """Publish a draft (publishers) after the checks of "Prüfen": refused when
    they find errors; a failure writes nothing."""
    name = release_name
    user = _allowed(request, Action.PUBLISH, Role.PUBLISHER)
    if not isinstance(user, SignedIn):
        return user
    try:
        with engine_of(request).begin() as conn:
            publish_checked(
                conn,
                name,
                actor=user.account.name,
                address=client_address(request),
            )
    except SozialmonitorError as error:
        return _refused(request, user, name, error)
    except Exception:  # the user sees a clear message; the log keeps the details
        logging.getLogger(__name__).exception("Publishing '%s' failed.", name)
        return _show(
            request,
            user,
            name,
            message=translator(request)(
                "Die Veröffentlichung ist fehlgeschlagen; es wurde nichts geändert. "
                "Bitte versuchen Sie es später erneut oder wenden Sie sich an die "
                "Administration."
            ),
            is_error=True,
            status_code=500,
        )
    return _done(request, name, "veroeffentlicht")


@router.post(LIST_PATH + "/{release_name:path}/zurueckziehen")
async def withdraw(request: Request, release_name: str) -> Response:
    """Withdraw a published release (publishers); a reason is required."""
    name = release_name
    user = _allowed(request, Action.WITHDRAW, Role.PUBLISHER)
    if not isinstance(user, SignedIn):
        return user
    typed = (await form_of(request)).get("grund", "")
    reason = " ".join(CONTROL_CHARACTERS.sub("", typed).split())
    t = translator(request)
    if not reason or len(reason) > MAX_REASON_CHARS:
        text = (
            t("Bitte geben Sie einen Grund für das Zurückziehen an.")
            if not reason
            else t("Der Grund ist zu lang (höchstens {n} Zeichen).", n=MAX_REASON_CHARS)
        )
        return _show(
            request,
            user,
            name,
            message=text,
            is_error=True,
            reason=reason[:MAX_REASON_CHARS],
            status_code=422,
        )
    try:
        with engine_of(request).begin() as conn:
            withdraw_published(
                conn,
                name,
                reason,
                actor=user.account.name,
                address=client_address(request),
            )
    except SozialmonitorError as error:
        return _refused(request, user, name, error)
    return _done(request, name, "zurueckgezogen")


# Last: a name from before ``check_release_name`` may hold a ``/``, so the page's
# route takes one (``:path``) and must not shadow the action routes above.
@router.get(LIST_PATH + "/{release_name:path}", response_class=HTMLResponse)
def release(request: Request, release_name: str) -> Response:
    name = release_name
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    return _show(request, user, name)
