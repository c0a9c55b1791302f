"""The portal's two languages: German (the source text) and English.

Templates and page code write German and wrap it in ``_("…")``; English comes from
the catalogues in ``translations/en/*.yaml`` (German text → English text), one file per
page so that a page and its words live together. A text without a translation is shown
in German, and ``missing_translations`` lists such texts for the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Literal

import yaml

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")
DEFAULT_LANGUAGE: Language = "de"


def language_of(value: str | None) -> Language:
    """The language asked for by ``?lang=…``; German for anything unknown."""
    return "en" if value == "en" else DEFAULT_LANGUAGE


@cache
def catalogue(lang: Language) -> Mapping[str, str]:
    """German text → text in ``lang``, merged from every catalogue file."""
    if lang == DEFAULT_LANGUAGE:
        return {}
    merged: dict[str, str] = {}
    folder = files("sozialmonitor.web").joinpath("translations", lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            merged.update(yaml.safe_load(entry.read_text(encoding="utf-8")) or {})
    return merged


@dataclass(kw_only=True)
class Translator:
    """``_("Themenfeld")`` → "Topic" in English; German stays German.

    Placeholders use ``str.format``: ``_("{n} Gebiete", n=3)``. A text with a
    count takes its singular and plural form: ``_.plural("{n} Gebiet", "{n} Gebiete",
    n)`` (see :meth:`plural`).
    """

    lang: Language
    missing: set[str] = field(default_factory=set)

    def __call__(self, text: str, /, **values: object) -> str:
        found = catalogue(self.lang).get(text) if self.lang != "de" else text
        if found is None:
            self.missing.add(text)
            found = text
        return found.format(**values) if values else found

    def plural(self, one: str, many: str, n: int, /, **values: object) -> str:
        """A text with a count, in its singular or plural form: the one place the
        portal chooses between them.

        German and English both take the singular for exactly one and the plural
        otherwise (``0 Kennzahlen``, ``1 Kennzahl``, ``2 Kennzahlen``); each form is
        translated on its own. ``{n}`` is the count, grouped as the language groups
        it (``1.234`` / ``1,234``).

        Examples
        --------
        >>> de, en = Translator(lang="de"), Translator(lang="en")
        >>> [de.plural("{n} Kennzahl", "{n} Kennzahlen", n) for n in (0, 1, 2)]
        ['0 Kennzahlen', '1 Kennzahl', '2 Kennzahlen']
        >>> en.plural("{n} Kennzahl", "{n} Kennzahlen", 1234)
        '1,234 indicators'
        """
        text = one if n == 1 else many
        return self(text, **values, n=count_text(n, self.lang))


def count_text(n: int, lang: Language) -> str:
    """A whole number grouped as ``lang`` groups it: ``1.234`` (de), ``1,234`` (en).

    Examples
    --------
    >>> count_text(8610, "de"), count_text(-8610, "en"), count_text(7, "de")
    ('8.610', '−8,610', '7')
    """
    text = f"{abs(n):,}"
    if lang == "de":
        text = text.replace(",", ".")
    return ("−" if n < 0 else "") + text


def missing_translations(texts: list[str]) -> list[str]:
    """The texts that have no English translation."""
    known = catalogue("en")
    return [t for t in texts if t not in known]
