"""Making reports: the functions the CLI and the portal call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.reports.engine import RenderedReport, render_report
from sozialmonitor.reports.source import ReportSource, choose_release
from sozialmonitor.reports.template import load_template
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.site import DEFAULT_SITE, Site
from sozialmonitor.web.snapshot import snapshot


def make_reports(
    engine: Engine,
    name: str,
    *,
    areas: Sequence[str | None] = (None,),
    topic: str | None = None,
    other: str | None = None,
    release: str | None = None,
    audience: Audience = Audience.PUBLIC,
    lang: Language = "de",
    site: Site = DEFAULT_SITE,
) -> Iterator[RenderedReport]:
    """The report ``name`` for each of ``areas``, made from ``release`` (default:
    the newest published) as ``audience`` may see it; one connection and one read
    of each area's values for all of them.

    Raises
    ------
    UnknownTemplateError, ReportParameterError, UnknownAreaError,
    UnknownReleaseError
        For a name, parameter, area or release that cannot be used.
    """
    template = load_template(name)
    snap = snapshot(engine, audience)
    with engine.connect() as conn:
        source = ReportSource(
            conn=conn,
            snap=snap,
            release=choose_release(conn, release, audience),
            lang=lang,
            site=site,
        )
        for area in areas:
            yield render_report(template, source, area=area, topic=topic, other=other)


def make_report(
    engine: Engine,
    name: str,
    *,
    area: str | None = None,
    topic: str | None = None,
    other: str | None = None,
    release: str | None = None,
    audience: Audience = Audience.PUBLIC,
    lang: Language = "de",
    site: Site = DEFAULT_SITE,
) -> RenderedReport:
    """One report (see :func:`make_reports`)."""
    (found,) = make_reports(
        engine,
        name,
        areas=[area],
        topic=topic,
        other=other,
        release=release,
        audience=audience,
        lang=lang,
        site=site,
    )
    return found
