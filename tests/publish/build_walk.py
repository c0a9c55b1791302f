"""Reading a static build back: every file, every link of its pages and style
sheets, checked against the files that are there."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from sozialmonitor.publish.build import MANIFEST

LINK_ATTRIBUTES = ("href", "src", "action", "xlink:href")
_CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)["']?\s*\)""")
_OUTSIDE = ("data:", "mailto:", "tel:", "#", "http://", "https://", "javascript:")


def files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def links_of(file: Path) -> list[str]:
    """Every address a page or style sheet links to or loads."""
    text = file.read_text(encoding="utf-8")
    if file.suffix == ".css":
        return _CSS_URL.findall(text)
    soup = BeautifulSoup(text, "html.parser")
    return [
        str(tag[attribute])
        for tag in soup.find_all(True)
        for attribute in LINK_ATTRIBUTES
        if tag.has_attr(attribute)
    ]


def target_file(folder: Path, base: str, link: str) -> Path | None:
    """The file a link of the build leads to, or None when it leads nowhere
    (outside the sub-path, a query string no static server answers, no file)."""
    parts = urlsplit(link)
    if parts.query or not parts.path.startswith(base):
        return None
    inside = parts.path.removeprefix(base)
    if inside == "" or inside.endswith("/"):
        inside += "index.html"
    path = folder / inside
    return path if path.is_file() else None


def broken_links(folder: Path, base: str) -> list[str]:
    """``file → link`` for every internal link that leads to no file of the build."""
    broken = []
    for file in files_of(folder):
        if file.suffix not in {".html", ".css"}:
            continue
        for link in links_of(file):
            if not link or link.startswith(_OUTSIDE):
                continue
            if target_file(folder, base, link) is None:
                broken.append(f"{file.relative_to(folder)} → {link}")
    return broken


def files_containing(folder: Path, *needles: str) -> list[str]:
    """``file: needle`` for every file of the build that holds one of ``needles``."""
    found = []
    for file in files_of(folder):
        text = file.read_bytes().decode("utf-8", "replace")
        found += [f"{file.relative_to(folder)}: {n}" for n in needles if n in text]
    return found
