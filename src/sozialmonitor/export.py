"""Observations out as CSV or Excel, through the public read gate."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Observation, flag_names

EXPORT_COLUMNS = (
    "indicator",
    "area",
    "area_name",
    "period",
    "value",
    "numerator",
    "denominator",
    "flags",
    "note",
    "release",
)


def observations_frame(
    observations: Sequence[Observation], areas: Sequence[Area]
) -> pd.DataFrame:
    names = {a.code: a.name for a in areas}
    return pd.DataFrame(
        [
            {
                "indicator": o.indicator,
                "area": o.area,
                "area_name": names.get(o.area, ""),
                "period": o.period,
                "value": o.value,
                "numerator": o.numerator,
                "denominator": o.denominator,
                "flags": ",".join(flag_names(o.flags)),
                "note": o.note or "",
                "release": o.release or "",
            }
            for o in observations
        ],
        columns=list(EXPORT_COLUMNS),
    )


ExportFormat = Literal["csv", "csv-de", "xlsx"]


def to_bytes(frame: pd.DataFrame, fmt: ExportFormat) -> bytes:
    """The values as a file.

    ``csv``: UTF-8, comma, decimal point (for programs and open data). ``csv-de``: what
    German Excel opens directly — semicolon, decimal comma, UTF-8 with BOM. ``xlsx``: an
    Excel workbook.
    """
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if fmt == "csv-de":
        text = frame.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
        return text.encode("utf-8-sig")
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="Werte")
    return buffer.getvalue()
