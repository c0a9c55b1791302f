"""What an uploaded file holds, the importers that read it, and their report.

The browser imports with the command line's own functions (``ingest/``): first a dry
run (nothing written), whose report is kept with the job, then, when the uploader
confirms, the real import in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine

from sozialmonitor.domain.release import check_release_name
from sozialmonitor.errors import InvalidReleaseNameError
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.recognise import recognise
from sozialmonitor.ingest.report import ImportOutcome, Severity, ValidationReport

MAX_FINDINGS_KEPT = 200
"""Findings a job keeps and its page shows (errors first); the rest are counted."""


class Kind(StrEnum):
    """What an uploaded file holds."""

    OBSERVATIONS = "observations"
    INDICATORS = "indicators"
    AREAS = "areas"


KIND_LABELS = {
    Kind.OBSERVATIONS: "Werte (Beobachtungen)",
    Kind.INDICATORS: "Kennzahlenkatalog (Indikatoren)",
    Kind.AREAS: "Gebiete",
}
"""German names of the kinds (translated in ``translations/en/uploads.yaml``)."""


def kind_of(value: str) -> Kind | None:
    try:
        return Kind(value)
    except ValueError:
        return None


def release_name_ok(name: str) -> bool:
    """Whether ``name`` can name a new draft (``domain.release.check_release_name``:
    not too long, plain text, no ``/`` or ``\\``)."""
    try:
        check_release_name(name)
    except InvalidReleaseNameError:
        return False
    return True


def run_import(
    engine: Engine,
    kind: Kind,
    path: Path,
    *,
    release: str | None,
    dry_run: bool,
    actor: str,
    address: str,
) -> ImportOutcome:
    """The command line's import of ``kind`` (a release only for observations; an
    official statistics export goes through ``import official``).

    Raises what the importers raise: ``ImportValidationError`` with the report,
    ``ReleaseStateError`` for a release that is no draft.
    """
    if kind is Kind.OBSERVATIONS and recognise(path) is not None:
        return import_official(  # a GENESIS export, through its shipped mapping
            engine,
            path,
            release=release,
            dry_run=dry_run,
            actor=actor,
            address=address,
        )
    if kind is Kind.OBSERVATIONS:
        return import_observations(
            engine,
            path,
            release=release,
            dry_run=dry_run,
            actor=actor,
            address=address,
        )
    if kind is Kind.INDICATORS:
        return import_indicators(
            engine, path, dry_run=dry_run, actor=actor, address=address
        )
    return import_areas(engine, path, dry_run=dry_run, actor=actor, address=address)


@dataclass(frozen=True, kw_only=True)
class FindingRow:
    """One finding as the report page shows it."""

    severity: str
    """``error`` or ``warning``."""
    code: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    """What is wrong and what to do, as the command line says it (English)."""


@dataclass(frozen=True, kw_only=True)
class KeptReport:
    """The part of a validation report a job keeps: counts and the first findings."""

    rows_read: int
    rows_valid: int
    error_count: int
    warning_count: int
    findings: tuple[FindingRow, ...]
    """Errors first, at most ``MAX_FINDINGS_KEPT``."""
    not_shown: int
    """Findings counted but not kept."""

    @property
    def is_valid(self) -> bool:
        return self.error_count == 0

    @classmethod
    def of(cls, report: ValidationReport) -> KeptReport:
        ordered = report.errors + report.warnings
        kept = ordered[:MAX_FINDINGS_KEPT]
        return cls(
            rows_read=report.rows_read,
            rows_valid=report.rows_valid,
            error_count=report.error_count,
            warning_count=report.warning_count,
            findings=tuple(
                FindingRow(
                    severity=f.severity.value,
                    code=f.code,
                    row=f.row,
                    column=f.column,
                    value=f.value,
                    message=f.message,
                )
                for f in kept
            ),
            not_shown=report.error_count + report.warning_count - len(kept),
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> KeptReport | None:
        if not text:
            return None
        data = json.loads(text)
        data["findings"] = tuple(FindingRow(**f) for f in data["findings"])
        return cls(**data)


ERROR = Severity.ERROR.value
