"""Every German text the portal wraps in ``_()`` has an English translation."""

from __future__ import annotations

import re
from pathlib import Path

from sozialmonitor.web.i18n import catalogue, missing_translations

WEB = Path(__file__).resolve().parents[2] / "src" / "sozialmonitor" / "web"
# _("…") in templates; _("…") and t("…") in the page code (the translator's names).
CALL = re.compile(
    r"""\b(?:_|t)\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*[,)]"""
)

# _.plural("…", "…", n) and t.plural(…): both forms are texts of their own.
PLURAL = re.compile(r'\b(?:_|t)\.plural\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"')


def texts() -> dict[str, str]:
    found: dict[str, str] = {}
    files = [*WEB.glob("templates/*.html"), *WEB.glob("**/*.py")]
    for path in files:
        if path.name == "i18n.py":  # its docstring shows how to call _()
            continue
        for match in CALL.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            found.setdefault(text, path.name)
        for match in PLURAL.finditer(path.read_text(encoding="utf-8")):
            for text in match.groups():
                found.setdefault(text, path.name)
    return found


def test_the_templates_and_pages_use_translatable_texts() -> None:
    assert len(texts()) > 200


def test_every_text_has_an_english_translation() -> None:
    found = texts()
    missing = missing_translations(sorted(found))
    assert not missing, "\n".join(f"{found[t]}: {t!r}" for t in missing)


def test_no_translation_is_left_empty() -> None:
    assert all(value.strip() for value in catalogue("en").values())
