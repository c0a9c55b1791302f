"""Every German text of the reports (code and shipped templates) has an English
translation."""

from __future__ import annotations

from pathlib import Path

from sozialmonitor.web.i18n import missing_translations
from tests.web.test_translations import CALL, PLURAL

REPORTS = Path(__file__).resolve().parents[2] / "src" / "sozialmonitor" / "reports"


def texts() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in [*REPORTS.glob("*.py"), *REPORTS.glob("templates/*.md")]:
        source = path.read_text(encoding="utf-8")
        for match in CALL.finditer(source):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            found.setdefault(text, path.name)
        for match in PLURAL.finditer(source):
            for text in match.groups():
                found.setdefault(text, path.name)
    return found


def test_the_reports_use_translatable_texts() -> None:
    assert len(texts()) > 20


def test_every_report_text_has_an_english_translation() -> None:
    found = texts()
    missing = missing_translations(sorted(found))
    assert not missing, "\n".join(f"{found[t]}: {t!r}" for t in missing)
