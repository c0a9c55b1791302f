"""The form of a finding or recommendation (``recommendation_editing.py``): its
fields per kind, named as the import file's columns, their choices and values, and
the German message at a field for each finding of the import's checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sozialmonitor.domain.qualitative import (
    Addressee,
    QualitativeRecord,
    RecordKind,
    RecordVisibility,
    SourceKind,
    Status,
    label,
    may_follow,
)
from sozialmonitor.ingest.report import Finding
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.pages.indicator_editing import FieldSpec, FormField

CODES_HINT = "Codes durch Semikolon getrennt."

COMMON = (
    FieldSpec(
        name="code",
        label="Code",
        widget="text",
        hint="Der eigene Schlüssel, z. B. E-2024-03: Buchstaben, Ziffern, Punkt, "
        "Unterstrich und Bindestrich.",
    ),
    FieldSpec(name="title", label="Titel", widget="text"),
    FieldSpec(
        name="text",
        label="Text",
        widget="textarea",
        hint="Markdown: **fett**, *kursiv*, Listen mit -, Links. HTML wird als Text "
        "gezeigt.",
    ),
    FieldSpec(
        name="visibility",
        label="Sichtbarkeit",
        widget="select",
        hint="Intern: nur für angemeldete Konten der Verwaltung sichtbar.",
    ),
    FieldSpec(name="topic", label="Themenfeld", widget="select"),
    FieldSpec(
        name="period",
        label="Zeitraum",
        widget="text",
        hint="Zum Beispiel 2021 oder 2022-H1; leer lassen: keiner.",
    ),
    FieldSpec(
        name="indicators",
        label="Kennzahlen",
        widget="text",
        hint=CODES_HINT + " Zum Beispiel: unemployment_share",
    ),
    FieldSpec(
        name="areas",
        label="Gebiete",
        widget="text",
        hint="Gebietsschlüssel durch Semikolon getrennt, z. B. 03241001; 03241009",
    ),
)
FINDING_FIELDS = (
    FieldSpec(name="source_kind", label="Art der Quelle", widget="select"),
    FieldSpec(
        name="source_group",
        label="Gruppe",
        widget="text",
        hint="Der Name der Gruppe, nie eine Person, z. B. Fachkräfte Jugendhilfe.",
    ),
    FieldSpec(
        name="source_date",
        label="Datum",
        widget="text",
        hint="Zum Beispiel 05.03.2024.",
    ),
    FieldSpec(name="participants", label="Teilnehmende", widget="number"),
)
RECOMMENDATION_FIELDS = (
    FieldSpec(
        name="rationale", label="Begründung", widget="textarea", hint="Markdown."
    ),
    FieldSpec(
        name="findings",
        label="Beruht auf (Erkenntnisse)",
        widget="text",
        hint="Codes der Erkenntnisse durch Semikolon getrennt.",
    ),
    FieldSpec(name="addressee", label="Adressat", widget="select"),
    FieldSpec(name="responsible_unit", label="Zuständig", widget="text"),
    FieldSpec(
        name="estimated_cost",
        label="Geschätzte Kosten (Euro)",
        widget="number",
        hint="Zum Beispiel 25000; leer lassen: nicht geschätzt.",
    ),
    FieldSpec(
        name="outcome_indicators",
        label="Wirkung ablesbar an (Kennzahlen)",
        widget="text",
        hint=CODES_HINT,
    ),
    FieldSpec(name="status", label="Stand", widget="select"),
    FieldSpec(
        name="status_date",
        label="Datum des Stands",
        widget="text",
        hint="Wann der Stand erreicht wurde, z. B. der Tag des Beschlusses "
        "(31.12.2024); leer lassen: heute.",
    ),
)
FIELDS = {
    RecordKind.FINDING: COMMON + FINDING_FIELDS,
    RecordKind.RECOMMENDATION: COMMON + RECOMMENDATION_FIELDS,
}
"""The form's fields per kind, in its order; named as the import file's columns."""


@dataclass(frozen=True, kw_only=True)
class RecordForm:
    kind: str
    kind_text: str
    new: bool
    """A record not yet stored (its code is a field)."""
    code: str
    fields: tuple[FormField, ...]
    fingerprint: str
    csrf_token: str
    action_url: str
    cancel_url: str
    message: str = ""


def choices(
    name: str, kind: RecordKind, topics: list[str], current: Status | None
) -> tuple[tuple[str, str], ...]:
    if name == "visibility":
        return tuple((v.value, label(v)) for v in RecordVisibility)
    if name == "topic":
        return (("", "keines"), *((x, x) for x in topics))
    if name == "source_kind":
        return tuple((v.value, label(v)) for v in SourceKind)
    if name == "addressee":
        return (("", "keiner"), *((v.value, label(v)) for v in Addressee))
    if name == "status" and kind is RecordKind.RECOMMENDATION:
        return tuple((v.value, label(v)) for v in Status if may_follow(current, v))
    return ()


def form_values(record: QualitativeRecord | None) -> dict[str, str]:
    """The form's values of a stored record (or of a new one)."""
    if record is None:
        return {"visibility": RecordVisibility.INTERNAL.value, "status_date": ""}
    source = record.source
    cost = record.estimated_cost
    return {
        "code": record.code,
        "title": record.title,
        "text": record.text,
        "visibility": record.visibility.value,
        "topic": record.topic,
        "period": record.period,
        "indicators": "; ".join(record.indicators),
        "areas": "; ".join(record.areas),
        "source_kind": source.kind.value if source else "",
        "source_group": source.group if source else "",
        "source_date": source.date.strftime("%d.%m.%Y")
        if source and source.date
        else "",
        "participants": str(source.participants)
        if source and source.participants
        else "",
        "rationale": record.rationale,
        "findings": "; ".join(record.findings),
        "addressee": record.addressee.value if record.addressee else "",
        "responsible_unit": record.responsible_unit,
        "estimated_cost": f"{cost:g}" if cost is not None else "",
        "outcome_indicators": "; ".join(record.outcome_indicators),
        "status": record.status.value if record.status else "",
        "status_date": "",
    }


def field_error(finding: Finding, t: Translator) -> str:
    """The German (or English) message at a field for a finding of the import's
    checks (``ingest.qualitative``)."""
    value = finding.value or ""
    messages = {
        "missing-value": t("Bitte ausfüllen."),
        "invalid-code": t(
            "Bitte bis zu 60 Buchstaben, Ziffern, Punkte, Unterstriche und "
            "Bindestriche verwenden (z. B. E-2024-03)."
        ),
        "unknown-topic": t("Bitte ein Themenfeld des Kennzahlenkatalogs wählen."),
        "invalid-period": t("Bitte einen Zeitraum wie 2021 oder 2022-H1 eingeben."),
        "unknown-indicator": t("Es gibt keine Kennzahl „{code}“.", code=value),
        "unknown-area-code": t(
            "Es gibt kein Gebiet mit dem Schlüssel „{code}“.", code=value
        ),
        "unknown-finding": t("Es gibt keine Erkenntnis „{code}“.", code=value),
        "invalid-date": t("Bitte ein Datum wie 31.12.2024 eingeben."),
        "invalid-number": t(
            "Bitte eine Zahl von 0 an ohne Einheit eingeben, z. B. 12 oder 25000."
        ),
        "invalid-value": t("Bitte eine der angebotenen Möglichkeiten wählen."),
        "invalid-text": t(
            "Der Text ist zu lang, enthält ein Steuerzeichen oder beginnt wie eine "
            "Tabellenformel (= oder @); bitte korrigieren."
        ),
        "invalid-status-change": t(
            "Der Stand geht nur vorwärts: vorgeschlagen, beschlossen, in Umsetzung, "
            "umgesetzt; verworfen aus jedem offenen Stand."
        ),
    }
    if finding.code == "invalid-number" and finding.column == "participants":
        return t("Bitte eine ganze Zahl von 1 bis 100.000 eingeben.")
    return messages.get(finding.code, t("Dieser Wert ist nicht zulässig."))
