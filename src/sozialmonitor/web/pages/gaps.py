"""The map of data gaps (``/datenluecken``): for every indicator, area level and
period whether values exist for all areas, some (n of m), none, or none the reader
may see, with suppressed and provisional values counted — as a heatmap per level
or a table, with its JSON twin and CSV and XLSX downloads. The content is built
in :mod:`~sozialmonitor.web.pages.gaps_content`.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from sozialmonitor.analysis.gaps import GapStatus
from sozialmonitor.errors import StillComputingError
from sozialmonitor.export import to_bytes, xlsx_bytes
from sozialmonitor.web.german_csv import german_csv
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages.gaps_content import STATUS_WORDS, GapsPage, gaps_page
from sozialmonitor.web.pages.gaps_matrix import (
    DOWNLOAD_COLUMNS,
    chosen_top,
    download_rows,
    selected_matrix,
    visible_levels,
)
from sozialmonitor.web.snapshot import Snapshot

router = APIRouter()

DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page(
    request: Request, gebiet: str, ebene: str, thema: str, ansicht: str, seite: int
) -> tuple[Snapshot, GapsPage]:
    snap = current_snapshot(request)
    page = gaps_page(
        request.app.state.engine,
        snap,
        request_language(request),
        gebiet=gebiet,
        ebene=ebene,
        thema=thema,
        ansicht=ansicht,
        seite=seite,
    )
    return snap, page


@router.get("/datenluecken", response_class=HTMLResponse, include_in_schema=False)
def gaps_html(
    request: Request,
    gebiet: str = "",
    ebene: str = "",
    thema: str = "",
    ansicht: str = "",
    seite: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    t = Translator(lang=request_language(request))
    try:
        snap, page = _page(request, gebiet, ebene, thema, ansicht, seite)
    except StillComputingError as pending:
        frame = frame_for(
            request,
            current_snapshot(request),
            title=t("Datenlücken"),
            crumbs=((t("Start"), "/"), (t("Methoden & Daten"), "/methoden")),
        )
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        page_pending = {"reload": here}
        response = render(request, "gaps_pending.html", frame=frame, page=page_pending)
        response.status_code = 503
        response.headers["Retry-After"] = str(pending.retry_after)
        return response
    frame = frame_for(
        request,
        snap,
        title=t("Datenlücken"),
        crumbs=((t("Start"), "/"), (t("Methoden & Daten"), "/methoden")),
    )
    return render(request, "gaps.html", frame=frame, page=page)


@router.get("/api/v1/pages/datenluecken", tags=["pages"], response_model=None)
def gaps_json(
    request: Request,
    gebiet: str = "",
    ebene: str = "",
    thema: str = "",
    ansicht: str = "",
    seite: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """The map of data gaps as JSON (same parameters as ``/datenluecken``)."""
    _snap, page = _page(request, gebiet, ebene, thema, ansicht, seite)
    return json_response(page)


GERMAN_HEADERS = {
    "indicator": "Kennung",
    "indicator_name": "Kennzahl",
    "topic": "Themenfeld",
    "level": "Raumebene (Kennung)",
    "level_label": "Raumebene",
    "status": "Status",
    "areas_with_values": "Gebiete mit Wert",
    "areas": "Gebiete",
    "suppressed": "geheim gehalten",
    "provisional": "vorläufig",
    "confidential": "vertraulich",
    "computed": "berechnet",
}
"""The German CSV's headers (issue 16); the machine CSV keeps the column names."""


def _german_csv(frame: pd.DataFrame) -> bytes:
    """The cells for German Excel: German headers, status words and ja/nein."""
    german = frame.assign(
        status=frame["status"].map(lambda s: STATUS_WORDS[GapStatus(s)]),
        computed=frame["computed"].map({True: "ja", False: "nein"}),
    )
    return german_csv(german, decimals={}, headers=GERMAN_HEADERS, legend=None)


@router.get("/datenluecken/download.{ext}", include_in_schema=False)
def gaps_download(
    request: Request,
    ext: str,
    gebiet: str = "",
    ebene: str = "",
    thema: str = "",
    fmt: Annotated[str, Query(alias="format")] = "",
) -> Response:
    """Every cell of the (filtered) map as CSV (``format=csv-de``: for German
    Excel) or XLSX; text is written formula-safe."""
    if ext not in DOWNLOAD_TYPES:
        raise HTTPException(404, f"There is no download as .{ext}.")
    snap = current_snapshot(request)
    top = chosen_top(snap, gebiet)
    levels = visible_levels(snap, top)
    level = ebene if any(lvl.code == ebene for lvl in levels) else None
    topic = thema if thema and snap.topic(thema) else None
    matrix = selected_matrix(request.app.state.engine, snap, level, topic, top)
    frame = pd.DataFrame(download_rows(matrix), columns=list(DOWNLOAD_COLUMNS))
    release = snap.release.name if snap.release else ""
    frame["release"] = release
    if ext == "xlsx":
        content = xlsx_bytes({"Datenluecken": frame})
    else:
        content = _german_csv(frame) if fmt == "csv-de" else to_bytes(frame, "csv")
    name = "-".join(["datenluecken", *(p for p in (top, level, topic) if p)])
    return Response(
        content=content,
        media_type=DOWNLOAD_TYPES[ext],
        headers={"Content-Disposition": f'attachment; filename="{name}.{ext}"'},
    )
