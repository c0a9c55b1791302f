"""Cells of a workbook (.xlsx) as the text of an official export."""

from __future__ import annotations

import datetime as dt

from sozialmonitor.ingest.numbers import german_text


def cell_text(value: object) -> str:
    """A workbook cell as text: numbers with the decimal comma, dates as
    ``30.06.2002``, texts stripped.

    Examples
    --------
    >>> cell_text(27468453), cell_text(16.25), cell_text(dt.datetime(2002, 6, 30))
    ('27468453', '16,25', '30.06.2002')
    >>> cell_text(None), cell_text(" * ")
    ('', '*')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    if isinstance(value, int | float):
        return german_text(float(value))
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()
