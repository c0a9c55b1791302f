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

    Placeholders use ``str.format``: ``_("{n} Gebiete", n=3)``.
    """

    lang: Language
    missing: set[str] = field(default_factory=set)

    def __call__(self, text: str, /, **values: object) -> str:
        found = catalogue(self.lang).get(text) if self.lang != "de" else text
        if found is None:
            self.missing.add(text)
            found = text
        return found.format(**values) if values else found


def missing_translations(texts: list[str]) -> list[str]:
    """The texts that have no English translation."""
    known = catalogue("en")
    return [t for t in texts if t not in known]
