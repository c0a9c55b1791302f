"""Compare (``/vergleich?gebiete=A&gebiete=B``): two areas side by side.

Indicator by indicator (grouped by topic) the two values of the latest period both
areas have, the difference (percentage points for shares), which is higher, and
both series as sparklines on one time axis. One indicator at a time
(``kennzahl=<id>``) is drawn as a Vega chart with both areas, with its table
alternative (:mod:`~sozialmonitor.web.pages.compare_chart`); the scripts are loaded
only then. Indicators only one of the areas has are listed by name.

Areas are chosen with two selects (grouped by top-level area and level) while
there are at most :data:`SELECT_LIMIT` areas of today; above (11,000 municipalities)
with two text fields that take a code or a name, so the page stays small
(:mod:`~sozialmonitor.web.pages.compare_form`). An area that ended is reached by its
code or name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.analysis.index_categories import categories_of
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.errors import UnknownAreaError, UnknownIndicatorError
from sozialmonitor.web import formatting
from sozialmonitor.web.figure import (
    Figure,
    SeriesPoint,
    aligned_points,
    figure,
    sparkline,
)
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
    site_of,
)
from sozialmonitor.web.pages.area import AreaRef
from sozialmonitor.web.pages.area_values import area_values
from sozialmonitor.web.pages.compare_chart import CompareChart, compare_chart, time_axis
from sozialmonitor.web.pages.compare_form import (
    Choice,
    OptionGroup,
    area_choices,
    current_areas,
    option_groups,
)
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.site.config import NO_ORDER, Order
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href
from sozialmonitor.web.values import shown_value

router = APIRouter()
PAGE_CACHE = 64
"""Comparisons kept per data version."""

SELECT_LIMIT = 1000
"""Up to this many areas the form offers two selects; above, two text fields."""


@dataclass(frozen=True, kw_only=True)
class CompareRow:
    indicator: str
    name: str
    unit: str
    url: str
    chart_url: str
    period: str
    period_text: str
    a: Figure
    b: Figure
    difference: float | None
    """A − B (percentage points for shares); None when either value is missing."""
    difference_text: str
    higher: str
    """``a``, ``b``, ``equal`` or empty (not comparable)."""
    higher_text: str
    series_a: tuple[SeriesPoint, ...]
    series_b: tuple[SeriesPoint, ...]
    sparkline_a: Markup = field(default=Markup(""), metadata={"html_only": True})
    sparkline_b: Markup = field(default=Markup(""), metadata={"html_only": True})


@dataclass(frozen=True, kw_only=True)
class CompareTopic:
    name: str
    slug: str
    rows: tuple[CompareRow, ...]


@dataclass(frozen=True, kw_only=True)
class IndicatorLink:
    indicator: str
    name: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class ComparePage:
    """The content of ``/vergleich``."""

    choices: tuple[Choice, ...]
    """Always two: A and B."""
    areas: tuple[AreaRef, ...]
    """The areas compared: two when ``ready``."""
    ready: bool
    messages: tuple[str, ...]
    use_select: bool
    """Two selects (few areas) or two text fields (Germany size)."""
    quick_links: tuple[Link, ...]
    topics: tuple[CompareTopic, ...]
    only_a: tuple[IndicatorLink, ...]
    only_b: tuple[IndicatorLink, ...]
    no_common_period: tuple[IndicatorLink, ...]
    chart_indicator: str
    chart: CompareChart | None
    not_found: bool
    """Whether an area asked for does not exist (HTTP 404)."""
    option_groups: tuple[OptionGroup, ...] = field(
        default=(), metadata={"html_only": True}
    )


def _latest_common(a: dict[str, Observation], b: dict[str, Observation]) -> str | None:
    """The latest period both have a value for (shown values preferred)."""
    common = sorted(set(a) & set(b), key=period_order)
    both_shown = [
        p
        for p in common
        if shown_value(a[p]) is not None and shown_value(b[p]) is not None
    ]
    if both_shown:
        return both_shown[-1]
    return common[-1] if common else None


def compare_page(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    *,
    areas: list[str],
    indicator: str = "",
    order: Order = NO_ORDER,
) -> ComparePage:
    """The comparison of two areas (or the form to choose them), topic by topic
    in the site's ``order``.

    Raises
    ------
    UnknownIndicatorError
        For a ``kennzahl`` no (public) indicator has.
    """
    t = Translator(lang=lang)
    messages: list[str] = []
    if len(areas) > 2:
        messages.append(
            t("Es werden die ersten zwei der gewählten Gebiete verglichen.")
        )
    chart_indicator = snap.indicator(indicator) if indicator else None
    choices = area_choices(snap, lang, t, areas, indicator)
    refs = tuple(c.area for c in choices if c.area is not None)
    ready = len(refs) == 2 and refs[0].code != refs[1].code
    if len(refs) == 2 and not ready:
        messages.append(t("Bitte wählen Sie zwei verschiedene Gebiete."))
    quick_links: list[Link] = []
    first = choices[0].area
    if first is not None:
        ancestors = snap.ancestors(first.code)
        if ancestors:
            parent = ancestors[0]
            quick_links.append(
                Link(
                    label=t(
                        "mit übergeordnetem Gebiet vergleichen ({area})",
                        area=parent.name,
                    ),
                    url=href("/vergleich", lang, gebiete=[first.code, parent.code]),
                )
            )
            if len(ancestors) > 1:
                top = ancestors[-1]
                quick_links.append(
                    Link(
                        label=t("mit der Region vergleichen ({area})", area=top.name),
                        url=href("/vergleich", lang, gebiete=[first.code, top.code]),
                    )
                )
        if ready:
            quick_links.append(
                Link(
                    label=t("Gebiete tauschen"),
                    url=href(
                        "/vergleich",
                        lang,
                        gebiete=[refs[1].code, refs[0].code],
                        kennzahl=indicator or None,
                    ),
                )
            )
    topics: list[CompareTopic] = []
    only_a: list[IndicatorLink] = []
    only_b: list[IndicatorLink] = []
    no_common: list[IndicatorLink] = []
    chart = None
    if ready:
        ref_a, ref_b = refs[0], refs[1]
        values_a = area_values(conn, snap, snap.areas[ref_a.code]).by_indicator
        values_b = area_values(conn, snap, snap.areas[ref_b.code]).by_indicator
        codes = [ref_a.code, ref_b.code]
        for topic in order.arrange(snap.topics):
            rows = []
            for ind in topic.indicators:
                pa, pb = values_a.get(ind.id), values_b.get(ind.id)
                link = IndicatorLink(
                    indicator=ind.id,
                    name=ind.short_name,
                    url=href(f"/indikator/{ind.id}", lang),
                )
                if not pa and not pb:
                    continue
                if not pb:
                    only_a.append(link)
                    continue
                if not pa:
                    only_b.append(link)
                    continue
                period = _latest_common(pa, pb)
                if period is None:
                    no_common.append(link)
                    continue
                rows.append(_row(ind, (ref_a, ref_b), (pa, pb), period, codes, lang, t))
            if rows:
                topics.append(
                    CompareTopic(name=topic.name, slug=topic.slug, rows=tuple(rows))
                )
        if chart_indicator is not None:
            pa = values_a.get(chart_indicator.id)
            pb = values_b.get(chart_indicator.id)
            if pa or pb:
                chart = compare_chart(
                    chart_indicator, (ref_a, ref_b), (pa or {}, pb or {}), lang, t
                )
            else:
                messages.append(
                    t(
                        "Für „{name}“ gibt es für keines der beiden Gebiete Werte.",
                        name=chart_indicator.short_name,
                    )
                )
    return ComparePage(
        choices=choices,
        areas=refs if ready else (),
        ready=ready,
        messages=tuple(messages),
        use_select=current_areas(snap) <= SELECT_LIMIT,
        quick_links=tuple(quick_links),
        topics=tuple(topics),
        only_a=tuple(only_a),
        only_b=tuple(only_b),
        no_common_period=tuple(no_common),
        chart_indicator=chart_indicator.id if chart_indicator else "",
        chart=chart,
        not_found=any(c.error for c in choices),
        option_groups=option_groups(snap, t)
        if current_areas(snap) <= SELECT_LIMIT
        else (),
    )


def _row(
    indicator: Indicator,
    refs: tuple[AreaRef, AreaRef],
    values: tuple[dict[str, Observation], dict[str, Observation]],
    period: str,
    codes: list[str],
    lang: Language,
    t: Translator,
) -> CompareRow:
    obs_a, obs_b = values[0][period], values[1][period]
    value_a, value_b = shown_value(obs_a), shown_value(obs_b)
    difference = None
    higher = ""
    higher_text = formatting.NO_VALUE_SIGN
    if value_a is not None and value_b is not None and categories_of(indicator):
        # Classes are categories: the same or another, never "higher".
        same = value_a == value_b
        higher = "equal" if same else ""
        higher_text = t("gleiche Klasse") if same else t("andere Klasse")
    elif value_a is not None and value_b is not None:
        difference = value_a - value_b
        rounded = formatting.rounded_as_shown(
            value_a, indicator.decimals
        ) - formatting.rounded_as_shown(value_b, indicator.decimals)
        if round(rounded, indicator.decimals) == 0:
            higher, higher_text = "equal", t("gleich hoch")
        elif rounded > 0:
            higher, higher_text = "a", t("{area} höher", area=refs[0].name)
        else:
            higher, higher_text = "b", t("{area} höher", area=refs[1].name)
    axis = time_axis(*values)
    series_a, series_b = (
        aligned_points(values[0], axis),
        aligned_points(values[1], axis),
    )
    return CompareRow(
        indicator=indicator.id,
        name=indicator.short_name,
        unit=formatting.unit(indicator, lang),
        url=href(f"/indikator/{indicator.id}", lang),
        chart_url=href("/vergleich", lang, gebiete=codes, kennzahl=indicator.id)
        + "#diagramm",
        period=period,
        period_text=formatting.period_label(period, lang),
        a=figure(obs_a, indicator, lang, area=refs[0].code, period=period),
        b=figure(obs_b, indicator, lang, area=refs[1].code, period=period),
        difference=difference,
        difference_text=formatting.change(difference, indicator, lang),
        higher=higher,
        higher_text=higher_text,
        series_a=series_a,
        series_b=series_b,
        sparkline_a=sparkline(
            series_a, f"{indicator.short_name}, {refs[0].name}", lang
        ),
        sparkline_b=sparkline(
            series_b, f"{indicator.short_name}, {refs[1].name}", lang
        ),
    )


def _page(
    request: Request, areas: list[str], indicator: str
) -> tuple[Snapshot, ComparePage]:
    snap = current_snapshot(request)
    lang = request_language(request)
    order = site_of(request).order

    def build() -> ComparePage:
        with request.app.state.engine.connect() as conn:
            return compare_page(
                conn, snap, lang, areas=areas, indicator=indicator, order=order
            )

    # A comparison lines up every indicator of two areas (~40 ms at Germany size)
    # and changes only with the data: kept per data version, page and twin alike.
    key = (tuple(areas), indicator, lang, order.key)
    return snap, snap.lru("compare-pages", PAGE_CACHE).get_or_make(key, build)


@router.get("/vergleich", response_class=HTMLResponse, include_in_schema=False)
def compare_html(
    request: Request,
    gebiete: list[str] = Query(default=[]),  # noqa: B008 - FastAPI's way
    kennzahl: str = "",
) -> HTMLResponse:
    try:
        snap, page = _page(request, gebiete, kennzahl)
    except UnknownIndicatorError as error:
        return not_found(request, current_snapshot(request), error)
    t = Translator(lang=request_language(request))
    title = (
        t("Vergleich: {a} und {b}", a=page.areas[0].name, b=page.areas[1].name)
        if page.ready
        else t("Gebiete vergleichen")
    )
    frame = frame_for(request, snap, title=title)
    response = render(request, "compare.html", frame=frame, page=page)
    if page.not_found:
        response.status_code = 404
    return response


@router.get("/api/v1/pages/vergleich", tags=["pages"])
def compare_json(
    request: Request,
    gebiete: list[str] = Query(default=[]),  # noqa: B008 - FastAPI's way
    kennzahl: str = "",
) -> JSONResponse:
    """The comparison of two areas as JSON (the numbers the page shows)."""
    page = _page(request, gebiete, kennzahl)[1]
    if page.not_found:
        missing = [c.text for c in page.choices if c.error]
        raise UnknownAreaError(
            "There is no area with the code or name "
            + " or ".join(f"'{text}'" for text in missing)
            + "."
        )
    return json_response(page)
