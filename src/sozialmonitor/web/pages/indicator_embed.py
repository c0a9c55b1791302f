"""Embeddable views of an indicator: map, chart, table or change view alone.

``/einbetten/indikator/{id}`` takes the indicator page's own view parameters
(``ansicht``, ``raum``, ``ebene``, ``zeitraum``, …) and shows that view without the
portal's header, navigation and footer, with a source line and a link to the full
view — for an ``<iframe>`` on another site. Only these paths may be framed, by the
sites the ``frame-ancestors`` setting names (``web/security.py``).

An embed is always the public view: it reads through the public read gate whoever
asks, so a signed-in visitor's browser never carries an internal value into
another site's page; it reads no session and sets no cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import UnknownIndicatorError
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import frame_for, render, request_language
from sozialmonitor.web.pages.indicator import IndicatorPage, indicator_page
from sozialmonitor.web.pages.indicator_params import Query
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.security import EMBED_PREFIX
from sozialmonitor.web.snapshot import snapshot
from sozialmonitor.web.urls import href

router = APIRouter()


@dataclass(frozen=True, kw_only=True)
class EmbedPage:
    """The embeddable view: the indicator page's content, shown alone."""

    content: IndicatorPage
    full_url: str
    """The same view in the portal."""
    source: str
    """``Quelle: …``, the licence and the Datenstand."""


def _query(request: Request) -> Query:
    params = request.query_params
    return {key: params.getlist(key) for key in params}


@router.get(
    EMBED_PREFIX + "indikator/{indicator_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def indicator_embed(request: Request, indicator_id: str) -> HTMLResponse:
    """One view of the indicator page alone, for another site's ``<iframe>``."""
    lang = request_language(request)
    t = Translator(lang=lang)
    snap = snapshot(request.app.state.engine, Audience.PUBLIC)
    try:
        with request.app.state.engine.connect() as conn:
            content = indicator_page(conn, snap, lang, indicator_id, _query(request))
    except UnknownIndicatorError as error:
        return not_found(request, snap, error, indicator=True)
    indicator = content.indicator
    parts = [t("Quelle: {source}", source=indicator.source or "–")]
    if indicator.licence:
        parts.append(t("Lizenz: {licence}", licence=indicator.licence))
    frame = frame_for(request, snap, title=content.name.text)
    parts.append(frame.release_text)
    view_params = content.view.params() if content.view.raum else {}
    page = EmbedPage(
        content=content,
        full_url=href(f"/indikator/{indicator.id}", lang, **view_params),
        source=" · ".join(parts),
    )
    return render(request, "indicator_embed.html", frame=frame, page=page)
