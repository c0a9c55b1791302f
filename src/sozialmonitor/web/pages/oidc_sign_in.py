"""Signing in through the configured OpenID Connect provider (Keycloak, ADFS …):
``/anmelden/oidc`` starts, ``/anmelden/oidc/rueckkehr`` is where the provider sends
the browser back, ``/anmelden/oidc/fehler`` says what went wrong.

The start sets the only cookie before a sign-in, and only for someone who chose
this way of signing in: a random binding of the started sign-in to this browser,
HttpOnly, for ten minutes, on ``/anmelden/oidc`` alone. It is SameSite=Lax because
the provider's redirect back is a cross-site navigation, which would not carry a
Strict cookie. The answer deletes it and, when everything is right, sets the
session cookie with a new id (SameSite=Strict, as after a local sign-in).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sozialmonitor.access import sessions
from sozialmonitor.access.oidc import flow, login
from sozialmonitor.access.oidc.failure import OidcError, Reason
from sozialmonitor.access.oidc.provider import Provider
from sozialmonitor.web.i18n import Translator, language_of
from sozialmonitor.web.page import current_snapshot, frame_for, render, request_language
from sozialmonitor.web.session import (
    access_settings,
    client_address,
    csrf_protected,
    current_user,
    engine_of,
    no_store,
    safe_next,
    set_session_cookie,
)
from sozialmonitor.web.urls import href

router = APIRouter(dependencies=[Depends(csrf_protected)])

START_PATH = "/anmelden/oidc"
FAILURE_PATH = "/anmelden/oidc/fehler"
SECURE_BINDING_COOKIE = "__Secure-sozialmonitor-oidc"
"""Over https (``__Secure-``: the browser insists on Secure; ``__Host-`` would
need Path=/)."""
DEVELOPMENT_BINDING_COOKIE = "sozialmonitor-oidc"
BINDING_MAX_AGE = int(login.LIFETIME.total_seconds())
ANSWER_FIELDS = ("state", "code", "error")
"""What the callback reads of the provider's answer; the rest is ignored."""
STATUS = {
    Reason.UNAVAILABLE: 503,
    Reason.PROVIDER_ERROR: 502,
    Reason.DENIED: 403,
}


@dataclass(frozen=True, kw_only=True)
class OidcErrorPage:
    """What went wrong when signing in through the provider."""

    message: str
    """What happened and what to do, in the page's language."""
    retry_url: str
    """The sign-in page, to start again."""


@dataclass(frozen=True, kw_only=True)
class OidcSignedInPage:
    """Signed in; the page goes on to where the visitor wanted at once."""

    next_url: str
    """A path on this site."""


def provider_of(request: Request) -> Provider:
    """The configured provider; 404 when the portal has none."""
    found = getattr(request.app.state, "oidc", None)
    if not isinstance(found, Provider):
        raise HTTPException(status_code=404)
    return found


def _binding_cookie(request: Request) -> tuple[str, bool]:
    secure = access_settings(request).cookie.secure
    return (SECURE_BINDING_COOKIE if secure else DEVELOPMENT_BINDING_COOKIE), secure


def _messages(t: Translator, name: str) -> dict[Reason, str]:
    ask_admin = t("Bitte wenden Sie sich an die Administration des Sozialmonitors.")
    return {
        Reason.EXPIRED: t(
            "Die Anmeldung ist abgelaufen, wurde schon abgeschlossen oder in einem "
            "anderen Browser begonnen. Bitte starten Sie sie erneut."
        ),
        Reason.DENIED: t(
            "Die Anmeldung bei {name} wurde abgebrochen oder abgelehnt.", name=name
        ),
        Reason.UNAVAILABLE: t(
            "{name} ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.",
            name=name,
        ),
        Reason.PROVIDER_ERROR: t(
            "Die Antwort von {name} ist nicht verwendbar.", name=name
        )
        + " "
        + ask_admin,
        Reason.TOKEN_REFUSED: t(
            "{name} hat die Anmeldung nicht bestätigt. Bitte starten Sie sie erneut.",
            name=name,
        ),
        Reason.INVALID_TOKEN: t("Die Bestätigung von {name} ist ungültig.", name=name)
        + " "
        + ask_admin,
        Reason.NO_SECOND_FACTOR: t(
            "Für den Sozialmonitor ist eine Anmeldung mit zweitem Faktor nötig. "
            "Bitte melden Sie sich bei {name} mit zweitem Faktor an.",
            name=name,
        ),
        Reason.NO_ACCOUNT: t("Zu Ihrer Anmeldung gibt es kein Konto im Sozialmonitor.")
        + " "
        + ask_admin,
        Reason.NO_ROLE: t(
            "Ihrer Anmeldung ist keine Rolle im Sozialmonitor zugeordnet."
        )
        + " "
        + ask_admin,
    }


def _failure_page(request: Request, reason: Reason) -> HTMLResponse:
    lang = request_language(request)
    t = Translator(lang=lang)
    found = getattr(request.app.state, "oidc", None)
    name = found.settings.display_name if isinstance(found, Provider) else "?"
    frame = frame_for(
        request, current_snapshot(request), title=t("Anmeldung nicht möglich")
    )
    content = OidcErrorPage(
        message=_messages(t, name)[reason], retry_url=href("/anmelden", lang)
    )
    response = render(request, "oidc_failure.html", frame=frame, page=content)
    response.status_code = STATUS.get(reason, 400)
    return no_store(response)


def _signed_in_page(request: Request, done: flow.Finished) -> Response:
    """A page, not a redirect: the browser arrives here from the provider, a
    cross-site navigation, and would not send the SameSite=Strict session cookie
    along a redirect of it; the page's own refresh is a same-site navigation."""
    t = Translator(lang=request_language(request))
    frame = frame_for(request, current_snapshot(request), title=t("Angemeldet"))
    content = OidcSignedInPage(next_url=safe_next(done.next_url))
    return no_store(render(request, "oidc_signed_in.html", frame=frame, page=content))


@router.get(START_PATH)
def oidc_start(request: Request, weiter: str | None = None) -> Response:
    """Send the browser to the provider, with a new state, nonce and PKCE
    challenge; set the binding cookie."""
    provider = provider_of(request)
    target = safe_next(weiter)
    if current_user(request) is not None:
        return RedirectResponse(target, status_code=303)
    try:
        begun = flow.start(
            engine_of(request),
            provider,
            next_url=target,
            lang=request_language(request),
            address=client_address(request),
        )
    except OidcError as failure:
        return _failure_page(request, failure.reason)
    response = RedirectResponse(begun.authorization_url, status_code=303)
    name, secure = _binding_cookie(request)
    response.set_cookie(
        name,
        begun.binding,
        max_age=BINDING_MAX_AGE,
        path=START_PATH,
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    return no_store(response)


@router.get(START_PATH + "/rueckkehr")
async def oidc_callback(request: Request) -> Response:
    """The provider's answer: checked, then signed in (or told why not)."""
    provider = provider_of(request)
    params = {
        key: request.query_params[key][:4096]
        for key in ANSWER_FIELDS
        if key in request.query_params
    }
    cookie_name, secure = _binding_cookie(request)
    binding = request.cookies.get(cookie_name, "")
    address = client_address(request)
    engine = engine_of(request)
    try:
        done = await run_in_threadpool(
            flow.finish, engine, provider, params, binding=binding, address=address
        )
    except OidcError as failure:
        lang = language_of(failure.lang)
        response = RedirectResponse(
            href(FAILURE_PATH, lang, grund=failure.reason.value), status_code=303
        )
    else:
        before = current_user(request)
        if before is not None:  # signing in anew ends the session one had
            with engine.begin() as conn:
                sessions.end(conn, before.session_id)
        response = _signed_in_page(request, done)
        set_session_cookie(request, response, done.session_id)
    if cookie_name in request.cookies:  # no cookie header for anyone without one
        response.delete_cookie(
            cookie_name, path=START_PATH, secure=secure, httponly=True, samesite="lax"
        )
    return no_store(response)


@router.get(FAILURE_PATH, response_class=HTMLResponse)
def oidc_failure(request: Request, grund: str = "") -> Response:
    """Why signing in through the provider did not work, and the way back."""
    try:
        reason = Reason(grund)
    except ValueError:
        reason = Reason.EXPIRED
    return _failure_page(request, reason)
