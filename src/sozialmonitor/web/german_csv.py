"""The "CSV für Excel (deutsch)" of an indicator view: what a planner reads.

German column headers (the glossary's words), figures rounded as the page shows
them (the indicator's decimals, decimal comma, no grouping, so that Excel reads a
number), the official special signs where a value is hidden (``.``) or missing
(``–``), the value's signs in the column "Zeichen" (``p``, ``r``, ``s`` …) and a
legend line at the end. The machine CSV (``csv``) keeps English headers and full
precision (issue 16).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import InvalidPeriodError
from sozialmonitor.export import csv_safe
from sozialmonitor.web import formatting

HEADERS: dict[str, str] = {
    "indicator": "Kennzahl",
    "area": "Gebietsschlüssel",
    "area_name": "Gebiet",
    "period": "Zeitraum",
    "rank": "Rang",
    "value": "Wert",
    "value_label": "Klasse",
    "numerator": "Zähler",
    "denominator": "Nenner",
    "flags": "Zeichen",
    "note": "Anmerkung",
    "period_from": "Zeitraum von",
    "period_to": "Zeitraum bis",
    "value_from": "Wert von",
    "value_to": "Wert bis",
    "change": "Veränderung",
    "change_unit": "Einheit der Veränderung",
    "change_percent": "Veränderung in %",
    "cluster": "Cluster",
    "cluster_label": "Cluster (Bezeichnung)",
    "p_value": "p-Wert",
    "source": "Quelle",
    "licence": "Lizenz",
    "release": "Datenstand",
}
"""Column → German header; a column not named here keeps its name."""
PERIOD_COLUMNS = ("period", "period_from", "period_to")
"""Written as the page writes a period (``31.12.2021``, ``1. Halbjahr 2022``)."""
SIGNS: dict[str, str] = {
    "suppressed": formatting.SUPPRESSED_SIGN,
    "confidential": "v",
    "provisional": "p",
    "revised": "r",
    "estimated": "s",
    "break": "|",
    "recomputed": "u",
    "computed": "berechnet",
}
"""Flag name → the sign the column "Zeichen" writes (Destatis "Zeichenerklärung")."""
VALUE_COLUMNS = ("value", "value_from", "value_to")
"""Columns of a value: a hidden one is ``.``, a missing one ``–``."""
HIDDEN = ("suppressed", "confidential")
"""Flags of a value that is not shown: its cells get the sign ``.``."""
LEGEND = (
    "Zeichen: . = geheim zu halten oder unsicher, – = kein Wert, p = vorläufig, "
    "r = berichtigt, s = geschätzt, u = umgerechnet (heutiger Gebietsstand), "
    "| = Bruch in der Zeitreihe, berechnet = aus den Gebieten darunter berechnet"
)
"""The last line of the file: what the signs mean."""


def german_number(value: Any, decimals: int) -> str:
    """A number as German Excel reads it, rounded as the page shows it; ``""``
    for none.

    Examples
    --------
    >>> german_number(83019213.0, 0), german_number(-2.25, 1), german_number(None, 1)
    ('83019213', '-2,3', '')
    >>> german_number(-0.5, 1), german_number(-0.04, 1), german_number(0.25, 1)
    ('-0,5', '0,0', '0,3')
    """
    if value is None or value is pd.NA:
        return ""
    number = float(value)
    if math.isnan(number):
        return ""
    # -0.0 + 0.0 is 0.0: a figure rounded to zero is written without a sign
    rounded = formatting.rounded_as_shown(number, decimals) + 0.0
    return f"{rounded:.{decimals}f}".replace(".", ",")


def _cell(value: Any, decimals: int, *, secret: bool, is_value: bool) -> str:
    """A figure's cell; a value's cell says why it is empty (``.`` or ``–``)."""
    if not is_value:
        return german_number(value, decimals)
    if secret:
        return formatting.SUPPRESSED_SIGN
    return german_number(value, decimals) or formatting.NO_VALUE_SIGN


def _period(code: Any) -> Any:
    if not isinstance(code, str) or not code:
        return code
    try:
        parse_period(code)
    except InvalidPeriodError:
        return code
    return formatting.period_label(code, "de")


def german_csv(
    frame: pd.DataFrame,
    *,
    decimals: Mapping[str, int],
    headers: Mapping[str, str] | None = None,
    legend: str | None = LEGEND,
) -> bytes:
    """The German CSV of ``frame``: semicolon, decimal comma, UTF-8 with BOM.

    Parameters
    ----------
    frame
        The machine CSV's columns and full-precision values.
    decimals
        Column → decimals of its figures (the indicator's for values); other
        number columns are written as they are.
    headers
        Headers beyond :data:`HEADERS` (``difference_to_03241`` → ``Abstand zu …``).
    legend
        The last line (after a blank one); None: none.
    """
    named = {**HEADERS, **(headers or {})}
    flags = (
        frame["flags"].fillna("").astype(str)
        if "flags" in frame
        else pd.Series("", index=frame.index)
    )
    hidden = flags.map(lambda f: any(h in f.split(",") for h in HIDDEN))
    out = csv_safe(frame)
    for column, places in decimals.items():
        if column in frame:
            out[column] = [
                _cell(value, places, secret=secret, is_value=column in VALUE_COLUMNS)
                for value, secret in zip(frame[column], hidden, strict=True)
            ]
    if "flags" in frame:
        out["flags"] = flags.map(
            lambda f: " ".join(SIGNS.get(name, name) for name in f.split(",") if name)
        )
    for column in PERIOD_COLUMNS:
        if column in frame:
            out[column] = frame[column].map(_period)
    out = out.rename(columns=lambda c: named.get(c, c))
    text = out.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    if legend:
        text += "\r\n" + legend + "\r\n"
    return text.encode("utf-8-sig")
