"""The README and docs/formats.md agree with what the code declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from sozialmonitor.cli import app
from sozialmonitor.config import SETTINGS
from sozialmonitor.domain.area import DEFAULT_LEVELS
from sozialmonitor.domain.indicator import CATALOGUE_FIELDS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FORMATS = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(SETTINGS))
def test_every_setting_is_documented(name: str) -> None:
    spec = SETTINGS[name]
    assert f"`--{name}`" in README
    assert f"`{spec.env}`" in README
    assert f"`{spec.default}`" in README
    assert spec.help in README


def test_every_command_is_in_the_readme() -> None:
    group = typer.main.get_group(app)
    names = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        names += [f"{name} {s}" for s in sub] if sub else [name]
    for name in names:
        assert f"`{name}" in README, f"'{name}' is missing from the README's table"


def test_catalogue_fields_and_levels_are_documented() -> None:
    for field in CATALOGUE_FIELDS:
        assert f"`{field}`" in FORMATS, field
    for code, label in DEFAULT_LEVELS:
        assert f"| `{code}` | {label} |" in FORMATS
        assert f"`{code}`" in README


def test_every_finding_code_is_documented() -> None:
    ingest = ROOT / "src" / "sozialmonitor" / "ingest"
    codes = set()
    for path in ingest.rglob("*.py"):
        codes |= set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', path.read_text("utf-8")))
    assert codes, "no finding codes found"
    missing = sorted(c for c in codes if f"`{c}`" not in FORMATS)
    assert not missing, f"finding codes missing from docs/formats.md: {missing}"


SCREENSHOT_ROW = re.compile(
    r"^\| (?P<german>[^|(]+?) \((?P<english>[^)]+)\) — `(?P<path>[/…][^`]*)`.*?"
    r'<img src="docs/screenshots/(?P<page>[\w-]+)-desktop\.png"',
    re.MULTILINE,
)


def _portal_texts() -> set[str]:
    """Every German text of the portal that has an English translation."""
    import yaml

    folder = ROOT / "src" / "sozialmonitor" / "web" / "translations" / "en"
    texts: set[str] = set()
    for path in folder.glob("*.yaml"):
        texts |= set(yaml.safe_load(path.read_text("utf-8")) or {})
    return texts


def test_the_screenshot_table_names_each_page_as_the_portal_does_issue_16() -> None:
    from sozialmonitor.web.pages.area import PROFILE_NAME
    from sozialmonitor.web.pages.indicator_params import TABS

    rows = {m["page"]: m for m in SCREENSHOT_ROW.finditer(README)}
    shots = ROOT / "docs" / "screenshots"
    assert len(rows) >= 16, sorted(rows)
    texts = _portal_texts()
    for page, row in rows.items():
        for part in row["german"].split(": "):
            assert part in texts, f"{page}: '{part}' is no text of the portal"
        assert (shots / f"{page}-desktop.png").is_file()
        assert (shots / f"{page}-phone.png").is_file()
    assert rows["area"]["german"] == PROFILE_NAME
    views = [r["german"] for p, r in rows.items() if p.startswith("indicator-")]
    assert sorted(views) == sorted(f"Kennzahl: {tab}" for tab in TABS.values())
    for document in (
        README,
        FORMATS,
        *(p.read_text("utf-8") for p in ROOT.glob("docs/*.md")),
    ):
        assert "Sozialstrukturprofil" not in document


def test_the_gaps_screenshot_shows_the_url_the_readme_names_issue_13() -> None:
    """The screenshot of a page type shown in another view than its default is
    taken of the view the README's row names (the gaps row named one area, the
    screenshot showed all three)."""
    from tests.browser.test_accessibility import SCREENSHOT_PATHS

    rows = {m["page"]: m for m in SCREENSHOT_ROW.finditer(README)}
    assert rows["gaps"]["path"] == SCREENSHOT_PATHS["gaps"]
    for page in ("digest", "reports", "recommendations", "sozialindex"):
        assert page in rows, f"the README's screenshot table has no {page} row"
    assert rows["indicator-hotspots"]["path"] == "…?ansicht=hotspots"
