"""The search of a static build: no server answers ``/suche?q=…``, so the build's
search page lists every page of the build (the search without JavaScript), and a
small own script (``static/suche.js``) keeps those whose title matches ``?q=``,
read from a prebuilt index (``suche/index.json``)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from importlib.resources import files

from sozialmonitor.domain.collation import german_key

SEARCH_PATH = "/suche"
INDEX_FILE = "suche/index.json"
SCRIPT_FILE = "static/publish/suche.js"
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_KINDS = {
    "thema": "Themenfeld",
    "indikator": "Kennzahl",
    "gebiet": "Gebiet",
    "sozialindex": "Sozialindex",
    "empfehlungen": "Handlungsempfehlung",
    "berichte": "Bericht",
}
_OTHER_KIND = "Seite"


@dataclass(frozen=True, kw_only=True)
class Entry:
    """A page of the build as the search finds it."""

    path: str
    """Its address in the portal (``/gebiet/03241001``)."""
    url: str
    """Its address in the build (``/sub/gebiet/03241001/``)."""
    title: str
    """The page's title without the site's name."""
    kind: str
    """What it is (Kennzahl, Gebiet, …), from its first path segment."""


def entry(path: str, url: str, page: str) -> Entry | None:
    """The search entry of a page, or None for a page without a title."""
    found = _TITLE.search(page)
    if found is None:
        return None
    title = html.unescape(found.group(1)).rsplit(" – ", 1)[0].strip()
    kind = _KINDS.get(path.strip("/").split("/", 1)[0], _OTHER_KIND)
    return Entry(path=path, url=url, title=title, kind=kind)


def sorted_entries(entries: list[Entry]) -> list[Entry]:
    order = {kind: n for n, kind in enumerate([*_KINDS.values(), _OTHER_KIND])}
    return sorted(entries, key=lambda e: (order[e.kind], german_key(e.title)))


def index_document(entries: list[Entry]) -> bytes:
    """``suche/index.json``: every page's title, kind and address in the build."""
    pages = [{"title": e.title, "kind": e.kind, "url": e.url} for e in entries]
    return json.dumps({"pages": pages}, ensure_ascii=False, indent=1).encode("utf-8")


def script() -> bytes:
    return files("sozialmonitor.publish").joinpath("static/suche.js").read_bytes()


def static_search_page(page: str, entries: list[Entry], base: str) -> str:
    """The portal's empty search page with the list of every page and the script.

    Links (and the script, at ``/static/publish/suche.js``) are written as portal
    addresses and rewritten with the rest of the page; the index (a data
    attribute) is addressed in the build."""
    items = "\n".join(
        f'  <li data-kind="{html.escape(e.kind)}"><a href="{html.escape(e.path)}">'
        f"{html.escape(e.title)}</a> ({html.escape(e.kind)})</li>"
        for e in entries
    )
    words = "{n} Seite passt zu „{q}“.|{n} Seiten passen zu „{q}“."
    section = (
        f'<section id="static-search" data-index="{base}{INDEX_FILE}" '
        f'data-words="{html.escape(words)}">\n'
        '<h2 id="static-search-heading">Alle Seiten</h2>\n'
        '<ul id="static-search-list" aria-labelledby="static-search-heading">\n'
        f"{items}\n</ul>\n</section>\n"
    )
    script_tag = f'<script src="/{SCRIPT_FILE}" defer></script>\n'
    page = page.replace("</main>", section + "</main>", 1)
    return page.replace("</body>", script_tag + "</body>", 1)
