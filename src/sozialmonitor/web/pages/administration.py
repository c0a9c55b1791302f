"""The administration (``/verwaltung``): its start page for every signed-in role,
and the gate every administration page passes (``gate``). The accounts page lives in
``admin_accounts.py``, the audit log in ``audit_log.py``.

Anonymous visitors are sent to the sign-in form (and brought back); a signed-in
account without the role a page needs gets a 403 page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from sozialmonitor.access import sessions
from sozialmonitor.access.roles import Action, Role, may
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    render,
    request_language,
)
from sozialmonitor.web.session import (
    SignedIn,
    csrf_protected,
    current_user,
    engine_of,
    no_store,
    sign_in_redirect,
)
from sozialmonitor.web.urls import href

router = APIRouter(dependencies=[Depends(csrf_protected)])

ROLE_LABELS = {
    Role.READER: "Lesen (intern)",
    Role.EDITOR: "Redaktion",
    Role.PUBLISHER: "Veröffentlichung",
    Role.ADMINISTRATOR: "Administration",
}
"""German names of the roles (translated in ``translations/en/administration.yaml``)."""

CRUMB = ("Verwaltung", "/verwaltung")


@dataclass(frozen=True, kw_only=True)
class AdministrationPage:
    """The administration's start page: who is signed in, with which rights."""

    name: str
    role: str
    """The role's label."""
    area: str
    """The area scope, or that there is none."""
    signed_in_at: str
    csrf_token: str
    may_manage_users: bool
    may_import: bool = False
    """Editors and above: the link to the upload page."""
    may_edit: bool = False
    """Editors and above: releases and indicator metadata."""
    may_read_audit: bool = False
    """Administrators: the audit log."""


@dataclass(frozen=True, kw_only=True)
class ForbiddenPage:
    role: str
    needed: str


def translator(request: Request) -> Translator:
    return Translator(lang=request_language(request))


@dataclass(frozen=True, kw_only=True)
class AdminNotFound:
    """An administration page for a release or indicator that does not exist."""

    text: str
    back_url: str
    back_label: str


def not_found(
    request: Request, *, text: str, section: tuple[str, str], back_label: str
) -> Response:
    """The 404 page of an administration section (``section``: its translated
    label and path), with a way back to the section's list."""
    t = translator(request)
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Nicht gefunden"),
        crumbs=(CRUMB, section),
    )
    response = render(
        request,
        "admin_not_found.html",
        frame=frame,
        page=AdminNotFound(
            text=text,
            back_url=href(section[1], request_language(request)),
            back_label=back_label,
        ),
    )
    response.status_code = 404
    return no_store(response)


def forbidden(request: Request, user: SignedIn, needed: Role) -> HTMLResponse:
    t = translator(request)
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Keine Berechtigung"),
        crumbs=(CRUMB,),
    )
    response = render(
        request,
        "forbidden.html",
        frame=frame,
        page=ForbiddenPage(
            role=t(ROLE_LABELS[user.role]), needed=t(ROLE_LABELS[needed])
        ),
    )
    response.status_code = 403
    return no_store(response)


def gate(request: Request, needed: Role) -> SignedIn | Response:
    """The signed-in account if its role is ``needed`` or higher, else the answer:
    to the sign-in form (anonymous) or the 403 page."""
    user = current_user(request)
    if user is None:
        return sign_in_redirect(request)
    if user.role < needed:
        return forbidden(request, user, needed)
    return user


@router.get("/verwaltung", response_class=HTMLResponse)
def administration(request: Request) -> Response:
    user = gate(request, Role.READER)
    if not isinstance(user, SignedIn):
        return user
    t = translator(request)
    lang = request_language(request)
    with engine_of(request).connect() as conn:
        signed_in_at = sessions.signed_in_at(conn, user.session_id)
    content = AdministrationPage(
        name=user.account.name,
        role=t(ROLE_LABELS[user.role]),
        area=user.area_code or t("alle Gebiete"),
        signed_in_at=local_time(signed_in_at, lang),
        csrf_token=user.csrf_token,
        may_manage_users=may(user.role, Action.MANAGE_USERS),
        may_import=may(user.role, Action.IMPORT),
        may_edit=may(user.role, Action.EDIT_METADATA),
        may_read_audit=may(user.role, Action.READ_AUDIT),
    )
    frame = frame_for(request, current_snapshot(request), title=t("Verwaltung"))
    return no_store(render(request, "administration.html", frame=frame, page=content))


def local_time(value: dt.datetime | None, lang: Language) -> str:
    """``06.12.2026, 23:10`` in the portal's (German) time zone."""
    if value is None:
        return ""
    local = value.astimezone(formatting.PORTAL_ZONE)
    return f"{formatting.date(local, lang)}, {local:%H:%M}"
