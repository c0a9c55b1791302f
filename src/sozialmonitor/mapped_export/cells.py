"""The cells of a table written in a mapping's layout: which column and row each
value goes to, its key, period label and text (scale divided out, the signs of
official statistics), and the mappings that cannot be written back."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import PeriodKind, parse_period
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.ingest.numbers import VALUE_FLAGS, german_text, parse_number
from sozialmonitor.ingest.official.apply import STYLE
from sozialmonitor.ingest.official.genesis import KEY
from sozialmonitor.ingest.official.mapping import KEY_KINDS, Mapping, Quantity

HIDDEN_SIGN = "."
"""Zahlenwert unbekannt oder geheim zu halten: a value the reader may not see."""
GENESIS_GAP = "x"
"""No value: the cell stays without a number (read back as a gap, never as 0)."""
INKAR_GAP = ""
"""INKAR leaves a cell without a value empty."""
RTOL = 1e-9
"""How closely a number read back must equal the number written."""
_RANGE_NOTE = re.compile(r"^Zeitraum (\d{4})–(\d{4})$")


class MappedExportError(SozialmonitorError):
    """Values cannot be written in the layout a mapping describes."""

    code = "mapped-export"


class Slot(NamedTuple):
    """A value column's header labels and a row's labels."""

    columns: tuple[str, ...]
    rows: tuple[str, ...]


def layout_of(mapping: Mapping) -> str:
    """The layout a mapping's table has: ``inkar`` or ``genesis``.

    Raises
    ------
    MappedExportError
        For a layout values cannot be written in (IRIS, Bundesagentur für Arbeit).
    """
    if mapping.table.startswith("inkar-"):
        return "inkar"
    if mapping.table.startswith(("iris-", "ba-")):
        raise MappedExportError(
            f"The mapping is for {mapping.table}, an export whose layout values "
            "cannot be written in yet. Use a mapping of a GENESIS / Regionalstatistik "
            "table or of an INKAR export."
        )
    return "genesis"


def check_mapping(mapping: Mapping) -> None:
    """Refuse a mapping whose outputs cannot be written back.

    Raises
    ------
    MappedExportError
        When an output is a sum of cells (``sum``), which cannot be split into
        its parts, or the areas are named in header rows.
    """
    layout_of(mapping)
    sums = [
        o.indicator
        for o in mapping.outputs
        if any(q is not None and q.sum for q in (o.value, o.numerator, o.denominator))
    ]
    if sums:
        raise MappedExportError(
            f"The mapping's outputs {', '.join(sums)} add up several cells (sum:), "
            "and a total cannot be split back into its parts. Export with a mapping "
            "without them (copy the mapping and delete these outputs)."
        )
    if mapping.areas.by == "name" and mapping.areas.names_in == "columns":
        raise MappedExportError(
            "The mapping names the areas in a header row (areas: names_in: columns); "
            "values can be written with mappings whose areas are in the rows."
        )


def area_key(area: str, mapping: Mapping) -> str:
    """The official key (or name) a mapping reads as ``area``.

    Raises
    ------
    MappedExportError
        When the mapping does not read the area (a kind of key it leaves out).

    Examples
    --------
    >>> m = Mapping.model_validate({"table": "t", "areas": {"keys": ["kreis",
    ...     "deutschland"], "codes": {"DG": "DE"}}, "outputs": [{"indicator": "i",
    ...     "value": {"columns": ["a"]}}]})
    >>> area_key("DE", m), area_key("03241", m)
    ('DG', '03241')
    """
    backwards = {code: key for key, code in mapping.areas.codes.items()}
    if area in backwards:
        return backwards[area]
    if mapping.areas.by == "name":
        raise MappedExportError(
            f"The mapping names its areas (areas: by: name) and lists no name for "
            f"area '{area}' under 'areas: codes'. Add the name the table gives it."
        )
    kind = "deutschland" if area == "DG" else KEY_KINDS.get(len(area))
    if not KEY.match(area) or kind is None or kind not in mapping.areas.keys:
        raise MappedExportError(
            f"The mapping reads the keys of {', '.join(mapping.areas.keys)} "
            f"(areas: keys), and area '{area}' is none of them. Export areas the "
            "table holds, or add the area's key under 'areas: codes'."
        )
    return area


def period_text(obs: Observation, mapping: Mapping, layout: str) -> str:
    """A period as the layout writes it: ``31.12.2015`` for a reference date (INKAR:
    the year), the year, or the range of years the value was read from.

    Raises
    ------
    MappedExportError
        For a half-year, which official tables do not label.
    """
    period = parse_period(obs.period)
    if period.kind is PeriodKind.HALF_YEAR:
        raise MappedExportError(
            f"The value of '{obs.indicator}' for {obs.area} is of the half-year "
            f"{obs.period}, which the table's layout has no label for. Export whole "
            "years or reference dates (--from/--to)."
        )
    if period.kind is PeriodKind.DATE:
        if layout == "inkar":
            raise MappedExportError(
                f"The value of '{obs.indicator}' for {obs.area} is of the reference "
                f"date {obs.period}, and INKAR's layout labels years only. Export it "
                "with a mapping of a GENESIS table."
            )
        return period.end.strftime("%d.%m.%Y")
    note = _RANGE_NOTE.match(obs.note or "")
    if mapping.periods.range == "end" and note and int(note.group(2)) == period.year:
        return f"{note.group(1)}-{note.group(2)}"
    return obs.period


def number_text(value: float, scale: float, flags: int) -> str:
    """A number as the table holds it (``scale`` divided out) with the letters of
    its flags (p, r, s)."""
    unscaled = float(f"{value / scale:.15g}")
    letters = "".join(
        letter for letter, flag in VALUE_FLAGS.items() if flags & int(flag)
    )
    return german_text(unscaled) + letters


def is_hidden(obs: Observation) -> bool:
    return bool(obs.flags & int(Flag.SUPPRESSED | Flag.CONFIDENTIAL))


def slot_of(quantity: Quantity) -> Slot:
    return Slot(tuple(quantity.columns), tuple(quantity.rows))


@dataclass(kw_only=True)
class Cells:
    """What each cell of the table holds, with who wrote it (for conflicts)."""

    text: dict[tuple[Slot, str, str], str] = field(default_factory=dict)
    by: dict[tuple[Slot, str, str], str] = field(default_factory=dict)

    def put(self, key: tuple[Slot, str, str], text: str, who: str) -> None:
        known = self.text.get(key)
        if text == HIDDEN_SIGN and known is not None:
            self.text[key], self.by[key] = text, who  # never a hidden number
            return
        if known == HIDDEN_SIGN:
            return
        if known is not None and not _same(known, text):
            slot, area, period = key
            raise MappedExportError(
                f"Two outputs of the mapping write the same cell (labels "
                f"{list(slot.columns + slot.rows)}, area {area}, period {period}) with "
                f"different values: {known} ({self.by[key]}) and {text} ({who}). The "
                "values were stored apart; publish values that agree, or export with "
                "a mapping that has only one of them."
            )
        self.text.setdefault(key, text)
        self.by.setdefault(key, who)


def _same(a: str, b: str) -> bool:
    x, y = parse_number(a, STYLE), parse_number(b, STYLE)
    if x.value is None or y.value is None:
        return a == b
    return math.isclose(x.value, y.value, rel_tol=RTOL) and x.flags == y.flags


def fill_cells(
    mapping: Mapping, observations: Sequence[Observation], layout: str
) -> tuple[Cells, list[str]]:
    """The cells and the periods (labels, in time order)."""
    cells = Cells()
    by_indicator: dict[str, list[Observation]] = {}
    for obs in observations:
        by_indicator.setdefault(obs.indicator, []).append(obs)
    periods: dict[str, dt.date] = {}
    for output in mapping.outputs:
        for obs in by_indicator.get(output.indicator, []):
            key = area_key(obs.area, mapping)
            label = period_text(obs, mapping, layout)
            periods.setdefault(label, parse_period(obs.period).end)
            who = f"'{output.indicator}'"
            if output.value is not None:
                slot = slot_of(output.value)
                if is_hidden(obs) or obs.value is None:
                    text = HIDDEN_SIGN if is_hidden(obs) else gap_sign(layout)
                else:
                    text = number_text(obs.value, output.scale, obs.flags)
                cells.put((slot, key, label), text, who)
                continue
            assert output.numerator is not None and output.denominator is not None  # noqa: S101  # nosec B101
            top, base = slot_of(output.numerator), slot_of(output.denominator)
            if is_hidden(obs):
                cells.put((top, key, label), HIDDEN_SIGN, who + " (numerator)")
                if obs.denominator is not None:
                    text = number_text(obs.denominator, output.scale, 0)
                    cells.put((base, key, label), text, who + " (denominator)")
                continue
            if obs.numerator is None or obs.denominator is None:
                raise MappedExportError(
                    f"The value of '{output.indicator}' for {obs.area}, {obs.period} "
                    "is stored without numerator and denominator, and the table "
                    "holds these, not the share. Import the counts, or export with a "
                    "mapping that writes the value itself (value: columns)."
                )
            flags = obs.flags
            cells.put(
                (top, key, label), number_text(obs.numerator, output.scale, flags), who
            )
            cells.put(
                (base, key, label), number_text(obs.denominator, output.scale, 0), who
            )
    ordered = sorted(periods, key=lambda p: (periods[p], p))
    return cells, ordered


def gap_sign(layout: str) -> str:
    return INKAR_GAP if layout == "inkar" else GENESIS_GAP
