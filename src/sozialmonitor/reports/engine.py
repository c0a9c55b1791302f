"""The report engine: a template's Jinja blocks call the live elements, its Markdown
becomes HTML (markdown-it, no raw HTML), and the result is split into chapters at
its ``##`` headings.

Each live element's HTML is kept aside while Markdown is rendered (a placeholder
paragraph stands in for it), so that Markdown never reads or changes it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from sozialmonitor.reports import index as sozialindex
from sozialmonitor.reports import records
from sozialmonitor.reports.elements import Elements
from sozialmonitor.reports.source import ReportSource
from sozialmonitor.reports.template import ReportParameterError, ReportTemplate
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.urls import slug

PLACEHOLDER = "REPORTELEMENT{}END"
_PLACED = re.compile(r"(?:<p>)?REPORTELEMENT(\d+)END(?:</p>)?")
_H2 = re.compile(r"(?=<h2 )")
MAX_ELEMENTS = 2_000
"""Live elements one report may hold: a bound on a template's loops."""


@dataclass(frozen=True, kw_only=True)
class Heading:
    """A heading of the report, for its table of contents and navigation."""

    level: int
    id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Chapter:
    """A part of the report from one ``##`` heading to the next."""

    id: str
    title: str
    html: Markup = Markup("")


@dataclass(frozen=True, kw_only=True)
class RenderedReport:
    """A report made from one release: its text as HTML, by chapter."""

    template: str
    kind: str
    title: str
    release: str
    """The release (Datenstand) every figure is from."""
    published: str
    """When the release was published (formatted; empty for a draft)."""
    made_at: dt.datetime
    """The release's publication (a draft's creation): the date a PDF's metadata
    gives, so that a report made again is the same file."""
    lang: Language
    area: str | None
    topic: str | None
    other: str | None
    intro: Markup
    """What stands before the first chapter."""
    chapters: tuple[Chapter, ...]
    headings: tuple[Heading, ...]
    """``##`` and ``###`` headings, in order."""

    @property
    def body(self) -> Markup:
        """The whole text: the intro and every chapter."""
        return self.intro + Markup("").join(c.html for c in self.chapters)


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        "table"
    )


class _Placer:
    """Keeps each element's HTML and gives Markdown a placeholder for it."""

    def __init__(self) -> None:
        self.parts: list[Markup] = []

    def wrap(self, function: Callable[..., Markup]) -> Callable[..., str]:
        def placed(*args: Any, **kwargs: Any) -> str:
            if len(self.parts) >= MAX_ELEMENTS:
                raise ReportParameterError(
                    f"A report holds at most {MAX_ELEMENTS} figures and tables."
                )
            self.parts.append(function(*args, **kwargs))
            return "\n\n" + PLACEHOLDER.format(len(self.parts) - 1) + "\n\n"

        return placed

    def put_back(self, html: str) -> str:
        return _PLACED.sub(lambda m: str(self.parts[int(m.group(1))]), html)


def _context(
    elements: Elements, placer: _Placer, parameters: dict[str, Any]
) -> dict[str, Any]:
    t = elements.t
    live: dict[str, Callable[..., Markup]] = {
        "key_figures": elements.key_figures,
        "trend_chart": elements.trend_chart,
        "trend_note": elements.trend_note,
        "indicator_table": elements.indicator_table,
        "indicator_map": elements.indicator_map,
        "extremes": elements.extremes,
        "comparison_table": elements.comparison_table,
        "gap": elements.gap,
        "missing_topics": elements.missing_topics,
        "findings": lambda **kw: records.findings(elements, **kw),
        "recommendations": lambda **kw: records.recommendations(elements, **kw),
        "index_position": lambda code: sozialindex.index_position(elements, code),
        "index_maps": lambda code: sozialindex.index_maps(elements, code),
    }
    return {
        **{name: placer.wrap(function) for name, function in live.items()},
        "_": t,
        "lang": elements.source.lang,
        "release": elements.release,
        "area_info": elements.area,
        "children": elements.children,
        "has_values": elements.has_values,
        "has_data": elements.has_data,
        "with_benchmarks": elements.with_benchmarks,
        "topics": elements.topics,
        "indicator": elements.indicator,
        "name_of": elements.name_of,
        "site_name": elements.source.site.name,
        **parameters,
    }


def _headings(md: MarkdownIt, text: str) -> tuple[list[Any], list[Heading]]:
    """The tokens with an ``id`` on every heading, and the ``##``/``###`` ones."""
    tokens = md.parse(text)
    seen: set[str] = set()
    found = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        title = tokens[index + 1].content
        base = slug(title) or "abschnitt"
        anchor, n = base, 1
        while anchor in seen:
            n += 1
            anchor = f"{base}-{n}"
        seen.add(anchor)
        token.attrSet("id", anchor)
        level = int(token.tag[1])
        if level in (2, 3):
            found.append(Heading(level=level, id=anchor, text=title))
    return tokens, found


def render_report(
    template: ReportTemplate,
    source: ReportSource,
    *,
    area: str | None = None,
    topic: str | None = None,
    other: str | None = None,
) -> RenderedReport:
    """Make a report from its template and one release.

    Raises
    ------
    ReportParameterError
        For a parameter the template needs and was not given.
    UnknownAreaError
        For an area code no area has.
    """
    given = {"area": area, "topic": topic, "other": other}
    for name in template.parameters:
        if not given[name]:
            flag = "--area or --parent" if name == "area" else f"--{name}"
            raise ReportParameterError(
                f"The report '{template.name}' needs {flag}: "
                f"sozialmonitor report render {template.name} {flag.split()[0]} …"
            )
    elements = Elements(source)
    parameters: dict[str, Any] = {}
    if area:
        parameters["area"] = elements.area(area)
    if other:
        parameters["other"] = elements.area(other)
    if topic:
        found = elements.topics(only=topic)
        if not found:
            names = ", ".join(t.slug for t in elements.topics())
            raise ReportParameterError(
                f"There is no topic '{topic}' (as the audience sees it). Topics: "
                f"{names}."
            )
        parameters["topic"] = found[0]
    placer = _Placer()
    # Markdown, not HTML: markdown-it escapes the text, the elements their own.
    env = jinja2.Environment(  # nosec B701
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    context = _context(elements, placer, parameters)
    text = env.from_string(template.body).render(context)
    title = env.from_string(template.text("title", source.lang)).render(context)
    md = _markdown()
    tokens, headings = _headings(md, text)
    html = placer.put_back(md.renderer.render(tokens, md.options, {}))
    intro, *parts = _H2.split(html)
    chapter_heads = [h for h in headings if h.level == 2]
    # markdown-it escaped the text; the elements built their HTML escaped
    chapters = tuple(
        Chapter(id=head.id, title=head.text, html=Markup(part))  # nosec B704
        for head, part in zip(chapter_heads, parts, strict=True)
    )
    release = source.release
    return RenderedReport(
        template=template.name,
        kind=template.kind,
        title=title.strip(),
        release=release.name,
        published=formatting.date(release.published_at, source.lang)
        if release.published_at
        else "",
        made_at=release.published_at or release.created_at,
        lang=source.lang,
        area=area,
        topic=topic,
        other=other,
        intro=Markup(intro),  # nosec B704
        chapters=chapters,
        headings=tuple(headings),
    )
