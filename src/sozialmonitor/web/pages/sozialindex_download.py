"""Downloads of an index's results: ``/sozialindex/<id>/download.<csv|xlsx|json>``.

One row per area of the period the page shows, from the same stored results
(:mod:`sozialindex_data`): index values, class numbers with their labels, the
combined cell, whether it is a focus area and its drivers, or why it has no class;
z-scores per indicator. CSV is German (semicolon, decimal comma, UTF-8 with BOM) and
XLSX carries a second sheet with the source; both write text a spreadsheet would run
as a formula as text (``sozialmonitor.export``).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from sozialmonitor.analysis.index_categories import class_categories
from sozialmonitor.export import to_bytes, xlsx_bytes
from sozialmonitor.web.downloads import MEDIA_TYPES
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import current_snapshot, request_language
from sozialmonitor.web.pages import sozialindex_data as results
from sozialmonitor.web.pages.sozialindex import chosen_period, driver_text
from sozialmonitor.web.snapshot import Snapshot

router = APIRouter()
FORMATS = ("csv", "xlsx", "json")


def result_rows(
    snap: Snapshot,
    stored: results.StoredIndex,
    found: results.PeriodResults,
    t: Translator,
) -> pd.DataFrame:
    """The results of one period as a table, one row per area."""
    d = stored.definition
    focus = {f.code: f for f in found.focus}
    release = snap.release.name if snap.release else ""
    codes = found.codes

    def classes(column: results.FloatArray) -> pd.Series:
        return pd.Series(results.whole_codes(column), dtype="Int64")

    def labels(dimension: str, column: results.FloatArray) -> list[str]:
        named = {c.code: c.label for c in class_categories(d, dimension)}
        return [named.get(int(v), "") if v == v else "" for v in column.tolist()]

    frame: dict[str, Any] = {
        "index": d.id,
        "area": codes,
        "area_name": [a.name for a in found.areas],
        "period": found.period,
        "status_index": found.status_index,
        "status_class": classes(found.status_class),
        "status_label": labels("status", found.status_class),
    }
    if d.dynamics is not None:
        by_code = results.cells_by_code(d)
        cells = [None if c != c else by_code.get(int(c)) for c in found.cell.tolist()]
        frame |= {
            "dynamics_index": found.dynamics_index,
            "dynamics_class": classes(found.dynamics_class),
            "dynamics_label": labels("dynamics", found.dynamics_class),
            "cell": [c.symbol if c else "" for c in cells],
            "cell_code": pd.Series(
                [c.code if c else None for c in cells], dtype="Int64"
            ),
            "cell_label": [c.label if c else "" for c in cells],
        }
    frame |= {f"z_{i.key}": found.zscores[i.key] for i in d.indicators}
    frame |= {
        "focus": [code in focus for code in codes],
        "drivers": [
            "; ".join(driver_text(x, d, t).text for x in focus[code].drivers)
            if code in focus
            else ""
            for code in codes
        ],
        "left_out": [
            "nicht ausgewiesen" if hidden else reason
            for hidden, reason in zip(
                found.suppressed.tolist(), found.reasons, strict=True
            )
        ],
        "source": f"Sozialmonitor, Index '{d.id}'",
        "release": release,
    }
    return pd.DataFrame(frame)


@router.get("/sozialindex/{index_id}/download.{ext}", include_in_schema=False)
def download(request: Request, index_id: str, ext: str) -> Response:
    if ext not in FORMATS:
        raise HTTPException(
            404, f"There is no download as .{ext}; use csv, xlsx, json."
        )
    snap = current_snapshot(request)
    stored = results.stored_indices(snap).get(index_id)
    period = (
        chosen_period(stored, request.query_params.get("zeitraum")) if stored else None
    )
    if stored is None or period is None:
        raise HTTPException(
            404, f"There are no results of an index '{index_id}' for this period."
        )
    t = Translator(lang=request_language(request))
    with request.app.state.engine.connect() as conn:
        found = results.read_results(conn, snap, stored, period)
    frame = result_rows(snap, stored, found, t)
    d = stored.definition
    if ext in ("csv", "xlsx"):
        # German spreadsheets: "ja"/"nein", not Python's True/False.
        frame = frame.assign(focus=frame["focus"].map({True: "ja", False: "nein"}))
    if ext == "csv":
        content = to_bytes(frame, "csv-de")
    elif ext == "xlsx":
        source = pd.DataFrame(
            [
                (t("Index"), d.name),
                (t("Kennung"), d.id),
                (t("Zeitraum"), period),
                (t("Methode"), d.source),
                (t("Definition (SHA-256)"), d.digest),
                (t("Datenstand"), snap.release.name if snap.release else ""),
            ],
            columns=[t("Feld"), t("Wert")],
        )
        content = xlsx_bytes({"Werte": frame, "Quelle": source})
    else:
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        document = {
            "index": {"id": d.id, "name": d.name, "level": d.level},
            "period": period,
            "definition_sha256": d.digest,
            "internal": snap.audience.internal,
            "release": snap.release.name if snap.release else None,
            "rows": records,
        }
        content = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    filename = f"sozialindex-{d.id}-{period}.{ext}"
    return Response(
        content=content,
        media_type=MEDIA_TYPES[ext],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
