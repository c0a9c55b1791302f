"""Excel workbooks (XLSX) written straight from data frames.

``pandas.DataFrame.to_excel`` through openpyxl builds a cell object per value and
serialises each through pure-Python XML code: 11,000 areas × 13 columns of an index
took some 5 s. The worksheet XML here is built as text, a row at a time, from the
columns' Python values (about 15 times faster), with what ``to_excel`` writes:

- a header row of the column names;
- numbers as numbers (16 significant digits, as openpyxl writes them),
  ``True``/``False`` as booleans, dates and times as Excel serial numbers
  formatted ``YYYY-MM-DD`` and ``YYYY-MM-DD HH:MM:SS``, infinities as the text
  ``inf``/``-inf``;
- missing values and empty text as empty (text) cells;
- text as inline text, never as a formula; text of the frame (and its column
  names) that a spreadsheet would run when the cell is edited (``quoted``:
  ``export.is_formula_like``) carries Excel's quote prefix.

Characters XML 1.0 cannot hold (control characters other than tab and line
breaks) are left out; text longer than a cell holds (32,767 characters) is cut,
as ``to_excel`` cuts it.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

MAX_TEXT = 32_767
"""Characters a cell holds."""
EPOCH = dt.datetime(1899, 12, 30)
"""Day 0 of Excel's serial dates (1900 system, after its leap-year bug)."""
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Cell formats (``cellXfs``), in this order in styles.xml.
PLAIN, QUOTED, DATETIME, DATE = range(4)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = f"""{_DECLARATION}<styleSheet xmlns="{_NS}">\
<numFmts count="2"><numFmt numFmtId="164" formatCode="YYYY-MM-DD HH:MM:SS"/>\
<numFmt numFmtId="165" formatCode="YYYY-MM-DD"/></numFmts>\
<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
</fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>\
</borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>\
</cellStyleXfs>\
<cellXfs count="4">\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" \
applyNumberFormat="1"/>\
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" \
applyNumberFormat="1"/>\
</cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""


def column_letters(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``.

    Examples
    --------
    >>> [column_letters(i) for i in (0, 25, 26, 701, 702)]
    ['A', 'Z', 'AA', 'ZZ', 'AAA']
    """
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def workbook_bytes(
    sheets: Mapping[str, pd.DataFrame], quoted: Callable[[Any], bool]
) -> bytes:
    """An XLSX workbook with one sheet per frame (name → frame, in order); text
    for which ``quoted`` is true carries the quote prefix."""
    names = list(sheets)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _content_types(len(names)))
        package.writestr(
            "_rels/.rels",
            f'{_DECLARATION}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        package.writestr("xl/workbook.xml", _workbook(names))
        package.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
        package.writestr("xl/styles.xml", _STYLES)
        for number, frame in enumerate(sheets.values(), start=1):
            package.writestr(
                f"xl/worksheets/sheet{number}.xml", _worksheet(frame, quoted)
            )
    return buffer.getvalue()


def _content_types(sheets: int) -> str:
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        f'ContentType="{main}.worksheet+xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f"{_DECLARATION}<Types "
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{main}.styles+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{html.escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(names, start=1)
    )
    return (
        f'{_DECLARATION}<workbook xmlns="{_NS}" xmlns:r="{_REL}">'
        f"<sheets>{sheets}</sheets></workbook>"
    )


def _workbook_rels(sheets: int) -> str:
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, sheets + 1)
    )
    return (
        f'{_DECLARATION}<Relationships xmlns="{_PKG_REL}">{links}'
        f'<Relationship Id="rId{sheets + 1}" Type="{_REL}/styles" '
        'Target="styles.xml"/></Relationships>'
    )


def _text(value: str) -> str:
    cleaned = _ILLEGAL.sub("", value[:MAX_TEXT])
    return html.escape(cleaned, quote=False)


def _number(value: float | int | Decimal) -> str:
    """As openpyxl writes numbers: 16 significant digits."""
    return f"{value:.16g}"


def _string(ref: str, value: str, style: int) -> str:
    if not value:
        return f'<c r="{ref}" t="inlineStr"/>'
    shown = f' s="{style}"' if style else ""
    return (
        f'<c r="{ref}"{shown} t="inlineStr"><is>'
        f'<t xml:space="preserve">{_text(value)}</t></is></c>'
    )


def _cell(ref: str, value: Any, quoted: Callable[[Any], bool]) -> str:
    """One cell's XML, as ``to_excel`` writes the value: a missing value as an
    empty text cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return f'<c r="{ref}" t="inlineStr"/>'
    if isinstance(value, str):
        return _string(ref, value, QUOTED if quoted(value) else PLAIN)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal):
        return f'<c r="{ref}" t="n"><v>{_number(value)}</v></c>'
    if isinstance(value, float):
        if math.isnan(value):
            return f'<c r="{ref}" t="inlineStr"/>'
        if math.isinf(value):
            return _string(ref, "inf" if value > 0 else "-inf", PLAIN)
        return f'<c r="{ref}" t="n"><v>{_number(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - EPOCH).total_seconds() / 86_400
        return f'<c r="{ref}" s="{DATETIME}" t="n"><v>{_number(serial)}</v></c>'
    if isinstance(value, dt.date):
        serial = (value - EPOCH.date()).days
        return f'<c r="{ref}" s="{DATE}" t="n"><v>{serial}</v></c>'
    return _string(ref, str(value), PLAIN)


def _column_values(frame: pd.DataFrame) -> list[list[Any]]:
    """Each column's values as Python objects, missing values as None."""
    found = []
    for at in range(frame.shape[1]):
        column = frame.iloc[:, at]
        values = column.astype(object).tolist()
        missing = column.isna().tolist()
        found.append(
            [None if gone else v for v, gone in zip(values, missing, strict=True)]
        )
    return found


def _worksheet(frame: pd.DataFrame, quoted: Callable[[Any], bool]) -> str:
    letters = [column_letters(i) for i in range(frame.shape[1])]
    header = "".join(
        _cell(f"{letter}1", name, quoted)
        for letter, name in zip(letters, frame.columns, strict=True)
    )
    rows: list[str] = [f'<row r="1">{header}</row>'] if letters else []
    columns = _column_values(frame)
    for number, values in enumerate(_rows(columns), start=2):
        cells = "".join(
            _cell(f"{letter}{number}", value, quoted)
            for letter, value in zip(letters, values, strict=True)
        )
        rows.append(f'<row r="{number}">{cells}</row>' if cells else "")
    last = f"{letters[-1]}{len(frame) + 1}" if letters else "A1"
    return (
        f'{_DECLARATION}<worksheet xmlns="{_NS}"><dimension ref="A1:{last}"/>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def _rows(columns: list[list[Any]]) -> Iterable[tuple[Any, ...]]:
    return zip(*columns, strict=True)
