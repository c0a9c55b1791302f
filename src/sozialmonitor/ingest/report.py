"""The validation report: every finding of a file, errors and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sozialmonitor.errors import ReadError, UnreadableFileError

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
        self.findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                row=row,
                column=column,
                value=None if value is None else str(value),
            )
        )

    def error(self, code: str, message: str, **where: Any) -> None:
        """An error: the import writes nothing. ``where``: row, column, value."""
        self.add(Severity.ERROR, code, message, **where)

    def warning(self, code: str, message: str, **where: Any) -> None:
        """A warning: reported, the import goes ahead."""
        self.add(Severity.WARNING, code, message, **where)

    def unreadable(self, exc: UnreadableFileError) -> None:
        """A file, or a row of it, that could not be read at all."""
        if isinstance(exc, ReadError):
            self.error(exc.finding, exc.reason, row=exc.row, value=exc.value)
        else:
            self.error(exc.code, exc.message.removeprefix(f"{self.path}: "))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "valid": self.is_valid,
            "rows_read": self.rows_read,
            "rows_valid": self.rows_valid,
            "skipped_empty": self.skipped_empty,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
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
        hidden = len(self.findings) - limit
        if hidden > 0:
            lines.append(f"… and {hidden} more findings (use --json to see all).")
        summary = (
            f"{name}: {self.rows_read} rows read, {len(self.errors)} errors, "
            f"{len(self.warnings)} warnings."
        )
        if self.errors:
            summary += " Nothing was written; correct the file and import it again."
        lines.append(summary)
        return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class ImportOutcome:
    """What an import did."""

    report: ValidationReport
    release: Release | None
    """The release written into (None for areas and indicators, and dry runs)."""
    rows_written: int
    """Records new or changed."""
