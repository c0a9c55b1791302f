"""Indicator page: one figure as map, time series, table and change view.

``/indikator/{id}`` and its JSON twin ``/api/v1/pages/indikator/{id}`` share
:func:`indicator_page`. The view is in the query string (see
:mod:`indicator_params`); under it: the full metadata and downloads of exactly what is
shown (:mod:`sozialmonitor.web.downloads`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import Connection

from sozialmonitor.analysis.index_categories import categories_of
from sozialmonitor.domain.indicator import Indicator, IndicatorKind, Polarity
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.errors import UnknownIndicatorError
from sozialmonitor.web import downloads, formatting
from sozialmonitor.web.catalogue_text import CatalogueText, catalogue_text, german_only
from sozialmonitor.web.embedding import EmbedCode, embed_code, embed_path
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.indicator_change import ChangeView, change_view
from sozialmonitor.web.pages.indicator_context import Context
from sozialmonitor.web.pages.indicator_hotspots import HotspotView, hotspot_view
from sozialmonitor.web.pages.indicator_params import (
    SCHEMES,
    TABS,
    Query,
    View,
    level_label,
    parse_view,
)
from sozialmonitor.web.pages.indicator_series import ChartView, chart_view
from sozialmonitor.web.pages.indicator_views import (
    MapView,
    TableView,
    level_notes,
    level_summary,
    level_values,
    map_view,
    table_view,
)
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.pages.recommendations import QualitativeBlock, linked_block
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href, slug

router = APIRouter()
router.include_router(downloads.router)

KIND_WORDS: dict[IndicatorKind, str] = {
    IndicatorKind.SHARE: "Anteil (Zähler je Nenner, in Prozent)",
    IndicatorKind.RATE: "Rate (Zähler je Nenner, z. B. je 1.000)",
    IndicatorKind.COUNT: "Anzahl",
    IndicatorKind.MEAN: "Mittelwert",
    IndicatorKind.MEDIAN: "Median",
    IndicatorKind.INDEX: "Index",
}
POLARITY_WORDS: dict[Polarity, str] = {
    Polarity.HIGHER_IS_BETTER: "Höhere Werte sind günstiger.",
    Polarity.HIGHER_IS_WORSE: "Höhere Werte sind ungünstiger.",
    Polarity.NEUTRAL: "Keine Wertung: höhere Werte sind weder besser noch schlechter.",
}
SIGNS_TEXT = (
    ". = Zahlenwert unbekannt oder geheim zu halten; – = kein Wert für diesen "
    "Zeitraum; p = vorläufige Zahl; r = berichtigte Zahl; s = geschätzte Zahl; "
    "| = Zeitreihenbruch"
)
DOWNLOADS: tuple[tuple[str, str | None, str], ...] = (
    ("csv", "csv-de", "CSV für Excel (deutsch: Semikolon, Dezimalkomma)"),
    ("csv", None, "CSV (maschinenlesbar: Komma, Dezimalpunkt)"),
    ("xlsx", None, "Excel-Arbeitsmappe (XLSX)"),
    ("json", None, "JSON"),
    ("geojson", None, "GeoJSON (mit Gebietsgrenzen)"),
    ("png", None, "Diagramm als Bild (PNG)"),
    ("svg", None, "Diagramm als Vektorgrafik (SVG)"),
)
"""(extension, ``format``, label) of each download."""
MAP_IMAGES = {
    "png": "Karte als Bild (PNG)",
    "svg": "Karte als Vektorgrafik (SVG)",
}
"""The image downloads' labels on the map view: there they are the map."""


def _downloads(ansicht: str) -> tuple[tuple[str, str | None, str], ...]:
    if ansicht != "karte":
        return DOWNLOADS
    return tuple(
        (ext, fmt, MAP_IMAGES.get(ext, label)) for ext, fmt, label in DOWNLOADS
    )


@dataclass(frozen=True, kw_only=True)
class Tab:
    key: str
    label: str
    url: str
    current: bool


@dataclass(frozen=True, kw_only=True)
class Controls:
    """The GET form that changes the view."""

    action: str
    scopes: tuple[Option, ...]
    levels: tuple[Option, ...]
    periods: tuple[Option, ...]
    """``zeitraum``, newest first (map and table)."""
    schemes: tuple[Option, ...]
    """``klassen`` (map)."""
    von: tuple[Option, ...]
    bis: tuple[Option, ...]
    """``von``/``bis`` (change view)."""
    hidden: tuple[tuple[str, str], ...]
    """The rest of the view, kept as hidden fields."""


@dataclass(frozen=True, kw_only=True)
class MetaItem:
    label: str
    value: str
    data: bool = False
    """Whether the value is catalogue text (German on the English page too)."""


@dataclass(frozen=True, kw_only=True)
class Download:
    label: str
    url: str
    format: str


@dataclass(frozen=True, kw_only=True)
class IndicatorPage:
    indicator: Indicator
    name: CatalogueText
    """The indicator's name in the page's language (or German, marked)."""
    unit: CatalogueText
    topic: CatalogueText
    """The topic's name as shown (``topic_name`` is the German one of its URL)."""
    german_only: tuple[str, ...]
    """On the English page: the catalogue texts shown in German (their labels)."""
    topic_name: str
    topic_url: str
    view: View
    """The checked view (every parameter with its value in use)."""
    messages: tuple[str, ...]
    """Why a parameter was not used as given."""
    summary: str
    """Text alternative of map and chart: what the current view shows."""
    root_name: str
    level_label: str
    tabs: tuple[Tab, ...]
    controls: Controls | None
    map: MapView | None = None
    chart: ChartView | None = None
    table: TableView | None = None
    change: ChangeView | None = None
    hotspots: HotspotView | None = None
    metadata: tuple[MetaItem, ...]
    downloads: tuple[Download, ...]
    embed: EmbedCode | None = None
    """The ``<iframe>`` that shows this view on another site (public indicators)."""
    qualitative: QualitativeBlock | None = None
    """The findings and recommendations linked to the indicator (None: none)."""


def _options(values: list[tuple[str, str]], selected: str | None) -> tuple[Option, ...]:
    return tuple(
        Option(value=v, label=label, selected=v == selected) for v, label in values
    )


def _controls(ctx: Context) -> Controls:
    view, t, snap = ctx.view, ctx.t, ctx.snap
    shown = {"raum", "ebene"} | {
        "karte": {"zeitraum", "klassen"},
        "tabelle": {"zeitraum"},
        "veraenderung": {"von", "bis"},
        "diagramm": set(),
        "hotspots": {"zeitraum"},
    }[view.ansicht]
    hidden = []
    for name, value in view.params(seite=1).items():
        if name in shown or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            hidden.append((name, str(item)))
    if ctx.lang != "de":
        hidden.append(("lang", ctx.lang))
    periods = [(p, ctx.period(p)) for p in view.periods]
    return Controls(
        action=f"/indikator/{ctx.indicator.id}",
        scopes=_options(
            [(s.root.code, s.root.name) for s in snap.scopes_for(ctx.indicator)],
            view.raum,
        ),
        levels=_options(
            [(lvl, level_label(snap, lvl, t)) for lvl in ctx.scope.levels], view.ebene
        ),
        periods=_options(periods[::-1], view.zeitraum),
        # A class indicator is mapped by its classes: no scheme to choose.
        schemes=()
        if categories_of(ctx.indicator)
        else _options(
            [(k, t(label)) for k, (_, label) in SCHEMES.items()], view.klassen
        ),
        von=_options(periods, view.von),
        bis=_options(periods, view.bis),
        hidden=tuple(hidden),
    )


def _period_span(snap: Snapshot, indicator: Indicator, lang: Language) -> str:
    found = data.ordered_periods(
        p
        for s in snap.scopes_for(indicator)
        for periods in s.periods_by_level.values()
        for p in periods
    )
    first = indicator.first_period or (found[0] if found else "")
    last = indicator.last_period or (found[-1] if found else "")
    if not first:
        return formatting.NO_VALUE_SIGN
    texts = [formatting.period_label(p, lang) for p in (first, last) if p]
    return "–".join(dict.fromkeys(texts))


def _metadata(
    snap: Snapshot,
    indicator: Indicator,
    t: Translator,
    notes: list[str],
    release_text: str,
) -> tuple[MetaItem, ...]:
    def text(value: str) -> str:
        return value or formatting.NO_VALUE_SIGN

    definition = catalogue_text(indicator, "definition", t.lang)
    unit = catalogue_text(indicator, "unit", t.lang)
    return tuple(
        MetaItem(label=t(label), value=value, data=is_data)
        for label, value, is_data in (
            (
                "Definition",
                text(formatting.definition_parts(definition.text)[0]),
                definition.lang == "de",
            ),
            ("Zähler", text(indicator.numerator), True),
            ("Nenner (Bezugsgröße)", text(indicator.denominator), True),
            ("Einheit", text(unit.text), unit.lang == "de"),
            ("Art", t(KIND_WORDS[indicator.kind]), False),
            ("Bewertung", t(POLARITY_WORDS[indicator.polarity]), False),
            ("Quelle", text(indicator.source), True),
            ("Lizenz", text(indicator.licence), True),
            ("Aktualisierung", text(indicator.update_cycle), True),
            ("Zeitraum der Daten", _period_span(snap, indicator, t.lang), False),
            ("Hinweise", " ".join(notes) or t("keine"), bool(notes)),
            ("Zeichen", t(SIGNS_TEXT), False),
            ("Datenstand", release_text, False),
        )
    )


def _release_text(snap: Snapshot, t: Translator) -> str:
    release = snap.release
    if release is None or release.published_at is None:
        return t("Es ist noch kein Datenstand veröffentlicht.")
    return t(
        "Datenstand: {name}, veröffentlicht am {date}",
        name=release.name,
        date=formatting.date(release.published_at, t.lang),
    )


def indicator_page(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    indicator_id: str,
    query: Query,
    *,
    base_url: str = "",
) -> IndicatorPage:
    """The content of the indicator page for one view.

    Parameters
    ----------
    conn : Connection
        A database connection; every value is read through the public read gate.
    snap : Snapshot
        The catalogue at the current data version.
    lang : {"de", "en"}
        The page's language.
    indicator_id : str
        The indicator.
    query : mapping
        The request's parameters (``raum``, ``ebene``, ``zeitraum``, …).
    base_url : str, optional
        The portal's public address, for an absolute address in the embed code.

    Returns
    -------
    IndicatorPage
        Header, the current view, metadata and download links.

    Raises
    ------
    UnknownIndicatorError
        If there is no public indicator with this id.
    """
    indicator = snap.indicator(indicator_id)
    t = Translator(lang=lang)
    view, messages = parse_view(snap, indicator, query, t)
    topic_name = indicator.topic
    notes: list[str] = []
    texts = {
        field: catalogue_text(indicator, field, lang)
        for field in ("name", "unit", "topic", "definition")
    }
    page = IndicatorPage(
        indicator=indicator,
        name=texts["name"],
        unit=texts["unit"],
        topic=texts["topic"],
        german_only=tuple(t(label) for label in german_only(texts)),
        topic_name=topic_name,
        topic_url=href(f"/thema/{slug(topic_name)}", lang),
        view=view,
        qualitative=linked_block(conn, snap, lang, indicator=indicator.id),
        messages=messages,
        summary=t("Für diese Kennzahl sind noch keine Werte veröffentlicht."),
        root_name="",
        level_label="",
        tabs=(),
        controls=None,
        metadata=(),
        downloads=(),
    )
    release_text = _release_text(snap, t)
    if view.raum is None:
        return _with(page, metadata=_metadata(snap, indicator, t, notes, release_text))
    ctx = Context(conn=conn, snap=snap, t=t, indicator=indicator, view=view)
    extra: dict[str, object] = {}
    message = ""
    root_obs: Observation | None = None
    if view.ansicht in ("karte", "tabelle", "hotspots"):
        level = level_values(ctx)
        root_obs = level.root_obs
        extra["summary"] = level_summary(ctx, level)
        notes.extend(level_notes(level))
        if view.ansicht == "karte":
            extra["map"] = map_view(ctx, level)
        elif view.ansicht == "hotspots":
            extra["hotspots"] = hotspot_view(ctx, level)
        else:
            extra["table"], message = table_view(ctx, level)
    elif view.ansicht == "diagramm":
        extra["chart"], extra["summary"] = chart_view(ctx)
    else:
        extra["change"], extra["summary"], message = change_view(ctx)
    if root_obs is not None and root_obs.flags & Flag.COMPUTED:
        notes.append(
            t(
                "Der Wert für {root} ist aus den Werten der Teilgebiete berechnet.",
                root=ctx.root.name,
            )
        )
    return _with(
        page,
        **extra,
        messages=messages + ((message,) if message else ()),
        root_name=ctx.root.name,
        level_label=ctx.level(),
        tabs=tuple(
            Tab(
                key=key,
                label=t(label),
                url=ctx.url(ansicht=key, seite=1),
                current=key == view.ansicht,
            )
            for key, label in TABS.items()
        ),
        controls=_controls(ctx),
        embed=embed_code(
            embed_path(indicator.id, lang, view.params()),
            f"{texts['name'].text}: {t(TABS[view.ansicht])}",
            base_url=base_url,
        )
        if indicator.is_public
        else None,
        metadata=_metadata(snap, indicator, t, notes, release_text),
        downloads=tuple(
            Download(
                label=t(label),
                url=href(
                    f"/indikator/{indicator.id}/download.{ext}",
                    lang,
                    **view.params(),
                    format=fmt,
                ),
                format=fmt or ext,
            )
            for ext, fmt, label in _downloads(view.ansicht)
        ),
    )


def _with(page: IndicatorPage, **changes: object) -> IndicatorPage:
    return replace(page, **changes)  # type: ignore[arg-type]


def _query(request: Request) -> Query:
    params = request.query_params
    return {key: params.getlist(key) for key in params}


def _page(request: Request, indicator_id: str) -> tuple[Snapshot, IndicatorPage]:
    snap = current_snapshot(request)
    with request.app.state.engine.connect() as conn:
        return snap, indicator_page(
            conn,
            snap,
            request_language(request),
            indicator_id,
            _query(request),
            base_url=request.app.state.base_url,
        )


@router.get(
    "/indikator/{indicator_id}", response_class=HTMLResponse, include_in_schema=False
)
def indicator_html(request: Request, indicator_id: str) -> HTMLResponse:
    try:
        snap, page = _page(request, indicator_id)
    except UnknownIndicatorError as error:
        return not_found(request, current_snapshot(request), error, indicator=True)
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request,
        snap,
        title=page.name.text,
        crumbs=(
            (t("Start"), "/"),
            (t("Themenfelder"), "/thema"),
            (page.topic.text, f"/thema/{slug(page.topic_name)}"),
        ),
    )
    return render(request, "indicator.html", frame=frame, page=page)


@router.get("/indikator/{indicator_id}/gebiet", include_in_schema=False)
def pick_area(request: Request, indicator_id: str, code: str = "") -> RedirectResponse:
    """The "Gebiet wählen" form under the map: on to the chosen area's profile."""
    snap = current_snapshot(request)
    snap.indicator(indicator_id)
    area = snap.area(code.strip())
    return RedirectResponse(
        href(f"/gebiet/{area.code}", request_language(request)), status_code=303
    )


@router.get("/api/v1/pages/indikator/{indicator_id}", tags=["pages"])
def indicator_json(request: Request, indicator_id: str) -> JSONResponse:
    """The indicator page's content as JSON (the same view parameters)."""
    return json_response(_page(request, indicator_id)[1])
