"""A mapping applied to an official table: long rows of raw cells, as every
observation import checks them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.numbers import (
    EMPTY_SIGNS,
    SECRET_SIGNS,
    VALUE_FLAGS,
    NumberStyle,
    parse_number,
)
from sozialmonitor.ingest.official.genesis import KEY, OfficialTable
from sozialmonitor.ingest.official.mapping import (
    KEY_KINDS,
    Mapping,
    Output,
    Quantity,
    Selector,
)
from sozialmonitor.ingest.official.period import (
    official_period,
    range_note,
    year_range,
)
from sozialmonitor.ingest.report import ValidationReport

STYLE = NumberStyle.GERMAN
"""GENESIS writes decimal commas and no thousands separators."""
MAX_LISTED = 12
"""Column label sets listed in a message about a selector that matches nothing."""


@dataclass(frozen=True, kw_only=True)
class _Row:
    line: int
    period: str | None
    area: str | None
    """The area code (None when the areas are named in the columns)."""
    left_out: bool = False
    """A key of a kind the mapping does not import."""
    labels: Counter[str]
    area_column: str = ""
    """Where the area is written, for messages."""
    note: str = ""
    """The range of years the row's period stands for."""


@dataclass(frozen=True, kw_only=True)
class _Column:
    position: int
    name: str
    period: str | None
    area: str | None
    labels: Counter[str]
    area_named: bool = False
    """The mapping names the areas in the header rows."""
    note: str = ""
    """The range of years the column's period stands for (``Zeitraum 2012–2016``)."""
    unread_range: bool = False
    """The column's period is a range of years the mapping does not read."""


class _Cell(NamedTuple):
    """One selected cell (a tuple: a Gemeinde table has hundreds of thousands, and
    a tuple is created in a fraction of the time and memory of a dataclass)."""

    area: str
    period: str
    line: int
    column: str
    raw: str
    area_column: str
    note: str = ""


RECORD_COLUMNS = [
    "indicator",
    "area",
    "period",
    "value",
    "numerator",
    "denominator",
    "flags",
    "note",
    "row",
    "period_column",
    "value_column",
    "area_column",
    "denominator_column",
]
"""The long rows ``apply_mapping`` gives ``validate_long``."""


def area_code(key: str, mapping: Mapping) -> str | None:
    """The area code of an official key, or None when its kind is not imported."""
    kind = "deutschland" if key == "DG" else KEY_KINDS.get(len(key))
    if kind is None or kind not in mapping.areas.keys:
        return None
    if key in mapping.areas.codes:
        return mapping.areas.codes[key]
    if kind == "gemeinde" and len(key) > 8:
        return key[:5] + key[-3:]  # without the association's digits: the AGS
    return key


def _columns(table: OfficialTable, mapping: Mapping) -> list[_Column]:
    by_name = mapping.areas.by == "name" and mapping.areas.names_in == "columns"
    out = []
    for position in range(table.width):
        labels = table.column_labels(position)
        period, note = next(
            (found for label in labels if (found := _period(label, mapping))[0]),
            (None, ""),
        )
        area = None
        rest = [label for label in labels if _period(label, mapping)[0] is None]
        spans = [label for label in rest if year_range(label)]
        rest = [label for label in rest if label not in spans]
        if by_name:
            area = next((a for a in rest if a in mapping.areas.codes), None)
            if area is not None:
                rest.remove(area)
                area = mapping.areas.codes[area]
        out.append(
            _Column(
                position=position,
                name=table.column_name(position),
                period=period,
                area=area,
                labels=Counter(rest),
                area_named=by_name,
                note=note,
                unread_range=bool(spans) and period is None,
            )
        )
    return out


def _period(label: str, mapping: Mapping) -> tuple[str | None, str]:
    """The period a label names, and the note of a range of years read as one."""
    period = official_period(
        label,
        school_year=mapping.periods.school_year,
        year_ranges=mapping.periods.range,
    )
    span = year_range(label) if period is not None else None
    return period, range_note(*span) if span else ""


def _rows(
    table: OfficialTable, mapping: Mapping, report: ValidationReport
) -> list[_Row]:
    out = []
    names_in_rows = mapping.areas.by == "name" and mapping.areas.names_in == "rows"
    for line, leading in zip(table.lines, table.leading, strict=True):
        cells = list(leading)
        period = None
        note = ""
        for i, cell in enumerate(cells):
            p, note = _period(cell, mapping)
            if p:
                period = p
                del cells[i]
                break
        area: str | None = None
        area_column = ""
        if mapping.areas.by == "key":
            at = next((i for i, c in enumerate(cells) if KEY.match(c)), None)
            if at is None:
                report.error(
                    "missing-area",
                    "The row has no official area key (DG, or 2 to 12 digits) "
                    f"among its first cells ({' | '.join(leading)}). Download the "
                    "table with its keys, or map areas by name (areas: by: name).",
                    row=line,
                )
                continue
            area = area_code(cells[at], mapping)
            if area is None:
                out.append(
                    _Row(
                        line=line,
                        period=None,
                        area=None,
                        left_out=True,
                        labels=Counter(),
                    )
                )
                continue
            area_column = f"column {leading.index(cells[at]) + 1} (key)"
            del cells[at : at + 2]  # the key and the name after it
        elif names_in_rows and cells:
            name = cells.pop(0)
            area = mapping.areas.codes.get(name, name)
            area_column = f"column {leading.index(name) + 1} (name)"
        out.append(
            _Row(
                line=line,
                period=period,
                area=area,
                labels=Counter(cells),
                area_column=area_column,
                note=note if period else "",
            )
        )
    return out


def _contains(labels: Counter[str], wanted: list[str]) -> bool:
    return not (Counter(wanted) - labels)


def _select(
    table: OfficialTable,
    rows: list[_Row],
    columns: list[_Column],
    selector: Selector,
    output: Output,
    report: ValidationReport,
) -> dict[tuple[str, str], _Cell] | None:
    """The selector's cell per (area, period), or None after reporting why not."""
    chosen = [c for c in columns if _contains(c.labels, selector.columns)]
    ranges = [c for c in chosen if c.unread_range]
    chosen = [c for c in chosen if not c.unread_range]
    if ranges and not chosen:
        report.error(
            "missing-period",
            f"The mapping's output '{output.indicator}' selects the column "
            f"'{ranges[0].name}', whose period is a range of years. Declare how "
            "ranges are read in the mapping (periods: range: end takes the end "
            "year, see docs/mapping-files.md).",
            column=ranges[0].name,
        )
        return None
    if not chosen:
        seen = list(
            dict.fromkeys(" / ".join(sorted(c.labels.elements())) for c in columns)
        )
        report.error(
            "mapping-no-column",
            f"The mapping's output '{output.indicator}' wants a column with the "
            f"labels {selector.columns}, but no column of the file has them. The "
            f"file's columns: {'; '.join(seen[:MAX_LISTED])}"
            f"{' …' if len(seen) > MAX_LISTED else ''}. The export's layout differs "
            "from the mapping: correct 'columns' in the mapping (docs/"
            "mapping-files.md) or download the table with these columns.",
            column=", ".join(selector.columns),
        )
        return None
    kept = [r for r in rows if not r.left_out and _contains(r.labels, selector.rows)]
    if not kept and selector.rows:
        report.error(
            "mapping-no-row",
            f"The mapping's output '{output.indicator}' wants rows with the labels "
            f"{selector.rows}, but no row has them. Correct 'rows' in the mapping.",
        )
        return None
    nameless = [c.name for c in chosen if c.area_named and c.area is None]
    if nameless:
        report.error(
            "unknown-area-code",
            f"The column '{nameless[0]}' ({len(nameless)} columns in all) names none "
            "of the areas in the mapping's 'areas: codes'. Add the area's name as the "
            "file writes it, with its code, to 'areas: codes'.",
            column=nameless[0],
        )
        return None
    cells: dict[tuple[str, str], _Cell] = {}
    missing_period = 0
    index = {line: i for i, line in enumerate(table.lines)}
    for column in chosen:
        for row in kept:
            period = column.period or row.period
            area = column.area or row.area
            if period is None or area is None:
                missing_period += period is None
                continue
            raw = table.values[index[row.line]][column.position]
            cell = _Cell(
                area=area,
                period=period,
                line=row.line,
                column=column.name,
                raw=raw,
                area_column=row.area_column if column.area is None else column.name,
                note=column.note or row.note,
            )
            first = cells.setdefault((area, period), cell)
            if first is not cell and first.raw in EMPTY_SIGNS:
                # an area listed twice (a municipality that moved to another
                # association has '-' under its old key): the cell with a value
                cells[(area, period)] = cell
            elif first is not cell and cell.raw not in EMPTY_SIGNS:
                report.error(
                    "mapping-ambiguous",
                    f"The mapping's output '{output.indicator}' (labels "
                    f"{selector.columns + selector.rows}) matches two cells for area "
                    f"'{area}' and period '{period}': row {first.line}, column "
                    f"'{first.column}' and row {row.line}, column '{column.name}'. Add "
                    "a label to 'columns' or 'rows' so that one cell remains.",
                    row=row.line,
                    column=column.name,
                )
                return None
    if missing_period:
        report.error(
            "missing-period",
            f"{missing_period} cells of the mapping's output '{output.indicator}' "
            "have no period: neither their column's header rows nor their row hold a "
            "date or year. The export's header row with the dates is missing: "
            "download the table again, unchanged.",
            column=chosen[0].name,
        )
        return None
    return cells


def _quantity(
    table: OfficialTable,
    rows: list[_Row],
    columns: list[_Column],
    quantity: Quantity,
    output: Output,
    report: ValidationReport,
) -> dict[tuple[str, str], tuple[_Cell, object]] | None:
    """(area, period) → (the cell for messages, the raw text or a computed number)."""
    parts = []
    for selector in quantity.parts:
        found = _select(table, rows, columns, selector, output, report)
        if found is None:
            return None
        parts.append(found)
    if len(parts) == 1 and output.scale == 1:
        return {k: (c, c.raw) for k, c in parts[0].items()}
    out: dict[tuple[str, str], tuple[_Cell, object]] = {}
    for key in dict.fromkeys(k for part in parts for k in part):
        cells = [part.get(key) for part in parts]
        first = next(c for c in cells if c is not None)
        if any(c is None for c in cells):
            out[key] = (first, "")  # a part is missing: a gap
            continue
        total = 0.0
        result: object = None
        letters = ""  # p, r, s of a part: the sum is provisional, revised, estimated
        for cell in cells:
            assert cell is not None  # noqa: S101 (checked above)  # nosec B101
            parsed = parse_number(cell.raw, STYLE)
            if parsed.error is not None:
                result, first = cell.raw, cell  # reported where it is
                break
            if parsed.flags & int(Flag.SUPPRESSED):
                result = "."
            elif parsed.empty or parsed.value is None:
                result = result if result == "." else "-"
            else:
                total += parsed.value
                letters += "".join(
                    letter
                    for letter, flag in VALUE_FLAGS.items()
                    if parsed.flags & int(flag) and letter not in letters
                )
        if result is None:
            result = f"{total * output.scale:.15g}".replace(".", ",") + letters
        out[key] = (first, result)
    return out


def apply_mapping(
    table: OfficialTable, mapping: Mapping, report: ValidationReport
) -> pd.DataFrame | None:
    """Long rows of raw cells for ``validate_long``, or None after reporting why
    the mapping does not fit the table."""
    columns = _columns(table, mapping)
    rows = _rows(table, mapping, report)
    records: list[tuple[object, ...]] = []
    for output in mapping.outputs:
        if output.value is not None:
            values = _quantity(table, rows, columns, output.value, output, report)
            if values is None:
                continue
            for (area, period), (cell, raw) in values.items():
                records.append(_record(output, area, period, cell, value=raw))
            continue
        assert output.numerator is not None and output.denominator is not None  # noqa: S101  # nosec B101
        numerator = _quantity(table, rows, columns, output.numerator, output, report)
        denominator = _quantity(
            table, rows, columns, output.denominator, output, report
        )
        if numerator is None or denominator is None:
            continue
        for key, (cell, raw) in numerator.items():
            base = denominator.get(key)
            if base is not None and _is_zero(base[1]):
                report.skipped_empty += 1  # a share of nothing: no value, a gap
                continue
            if base is not None and base[1] in SECRET_SIGNS:
                raw = "."  # a share of a secret count is secret, too
            records.append(
                _record(
                    output,
                    *key,
                    cell,
                    numerator=raw,
                    denominator=base[1] if base is not None else "",
                    denominator_column=base[0].column if base is not None else None,
                )
            )
    if not report.is_valid:
        return None
    return pd.DataFrame.from_records(records, columns=RECORD_COLUMNS)


def _is_zero(raw: object) -> bool:
    if isinstance(raw, float):
        return raw == 0
    return parse_number(raw, STYLE).value == 0


def _record(
    output: Output,
    area: str,
    period: str,
    cell: _Cell,
    *,
    value: object = "",
    numerator: object = "",
    denominator: object = "",
    denominator_column: str | None = None,
) -> tuple[object, ...]:
    """One long row, in the order of ``RECORD_COLUMNS`` (a tuple, not a dict: a
    Gemeinde table gives hundreds of thousands)."""
    return (
        output.indicator,
        area,
        period,
        value,
        numerator,
        denominator,
        "",
        cell.note,
        cell.line,
        cell.column,
        cell.column,
        cell.area_column,
        denominator_column,
    )
