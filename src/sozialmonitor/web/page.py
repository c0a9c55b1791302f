"""What every page shares: the frame around it, rendering, and its JSON twin.

Each page module declares a frozen dataclass for its content and one query function
that builds it; the HTML route renders it with a template and the ``/api/v1/pages/…``
route returns ``to_json(content)`` — the same function, the same numbers.
Fields marked ``html_only`` (rendered SVG, prepared markup) stay out of the JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import math
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from sozialmonitor import __version__
from sozialmonitor.domain.release import Release
from sozialmonitor.web import formatting
from sozialmonitor.web.catalogue_text import (
    catalogue_filter,
    catalogue_note,
    count_filter,
)
from sozialmonitor.web.i18n import Language, Translator, language_of
from sozialmonitor.web.session import audience_of
from sozialmonitor.web.site import DEFAULT_SITE, Site
from sozialmonitor.web.snapshot import Snapshot, snapshot
from sozialmonitor.web.urls import href

templates = Jinja2Templates(
    directory=str(files("sozialmonitor.web").joinpath("templates"))
)
templates.env.filters["definition_parts"] = formatting.definition_parts
templates.env.filters["catalogue"] = catalogue_filter
templates.env.filters["catalogue_note"] = catalogue_note
templates.env.filters["count"] = count_filter


def compile_templates() -> None:
    """Compile every page template now (Jinja compiles one on its first render,
    tens of milliseconds for the larger pages)."""
    for name in templates.env.list_templates(extensions=["html"]):
        templates.env.get_template(name)


def html_only() -> Any:
    """A dataclass field shown in the page but left out of the JSON twin."""
    return field(default="", metadata={"html_only": True})


_OFF_THREAD = ThreadPoolExecutor(
    max_workers=2, thread_name_prefix="sozialmonitor-later"
)
"""Makes the ``off_thread`` markup of pages being rendered."""


@dataclass(frozen=True)
class Later:
    """Markup only the page shows, made when its template renders it, so that the
    JSON twin (which leaves ``html_only`` fields out) never makes it: a drawn map,
    a compiled chart. True when there is something to make."""

    make: Callable[[], str] | None = None
    off_thread: bool = False
    """Made in a worker thread as soon as :func:`render` starts on the page: for
    work that releases the GIL (vl-convert compiling a chart, 5–20 ms), which then
    runs while the template renders."""
    _started: list[Future[str]] = field(default_factory=list, compare=False, repr=False)

    def __bool__(self) -> bool:
        return self.make is not None

    def start(self) -> None:
        if self.make is not None and self.off_thread and not self._started:
            self._started.append(_OFF_THREAD.submit(self.make))

    def __html__(self) -> str:
        if self.make is None:
            return ""
        if self._started:
            return self._started[0].result()
        return self.make()


def _start_later(value: Any, depth: int = 0) -> None:
    """Start the ``off_thread`` markup of a page: its fields, and those of the
    dataclasses and dictionaries it holds, three levels down (not its row lists)."""
    if isinstance(value, Later):
        value.start()
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            _start_later(item, depth + 1)
    elif depth < 3 and dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _start_later(getattr(value, f.name), depth + 1)


def made_later() -> Any:
    """An ``html_only`` field holding :class:`Later` markup (none by default)."""
    return field(default=Later(), metadata={"html_only": True})


@dataclass(frozen=True, kw_only=True)
class NavItem:
    label: str
    url: str
    current: bool


@dataclass(frozen=True, kw_only=True)
class Crumb:
    label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Option:
    """One choice of a select in a page's form."""

    value: str
    label: str
    selected: bool


@dataclass(frozen=True, kw_only=True)
class Frame:
    """Header, navigation, language switch and footer of every page."""

    lang: Language
    title: str
    """The page's <title> and <h1>."""
    release: Release | None
    release_text: str
    """``Datenstand: Demo 2021, veröffentlicht am 31.12.2021`` (or that none is)."""
    nav: tuple[NavItem, ...]
    crumbs: tuple[Crumb, ...]
    switch_url: str
    """The same view in the other language."""
    json_url: str
    """The page's JSON twin ("" for pages without one: ``NO_TWIN``)."""
    internal: bool = False
    """The page shows the administration's view (internal and confidential values):
    every page says so at its top."""
    version: str = __version__
    site: Site = DEFAULT_SITE
    """The site configuration: name, logo, colours and the legal pages' links."""
    legal_links: tuple[NavItem, ...] = ()
    """Impressum, Datenschutz and Barrierefreiheit: in every footer."""


NO_TWIN = ("/anmelden", "/abmelden", "/verwaltung")
"""Pages without a JSON twin: forms and the administration."""

NAV = (
    ("Start", "/"),
    ("Themenfelder", "/thema"),
    ("Gebiete", "/gebiet"),
    ("Vergleich", "/vergleich"),
    ("Empfehlungen", "/empfehlungen"),
    ("Berichte", "/berichte"),
    ("Methoden & Daten", "/methoden"),
)


LEGAL_LINKS = (
    ("Impressum", "/impressum"),
    ("Datenschutz", "/datenschutz"),
    ("Barrierefreiheit", "/barrierefreiheit"),
)
"""The pages a German public website must have, linked in every footer."""


def site_of(request: Request) -> Site:
    """The site configuration of the app serving ``request``."""
    found: Site = getattr(request.app.state, "site", DEFAULT_SITE)
    return found


def _other_language_url(request: Request, lang: Language) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    other: Language = "de" if lang == "en" else "en"
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    return href(request.url.path, other, **grouped)


def request_language(request: Request) -> Language:
    return language_of(request.query_params.get("lang"))


def frame_for(
    request: Request,
    snap: Snapshot,
    *,
    title: str,
    crumbs: tuple[tuple[str, str], ...] = (),
) -> Frame:
    lang = request_language(request)
    t = Translator(lang=lang)
    if snap.release is not None and snap.release.published_at is not None:
        release_text = t(
            "Datenstand: {name}, veröffentlicht am {date}",
            name=snap.release.name,
            date=formatting.date(snap.release.published_at, lang),
        )
    else:
        release_text = t("Es ist noch kein Datenstand veröffentlicht.")
    path = request.url.path
    query = str(request.query_params)
    return Frame(
        lang=lang,
        title=title,
        release=snap.release,
        release_text=release_text,
        nav=tuple(
            NavItem(
                label=t(label),
                url=href(url, lang),
                current=path == url or (url != "/" and path.startswith(url)),
            )
            for label, url in NAV
        ),
        crumbs=tuple(Crumb(label=label, url=href(url, lang)) for label, url in crumbs),
        switch_url=_other_language_url(request, lang),
        json_url=""
        if path.startswith(NO_TWIN)
        else "/api/v1/pages"
        + (path if path != "/" else "/start")
        + (f"?{query}" if query else ""),
        internal=snap.audience.internal,
        site=site_of(request),
        legal_links=tuple(
            NavItem(label=t(label), url=href(url, lang), current=path == url)
            for label, url in LEGAL_LINKS
        ),
    )


def current_snapshot(request: Request) -> Snapshot:
    """The snapshot for whoever asks (``session.audience_of``)."""
    return snapshot(request.app.state.engine, audience_of(request))


def render(request: Request, template: str, *, frame: Frame, page: Any) -> HTMLResponse:
    """The page's template with ``frame``, ``page``, ``_`` (translate) and ``link``."""
    t = Translator(lang=frame.lang)

    def link(path: str, /, **params: object) -> str:
        return href(path, frame.lang, **params)

    _start_later(page)
    return templates.TemplateResponse(
        request,
        template,
        {"frame": frame, "page": page, "_": t, "link": link},
    )


_PLAIN = frozenset({str, int, bool, type(None)})
"""Types that are JSON as they are (their subclasses, e.g. enums, are not)."""


@functools.cache
def _json_fields(cls: type) -> tuple[str, ...]:
    """The fields of a page dataclass that its JSON twin shows."""
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if not f.metadata.get("html_only") and not f.name.startswith("_")
    )


def json_response(page: Any) -> JSONResponse:
    """A page's JSON twin as a ready response (``to_json``): FastAPI's own encoding
    of a returned value walks it once more and costs as much again as building a
    large page (a map of 11,000 areas)."""
    return JSONResponse(to_json(page))


def to_json(value: Any) -> Any:
    """A page's content as JSON: dataclasses, Pydantic models, enums, dates and
    NaN (as null); ``html_only`` fields are left out.

    Examples
    --------
    >>> @dataclasses.dataclass
    ... class Row:
    ...     value: float
    ...     svg: str = html_only()
    >>> to_json([Row(value=float("nan")), Row(value=1.5)])
    [{'value': None}, {'value': 1.5}]
    """
    cls = type(value)
    if cls in _PLAIN:  # most nodes: checked first, by exact type
        return value
    if cls is float:
        return value if math.isfinite(value) else None
    if cls is list or cls is tuple:
        return [to_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_json(getattr(value, name)) for name in _json_fields(cls)}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    return value
