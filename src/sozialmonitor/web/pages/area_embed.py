"""Embeddable chart of the area profile: one indicator's time series of one area.

``/einbetten/gebiet/{code}?indikator={id}`` shows the series as the profile draws
it (its trend line, from the area's first to its last value, with gaps where the
level has a period the area lacks) with the table of its values, a source line and
a link to the full profile — for an ``<iframe>`` on another site. As every view
under ``EMBED_PREFIX`` it is the public view whoever asks (the public read gate,
no session read, no cookie set) and may be framed by the sites the
``frame-ancestors`` setting names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.errors import UnknownAreaError, UnknownIndicatorError
from sozialmonitor.web import formatting
from sozialmonitor.web.catalogue_text import CatalogueText, catalogue_text
from sozialmonitor.web.embedding import EmbedCode, embed_code
from sozialmonitor.web.figure import Figure, figure, series_points, sparkline
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import frame_for, render, request_language
from sozialmonitor.web.pages.area_values import area_values, derive
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.security import EMBED_PREFIX
from sozialmonitor.web.snapshot import Snapshot, snapshot
from sozialmonitor.web.urls import href

router = APIRouter()


@dataclass(frozen=True, kw_only=True)
class SeriesValue:
    period_text: str
    figure: Figure


@dataclass(frozen=True, kw_only=True)
class AreaEmbedPage:
    """One indicator's series of one area, shown alone."""

    area: Area
    indicator: Indicator
    name: CatalogueText
    """The indicator's short name in the page's language (or German, marked)."""
    values: tuple[SeriesValue, ...]
    """Every period of the series, oldest first."""
    span: str
    """``2015–2021``."""
    full_url: str
    """The area's profile."""
    source: str
    sparkline: Markup = field(default=Markup(""), metadata={"html_only": True})


def area_embed_path(code: str, indicator_id: str, lang: Language) -> str:
    """The embeddable series of an indicator for an area.

    Examples
    --------
    >>> area_embed_path("03241009", "unemployment_share", "en")
    '/einbetten/gebiet/03241009?indikator=unemployment_share&lang=en'
    """
    return href(f"{EMBED_PREFIX}gebiet/{code}", lang, indikator=indicator_id)


def profile_embed(
    area: Area, indicator: Indicator, lang: Language, t: Translator, base_url: str
) -> EmbedCode | None:
    """The embed code under a profile's chart; None for an internal indicator (an
    embed is always the public view)."""
    if indicator.visibility is not Visibility.PUBLIC:
        return None
    name = catalogue_text(indicator, "short_name", lang).text
    return embed_code(
        area_embed_path(area.code, indicator.id, lang),
        t("{name}: {area}", name=name, area=area.name),
        base_url=base_url,
    )


def area_embed_page(
    conn: Connection, snap: Snapshot, lang: Language, code: str, indicator_id: str
) -> AreaEmbedPage:
    """The series of ``indicator_id`` for the area ``code``.

    Raises
    ------
    UnknownAreaError
        For a code no area has.
    UnknownIndicatorError
        For an indicator the public does not have, or that has no value for the
        area.
    """
    t = Translator(lang=lang)
    area = snap.area(code)
    indicator = snap.indicator(indicator_id)
    periods = area_values(conn, snap, area).by_indicator.get(indicator.id)
    if not periods:
        raise UnknownIndicatorError(
            f"The indicator '{indicator.id}' has no value for the area '{code}'."
        )
    scope = derive(snap).scope.get((indicator.id, snap.root_of[code]))
    points = series_points(
        periods, scope.periods_by_level.get(area.level, ()) if scope else ()
    )
    name = catalogue_text(indicator, "short_name", lang)
    first = formatting.period_label(points[0].period, lang)
    last = formatting.period_label(points[-1].period, lang)
    parts = [t("Quelle: {source}", source=indicator.source or "–")]
    if indicator.licence:
        parts.append(t("Lizenz: {licence}", licence=indicator.licence))
    return AreaEmbedPage(
        area=area,
        indicator=indicator,
        name=name,
        values=tuple(
            SeriesValue(
                period_text=formatting.period_label(p.period, lang),
                figure=figure(
                    periods.get(p.period), indicator, lang, area=code, period=p.period
                ),
            )
            for p in points
        ),
        span=first if first == last else f"{first}–{last}",
        full_url=href(f"/gebiet/{code}", lang)
        + f"#thema-{_topic_slug(snap, indicator)}",
        source=" · ".join(parts),
        sparkline=sparkline(points, name.text, lang),
    )


def _topic_slug(snap: Snapshot, indicator: Indicator) -> str:
    return next(
        (t.slug for t in snap.topics if indicator in t.indicators), "profil-title"
    )


@router.get(
    EMBED_PREFIX + "gebiet/{code}", response_class=HTMLResponse, include_in_schema=False
)
def area_embed(request: Request, code: str, indikator: str = "") -> HTMLResponse:
    """One indicator's series of one area alone, for another site's ``<iframe>``."""
    lang = request_language(request)
    snap = snapshot(request.app.state.engine, Audience.PUBLIC)
    try:
        with request.app.state.engine.connect() as conn:
            page = area_embed_page(conn, snap, lang, code, indikator)
    except UnknownAreaError as error:
        return not_found(request, snap, error)
    except UnknownIndicatorError as error:
        return not_found(request, snap, error, indicator=True)
    t = Translator(lang=lang)
    frame = frame_for(
        request,
        snap,
        title=t("{name}: {area}", name=page.name.text, area=page.area.name),
    )
    return render(request, "area_embed.html", frame=frame, page=page)
