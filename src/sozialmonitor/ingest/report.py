"""The validation report: every finding of a file, errors and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sozialmonitor.errors import ReadError, UnreadableFileError
from sozialmonitor.ingest.limits import (
    MAX_FINDINGS,
    MAX_FINDINGS_PER_CODE,
    MAX_MESSAGE_CHARS,
    MAX_QUOTED_CHARS,
    shorten,
)

if TYPE_CHECKING:
    from sozialmonitor.domain.release import Release

MAX_FINDINGS_SHOWN = 50


class Severity(StrEnum):
    ERROR = "error"
    """Blocks the import: nothing is written."""
    WARNING = "warning"
    """Reported, the import goes ahead."""


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One problem found in a file."""

    severity: Severity
    code: str
    """Stable code, e.g. ``unknown-area-code``."""
    message: str
    """What is wrong and what to do."""
    row: int | None = None
    """Row as a spreadsheet program shows it (the header is row 1)."""
    column: str | None = None
    """Column name as written in the file."""
    value: str | None = None
    """The value found."""

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass(kw_only=True)
class ValidationReport:
    """All findings for one file."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    rows_read: int = 0
    rows_valid: int = 0
    skipped_empty: int = 0
    """Cells without a value (empty, -, x, …) that were left out."""
    omitted: dict[Severity, int] = field(
        default_factory=lambda: {Severity.ERROR: 0, Severity.WARNING: 0}
    )
    """Findings counted but not kept: beyond ``MAX_FINDINGS_PER_CODE`` of one code
    or ``MAX_FINDINGS`` in all, so that a hostile file cannot flood the report."""
    _per_code: dict[str, int] = field(default_factory=dict, repr=False)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
    ) -> None:
        """Keep a finding; values and messages are shortened, and findings beyond
        the limits only counted."""
        kept = self._per_code.get(code, 0)
        if kept >= MAX_FINDINGS_PER_CODE or len(self.findings) >= MAX_FINDINGS:
            self.omitted[severity] += 1
            return
        self._per_code[code] = kept + 1
        text = None if value is None else str(value)
        if text is not None and len(text) > MAX_QUOTED_CHARS:
            short = shorten(text)
            message = message.replace(text, short)
            text = short
        if column is not None:
            column = shorten(str(column))
        self.findings.append(
            Finding(
                severity=severity,
                code=code,
                message=shorten_message(message),
                row=row,
                column=column,
                value=text,
            )
        )

    def clear(self) -> None:
        """Forget every finding and count (a file that turns out unreadable half-way
        is reported by that alone, as if it had been refused at once)."""
        self.findings.clear()
        self.rows_read = self.rows_valid = self.skipped_empty = 0
        self.omitted = {Severity.ERROR: 0, Severity.WARNING: 0}
        self._per_code.clear()

    def error(self, code: str, message: str, **where: Any) -> None:
        """An error: the import writes nothing. ``where``: row, column, value."""
        self.add(Severity.ERROR, code, message, **where)

    def warning(self, code: str, message: str, **where: Any) -> None:
        """A warning: reported, the import goes ahead."""
        self.add(Severity.WARNING, code, message, **where)

    def unreadable(self, exc: UnreadableFileError) -> None:
        """A file, or a row of it, that could not be read at all."""
        if isinstance(exc, ReadError):
            column = getattr(exc, "column", None)
            self.error(
                exc.finding, exc.reason, row=exc.row, column=column, value=exc.value
            )
        else:
            self.error(exc.code, exc.message.removeprefix(f"{self.path}: "))

    @property
    def errors(self) -> list[Finding]:
        """The errors kept (``error_count`` counts the omitted ones too)."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """The warnings kept (``warning_count`` counts the omitted ones too)."""
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.omitted[Severity.ERROR]

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + self.omitted[Severity.WARNING]

    @property
    def is_valid(self) -> bool:
        return not self.error_count

    def to_dict(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "valid": self.is_valid,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "skipped_empty": self.skipped_empty,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "findings": [f.to_dict() for f in self.findings],
            "findings_omitted": sum(self.omitted.values()),
        }

    def to_text(self, limit: int = MAX_FINDINGS_SHOWN) -> str:
        """The report as a person reads it, most important first."""
        name = self.path.name
        lines = []
        for finding in (self.errors + self.warnings)[:limit]:
            where = name
            if finding.row is not None:
                where += f", row {finding.row}"
            if finding.column is not None:
                where += f", column '{finding.column}'"
            label = "ERROR" if finding.severity is Severity.ERROR else "warning"
            lines.append(f"{label}: {where}: {finding.message}")
        shown = max(len(self.findings) - limit, 0)
        counted = sum(self.omitted.values())
        if shown and not counted:
            lines.append(f"… and {shown:,} more findings (use --json to see all).")
        elif shown or counted:
            lines.append(
                f"… and {shown + counted:,} more findings (the report lists the "
                "first of each kind; correct these and import again)."
            )
        summary = (
            f"{name}: {self.rows_read} rows read, {self.error_count:,} errors, "
            f"{self.warning_count:,} warnings."
        )
        if self.error_count:
            summary += " Nothing was written; correct the file and import it again."
        lines.append(summary)
        return "\n".join(lines)


def shorten_message(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A message of at most about ``limit`` characters; its end, which says what to
    do, is kept."""
    if len(message) <= limit:
        return message
    tail = limit // 3
    return f"{message[: limit - tail]} … {message[-tail:]}"


@dataclass(frozen=True, kw_only=True)
class ImportOutcome:
    """What an import did."""

    report: ValidationReport
    release: Release | None
    """The release written into (None for areas and indicators, and dry runs)."""
    rows_written: int
    """Records new or changed."""
