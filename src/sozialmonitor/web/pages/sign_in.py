"""Signing in (``/anmelden``: password, then the second factor) and out
(``/abmelden``).

No step before the last sets a cookie: between the two steps the half-signed-in
session's id travels in a hidden field of the second form. Only a right second
factor sets the session cookie — with a new id, whatever cookie came along.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialmonitor.access import sessions
from sozialmonitor.access.ratelimit import WINDOW
from sozialmonitor.access.sign_in import (
    Outcome,
    Result,
    password_step,
    second_factor_step,
    sign_out,
)
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import current_snapshot, frame_for, render, request_language
from sozialmonitor.web.session import (
    clear_session_cookie,
    client_address,
    csrf_protected,
    current_user,
    engine_of,
    form_of,
    no_store,
    safe_next,
    set_session_cookie,
)
from sozialmonitor.web.urls import href

router = APIRouter(dependencies=[Depends(csrf_protected)])

# The name of a form step, not a password (bandit B105).
PASSWORD_STEP = "password"  # nosec B105
SECOND_STEP = "second-factor"


@dataclass(frozen=True, kw_only=True)
class SignInPage:
    """The sign-in form, at its first or its second step."""

    step: str
    """``password`` or ``second-factor``."""
    name: str
    """The name typed at the first step (shown again after an error)."""
    next_url: str
    """Where to go after signing in (a path on this site)."""
    pending: str = ""
    """The half-signed-in session's id (second step only)."""
    error: str = ""
    """What went wrong, said without telling whether the name exists."""


def _page(request: Request, content: SignInPage, status: int = 200) -> HTMLResponse:
    t = Translator(lang=request_language(request))
    frame = frame_for(request, current_snapshot(request), title=t("Anmelden"))
    response = render(request, "sign_in.html", frame=frame, page=content)
    response.status_code = status
    no_store(response)
    return response


@router.get("/anmelden", response_class=HTMLResponse)
def sign_in_form(request: Request, weiter: str | None = None) -> Response:
    """The sign-in form; signed-in visitors go on to where they wanted."""
    target = safe_next(weiter)
    if current_user(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _page(request, SignInPage(step=PASSWORD_STEP, name="", next_url=target))


def _messages(t: Translator) -> dict[Outcome, str]:
    minutes = int(WINDOW.total_seconds() // 60)
    return {
        Outcome.LOCKED: t(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in "
            "{minutes} Minuten erneut.",
            minutes=minutes,
        ),
        Outcome.EXPIRED: t(
            "Die Anmeldung ist abgelaufen. Bitte geben Sie Benutzername und "
            "Passwort erneut ein."
        ),
    }


@router.post("/anmelden", response_class=HTMLResponse)
async def sign_in_submit(request: Request) -> Response:
    """One step of signing in: the password, or the second factor."""
    form = await form_of(request)
    target = safe_next(form.get("weiter"))
    address = client_address(request)
    engine = engine_of(request)
    t = Translator(lang=request_language(request))
    second = form.get("step") == SECOND_STEP
    name = form.get("name", "")[:100]

    def attempt() -> Result:
        with engine.begin() as conn:
            if second:
                return second_factor_step(
                    conn, form.get("pending", ""), form.get("code", ""), address=address
                )
            return password_step(conn, name, form.get("password", ""), address=address)

    result = await run_in_threadpool(attempt)
    if result.outcome is Outcome.SIGNED_IN:
        before = current_user(request)
        if before is not None:  # signing in anew ends the session one had
            with engine.begin() as conn:
                sessions.end(conn, before.session_id)
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(request, response, result.token)
        return no_store(response)
    if result.outcome is Outcome.SECOND_FACTOR:
        return _page(
            request,
            SignInPage(
                step=SECOND_STEP,
                name=result.account.name if result.account else name,
                next_url=target,
                pending=result.token,
            ),
        )
    if result.outcome is Outcome.REFUSED and second:
        return _page(
            request,
            SignInPage(
                step=SECOND_STEP,
                name="",
                next_url=target,
                pending=form.get("pending", ""),
                error=t("Der Code ist falsch oder wurde schon verwendet."),
            ),
            status=400,
        )
    if result.outcome is Outcome.REFUSED:
        error = t("Benutzername oder Passwort ist falsch.")
    else:
        error = _messages(t)[result.outcome]
    status = 429 if result.outcome is Outcome.LOCKED else 400
    return _page(
        request,
        SignInPage(step=PASSWORD_STEP, name=name, next_url=target, error=error),
        status=status,
    )


@router.post("/abmelden")
def sign_out_submit(request: Request) -> Response:
    """End the session (the CSRF check has made sure there is one)."""
    user = current_user(request)
    response = RedirectResponse(href("/", request_language(request)), status_code=303)
    if user is not None:
        with engine_of(request).begin() as conn:
            sign_out(
                conn,
                user.session_id,
                name=user.account.name,
                address=client_address(request),
            )
    clear_session_cookie(request, response)
    return no_store(response)
