"""The anonymous portal read in-process, as a visitor without an account would
click through it: from ``/`` and the seeds along every link into the portal.

The app is driven through Starlette's test client (direct ASGI calls, no network
port). Which addresses are read:

- every address without a query string that a page or a style sheet links to;
- an address with a query string only when it is a view of the page without a
  query that links to it (``/indikator/x?ansicht=tabelle`` from ``/indikator/x``)
  or a download below the page (``/indikator/x/download.csv?…`` from either), in
  German, and the JSON twin of a page read. The other
  views (another area picked, a comparison, the English pages ``?lang=en``) are
  left out and counted; their links lead to the page without the query.
"""

from __future__ import annotations

import collections
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from fastapi import FastAPI

from sozialmonitor.publish.addresses import (
    is_page,
    links_of_css,
    links_of_html,
    media_type,
)

NEVER_READ = ("/anmelden", "/abmelden", "/verwaltung", "/einbetten/")
"""Sign-in, the administration and the embeds (pages for other sites' frames) are
not part of the public portal's files."""
_LEFT_OUT_PARAMETERS = {"lang"}
TEST_HOST = "testserver"
"""The host the test client asks for (absolute redirects name it)."""
TWINS = "/api/v1/pages"
"""A page's JSON twin is at ``TWINS`` + its path, with the same query."""


@dataclass(frozen=True, kw_only=True)
class Answer:
    """One address the portal answered."""

    path: str
    """The address's path, e.g. ``/gebiet/03241001``."""
    query: str
    """Its query string, empty for most."""
    status: int
    """The HTTP status (200, or 3xx with ``location``, or an error)."""
    content_type: str
    """The ``Content-Type`` header."""
    body: bytes
    """The answer's body (empty for a redirect)."""
    location: str = ""
    """Where a redirect leads (path and query)."""


@dataclass(kw_only=True)
class LeftOut:
    """What the crawl did not read, by reason, with a few examples each."""

    urls: dict[str, set[str]] = field(default_factory=dict)
    """Reason → the distinct addresses left out for it."""

    def add(self, reason: str, url: str) -> None:
        self.urls.setdefault(reason, set()).add(url)

    def summary(self) -> dict[str, dict[str, object]]:
        """Reason → how many addresses, and the first three (sorted) as examples."""
        return {
            reason: {"count": len(urls), "examples": sorted(urls)[:3]}
            for reason, urls in sorted(self.urls.items())
        }


def follows(page_path: str, page_query: str, path: str, query: str) -> str | None:
    """Why a link is not followed, or None when it is.

    Examples
    --------
    >>> follows("/indikator/x", "", "/indikator/x", "ansicht=tabelle") is None
    True
    >>> follows("/indikator/x", "a=1", "/indikator/x/download.csv", "a=1") is None
    True
    >>> follows("/indikator/x", "a=1", "/indikator/x", "a=2")
    'Ansicht mit Parametern (nicht die eigene der Seite)'
    >>> follows("/thema", "a=1", "/api/v1/pages/thema", "a=1") is None
    True
    >>> follows("/gebiet/1", "", "/vergleich", "gebiete=1")
    'Ansicht mit Parametern (nicht die eigene der Seite)'
    >>> follows("/", "", "/", "lang=en")
    'englische Seite (?lang=en)'
    """
    if path.startswith(NEVER_READ) or path in {p.rstrip("/") for p in NEVER_READ}:
        return "Anmeldung, Verwaltung oder Einbettung"
    if not query:
        return None
    keys = {k for k, _ in parse_qsl(query, keep_blank_values=True)}
    if keys & _LEFT_OUT_PARAMETERS:
        return "englische Seite (?lang=en)"
    if path == TWINS + page_path and query == page_query:
        return None
    below = path.startswith(page_path.rstrip("/") + "/") and page_path != "/"
    if below or (path == page_path and not page_query and page_path != "/"):
        return None
    return "Ansicht mit Parametern (nicht die eigene der Seite)"


def crawl(app: FastAPI, seeds: list[str], left_out: LeftOut) -> Iterator[Answer]:
    """Every address reachable from ``/`` and ``seeds`` under the rules of the
    module, breadth first, one at a time (the caller stops when it has enough)."""
    queue: collections.deque[tuple[str, str]] = collections.deque()
    seen: set[tuple[str, str]] = set()

    def visit(path: str, query: str) -> None:
        if (path, query) not in seen:
            seen.add((path, query))
            queue.append((path, query))

    visit("/", "")
    for seed in seeds:
        visit(seed, "")
    with warnings.catch_warnings():
        # Starlette's note that its test client will move to another HTTP library
        # is for test suites; the build's user cannot act on it.
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    # Without ``with``: the app's lifespan (the keep-warm thread) is not started.
    client = TestClient(app, follow_redirects=False)
    while queue:
        path, query = queue.popleft()
        response = client.get(f"{path}?{query}" if query else path)
        content_type = response.headers.get("content-type", "")
        location = _own_location(response.headers.get("location", ""))
        answer = Answer(
            path=path,
            query=query,
            status=response.status_code,
            content_type=content_type,
            body=b"" if location else response.content,
            location=location,
        )
        yield answer
        for link in _links(answer, left_out):
            visit(*link)


def _own_location(location: str) -> str:
    """A redirect's target as path and query when it stays in the portal (the
    test client's host included); else as it is."""
    parts = urlsplit(location)
    if parts.netloc in {"", TEST_HOST} and parts.path.startswith("/"):
        return f"{parts.path}?{parts.query}" if parts.query else parts.path
    return location


def _links(answer: Answer, left_out: LeftOut) -> list[tuple[str, str]]:
    if answer.location:
        if answer.location.startswith("/"):
            path, _, query = answer.location.partition("?")
            return [(path, query)]
        return []
    if answer.status != 200:  # an error page's links are those of other pages
        return []
    url = f"{answer.path}?{answer.query}" if answer.query else answer.path
    if is_page(answer.content_type):
        links = links_of_html(answer.body.decode("utf-8", "replace"), url, forms=False)
    elif media_type(answer.content_type) == "text/css":
        links = links_of_css(answer.body.decode("utf-8", "replace"), url)
    else:
        return []
    followed = []
    for path, query in links:
        reason = follows(answer.path, answer.query, path, query)
        if reason is None:
            followed.append((path, query))
        else:
            left_out.add(reason, f"{path}?{query}" if query else path)
        if query and follows(answer.path, answer.query, path, "") is None:
            # The page without a query: where a left-out view's links lead.
            followed.append((path, ""))
    return followed
