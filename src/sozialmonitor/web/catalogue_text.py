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
from sozialmonitor.web import formatting
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


def english_or_german(german: str, english: str, lang: Language) -> CatalogueText:
    """A text kept in German and English (an index definition's ``name`` and
    ``name_en``, …) for a page in ``lang``: the English one where set, else the
    German one, marked — the rule of the indicators' catalogue texts.

    Examples
    --------
    >>> english_or_german("Sozialindex", "Social index", "en").text
    'Social index'
    >>> english_or_german("Sozialindex", "", "en").german_only
    True
    >>> english_or_german("Sozialindex", "Social index", "de").text
    'Sozialindex'
    """
    if lang != "de" and english:
        return CatalogueText(text=english, lang="en", german_only=False)
    if not _has_words(german):  # "2021": the same in every language
        return CatalogueText(text=german, lang=lang, german_only=False)
    return CatalogueText(text=german, lang="de", german_only=lang != "de")


def record_text(record: Any, field: str, lang: Language) -> CatalogueText:
    """A record's ``field`` (``name`` of an index definition, a dimension, …) with
    its English text from ``<field>_en``, for a page in ``lang``."""
    return english_or_german(
        str(getattr(record, field, "") or ""),
        str(getattr(record, f"{field}_en", "") or ""),
        lang,
    )


def _has_words(text: str) -> bool:
    return any(c.isalpha() for c in text)


def german_only(texts: dict[str, CatalogueText]) -> tuple[str, ...]:
    """The German labels of the fields shown in German on an English page."""
    return tuple(FIELD_LABELS[f] for f, t in texts.items() if t.german_only)


def page_lang(context: Context) -> Language:
    """The language of the page a template renders (its ``frame``)."""
    frame = context.get("frame")
    return "en" if getattr(frame, "lang", "de") == "en" else "de"


def _german_only(record: Any, field: str, lang: Language) -> bool:
    if isinstance(record, CatalogueText):
        return record.german_only
    german = str(getattr(record, field, "") or "")
    english = str(getattr(record, f"{field}_en", "") or "")
    return lang != "de" and _has_words(german) and not english


@pass_context
def catalogue_filter(context: Context, record: Any, field: str = "name") -> Markup:
    """Template filter: ``{{ indicator | catalogue("name") }}`` — the record's
    ``field`` or, on an English page, its ``<field>_en`` where set; else the
    German text in ``<span lang="de">`` (``catalogue_note`` says so). A
    ``CatalogueText`` (``{{ page.name | catalogue }}``) is shown as it is."""
    lang = page_lang(context)
    if isinstance(record, CatalogueText):
        if record.german_only:
            return Markup('<span lang="de">{}</span>').format(record.text)
        return escape(record.text)
    german = str(getattr(record, field, "") or "")
    if _german_only(record, field, lang):
        return Markup('<span lang="de">{}</span>').format(german)
    english = str(getattr(record, f"{field}_en", "") or "")
    return escape(english if lang != "de" and english else german)


@pass_context
def catalogue_note(context: Context, record: Any, field: str = "name") -> Markup:
    """Template filter: " (only in German)" after a text ``catalogue`` shows in
    German on an English page (a record's ``field``, or a ``CatalogueText``),
    else nothing."""
    lang = page_lang(context)
    if not _german_only(record, field, lang):
        return Markup("")
    return Markup(' <span class="german-only">({})</span>').format(
        Translator(lang=lang)("nur auf Deutsch")
    )


@pass_context
def count_filter(context: Context, value: int) -> str:
    """Template filter: ``{{ n | count }}`` — a count in the page's language
    (``8.610`` on a German page, ``8,610`` on an English one)."""
    return formatting.number(value, 0, page_lang(context))
