"""Downloads of exactly what the indicator page shows.

``/indikator/{id}/download.{ext}`` takes the page's own view parameters, so each
link under a view gives that view's rows: the level's areas in the period (map and
table, in the table's order), the series (chart: every area × period of its data
table) or the changes (change view: the top area, then the level's areas). Every
file names its source, licence and release (Datenstand): CSV as columns, XLSX on a
second sheet "Quelle", JSON and GeoJSON at the top level; PNG and SVG have title,
source line and date burnt in — on the map view they are the map with its legend
(:mod:`sozialmonitor.web.mapfile`), on the other views the chart.

Formats: ``csv`` (UTF-8, comma, decimal point, English headers, full precision),
``csv?format=csv-de`` (German Excel: semicolon, decimal comma, UTF-8 with BOM, German
headers, figures rounded as shown, see :mod:`~sozialmonitor.web.german_csv`),
``xlsx``, ``json``, ``geojson``, ``png``, ``svg``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection
from starlette.exceptions import HTTPException

from sozialmonitor.analysis.index_categories import categories_of, category_label
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation, flag_names
from sozialmonitor.errors import InvalidQueryError
from sozialmonitor.export import to_bytes, xlsx_bytes
from sozialmonitor.store import queries
from sozialmonitor.web import charts, formatting, mapfile
from sozialmonitor.web.german_csv import german_csv
from sozialmonitor.web.hotspot_download import (
    HOTSPOT_COLUMNS,
    cluster_cells,
    local_clusters,
)
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import current_snapshot, request_language
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.indicator_change import change_entries, change_spec
from sozialmonitor.web.pages.indicator_context import Context, paged
from sozialmonitor.web.pages.indicator_params import Query, parse_view
from sozialmonitor.web.pages.indicator_series import series_data, series_spec
from sozialmonitor.web.pages.indicator_views import (
    entry_flags,
    entry_note,
    level_values,
    map_view,
)
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.values import shown_value

router = APIRouter()

MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
    "png": "image/png",
    "svg": "image/svg+xml",
}
"""Extension → Content-Type."""
GERMAN_CSV = "csv-de"
METADATA_COLUMNS = ("source", "licence", "release")
"""Columns every CSV row carries, so that a copied table keeps its source."""
ViewKind = Literal["level", "series", "change"]


@dataclass(frozen=True, kw_only=True)
class ViewRows:
    """The rows of the current view as a table (without the metadata columns)."""

    kind: ViewKind
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    areas: tuple[Area, ...]
    """The areas of the rows (for GeoJSON), each once."""
    tag: str
    """Period part of the file name: ``2021``, ``1998-2021``."""


@dataclass(frozen=True, kw_only=True)
class DownloadFile:
    content: bytes
    media_type: str
    filename: str


def _flags(obs: Observation | None) -> str:
    if obs is None:
        return ""
    return ",".join(n for n in flag_names(obs.flags) if n != "removed")


def view_rows(ctx: Context) -> ViewRows:
    """The rows the current view shows, all pages of a paginated table."""
    view, indicator = ctx.view, ctx.indicator
    if view.ansicht in ("karte", "tabelle", "hotspots"):
        level = level_values(ctx)
        difference = "difference_to_" + ctx.root.code
        rows = ViewRows(
            kind="level",
            columns=(
                "indicator",
                "area",
                "area_name",
                "period",
                "rank",
                "value",
                "numerator",
                "denominator",
                difference,
                "flags",
                "note",
            ),
            rows=tuple(
                {
                    "indicator": indicator.id,
                    "area": e.area.code,
                    "area_name": e.area.name,
                    "period": view.zeitraum,
                    "rank": e.rank,
                    "value": e.value,
                    "numerator": data.parts(e.obs)[0],
                    "denominator": data.parts(e.obs)[1],
                    difference: level.difference(e),
                    "flags": ",".join(entry_flags(e.obs)),
                    "note": entry_note(e.obs),
                }
                for e in level.entries
            ),
            areas=tuple(e.area for e in level.entries),
            tag=view.zeitraum or "",
        )
        if categories_of(indicator):
            # A class: its label beside the official number (issue 13).
            rows = with_category_labels(rows, indicator)
        if view.ansicht == "hotspots":
            rows = with_hotspot_columns(rows, ctx)
        return rows
    if view.ansicht == "diagramm":
        areas, periods, values = series_data(ctx)
        return ViewRows(
            kind="series",
            columns=("indicator", "area", "area_name", "period", "value", "flags"),
            rows=tuple(
                {
                    "indicator": indicator.id,
                    "area": a.code,
                    "area_name": a.name,
                    "period": p,
                    "value": shown_value(values.get((a.code, p))),
                    "flags": _flags(values.get((a.code, p))),
                }
                for a in areas
                for p in periods
            ),
            areas=tuple(areas),
            tag="-".join(dict.fromkeys((periods[0], periods[-1]))) if periods else "",
        )
    changes = change_entries(ctx)
    unit = data.change_unit(indicator, "en")
    return ViewRows(
        kind="change",
        columns=(
            "indicator",
            "area",
            "area_name",
            "period_from",
            "period_to",
            "value_from",
            "value_to",
            "change",
            "change_unit",
            "change_percent",
        ),
        rows=tuple(
            {
                "indicator": indicator.id,
                "area": e.area.code,
                "area_name": e.area.name,
                "period_from": view.von,
                "period_to": view.bis,
                "value_from": shown_value(e.before),
                "value_to": shown_value(e.after),
                "change": e.absolute,
                "change_unit": indicator.unit if unit == "%" else unit,
                "change_percent": e.relative,
            }
            for e in [changes.root, *changes.entries]
        ),
        areas=(ctx.root, *(e.area for e in changes.entries)),
        tag="-".join(dict.fromkeys((view.von or "", view.bis or ""))),
    )


def with_category_labels(rows: ViewRows, indicator: Indicator) -> ViewRows:
    """The rows with a ``value_label`` column after ``value``: a class
    indicator's value in words (``Status mittel``)."""
    at = rows.columns.index("value") + 1
    return dataclasses.replace(
        rows,
        columns=(*rows.columns[:at], "value_label", *rows.columns[at:]),
        rows=tuple(
            r | {"value_label": category_label(indicator, r["value"]) or ""}
            for r in rows.rows
        ),
    )


def with_hotspot_columns(rows: ViewRows, ctx: Context) -> ViewRows:
    """The rows with each area's cluster (as the hot-spot map shows it) and the
    pseudo p-value of its local Moran statistic after the value (issue 13)."""
    found = local_clusters(ctx)
    after = "value_label" if "value_label" in rows.columns else "value"
    at = rows.columns.index(after) + 1
    return dataclasses.replace(
        rows,
        columns=(*rows.columns[:at], *HOTSPOT_COLUMNS, *rows.columns[at:]),
        rows=tuple(r | cluster_cells(r["area"], found, ctx.t) for r in rows.rows),
    )


def _metadata(ctx: Context) -> dict[str, Any]:
    release = ctx.snap.release
    return {
        "source": ctx.indicator.source,
        "licence": ctx.indicator.licence,
        "release": release.name if release else "",
    }


def _release_json(snap: Snapshot) -> dict[str, Any] | None:
    release = snap.release
    if release is None:
        return None
    return {
        "name": release.name,
        "published_at": release.published_at.isoformat()
        if release.published_at
        else None,
    }


def _frame(rows: ViewRows, metadata: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows.rows), columns=list(rows.columns))
    # A class's value is its official number (25), not a measurement (25,0).
    whole = ("value",) if "value_label" in frame else ()
    for column in ("rank", "numerator", "denominator", *whole):
        if column in frame and _whole(frame[column]):
            frame[column] = frame[column].astype("Int64")
    for key, value in metadata.items():
        frame[key] = value
    return frame


def _whole(column: pd.Series) -> bool:
    known = pd.to_numeric(column, errors="coerce").dropna()
    return bool(len(known)) and bool((known == known.round()).all())


def _german_csv(frame: pd.DataFrame, ctx: Context) -> bytes:
    """The view's rows for German Excel: German headers, figures rounded as the
    page shows them, signs for hidden and missing values (issue 16)."""
    indicator = ctx.indicator
    shown = 0 if "value_label" in frame else indicator.decimals
    decimals = {
        "value": shown,
        "value_from": shown,
        "value_to": shown,
        "change": shown,
        "change_percent": 1,
        "rank": 0,
    }
    for column in ("numerator", "denominator"):
        if column in frame:
            decimals[column] = 0 if _whole(frame[column]) else 1
    headers = {}
    for column in frame.columns:
        if column.startswith("difference_to_"):
            code = column.removeprefix("difference_to_")
            area = ctx.snap.areas.get(code)
            decimals[column] = shown
            headers[column] = f"Abstand zu {area.name if area else code}"
    german = frame.assign(indicator=indicator.name) if "indicator" in frame else frame
    if "change_unit" in german:
        unit = data.change_unit(indicator, "de")
        german = german.assign(change_unit=indicator.unit if unit == "%" else unit)
    return german_csv(german, decimals=decimals, headers=headers)


def _xlsx(frame: pd.DataFrame, ctx: Context, url: str) -> bytes:
    t = ctx.t
    source = pd.DataFrame(
        [
            (t("Kennzahl"), ctx.indicator.name),
            (t("Kennung"), ctx.indicator.id),
            (t("Definition"), ctx.indicator.definition),
            (t("Einheit"), ctx.indicator.unit),
            (t("Quelle"), ctx.indicator.source),
            (t("Lizenz"), ctx.indicator.licence),
            (t("Datenstand"), ctx.snap.release.name if ctx.snap.release else ""),
            (t("Ansicht"), url),
        ],
        columns=[t("Feld"), t("Wert")],
    )
    return xlsx_bytes({"Werte": frame, "Quelle": source})


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _document(ctx: Context, rows: ViewRows, url: str) -> dict[str, Any]:
    return {
        "indicator": ctx.indicator.to_dict(),
        "source": ctx.indicator.source,
        "licence": ctx.indicator.licence,
        "release": _release_json(ctx.snap),
        "view": {k: v for k, v in ctx.view.params().items() if v not in (None, [])},
        "url": url,
        "kind": rows.kind,
    }


def _geometries(ctx: Context, areas: Sequence[Area]) -> dict[str, str | None]:
    view = ctx.view
    assert view.ebene is not None
    found = dict(data.boundaries(ctx.conn, ctx.snap, ctx.root.code, view.ebene))
    missing = [a.code for a in areas if a.code not in found]
    if missing:
        found.update(
            (a.code, a.geometry)
            for a in queries.list_areas(ctx.conn, codes=missing, with_geometry=True)
        )
    return found


def _chart(ctx: Context) -> tuple[dict[str, Any], str]:
    """The chart of the view (the time series on map and table) and its title."""
    view, t = ctx.view, ctx.t
    if view.ansicht == "veraenderung" and view.von != view.bis:
        changes = change_entries(ctx)
        shown = [changes.entry(i) for i in paged(ctx, changes.order)[0]]
        shown = [e for e in shown if e.measure is not None]
        if shown:
            title = t(
                "{name}: Veränderung {von}–{bis}, {root}",
                name=ctx.name,
                von=ctx.period(view.von or ""),
                bis=ctx.period(view.bis or ""),
                root=ctx.root.name,
            )
            return change_spec(ctx, shown), title
    return series_spec(ctx), t(
        "{name}: Zeitreihe, {root}", name=ctx.name, root=ctx.root.name
    )


def _source_line(ctx: Context) -> str:
    indicator = ctx.indicator
    source = indicator.source or formatting.NO_VALUE_SIGN
    if indicator.licence:
        source += f" ({indicator.licence})"
    return ctx.t("Quelle: {source}", source=source)


def _map_file(ctx: Context, ext: str, date: str) -> DownloadFile:
    """The map view's map as SVG or PNG, with title, legend, source and date."""
    shown = map_view(ctx, level_values(ctx))
    if not shown.drawn:
        raise InvalidQueryError(
            f"The level '{ctx.view.ebene}' has no boundaries, so there is no map to "
            "download; download the values as CSV or choose another level."
        )
    t = ctx.t
    svg = mapfile.map_file_svg(
        shown.svg.__html__(),
        title=shown.title,
        legend=[
            mapfile.LegendRow(
                label=item.label,
                colour=item.colour,
                count=f"({t.plural('{n} Gebiet', '{n} Gebiete', item.count)})",
            )
            for item in shown.legend
        ],
        legend_title=f"{t('Legende')} ({shown.scheme_label})",
        source=_source_line(ctx),
        date=date,
    )
    content = mapfile.map_file_png(svg) if ext == "png" else svg.encode("utf-8")
    return DownloadFile(
        content=content,
        media_type=MEDIA_TYPES[ext],
        filename=_filename(ctx, f"karte_{ctx.view.zeitraum or ''}", ext),
    )


def _filename(ctx: Context, tag: str, ext: str) -> str:
    stem = f"{ctx.indicator.id}_{tag}" if tag else ctx.indicator.id
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem) + f".{ext}"


def download_file(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    indicator_id: str,
    query: Query,
    ext: str,
    url: str,
) -> DownloadFile:
    """The file of one view in one format.

    Parameters
    ----------
    conn, snap, lang
        As for the page.
    indicator_id : str
        The indicator.
    query : mapping
        The page's view parameters, plus ``format=csv-de`` for German CSV.
    ext : str
        ``csv``, ``xlsx``, ``json``, ``geojson``, ``png`` or ``svg``.
    url : str
        The page the download belongs to (written into XLSX and JSON).

    Returns
    -------
    DownloadFile
        Content, Content-Type and file name.

    Raises
    ------
    UnknownIndicatorError
        If there is no public indicator with this id.
    InvalidQueryError
        For an unknown ``format`` or an indicator without values.
    """
    fmt = (query.get("format") or [""])[0]
    if fmt not in ("", GERMAN_CSV) or (fmt == GERMAN_CSV and ext != "csv"):
        raise InvalidQueryError(
            f"There is no download format '{fmt}' for .{ext}; "
            f"use format={GERMAN_CSV} with .csv, or leave it out."
        )
    indicator = snap.indicator(indicator_id)
    t = Translator(lang=lang)
    view, _ = parse_view(snap, indicator, query, t)
    if view.raum is None:
        raise InvalidQueryError(
            f"The indicator '{indicator_id}' has no published values to download."
        )
    ctx = Context(conn=conn, snap=snap, t=t, indicator=indicator, view=view)
    if ext in ("png", "svg"):
        release = snap.release
        date = t("Datenstand: {name}", name=release.name) if release else ""
        if release is not None and release.published_at is not None:
            date += ", " + formatting.date(release.published_at, lang)
        if view.ansicht == "karte":
            return _map_file(ctx, ext, date)
        spec, title = _chart(ctx)
        content = charts.export_chart(
            spec,
            fmt="png" if ext == "png" else "svg",
            title=title,
            source=f"{indicator.source} ({indicator.licence})"
            if indicator.licence
            else indicator.source,
            date=date,
            lang=lang,
        )
        tag = (
            "-".join(dict.fromkeys((view.von or "", view.bis or "")))
            if view.ansicht == "veraenderung"
            else "-".join(dict.fromkeys(p for p in (view.periods[0], view.periods[-1])))
            if view.ansicht == "diagramm"
            else view.zeitraum or ""
        )
        return DownloadFile(
            content=content,
            media_type=MEDIA_TYPES[ext],
            filename=_filename(ctx, tag, ext),
        )
    rows = view_rows(ctx)
    metadata = _metadata(ctx)
    filename = _filename(ctx, rows.tag, ext)
    if ext == "csv" and fmt == GERMAN_CSV:
        content = _german_csv(_frame(rows, metadata), ctx)
    elif ext == "csv":
        content = to_bytes(_frame(rows, metadata), "csv")
    elif ext == "xlsx":
        content = _xlsx(_frame(rows, metadata), ctx, url)
    elif ext == "json":
        document = _document(ctx, rows, url) | {
            "columns": list(rows.columns),
            "rows": [{k: _json_value(v) for k, v in r.items()} for r in rows.rows],
        }
        content = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        geometries = _geometries(ctx, rows.areas)
        document = {"type": "FeatureCollection"} | _document(ctx, rows, url)
        document["features"] = [
            {
                "type": "Feature",
                "id": r["area"],
                "geometry": json.loads(g) if (g := geometries.get(r["area"])) else None,
                "properties": {k: _json_value(v) for k, v in r.items()},
            }
            for r in rows.rows
        ]
        content = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return DownloadFile(content=content, media_type=MEDIA_TYPES[ext], filename=filename)


@router.get("/indikator/{indicator_id}/download.{ext}", include_in_schema=False)
def download(request: Request, indicator_id: str, ext: str) -> Response:
    if ext not in MEDIA_TYPES:
        raise HTTPException(404, f"There is no download as .{ext}.")
    snap = current_snapshot(request)
    params = request.query_params
    query = {key: params.getlist(key) for key in params}
    # The page's address from the configured base URL (else relative), never from
    # the request's Host header, which a client chooses.
    page_url = request.app.state.base_url + request.url.path.removesuffix(
        f"/download.{ext}"
    )
    if request.url.query:
        page_url += "?" + request.url.query
    with request.app.state.engine.connect() as conn:
        found = download_file(
            conn,
            snap,
            request_language(request),
            indicator_id,
            query,
            ext,
            page_url,
        )
    return Response(
        content=found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )
