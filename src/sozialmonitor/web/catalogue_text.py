"""Catalogue texts (indicator names, units, topics, definitions) in the page's
language: English where the catalogue has it (``name_en``, …), else German — and
then the page says so and marks the text ``lang="de"`` for screen readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.web.i18n import Language, Translator

FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "short_name": "Kurzname",
    "unit": "Einheit",
    "topic": "Themenfeld",
    "definition": "Definition",
}
"""German labels of the translatable fields (for the note naming them)."""


@dataclass(frozen=True, kw_only=True)
class CatalogueText:
    """One catalogue text as a page shows it."""

    text: str
    lang: Language
    """The language the text is in."""
    german_only: bool
    """The page is English, but the catalogue has this text only in German."""


def catalogue_text(indicator: Indicator, field: str, lang: Language) -> CatalogueText:
    """The indicator's ``field`` for a page in ``lang``.

    Examples
    --------
    >>> ind = Indicator(id="x", name="Arbeitslose", unit="%", name_en="Unemployed")
    >>> catalogue_text(ind, "name", "en").text
    'Unemployed'
    >>> catalogue_text(ind, "definition", "en").german_only
    False
    >>> ind = Indicator(id="x", name="Arbeitslose", unit="%", definition="Anzahl")
    >>> catalogue_text(ind, "definition", "en").german_only
    True
    >>> catalogue_text(ind, "unit", "en").german_only  # no words to translate
    False
    """
    text, found = indicator.text_in(field, lang)
    if found == "de" and not _has_words(text):  # "%": the same in every language
        found = lang
    return CatalogueText(
        text=text,
        lang="en" if found == "en" else "de",
        german_only=lang != "de" and found == "de",
    )


def _has_words(text: str) -> bool:
    return any(c.isalpha() for c in text)


def german_only(texts: dict[str, CatalogueText]) -> tuple[str, ...]:
    """The German labels of the fields shown in German on an English page."""
    return tuple(FIELD_LABELS[f] for f, t in texts.items() if t.german_only)


@pass_context
def catalogue_filter(
    context: Context, record: Any, field: str = "name", *, note: bool = True
) -> Markup:
    """Template filter: ``{{ indicator | catalogue("name") }}`` — the record's
    ``field`` or, on an English page, its ``<field>_en`` where set; else the
    German text in ``<span lang="de">`` and (with ``note``) "(only in German)"."""
    german = str(getattr(record, field, "") or "")
    frame = context.get("frame")
    lang = getattr(frame, "lang", "de")
    if lang == "de" or not _has_words(german):
        return escape(german)
    english = str(getattr(record, f"{field}_en", "") or "")
    if english:
        return escape(english)
    marked = Markup('<span lang="de">{}</span>').format(german)
    if note:
        t = Translator(lang=lang)
        marked += Markup(' <span class="german-only">({})</span>').format(
            t("nur auf Deutsch")
        )
    return marked
