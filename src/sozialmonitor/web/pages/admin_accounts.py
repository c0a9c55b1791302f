"""The accounts page for administrators (``/verwaltung/konten``): every account with
its role and area scope, a new account, role changes and disabling.

A new account gets a generated initial password, a TOTP key and ten recovery codes;
they are shown once, as the answer to the form (never stored, never on a page one
can reload with GET).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from sozialmonitor.access import accounts, scope_protection
from sozialmonitor.access.roles import ACCOUNT_ROLES, Role
from sozialmonitor.errors import AccountError, UnknownAreaError
from sozialmonitor.store import queries
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    render,
    request_language,
)
from sozialmonitor.web.pages.administration import (
    CRUMB,
    ROLE_LABELS,
    gate,
    translator,
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

ACCOUNTS_PATH = "/verwaltung/konten"
NEW_PATH = "/verwaltung/konten/neu"
MAX_AREA_CODE_LENGTH = 40
"""Longer than any area code; a longer entry is refused before it is looked up."""
PASSWORD_ATTEMPTS = 100
"""Generated passwords to try before giving up: one may contain a very short name
(the policy refuses that), a hundred in a row all but never do."""


@dataclass(frozen=True, kw_only=True)
class AccountRow:
    name: str
    role: str
    area: str
    active: bool
    own: bool
    """The signed-in administrator's own account (not changeable here)."""
    roles: tuple[Option, ...]
    pending: str = ""
    """While the patterns of the area scope are computed: says so (and how far),
    and that the account reads as the public until then."""


@dataclass(frozen=True, kw_only=True)
class NewAccountForm:
    """The form "Neues Konto": what was entered and what is wrong with it."""

    name: str = ""
    roles: tuple[Option, ...]
    area: str = ""
    name_error: str = ""
    role_error: str = ""
    area_error: str = ""

    @property
    def has_errors(self) -> bool:
        return bool(self.name_error or self.role_error or self.area_error)


@dataclass(frozen=True, kw_only=True)
class AccountsPage:
    accounts: tuple[AccountRow, ...]
    csrf_token: str
    new: NewAccountForm
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class CreatedAccountPage:
    """What the new account's person needs, shown once."""

    name: str
    role: str
    area: str
    pending: str = ""
    """As ``AccountRow.pending``."""
    password: str
    """The generated initial password."""
    totp_uri: str
    """The second factor's key as ``otpauth://`` address."""
    totp_secret: str
    """The same key as base32 text, to type into an app."""
    recovery_codes: tuple[str, ...]


def _role_options(t: Translator, selected: str) -> tuple[Option, ...]:
    return tuple(
        Option(value=r.value, label=t(ROLE_LABELS[r]), selected=r.value == selected)
        for r in ACCOUNT_ROLES
    )


def _accounts_page(
    request: Request,
    user: SignedIn,
    *,
    message: str = "",
    new: NewAccountForm | None = None,
    status_code: int = 200,
) -> Response:
    t = translator(request)
    engine = engine_of(request)
    scope_protection.resume(engine)  # a job whose process ended starts again
    with engine.connect() as conn:
        found = accounts.all_accounts(conn)
    rows = tuple(
        AccountRow(
            name=a.name,
            role=t(ROLE_LABELS[a.role]),
            area=a.area_code or t("alle Gebiete"),
            active=a.active,
            own=a.name == user.account.name,
            roles=_role_options(t, a.role.value),
            pending=_pending(request, a),
        )
        for a in found
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Konten"),
        crumbs=((t(CRUMB[0]), CRUMB[1]),),
    )
    content = AccountsPage(
        accounts=rows,
        csrf_token=user.csrf_token,
        new=new or NewAccountForm(roles=_role_options(t, Role.READER.value)),
        message=message,
    )
    response = render(request, "accounts.html", frame=frame, page=content)
    response.status_code = status_code
    return no_store(response)


@router.get(ACCOUNTS_PATH, response_class=HTMLResponse)
def accounts_page(request: Request) -> Response:
    user = gate(request, Role.ADMINISTRATOR)
    if not isinstance(user, SignedIn):
        return user
    return _accounts_page(request, user)


def _checked_form(
    conn: Connection, t: Translator, name: str, role: str, area: str
) -> NewAccountForm:
    """The form with a message for each field that is wrong (none: fine)."""
    name_error = role_error = area_error = ""
    if not name:
        name_error = t("Bitte geben Sie einen Benutzernamen ein.")
    elif len(name) > accounts.MAX_NAME_LENGTH or not set(name) <= (
        accounts.NAME_CHARACTERS
    ):
        name_error = t(
            "Der Benutzername darf nur aus Kleinbuchstaben, Ziffern und den Zeichen "
            ". _ - @ bestehen (1 bis {n} Zeichen).",
            n=accounts.MAX_NAME_LENGTH,
        )
    elif accounts.find(conn, name) is not None:
        name_error = t("Ein Konto mit diesem Benutzernamen gibt es schon.")
    if role not in {r.value for r in ACCOUNT_ROLES}:
        role_error = t("Bitte wählen Sie eine der Rollen.")
    if area:
        try:
            if len(area) > MAX_AREA_CODE_LENGTH or not area.isprintable():
                raise UnknownAreaError(area[:MAX_AREA_CODE_LENGTH])
            queries.area_id(conn, area)
        except UnknownAreaError:
            area_error = t(
                "Es gibt kein Gebiet mit diesem Gebietsschlüssel. Geben Sie den "
                "Schlüssel eines vorhandenen Gebiets ein oder lassen Sie das Feld "
                "leer (alle Gebiete)."
            )
    return NewAccountForm(
        name=name,
        roles=_role_options(t, role),
        area=area,
        name_error=name_error,
        role_error=role_error,
        area_error=area_error,
    )


def _initial_password(name: str) -> str:
    for _ in range(PASSWORD_ATTEMPTS):
        password = accounts.generate_password()
        if not accounts.password_problems(name, password):
            return password
    raise AccountError(f"No generated password fits the policy for '{name}'.")


@router.get(NEW_PATH)
def new_account_form(request: Request) -> Response:
    """The form is on the accounts page; what a new account got is never shown
    again (it was the answer to the form)."""
    target = href(ACCOUNTS_PATH, request_language(request))
    return no_store(RedirectResponse(f"{target}#neues-konto", status_code=303))


@router.post(NEW_PATH, response_class=HTMLResponse)
async def create_account(request: Request) -> Response:
    """Create an account (administrators) and show its initial password, second
    factor and recovery codes once."""
    user = gate(request, Role.ADMINISTRATOR)
    if not isinstance(user, SignedIn):
        return user
    t = translator(request)
    form = await form_of(request)
    name = form.get("name", "").strip()
    role = form.get("role", "")
    area = form.get("area", "").strip()
    new: accounts.NewAccount | None = None
    password = _initial_password(name)
    try:
        with engine_of(request).begin() as conn:
            checked = _checked_form(conn, t, name, role, area)
            if not checked.has_errors:
                new = accounts.create(
                    conn,
                    name,
                    password,
                    accounts.role_of(role),
                    area_code=area or None,
                    actor=user.account.name,
                    address=client_address(request),
                )
    except (AccountError, IntegrityError):  # the same name, created a moment ago
        with engine_of(request).connect() as conn:
            checked = _checked_form(conn, t, name, role, area)
    if new is None:
        return _accounts_page(
            request,
            user,
            message=t("Das Konto wurde nicht angelegt. Bitte prüfen Sie die Angaben."),
            new=checked,
            status_code=422,
        )
    if new.account.scope_pending and new.account.area_code is not None:
        scope_protection.start(engine_of(request), new.account.area_code)
    return _created_page(request, new, password)


def _pending(request: Request, account: accounts.Account) -> str:
    """What to say of an account whose scope waits for its patterns ("" if none)."""
    if not account.scope_pending or account.area_code is None:
        return ""
    t = translator(request)
    running = scope_protection.progress(engine_of(request), account.area_code)
    if running is not None and running.slices_total:
        return t(
            "Schutz kleiner Fallzahlen wird berechnet ({done} von {total}); bis "
            "dahin sieht das Konto nur öffentliche Werte.",
            done=running.slices_done,
            total=running.slices_total,
        )
    return t(
        "Schutz kleiner Fallzahlen wird berechnet; bis dahin sieht das Konto nur "
        "öffentliche Werte."
    )


def _created_page(
    request: Request, new: accounts.NewAccount, password: str
) -> Response:
    t = translator(request)
    secret = parse_qs(urlsplit(new.totp_uri).query)["secret"][0]
    content = CreatedAccountPage(
        name=new.account.name,
        role=t(ROLE_LABELS[new.account.role]),
        area=new.account.area_code or t("alle Gebiete"),
        pending=_pending(request, new.account),
        password=password,
        totp_uri=new.totp_uri,
        totp_secret=secret,
        recovery_codes=new.recovery_codes,
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Konto {name} angelegt", name=new.account.name),
        crumbs=((t(CRUMB[0]), CRUMB[1]), (t("Konten"), ACCOUNTS_PATH)),
    )
    return no_store(render(request, "account_new.html", frame=frame, page=content))


async def _account_change(request: Request, kind: str) -> Response:
    user = gate(request, Role.ADMINISTRATOR)
    if not isinstance(user, SignedIn):
        return user
    form = await form_of(request)
    name = form.get("name", "")
    t = translator(request)
    if name == user.account.name:
        return _accounts_page(
            request, user, message=t("Das eigene Konto ändern Sie hier nicht.")
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
            request, user, message=t("Diese Änderung ist nicht möglich.")
        )
    target = href(ACCOUNTS_PATH, request_language(request))
    return no_store(RedirectResponse(target, status_code=303))


@router.post("/verwaltung/konten/rolle")
async def change_role(request: Request) -> Response:
    """Give another account a role (administrators)."""
    return await _account_change(request, "role")


@router.post("/verwaltung/konten/sperren")
async def disable_account(request: Request) -> Response:
    """Disable another account (administrators); its sessions and tokens end."""
    return await _account_change(request, "disable")
