"""Indicator metadata in the administration (``/verwaltung/indikatoren``), for
editors and above: the list (search and topic filter) and one indicator's form.

The form is checked by the domain model (``domain.indicator.Indicator``), its
findings shown at their fields in German; the save refuses a change when someone
else changed the indicator after the form was opened (a hidden fingerprint), and
goes through ``store.indicator_edit`` — audit log, and for a changed ``min_count``
the suppression patterns of every published release computed again, in the same
transaction. What a value *is* (id, kind, multiplier) is not edited here: that
changes what the stored numbers mean and belongs to a catalogue import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from sozialmonitor.access.roles import Role
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import (
    REQUIRED_CATALOGUE_FIELDS,
    Indicator,
    Polarity,
    Visibility,
)
from sozialmonitor.errors import StaleEditError, UnknownIndicatorError
from sozialmonitor.store import queries
from sozialmonitor.store.indicator_edit import (
    edit_indicator,
    fingerprint,
    stored_indicator,
)
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
    gate,
    not_found,
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

LIST_PATH = "/verwaltung/indikatoren"
MAX_QUERY_CHARS = 200


@dataclass(frozen=True, kw_only=True)
class FieldSpec:
    name: str
    label: str
    """German label."""
    widget: str
    """``text``, ``textarea``, ``number`` or ``select``."""
    hint: str = ""


FIELDS = (
    FieldSpec(name="name", label="Name", widget="text"),
    FieldSpec(
        name="short_name",
        label="Kurzname",
        widget="text",
        hint="Leer lassen: wie der Name.",
    ),
    FieldSpec(name="topic", label="Themenfeld", widget="text"),
    FieldSpec(name="unit", label="Einheit", widget="text"),
    FieldSpec(name="definition", label="Definition", widget="textarea"),
    FieldSpec(name="numerator", label="Zähler", widget="text"),
    FieldSpec(name="denominator", label="Nenner (Bezugsgröße)", widget="text"),
    FieldSpec(
        name="decimals",
        label="Nachkommastellen",
        widget="number",
        hint="0 bis 6.",
    ),
    FieldSpec(name="polarity", label="Polarität", widget="select"),
    FieldSpec(name="source", label="Quelle", widget="textarea"),
    FieldSpec(name="licence", label="Lizenz", widget="text"),
    FieldSpec(name="update_cycle", label="Aktualisierung", widget="text"),
    FieldSpec(
        name="name_en",
        label="Name (englisch)",
        widget="text",
        hint="Leer lassen: die englischen Seiten zeigen den deutschen Namen mit "
        "einem Hinweis.",
    ),
    FieldSpec(
        name="short_name_en",
        label="Kurzname (englisch)",
        widget="text",
        hint="Leer lassen: wie der englische Name.",
    ),
    FieldSpec(name="topic_en", label="Themenfeld (englisch)", widget="text"),
    FieldSpec(name="unit_en", label="Einheit (englisch)", widget="text"),
    FieldSpec(name="definition_en", label="Definition (englisch)", widget="textarea"),
    FieldSpec(
        name="keywords",
        label="Schlagwörter",
        widget="text",
        hint="Durch Semikolon getrennt.",
    ),
    FieldSpec(
        name="visibility",
        label="Sichtbarkeit",
        widget="select",
        hint="Intern: nur für angemeldete Konten sichtbar.",
    ),
    FieldSpec(
        name="min_count",
        label="Mindestfallzahl",
        widget="number",
        hint="Kleinere Fallzahlen werden geheim gehalten; eine Änderung berechnet "
        "die Geheimhaltung aller veröffentlichten Datenstände sofort neu.",
    ),
)
"""The fields the form edits, in its order."""
EDITABLE = tuple(f.name for f in FIELDS)
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "polarity": (
        (Polarity.HIGHER_IS_BETTER.value, "höher ist besser"),
        (Polarity.HIGHER_IS_WORSE.value, "höher ist schlechter"),
        (Polarity.NEUTRAL.value, "neutral"),
    ),
    "visibility": (
        (Visibility.PUBLIC.value, "öffentlich"),
        (Visibility.INTERNAL.value, "intern"),
    ),
}


@dataclass(frozen=True, kw_only=True)
class IndicatorRow:
    name: str
    code: str
    url: str
    topic: str
    visibility: str
    min_count: int


@dataclass(frozen=True, kw_only=True)
class IndicatorsPage:
    rows: tuple[IndicatorRow, ...]
    total: int
    query: str
    topics: tuple[Option, ...]


@dataclass(frozen=True, kw_only=True)
class FormField:
    name: str
    label: str
    widget: str
    value: str
    hint: str
    error: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, kw_only=True)
class IndicatorForm:
    code: str
    kind: str
    multiplier: str
    fields: tuple[FormField, ...]
    fingerprint: str
    csrf_token: str
    action_url: str
    message: str = ""
    message_is_error: bool = False


@router.get(LIST_PATH, response_class=HTMLResponse)
def indicators(request: Request) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    t, lang = translator(request), request_language(request)
    query = request.query_params.get("q", "")[:MAX_QUERY_CHARS].strip()
    topic = request.query_params.get("thema", "")
    with engine_of(request).connect() as conn:
        found = queries.list_indicators(conn, audience=Audience.INTERNAL)
    topics = sorted({i.topic for i in found}, key=german_key)
    needle = query.casefold()
    rows = tuple(
        IndicatorRow(
            name=i.name,
            code=i.id,
            url=href(f"{LIST_PATH}/{quote(i.id, safe='')}", lang),
            topic=i.topic,
            visibility=t("öffentlich" if i.is_public else "intern"),
            min_count=i.min_count,
        )
        for i in found
        if (not topic or i.topic == topic)
        and (
            not needle
            or needle in i.name.casefold()
            or needle in i.id.casefold()
            or needle in i.short_name.casefold()
        )
    )
    content = IndicatorsPage(
        rows=rows,
        total=len(found),
        query=query,
        topics=(
            Option(value="", label=t("alle Themenfelder"), selected=not topic),
            *(Option(value=x, label=x, selected=x == topic) for x in topics),
        ),
    )
    frame = frame_for(
        request, current_snapshot(request), title=t("Kennzahlen"), crumbs=(CRUMB,)
    )
    return no_store(render(request, "indicators_admin.html", frame=frame, page=content))


def _form_value(indicator: Indicator, name: str) -> str:
    value = getattr(indicator, name)
    if name == "keywords":
        return "; ".join(value)
    if hasattr(value, "value"):
        return str(value.value)
    return str(value)


def _page(
    request: Request,
    user: SignedIn,
    code: str,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    opened: str,
    stored: Indicator,
    message: str = "",
    is_error: bool = False,
    status_code: int = 200,
) -> Response:
    t, lang = translator(request), request_language(request)
    fields = tuple(
        FormField(
            name=spec.name,
            label=t(spec.label),
            widget=spec.widget,
            value=values[spec.name],
            hint=t(spec.hint) if spec.hint else "",
            error=errors.get(spec.name, ""),
            options=tuple(
                Option(value=v, label=t(label), selected=v == values[spec.name])
                for v, label in CHOICES.get(spec.name, ())
            ),
        )
        for spec in FIELDS
    )
    content = IndicatorForm(
        code=code,
        kind=stored.kind.value,
        multiplier=f"{stored.multiplier:g}",
        fields=fields,
        fingerprint=opened,
        csrf_token=user.csrf_token,
        action_url=href(f"{LIST_PATH}/{quote(code, safe='')}", lang),
        message=message,
        message_is_error=is_error,
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Kennzahl {code} bearbeiten", code=code),
        crumbs=(CRUMB, (t("Kennzahlen"), LIST_PATH)),
    )
    response = render(request, "indicator_edit.html", frame=frame, page=content)
    response.status_code = status_code
    return no_store(response)


def _missing(request: Request, code: str) -> Response:
    t = translator(request)
    return not_found(
        request,
        text=t("Es gibt keine Kennzahl „{code}“.", code=code),
        section=(t("Kennzahlen"), LIST_PATH),
        back_label=t("Zu den Kennzahlen"),
    )


@router.get(LIST_PATH + "/{indicator_id}", response_class=HTMLResponse)
def indicator_form(request: Request, indicator_id: str) -> Response:
    code = indicator_id
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    with engine_of(request).connect() as conn:
        try:
            stored = stored_indicator(conn, code)
        except UnknownIndicatorError:
            return _missing(request, code)
    saved = request.query_params.get("gespeichert") == "1"
    return _page(
        request,
        user,
        code,
        values={name: _form_value(stored, name) for name in EDITABLE},
        errors={},
        opened=fingerprint(stored),
        stored=stored,
        message=translator(request)("Die Änderungen sind gespeichert.")
        if saved
        else "",
    )


def field_messages(error: ValidationError, t: Translator) -> dict[str, str]:
    """German (or English) messages per field for the domain model's findings."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        messages.setdefault(name, _message(problem, t))
    return messages


def _message(problem: Any, t: Translator) -> str:
    kind = problem["type"]
    context = problem.get("ctx") or {}
    if kind == "int_parsing" or kind == "int_from_float":
        return t("Bitte eine ganze Zahl eingeben.")
    if kind == "greater_than_equal":
        return t("Der Wert muss mindestens {n} sein.", n=context.get("ge"))
    if kind == "less_than_equal":
        return t("Der Wert darf höchstens {n} sein.", n=context.get("le"))
    if kind == "enum":
        return t("Bitte eine der angebotenen Möglichkeiten wählen.")
    text = str(problem.get("msg", ""))
    if "characters, more than" in text:
        return t("Der Text ist zu lang; bitte kürzen.")
    if "control character" in text:
        return t("Der Text enthält ein Steuerzeichen; bitte entfernen.")
    if "spreadsheet formula" in text:
        return t(
            "Der Text beginnt wie eine Tabellenformel (= oder @); bitte den Text "
            "selbst eingeben."
        )
    return t("Dieser Wert ist nicht zulässig.")


@router.post(LIST_PATH + "/{indicator_id}")
async def save_indicator(request: Request, indicator_id: str) -> Response:
    """Save an indicator's metadata (editors and above)."""
    code = indicator_id
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    t = translator(request)
    form = await form_of(request)
    with engine_of(request).connect() as conn:
        try:
            stored = stored_indicator(conn, code)
        except UnknownIndicatorError:
            return _missing(request, code)
    values = {name: form.get(name, "").strip() for name in EDITABLE}
    opened = form.get("fassung", "")
    errors = {
        name: t("Bitte ausfüllen.")
        for name in REQUIRED_CATALOGUE_FIELDS
        if name in values and not values[name]
    }
    edited = None
    try:
        edited = Indicator.model_validate(stored.to_dict() | values)
    except ValidationError as error:
        errors = field_messages(error, t) | errors
    if edited is None or errors:
        return _page(
            request,
            user,
            code,
            values=values,
            errors=errors,
            opened=opened,
            stored=stored,
            message=t("Bitte korrigieren Sie die markierten Felder."),
            is_error=True,
            status_code=422,
        )
    try:
        with engine_of(request).begin() as conn:
            edit_indicator(
                conn,
                edited,
                opened=opened,
                actor=user.account.name,
                address=client_address(request),
            )
    except StaleEditError:
        return _page(
            request,
            user,
            code,
            values=values,
            errors={},
            opened=opened,
            stored=stored,
            message=t(
                "Jemand anderes hat diese Kennzahl geändert, seit Sie das Formular "
                "geöffnet haben. Es wurde nichts gespeichert. Öffnen Sie die "
                "Kennzahl neu und wiederholen Sie Ihre Änderung."
            ),
            is_error=True,
            status_code=409,
        )
    target = href(
        f"{LIST_PATH}/{quote(code, safe='')}", request_language(request), gespeichert=1
    )
    return no_store(RedirectResponse(target, status_code=303))
