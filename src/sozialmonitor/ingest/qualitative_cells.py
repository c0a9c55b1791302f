"""The cells of one row of a file of findings and recommendations, read as text,
words, dates, numbers and lists of codes; each problem goes to the report."""

from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

from sozialmonitor.domain.indicator import plain_text
from sozialmonitor.domain.qualitative import (
    Addressee,
    RecordKind,
    RecordVisibility,
    SourceKind,
    Status,
    parse_choice,
)
from sozialmonitor.export import TEXT_MARK, is_formula_like
from sozialmonitor.ingest.report import ValidationReport

LIST_SEPARATOR = re.compile(r"[;,]")
"""Codes in one cell are separated by ';' (or ',')."""
GERMAN_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d*)?$")
"""``25.000``: a point between groups of three digits is German's thousands mark."""

E = TypeVar("E", Addressee, RecordKind, RecordVisibility, SourceKind, Status)


class RowCells:
    """One row's cells, and the report its findings go to."""

    def __init__(self, row: int, cells: dict[str, str], report: ValidationReport):
        self.row, self.cells, self.report = row, cells, report
        self.ok = True

    def error(self, column: str, code: str, message: str) -> None:
        self.ok = False
        self.report.error(
            code, message, row=self.row, column=column, value=self.cells.get(column)
        )

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if value.startswith(TEXT_MARK) and is_formula_like(value[1:]):
            value = value[1:]  # marked as text by an export (``export.as_text``)
        if not value:
            if required:
                self.error(
                    column, "missing-value", f"The column '{column}' is empty. Fill it."
                )
            return ""
        try:
            return plain_text(value)
        except ValueError as exc:
            reason = str(exc)
            self.error(column, "invalid-text", f"{reason[0].upper()}{reason[1:]}.")
            return ""

    def choice(self, column: str, kind: type[E]) -> E | None:
        raw = self.text(column)
        if not raw:
            return None
        try:
            return parse_choice(kind, raw)
        except ValueError as exc:
            self.error(column, "invalid-value", f"{exc}. Write one of these words.")
            return None

    def date(self, column: str) -> dt.date | None:
        raw = self.cells.get(column, "")
        if not raw:
            return None
        raw = raw.removesuffix(" 00:00:00")
        for form in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                return dt.datetime.strptime(raw, form).date()  # noqa: DTZ007
            except ValueError:
                continue
        self.error(
            column,
            "invalid-date",
            f"'{raw}' is not a date. Write it as 31.12.2024 or 2024-12-31.",
        )
        return None

    def number(self, column: str, *, whole: bool = False) -> float | None:
        raw = self.cells.get(column, "")
        if not raw:
            return None
        text = raw.replace(" ", "").replace("\u202f", "").removesuffix("€")
        if "," in text or GERMAN_GROUPS.match(text):  # German: 25.000 or 1.234,5
            text = text.replace(".", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not value >= 0 or (whole and not value.is_integer()):
            what = "a whole number" if whole else "a number of euros"
            self.error(
                column,
                "invalid-number",
                f"'{raw}' is not {what} of 0 or more. Write the number alone, "
                "e.g. 12 or 25000.",
            )
            return None
        return value

    def codes(
        self, column: str, known: frozenset[str] | set[str], what: str, code: str
    ) -> tuple[str, ...]:
        raw = self.text(column)
        found = tuple(
            dict.fromkeys(c.strip() for c in LIST_SEPARATOR.split(raw) if c.strip())
        )
        for item in found:
            if item not in known:
                self.ok = False
                self.report.error(
                    code,
                    f"'{item}' is not a known {what}. Use the code of one in the "
                    f"database, or import it first.",
                    row=self.row,
                    column=column,
                    value=item,
                )
        return found
