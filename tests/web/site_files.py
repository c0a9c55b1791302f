"""Site files written by the tests themselves (the layout of
``src/sozialmonitor/demo/sites/<name>/``): a TOML file and the files it names."""

from __future__ import annotations

from pathlib import Path

LOGO_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" '
    'height="10"><rect width="10" height="10" fill="#123456"/></svg>\n'
)
XSS = (
    "<script>alert('impressum')</script> "
    "<img src=x onerror=alert(1)> "
    "[Klick](javascript:alert(1)) "
    "![Bild](https://tracker.example/pixel.png)"
)
"""What an attacker (or a careless copy from a word processor) puts into a
Markdown file: it must stay text."""

SITE_TOML = """\
name = "Sozialmonitor Teststadt"
publisher = "Stadt Teststadt, Sozialplanung"
introduction = "einleitung.md"
{compare}

[logo]
file = "logo.svg"
alt = "Wappen der Teststadt"

[colours]
primary = "#143d59"
accent = "#0b5f8a"

[legal]
imprint = "impressum.md"
privacy = "datenschutz.md"
accessibility = "barrierefreiheit.md"
accessibility_contact = "barrierefreiheit@teststadt.example"
{order}
"""

MARKDOWN = {
    "einleitung.md": "Die **Einleitung** der Teststadt.\n",
    "impressum.md": "# Anbieter\n\nStadt Teststadt, Rathausplatz 1.\n\n" + XSS + "\n",
    "datenschutz.md": "# Verarbeitung\n\nKeine Cookies.\n",
    "barrierefreiheit.md": "# Stand\n\nTeilweise vereinbar.\n",
}


def write_site(
    folder: Path,
    *,
    compare: str = "",
    order: str = "",
    toml: str | None = None,
    files: dict[str, str | bytes] | None = None,
) -> Path:
    """A site folder with ``site.toml`` (``toml`` or :data:`SITE_TOML` with a
    ``compare_area`` and an ``[order]`` part) and its files; the file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, str | bytes] = {"logo.svg": LOGO_SVG, **MARKDOWN}
    written.update(files or {})
    for name, content in written.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    site = folder / "site.toml"
    compare_line = f'compare_area = "{compare}"' if compare else ""
    site.write_text(
        toml
        if toml is not None
        else SITE_TOML.format(compare=compare_line, order=order),
        encoding="utf-8",
    )
    return site
