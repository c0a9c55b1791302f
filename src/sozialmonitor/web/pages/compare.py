"""Compare (``/vergleich?gebiete=A&gebiete=B``): two areas side by side.

Indicator by indicator (grouped by topic) the two values of the latest period both
areas have, the difference (percentage points for shares), which is higher, and
both series as sparklines on one time axis. One indicator at a time
(``kennzahl=<id>``) is drawn as a Vega chart with both areas, with its table
alternative; the scripts are loaded only then. Indicators only one of the areas
has are listed by name.

Areas are chosen with two selects (grouped by top-level area and level) while
there are at most :data:`SELECT_LIMIT` areas; above (11,000 municipalities) with two
text fields that take a code or a name, so the page stays small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.errors import UnknownAreaError, UnknownIndicatorError
from sozialmonitor.web import formatting
from sozialmonitor.web.charts import Series, compile_to_vega, time_series_spec
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    render,
    request_language,
    to_json,
)
from sozialmonitor.web.pages.area import (
    AreaRef,
    Figure,
    SeriesPoint,
    area_values,
    figure,
    matches,
    not_found,
    period_order,
    shown,
    sparkline,
)
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

router = APIRouter()

SELECT_LIMIT = 1000
"""Up to this many areas the form offers two selects; above, two text fields."""
MAX_CANDIDATES = 20
"""Areas offered when a name fits several."""
CHART_ID = "vergleich-diagramm"
SLOTS = ("A", "B")


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """An area a name could mean, with the comparison it leads to."""

    code: str
    name: str
    level_label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class Choice:
    """One of the two areas as asked for and as understood."""

    slot: str
    """``A`` or ``B``."""
    text: str
    """What the URL or the form gave (a code or a name)."""
    area: AreaRef | None
    candidates: tuple[Candidate, ...] = ()
    """Areas the text fits when it fits several."""
    error: str = ""


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
class ChartRow:
    period: str
    period_text: str
    a: str
    b: str


@dataclass(frozen=True, kw_only=True)
class CompareChart:
    """The time series of one indicator for both areas."""

    indicator: str
    title: str
    summary: str
    rows: tuple[ChartRow, ...]
    """The table alternative: one row per period."""
    target: str = CHART_ID
    spec: Markup = field(default=Markup(""), metadata={"html_only": True})
    """The compiled Vega spec as JSON for the page's script element."""


@dataclass(frozen=True, kw_only=True)
class OptionGroup:
    label: str
    options: tuple[tuple[str, str], ...]
    """(code, name)"""


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


def _ref(snap: Snapshot, area: Area, lang: Language, t: Translator) -> AreaRef:
    level = snap.level_by_code.get(area.level)
    return AreaRef(
        code=area.code,
        name=area.name,
        level=area.level,
        level_label=t(level.label) if level else area.level,
        url=href(f"/gebiet/{area.code}", lang),
    )


def _by_rank(snap: Snapshot, areas: list[Area]) -> list[Area]:
    return sorted(
        areas,
        key=lambda a: (snap.level_by_code[a.level].rank, german_key(a.name), a.code),
    )


def resolve(snap: Snapshot, text: str) -> tuple[Area | None, list[Area]]:
    """The area a code or name means, or the areas it could mean.

    A code is taken as it is; a name that one area has exactly (ignoring case and
    umlaut spelling) or that is part of only one name is that area.
    """
    text = text.strip()
    if not text:
        return None, []
    if text in snap.areas:
        return snap.areas[text], []
    key = german_key(text)
    found = matches(snap, text)
    exact = [a for a in found if german_key(a.name) == key]
    if len(exact) == 1:
        return exact[0], []
    if exact:
        return None, _by_rank(snap, exact)
    if len(found) == 1:
        return found[0], []
    return None, _by_rank(snap, found)


def _choices(
    snap: Snapshot, lang: Language, t: Translator, asked: list[str], indicator: str
) -> tuple[Choice, ...]:
    texts = [text.strip() for text in [*asked, "", ""][:2]]
    resolved = [resolve(snap, text) for text in texts]
    codes = [
        area.code if area else text
        for text, (area, _) in zip(texts, resolved, strict=True)
    ]
    found = []
    for index, (slot, text, (area, candidates)) in enumerate(
        zip(SLOTS, texts, resolved, strict=True)
    ):
        error = ""
        if text and area is None and not candidates:
            error = t("Kein Gebiet gefunden für „{text}“.", text=text)

        def url(code: str, index: int = index) -> str:
            pair = list(codes)
            pair[index] = code
            return href("/vergleich", lang, gebiete=pair, kennzahl=indicator or None)

        found.append(
            Choice(
                slot=slot,
                text=text,
                area=_ref(snap, area, lang, t) if area else None,
                candidates=tuple(
                    Candidate(
                        code=a.code,
                        name=a.name,
                        level_label=_ref(snap, a, lang, t).level_label,
                        url=url(a.code),
                    )
                    for a in candidates[:MAX_CANDIDATES]
                ),
                error=error,
            )
        )
    return tuple(found)


def _option_groups(snap: Snapshot, t: Translator) -> tuple[OptionGroup, ...]:
    roots = sorted(
        (a for a in snap.areas.values() if not a.parent),
        key=lambda a: german_key(a.name),
    )
    groups = []
    for root in roots:
        for level in snap.levels:
            members = snap.areas_in(root.code, level.code)
            if members:
                groups.append(
                    OptionGroup(
                        label=f"{root.name} – {t(level.label)}",
                        options=tuple((a.code, a.name) for a in members),
                    )
                )
    return tuple(groups)


def _latest_common(a: dict[str, Observation], b: dict[str, Observation]) -> str | None:
    """The latest period both have a value for (shown values preferred)."""
    common = sorted(set(a) & set(b), key=period_order)
    both_shown = [
        p for p in common if shown(a[p]) is not None and shown(b[p]) is not None
    ]
    if both_shown:
        return both_shown[-1]
    return common[-1] if common else None


def _axis(a: dict[str, Observation], b: dict[str, Observation]) -> list[str]:
    return sorted(set(a) | set(b), key=period_order)


def _points(
    periods: dict[str, Observation], axis: list[str]
) -> tuple[SeriesPoint, ...]:
    return tuple(SeriesPoint(period=p, value=shown(periods.get(p))) for p in axis)


def _chart_names(a: AreaRef, b: AreaRef) -> tuple[str, str]:
    if a.name != b.name:
        return a.name, b.name
    return f"{a.name} ({a.code})", f"{b.name} ({b.code})"


def _summary(
    names: tuple[str, str],
    series: tuple[tuple[SeriesPoint, ...], tuple[SeriesPoint, ...]],
    indicator: Indicator,
    lang: Language,
    t: Translator,
) -> str:
    parts = []
    for name, points in zip(names, series, strict=True):
        known = [p for p in points if p.value is not None]
        if not known:
            parts.append(t("{area}: keine Werte", area=name))
        elif len(known) == 1:
            parts.append(
                t(
                    "{area}: {value} ({period})",
                    area=name,
                    value=formatting.with_unit(known[0].value, indicator, lang),
                    period=formatting.period_label(known[0].period, lang),
                )
            )
        else:
            parts.append(
                t(
                    "{area}: von {first} ({first_period}) auf {last} ({last_period})",
                    area=name,
                    first=formatting.with_unit(known[0].value, indicator, lang),
                    first_period=formatting.period_label(known[0].period, lang),
                    last=formatting.with_unit(known[-1].value, indicator, lang),
                    last_period=formatting.period_label(known[-1].period, lang),
                )
            )
    return "; ".join(parts) + "."


def _chart(
    indicator: Indicator,
    refs: tuple[AreaRef, AreaRef],
    values: tuple[dict[str, Observation], dict[str, Observation]],
    lang: Language,
    t: Translator,
) -> CompareChart:
    axis = _axis(*values)
    series = (_points(values[0], axis), _points(values[1], axis))
    names = _chart_names(*refs)
    spec = time_series_spec(
        title=indicator.name,
        unit=indicator.unit,
        series=[
            Series(
                name, [(formatting.period_label(p.period, lang), p.value) for p in s]
            )
            for name, s in zip(names, series, strict=True)
        ],
        lang=lang,
        decimals=indicator.decimals,
    )
    compiled = compile_to_vega(spec, lang)
    # "<" escaped so that no "</script>" in a name can end the script element.
    text = json.dumps(compiled, ensure_ascii=False).replace("<", "\\u003c")
    return CompareChart(
        indicator=indicator.id,
        title=t("Zeitreihe: {name}", name=indicator.name),
        summary=_summary(names, series, indicator, lang, t),
        rows=tuple(
            ChartRow(
                period=a.period,
                period_text=formatting.period_label(a.period, lang),
                a=figure(
                    values[0].get(a.period), indicator, lang, area="", period=a.period
                ).text,
                b=figure(
                    values[1].get(b.period), indicator, lang, area="", period=b.period
                ).text,
            )
            for a, b in zip(*series, strict=True)
        ),
        spec=Markup(text),
    )


def compare_page(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    *,
    areas: list[str],
    indicator: str = "",
) -> ComparePage:
    """The comparison of two areas (or the form to choose them).

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
    choices = _choices(snap, lang, t, areas, indicator)
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
        for topic in snap.topics:
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
                chart = _chart(
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
        use_select=len(snap.areas) <= SELECT_LIMIT,
        quick_links=tuple(quick_links),
        topics=tuple(topics),
        only_a=tuple(only_a),
        only_b=tuple(only_b),
        no_common_period=tuple(no_common),
        chart_indicator=chart_indicator.id if chart_indicator else "",
        chart=chart,
        not_found=any(c.error for c in choices),
        option_groups=_option_groups(snap, t)
        if len(snap.areas) <= SELECT_LIMIT
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
    value_a, value_b = shown(obs_a), shown(obs_b)
    difference = None
    higher = ""
    higher_text = formatting.NO_VALUE_SIGN
    if value_a is not None and value_b is not None:
        difference = value_a - value_b
        rounded = round(value_a, indicator.decimals) - round(
            value_b, indicator.decimals
        )
        if round(rounded, indicator.decimals) == 0:
            higher, higher_text = "equal", t("gleich hoch")
        elif rounded > 0:
            higher, higher_text = "a", t("{area} höher", area=refs[0].name)
        else:
            higher, higher_text = "b", t("{area} höher", area=refs[1].name)
    axis = _axis(*values)
    series_a, series_b = _points(values[0], axis), _points(values[1], axis)
    return CompareRow(
        indicator=indicator.id,
        name=indicator.short_name,
        unit=indicator.unit,
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
    with request.app.state.engine.connect() as conn:
        return snap, compare_page(
            conn, snap, request_language(request), areas=areas, indicator=indicator
        )


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
    return JSONResponse(to_json(page))
