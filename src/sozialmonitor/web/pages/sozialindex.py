"""The Sozialindex page: ``/sozialindex/<id>``, one page per stored index.

For the index's stored results in the chosen period (read through the read gate:
:mod:`sozialindex_data`): the combined map (:mod:`sozialindex_map`) in the
definition's colours, the matrix of status × dynamics classes with the areas per
cell and class, the focus areas (Gebiete mit besonderem Aufmerksamkeitsbedarf) with
the indicators that drive them in words, the method written from the definition
(:mod:`sozialindex_method`), the downloads of the results, and — where the index is
stored for several periods — how many areas moved from which class to which.

The results of every period are read once per data version (``warm_data``); a view
counts, lists and draws from their columns. At Germany size (11,000
municipalities) the map is one image (``svgmap.INTERACTIVE_LIMIT``) and the focus
list shows its first ``FOCUS_SHOWN`` areas, the downloads all of them. The list of
indices is :mod:`sozialindex_list`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sozialmonitor.analysis.index_categories import (
    Category,
    cell_categories,
    dimension_label,
    english_labels,
    reason_words,
)
from sozialmonitor.analysis.index_definition import IndexDefinition
from sozialmonitor.analysis.index_result import Driver
from sozialmonitor.web import formatting, svgmap
from sozialmonitor.web.catalogue_text import CatalogueText, record_text
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Later,
    Option,
    current_snapshot,
    frame_for,
    json_response,
    made_later,
    render,
    request_language,
)
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages import sozialindex_data as results
from sozialmonitor.web.pages import sozialindex_map as index_map
from sozialmonitor.web.pages.indicator_params import level_label
from sozialmonitor.web.pages.indicator_views import choropleth_key
from sozialmonitor.web.pages.sozialindex_list import unknown_index
from sozialmonitor.web.pages.sozialindex_method import method_paragraphs
from sozialmonitor.web.pages.sozialindex_words import (
    driver_label,
    english_names,
    reason_text,
)
from sozialmonitor.web.problems import problem
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

router = APIRouter()

DOWNLOADS = (("csv", "CSV (Excel, deutsch)"), ("xlsx", "XLSX"), ("json", "JSON"))
"""(extension, label) of the downloads of the results."""
STRONG = 2.0
"""A z-score from here on is "weit über dem Durchschnitt"."""
CLEAR = 1.0
"""From here on "deutlich über dem Durchschnitt"."""
FOCUS_SHOWN = 100
"""Focus areas the page lists (in name order); the downloads mark all of them.
A city has tens (the MSS 2021: 91 of 536 planning areas); an index over Germany's
11,000 municipalities has over 1,600, which would weigh ~100 KB gzip."""


@dataclass(frozen=True, kw_only=True)
class ClassCount:
    """One class (or cell) with its colour and number of areas."""

    code: int
    symbol: str
    label: str
    colour: str
    count: int


@dataclass(frozen=True, kw_only=True)
class MatrixRow:
    """One status class: its cells (one per dynamics class) and total."""

    status: ClassCount
    cells: tuple[ClassCount, ...]


@dataclass(frozen=True, kw_only=True)
class LeftOut:
    reason: str
    count: int


@dataclass(frozen=True, kw_only=True)
class DriverText:
    key: str
    label: str
    zscore: float
    text: str
    """``S1 Arbeitslosigkeit deutlich über dem Durchschnitt (z = 1,8)``."""


@dataclass(frozen=True, kw_only=True)
class FocusRow:
    code: str
    name: str
    url: str
    reasons: tuple[str, ...]
    """``Status sehr niedrig``, ``Dynamik negativ``."""
    cell: str | None
    cell_label: str
    drivers: tuple[DriverText, ...]


@dataclass(frozen=True, kw_only=True)
class TransitionTable:
    """Areas per class in one period (rows) and another (columns)."""

    dimension: str
    """``Status-Index``."""
    before: str
    before_text: str
    after: str
    after_text: str
    columns: tuple[ClassCount, ...]
    """The classes (counts: areas in the later period with a class in both)."""
    rows: tuple[tuple[ClassCount, tuple[int, ...]], ...]
    """Each class of the earlier period with the areas moved to each column."""
    unchanged: int
    """Areas in the same class in both periods."""
    total: int


@dataclass(frozen=True, kw_only=True)
class Download:
    label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class IndexPage:
    id: str
    name: CatalogueText
    """The definition's name in the page's language (or German, marked)."""
    description: CatalogueText
    german_only: tuple[str, ...]
    """On the English page: the definition's texts shown in German (their labels)."""
    level: str
    level_text: str
    root: str
    """Code of the top area the results lie under."""
    root_name: str
    period: str
    period_text: str
    periods: tuple[Option, ...]
    """The periods with stored results (a choice when there are several)."""
    internal: bool
    """Computed from the administration's view of the data (signed in)."""
    indexed: int
    """Areas with a status class."""
    status_name: str
    dynamics_name: str
    status_counts: tuple[ClassCount, ...]
    dynamics_counts: tuple[ClassCount, ...]
    matrix: tuple[MatrixRow, ...]
    """Empty without dynamics."""
    matrix_name: str
    left_out: tuple[LeftOut, ...]
    suppressed: int
    """Areas whose class may not be shown to this reader."""
    focus: tuple[FocusRow, ...]
    """The first ``FOCUS_SHOWN`` focus areas in name order."""
    focus_count: int
    """All focus areas."""
    focus_rule: str
    method: tuple[str, ...]
    transitions: tuple[TransitionTable, ...]
    downloads: tuple[Download, ...]
    url: str
    map_title: str
    map_linked: bool
    """One link per area to its profile (else one image: too many areas)."""
    map: Later = made_later()


# --- pieces ---------------------------------------------------------------------

GERMAN_ONLY_LABELS = {
    "name": "Name",
    "description": "Beschreibung",
    "dimensions": "Namen der Teilindizes",
    "classes": "Klassenbezeichnungen",
}
"""German labels of the definition's texts, for the note naming those shown in
German on an English page."""


def dimension_names(d: IndexDefinition, lang: Language) -> dict[str, CatalogueText]:
    """The names of status, dynamics and (with dynamics) the combined matrix."""
    named = {name: record_text(dim, "name", lang) for name, dim in d.dimensions.items()}
    if d.combined is not None and d.dynamics is not None:
        named["combined"] = record_text(d.combined, "name", lang)
    return named


def german_only_texts(d: IndexDefinition, lang: Language) -> tuple[str, ...]:
    """The German labels of the definition's texts an English page shows in German.

    Examples
    --------
    >>> from sozialmonitor.analysis.index_definition import find_definition
    >>> german_only_texts(find_definition("mss"), "en")
    ()
    """
    shown = {
        "name": record_text(d, "name", lang).german_only,
        "description": record_text(d, "description", lang).german_only,
        "dimensions": any(n.german_only for n in dimension_names(d, lang).values()),
        "classes": lang == "en" and not english_labels(d),
    }
    return tuple(GERMAN_ONLY_LABELS[k] for k, german in shown.items() if german)


def _counted(category: Category, count: int) -> ClassCount:
    return ClassCount(
        code=category.code,
        symbol=category.symbol,
        label=category.label,
        colour=category.colour,
        count=count,
    )


def driver_text(
    driver: Driver,
    d: IndexDefinition,
    t: Translator,
    names: Mapping[str, str] | None = None,
) -> DriverText:
    """``S1 Arbeitslosigkeit deutlich über dem Durchschnitt (z = 1,8)``; in English
    with the indicator's English label (``names``: stored indicator id → English
    name, where the definition has no ``label_en``; see :func:`driver_label`).

    Examples
    --------
    >>> from sozialmonitor.analysis.index_definition import find_definition
    >>> found = driver_text(
    ...     Driver(key="s1", label="S1 Arbeitslosigkeit", zscore=1.84),
    ...     find_definition("mss"),
    ...     Translator(lang="de"),
    ... )
    >>> found.text
    'S1 Arbeitslosigkeit deutlich über dem Durchschnitt (z = 1,8)'
    """
    indicator = next(i for i in d.indicators if i.key == driver.key)
    label = driver_label(indicator, t, names or {})
    higher = indicator.sign > 0
    # Judged on the z-score as written, so that "z = 2,0" is never "deutlich".
    shown = formatting.rounded_as_shown(driver.zscore, 1)
    step = STRONG if shown >= STRONG else CLEAR if shown >= CLEAR else 0.0
    words = {
        (True, STRONG): t("{label} weit über dem Durchschnitt (z = {z})"),
        (True, CLEAR): t("{label} deutlich über dem Durchschnitt (z = {z})"),
        (True, 0.0): t("{label} über dem Durchschnitt (z = {z})"),
        (False, STRONG): t("{label} weit unter dem Durchschnitt (z = {z})"),
        (False, CLEAR): t("{label} deutlich unter dem Durchschnitt (z = {z})"),
        (False, 0.0): t("{label} unter dem Durchschnitt (z = {z})"),
    }[(higher, step)]
    return DriverText(
        key=driver.key,
        label=label,
        zscore=driver.zscore,
        text=words.format(label=label, z=formatting.number(driver.zscore, 1, t.lang)),
    )


def _transition(
    d: IndexDefinition,
    dimension: str,
    moved: list[tuple[Category, list[int]]],
    before: results.PeriodResults,
    after: results.PeriodResults,
    t: Translator,
) -> TransitionTable:
    columns = [c for c, _ in moved]
    column_totals = [sum(row[i] for _, row in moved) for i in range(len(columns))]
    return TransitionTable(
        dimension=record_text(d.dimensions[dimension], "name", t.lang).text,
        before=before.period,
        before_text=formatting.period_label(before.period, t.lang),
        after=after.period,
        after_text=formatting.period_label(after.period, t.lang),
        columns=tuple(
            _counted(c, n) for c, n in zip(columns, column_totals, strict=True)
        ),
        rows=tuple((_counted(c, sum(row)), tuple(row)) for c, row in moved),
        unchanged=sum(row[i] for i, (_, row) in enumerate(moved)),
        total=sum(column_totals),
    )


# --- the page -----------------------------------------------------------------------


def index_page(
    request: Request, snap: Snapshot, stored: results.StoredIndex, period: str
) -> IndexPage:
    """The page of one stored index in one of its periods."""
    lang = request_language(request)
    t = Translator(lang=lang)
    d = stored.definition
    root = stored.scope.root.code
    day = data.period_end(period)
    engine = request.app.state.engine
    with engine.connect() as conn:
        found = results.read_results(conn, snap, stored, period)
        periods = stored.periods
        earlier = periods[: periods.index(period)]
        before = (
            results.read_results(conn, snap, stored, earlier[-1]) if earlier else None
        )
        geometries = data.boundaries(conn, snap, root, d.level)
        # Read now: the page draws the map after the connection is closed.
        linked = len(found.areas) <= svgmap.INTERACTIVE_LIMIT
        plain = () if linked else data.map_areas(conn, snap, root, d.level, day)
    status_counts = tuple(
        _counted(c, n) for c, n in results.class_counts(d, "status", found, lang)
    )
    dynamics_counts = (
        tuple(
            _counted(c, n) for c, n in results.class_counts(d, "dynamics", found, lang)
        )
        if d.dynamics is not None
        else ()
    )
    cells = results.cell_counts(found)
    cell_list = cell_categories(d, lang)
    per_row = len(dynamics_counts)
    matrix = (
        tuple(
            MatrixRow(
                status=status,
                cells=tuple(
                    _counted(c, cells.get(c.code, 0))
                    for c in cell_list[i * per_row : (i + 1) * per_row]
                ),
            )
            for i, status in enumerate(status_counts)
        )
        if per_row
        else ()
    )
    level_text = level_label(snap, d.level, t)
    period_text = formatting.period_label(period, lang)
    names = dimension_names(d, lang)
    title = t(
        "{name}, {period} nach {level}",
        name=results.results_name(d, lang).text,
        period=period_text,
        level=level_text,
    )
    suffix = href("/", lang)[1:]
    english = english_names(snap.indicator_by_id) if lang == "en" else {}
    reasons = reason_words(d, lang)
    focus = tuple(
        FocusRow(
            code=f.code,
            name=f.name,
            url=f"/gebiet/{f.code}{suffix}",
            reasons=tuple(reasons.get(r, r) for r in f.reasons),
            cell=f.cell,
            cell_label=next((c.label for c in cell_list if c.symbol == f.cell), ""),
            drivers=tuple(driver_text(x, d, t, english) for x in f.drivers),
        )
        for f in found.focus[:FOCUS_SHOWN]
    )
    rule = [
        t(" oder ").join(
            dimension_label(name, dim.find_class(code), lang)
            for code in d.focus_classes(name)
        )
        for name, dim in d.dimensions.items()
        if d.focus_classes(name)
    ]
    url = href(f"/sozialindex/{d.id}", lang, zeitraum=period)
    transitions = (
        tuple(
            _transition(d, name, moved, before, found, t)
            for name, moved in results.transitions(d, before, found, lang).items()
        )
        if before is not None
        else ()
    )
    cache_key = choropleth_key(snap, root, d.level, day)

    def draw() -> str:
        return snap.lru("index-maps", 8).get_or_make(
            (d.id, period, lang),
            lambda: (
                index_map.linked_map(stored, found, geometries, title, cache_key, lang)
                if linked
                else index_map.image_map(stored, found, plain, title, cache_key)
            ),
        )

    return IndexPage(
        id=d.id,
        name=record_text(d, "name", lang),
        description=record_text(d, "description", lang),
        german_only=tuple(t(label) for label in german_only_texts(d, lang)),
        level=d.level,
        level_text=level_text,
        root=root,
        root_name=stored.scope.root.name,
        period=period,
        period_text=period_text,
        periods=tuple(
            Option(
                value=p,
                label=formatting.period_label(p, lang),
                selected=p == period,
            )
            for p in reversed(periods)
        ),
        internal=snap.audience.internal,
        indexed=int(found.included.sum()),
        status_name=names["status"].text,
        dynamics_name=names["dynamics"].text if "dynamics" in names else "",
        status_counts=status_counts,
        dynamics_counts=dynamics_counts,
        matrix=matrix,
        matrix_name=names["combined"].text if "combined" in names else "",
        left_out=tuple(
            LeftOut(reason=reason_text(k, t), count=v)
            for k, v in found.left_out.items()
        ),
        suppressed=int(found.suppressed.sum()),
        focus=focus,
        focus_count=len(found.focus),
        focus_rule=t(" oder ").join(rule),
        method=method_paragraphs(d, t, level_text, period),
        transitions=transitions,
        downloads=tuple(
            Download(
                label=label,
                url=href(f"/sozialindex/{d.id}/download.{ext}", lang, zeitraum=period),
            )
            for ext, label in DOWNLOADS
        ),
        url=url,
        map_title=title,
        map_linked=linked,
        map=Later(draw)
        if any(geometries.get(a.code) for a in found.areas)
        else Later(),
    )


def chosen_period(stored: results.StoredIndex, asked: str | None) -> str | None:
    """The period asked for (``?zeitraum=``), default the newest; None when the
    index has no results in the period asked for."""
    if not asked:
        return stored.periods[-1]
    return asked if asked in stored.periods else None


# --- routes -----------------------------------------------------------------------


@router.get(
    "/sozialindex/{index_id}", response_class=HTMLResponse, include_in_schema=False
)
def index_html(request: Request, index_id: str) -> HTMLResponse:
    snap = current_snapshot(request)
    stored = results.stored_indices(snap).get(index_id)
    if stored is None:
        return unknown_index(request, snap, index_id)
    period = chosen_period(stored, request.query_params.get("zeitraum"))
    if period is None:
        return unknown_index(request, snap, index_id)
    page = index_page(request, snap, stored, period)
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request,
        snap,
        title=page.name.text,
        crumbs=((t("Start"), "/"), (t("Sozialindex"), "/sozialindex")),
    )
    return render(request, "sozialindex.html", frame=frame, page=page)


def _problem(snap: Snapshot, index_id: str) -> Response:
    known = ", ".join(results.stored_indices(snap)) or "none yet"
    return problem(
        404,
        "Not found",
        f"There are no results of an index '{index_id}' (or not for this period). "
        f"Indices with results: {known}.",
        "unknown-index",
    )


@router.get("/api/v1/pages/sozialindex/{index_id}", tags=["pages"], response_model=None)
def index_json(request: Request, index_id: str) -> Response:
    """One index's page content as JSON (404 problem for an unknown index)."""
    snap = current_snapshot(request)
    stored = results.stored_indices(snap).get(index_id)
    period = (
        chosen_period(stored, request.query_params.get("zeitraum")) if stored else None
    )
    if stored is None or period is None:
        return _problem(snap, index_id)
    return json_response(index_page(request, snap, stored, period))
