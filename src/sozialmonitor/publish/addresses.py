"""Where each address of the portal lands in a static build, and how the links of a
page are rewritten to point there (under a sub-path too).

- A page (HTML) at ``/a/b`` becomes ``a/b/index.html``, linked as ``{base}a/b/``.
- Any other answer keeps its path when the path's extension fits its type
  (``/static/css/portal.css``); otherwise the type's extension is added
  (``/api/v1/pages/gebiet/01`` → ``api/v1/pages/gebiet/01.json``).
- An address with a query string gets a stable name from a hash of its sorted
  parameters: ``/indikator/x?ansicht=karte`` →
  ``indikator/x/q-1a2b3c4d5e6f/index.html``,
  ``/indikator/x/download.csv?…`` → ``indikator/x/download.q-1a2b3c4d5e6f.csv``.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from sozialmonitor.errors import SozialmonitorError

INDEX_FILE = "index.html"
_EXTENSIONS = {
    "text/html": ".html",
    "application/json": ".json",
    "application/problem+json": ".json",
    "application/geo+json": ".geojson",
    "text/csv": ".csv",
    "text/css": ".css",
    "text/javascript": ".js",
    "application/javascript": ".js",
    "image/svg+xml": ".svg",
    "image/png": ".png",
    "text/turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
}
_LINK = re.compile(
    r"""(?P<lead>\s(?P<attribute>xlink:href|href|src|action)=)(?P<quote>["'])(?P<url>[^"'<>]*)(?P=quote)"""
)
_CSS_URL = re.compile(r"""url\(\s*(?P<quote>["']?)(?P<url>[^"')]*)(?P=quote)\s*\)""")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._~@+,=-]+$")


def base_path(base_url: str) -> str:
    """The sub-path the build is served under, with a slash at both ends; a full
    address gives its path.

    Examples
    --------
    >>> base_path("/sozialmonitor"), base_path("https://example.org/a/b/")
    ('/sozialmonitor/', '/a/b/')
    >>> base_path("")
    '/'

    Raises
    ------
    SozialmonitorError
        For a path with a query, a fragment or a segment such as ``..``.
    """
    parts = urlsplit(base_url)
    if parts.query or parts.fragment or (parts.scheme and not parts.netloc):
        raise SozialmonitorError(
            f"--base-url '{base_url}' is not a sub-path: give one like /sozialmonitor/ "
            "or a full address like https://example.org/sozialmonitor/."
        )
    segments = [s for s in parts.path.split("/") if s]
    if any(s in {".", ".."} or not _SAFE_SEGMENT.match(unquote(s)) for s in segments):
        raise SozialmonitorError(
            f"--base-url '{base_url}': the path may hold letters, digits and - . _ "
            "between slashes, nothing else."
        )
    return "/" + "".join(f"{s}/" for s in segments)


def media_type(content_type: str) -> str:
    """``text/html; charset=utf-8`` → ``text/html``."""
    return content_type.split(";", 1)[0].strip().lower()


def is_page(content_type: str) -> bool:
    return media_type(content_type) == "text/html"


def query_key(query: str) -> str:
    """The stable name of a query string: the same parameters in any order give the
    same name.

    Examples
    --------
    >>> query_key("b=2&a=1") == query_key("a=1&b=2")
    True
    >>> query_key("a=1")
    'q-c22fea5d7428'
    """
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    digest = hashlib.sha256(urlencode(pairs).encode("utf-8")).hexdigest()
    return f"q-{digest[:12]}"


def file_for(path: str, query: str, content_type: str) -> str:
    """The file (relative to the build's root) an answer is written to.

    Examples
    --------
    >>> file_for("/", "", "text/html"), file_for("/gebiet", "", "text/html")
    ('index.html', 'gebiet/index.html')
    >>> file_for("/api/v1/pages/gebiet/01", "", "application/json")
    'api/v1/pages/gebiet/01.json'
    >>> file_for("/static/css/portal.css", "", "text/css")
    'static/css/portal.css'
    >>> file_for("/indikator/x/download.csv", "a=1", "text/csv; charset=utf-8")
    'indikator/x/download.q-c22fea5d7428.csv'

    Raises
    ------
    SozialmonitorError
        For a path that would leave the build's folder.
    """
    clean = posixpath.normpath(unquote(path)).lstrip("/")
    if clean in {"", "."}:
        clean = ""
    if clean.startswith("..") or "\x00" in clean:
        raise SozialmonitorError(f"The address {path!r} leaves the build's folder.")
    kind = media_type(content_type)
    if kind == "text/html":
        folder = clean
        if query:
            folder = posixpath.join(folder, query_key(query))
        return posixpath.join(folder, INDEX_FILE) if folder else INDEX_FILE
    stem, ext = posixpath.splitext(clean)
    guessed = mimetypes.guess_type(clean)[0]
    wanted = _EXTENSIONS.get(kind) or mimetypes.guess_extension(kind) or ".bin"
    if not ext or guessed != kind and _EXTENSIONS.get(guessed or "") != wanted:
        stem, ext = clean, wanted
    if query:
        stem = f"{stem}.{query_key(query)}"
    return f"{stem}{ext}"


def link_for(file: str, base: str) -> str:
    """The address a file is linked with: a folder's ``index.html`` as the folder.

    Examples
    --------
    >>> link_for("gebiet/index.html", "/sub/"), link_for("index.html", "/")
    ('/sub/gebiet/', '/')
    >>> link_for("static/css/portal.css", "/sub/")
    '/sub/static/css/portal.css'
    """
    if file == INDEX_FILE:
        return base
    if file.endswith("/" + INDEX_FILE):
        return base + file.removesuffix(INDEX_FILE)
    return base + file


def internal(url: str, page_url: str) -> tuple[str, str, str] | None:
    """``(path, query, fragment)`` of a link on the page at ``page_url`` when it
    points into the portal; None for another site, ``mailto:``, ``data:``, a bare
    fragment and the like.

    Examples
    --------
    >>> internal("/gebiet?x=1#a", "/"), internal("https://example.org/", "/")
    (('/gebiet', 'x=1', 'a'), None)
    >>> internal("#main", "/gebiet"), internal("../thema", "/gebiet/01")
    (None, ('/thema', '', ''))
    """
    if not url or url.startswith("#"):
        return None
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    absolute = urlsplit(urljoin(f"http://portal{page_url}", url))
    return absolute.path or "/", absolute.query, absolute.fragment


def rewrite_html(
    text: str, page_url: str, target: Callable[[str, str, bool], str]
) -> str:
    """Every ``href``/``src``/``action`` into the portal replaced by ``target(path,
    query, is_form)`` (plus the link's fragment); other links stay as they are.
    ``&amp;`` in an attribute is read as ``&``."""

    def replace(match: re.Match[str]) -> str:
        raw = match.group("url").replace("&amp;", "&")
        found = internal(raw, page_url)
        if found is None:
            return match.group(0)
        path, query, fragment = found
        is_form = match.group("attribute") == "action"
        new = target(path, query, is_form) + (f"#{fragment}" if fragment else "")
        quote = match.group("quote")
        return f"{match.group('lead')}{quote}{new.replace('&', '&amp;')}{quote}"

    return _LINK.sub(replace, text)


def rewrite_css(text: str, file_url: str, target: Callable[[str, str], str]) -> str:
    """The ``url(…)`` of a style sheet into the portal replaced by ``target``."""

    def replace(match: re.Match[str]) -> str:
        found = internal(match.group("url"), file_url)
        if found is None:
            return match.group(0)
        path, query, fragment = found
        new = target(path, query) + (f"#{fragment}" if fragment else "")
        return f'url("{new}")'

    return _CSS_URL.sub(replace, text)


def links_of_html(
    text: str, page_url: str, *, forms: bool = True
) -> list[tuple[str, str]]:
    """``(path, query)`` of every link into the portal, in document order; without
    ``forms``, not the forms' ``action``."""
    found = []
    for match in _LINK.finditer(text):
        if not forms and match.group("attribute") == "action":
            continue
        link = internal(match.group("url").replace("&amp;", "&"), page_url)
        if link is not None:
            found.append(link[:2])
    return found


def links_of_css(text: str, file_url: str) -> list[tuple[str, str]]:
    found = []
    for match in _CSS_URL.finditer(text):
        link = internal(match.group("url"), file_url)
        if link is not None:
            found.append(link[:2])
    return found
