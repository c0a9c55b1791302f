"""The administration (``/verwaltung``): its start page for every signed-in role,
and the accounts page for administrators (role changes, disabling).

Anonymous visitors are sent to the sign-in form (and brought back); a signed-in
account without the role a page needs gets a 403 page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialmonitor.access import accounts, sessions
from sozialmonitor.access.roles import ACCOUNT_ROLES, Action, Role, may
from sozialmonitor.errors import AccountError
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    render,
    request_language,
)
from sozialmonitor.web.session import (
    SignedIn,
    client_address,
    csrf_protected,
    current_user,
    engine_of,
    form_of,
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


@dataclass(frozen=True, kw_only=True)
class AccountRow:
    name: str
    role: str
    area: str
    active: bool
    own: bool
    """The signed-in administrator's own account (not changeable here)."""
    roles: tuple[Option, ...]


@dataclass(frozen=True, kw_only=True)
class AccountsPage:
    accounts: tuple[AccountRow, ...]
    csrf_token: str
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class ForbiddenPage:
    role: str
    needed: str


def _t(request: Request) -> Translator:
    return Translator(lang=request_language(request))


def forbidden(request: Request, user: SignedIn, needed: Role) -> HTMLResponse:
    t = _t(request)
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
    t = _t(request)
    lang = request_language(request)
    with engine_of(request).connect() as conn:
        signed_in_at = sessions.signed_in_at(conn, user.session_id)
    content = AdministrationPage(
        name=user.account.name,
        role=t(ROLE_LABELS[user.role]),
        area=user.area_code or t("alle Gebiete"),
        signed_in_at=_time(signed_in_at, lang),
        csrf_token=user.csrf_token,
        may_manage_users=may(user.role, Action.MANAGE_USERS),
        may_import=may(user.role, Action.IMPORT),
        may_edit=may(user.role, Action.EDIT_METADATA),
    )
    frame = frame_for(request, current_snapshot(request), title=t("Verwaltung"))
    return no_store(render(request, "administration.html", frame=frame, page=content))


def _time(value: dt.datetime | None, lang: Language) -> str:
    """``06.12.2026, 23:10`` in the portal's (German) time zone."""
    if value is None:
        return ""
    local = value.astimezone(formatting.PORTAL_ZONE)
    return f"{formatting.date(local, lang)}, {local:%H:%M}"


def _accounts_page(request: Request, user: SignedIn, message: str = "") -> Response:
    t = _t(request)
    with engine_of(request).connect() as conn:
        found = accounts.all_accounts(conn)
    rows = tuple(
        AccountRow(
            name=a.name,
            role=t(ROLE_LABELS[a.role]),
            area=a.area_code or t("alle Gebiete"),
            active=a.active,
            own=a.name == user.account.name,
            roles=tuple(
                Option(value=r.value, label=t(ROLE_LABELS[r]), selected=r is a.role)
                for r in ACCOUNT_ROLES
            ),
        )
        for a in found
    )
    frame = frame_for(
        request, current_snapshot(request), title=t("Konten"), crumbs=(CRUMB,)
    )
    content = AccountsPage(accounts=rows, csrf_token=user.csrf_token, message=message)
    return no_store(render(request, "accounts.html", frame=frame, page=content))


@router.get("/verwaltung/konten", response_class=HTMLResponse)
def accounts_page(request: Request) -> Response:
    user = gate(request, Role.ADMINISTRATOR)
    if not isinstance(user, SignedIn):
        return user
    return _accounts_page(request, user)


async def _account_change(request: Request, kind: str) -> Response:
    user = gate(request, Role.ADMINISTRATOR)
    if not isinstance(user, SignedIn):
        return user
    form = await form_of(request)
    name = form.get("name", "")
    if name == user.account.name:
        return _accounts_page(
            request, user, _t(request)("Das eigene Konto ändern Sie hier nicht.")
        )
    try:
        with engine_of(request).begin() as conn:
            if kind == "role":
                accounts.change_role(
                    conn,
                    name,
                    accounts.role_of(form.get("role", "")),
                    actor=user.account.name,
                    address=client_address(request),
                )
            else:
                accounts.disable(
                    conn, name, actor=user.account.name, address=client_address(request)
                )
    except AccountError:
        return _accounts_page(
            request, user, _t(request)("Diese Änderung ist nicht möglich.")
        )
    target = href("/verwaltung/konten", request_language(request))
    return no_store(RedirectResponse(target, status_code=303))


@router.post("/verwaltung/konten/rolle")
async def change_role(request: Request) -> Response:
    """Give another account a role (administrators)."""
    return await _account_change(request, "role")


@router.post("/verwaltung/konten/sperren")
async def disable_account(request: Request) -> Response:
    """Disable another account (administrators); its sessions and tokens end."""
    return await _account_change(request, "disable")
