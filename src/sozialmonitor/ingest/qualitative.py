"""Findings and recommendations from CSV or Excel, and out again.

One row per record; the columns are ``COLUMNS`` (docs/formats.md). The whole file is
checked first (codes of indicators, areas, topics and findings, words, dates,
numbers, formula text, status changes); a file with any error writes nothing, and a
valid one is written in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.domain.period import parse_period
from sozialmonitor.domain.qualitative import (
    MAX_CODE_CHARS,
    MAX_PARTICIPANTS,
    Addressee,
    QualitativeRecord,
    RecordKind,
    RecordVisibility,
    Source,
    SourceKind,
    Status,
    StatusChange,
    label,
    may_follow,
    parse_choice,
)
from sozialmonitor.errors import ImportValidationError, InvalidPeriodError, ReadError
from sozialmonitor.export import csv_safe, xlsx_bytes
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.qualitative_cells import RowCells
from sozialmonitor.ingest.report import Finding, ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import cell_text, read_table
from sozialmonitor.store import schema
from sozialmonitor.store.qualitative import current_statuses, save_record, stored_kinds

COLUMNS = (
    "code",
    "kind",
    "title",
    "text",
    "visibility",
    "topic",
    "period",
    "indicators",
    "areas",
    "source_kind",
    "source_group",
    "source_date",
    "participants",
    "rationale",
    "addressee",
    "findings",
    "responsible_unit",
    "estimated_cost",
    "outcome_indicators",
    "status",
    "status_date",
)
"""The file's columns, in the order an export writes them."""
REQUIRED = ("code", "kind", "title", "text", "visibility")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
EXPORT_SHEET = "Empfehlungen"
IMPORT_KIND = "qualitative"
"""The import log's kind for these files."""


@dataclass(frozen=True, kw_only=True)
class RecordRow:
    """A valid row: the record, and for a recommendation its status as of a date."""

    row: int
    record: QualitativeRecord
    status: Status | None
    status_on: dt.date | None


@dataclass(frozen=True, kw_only=True)
class Known:
    """What the database holds that a file may refer to."""

    indicators: frozenset[str]
    areas: frozenset[str]
    topics: frozenset[str]
    records: dict[str, RecordKind]
    statuses: dict[str, Status]


def known_codes(engine: Engine) -> Known:
    ind, area = schema.indicator, schema.area
    with engine.connect() as conn:
        indicators = list(conn.execute(select(ind.c.code, ind.c.topic)))
        return Known(
            indicators=frozenset(r.code for r in indicators),
            areas=frozenset(conn.scalars(select(area.c.code))),
            topics=frozenset(r.topic for r in indicators),
            records=stored_kinds(conn),
            statuses=current_statuses(conn),
        )


def _record(cells: RowCells, known: Known, in_file: dict[str, RecordKind]) -> RecordRow:
    """The row as a record; its problems are in the report (``cells.ok``)."""
    code = cells.text("code", required=True)
    if code and (len(code) > MAX_CODE_CHARS or not CODE.match(code)):
        cells.error(
            "code",
            "invalid-code",
            f"'{code}' cannot be a record code: use up to {MAX_CODE_CHARS} letters, "
            "digits, '.', '_' and '-' (e.g. E-2024-03).",
        )
    kind = cells.choice("kind", RecordKind)
    if kind is None and not cells.cells.get("kind"):
        cells.error(
            "kind", "missing-value", "Write 'Ergebnis' or 'Handlungsempfehlung'."
        )
    title = cells.text("title", required=True)
    text = cells.text("text", required=True)
    visibility = cells.choice("visibility", RecordVisibility)
    if visibility is None and not cells.cells.get("visibility"):
        cells.error("visibility", "missing-value", "Write 'öffentlich' or 'intern'.")
    topic = cells.text("topic")
    if topic and topic not in known.topics:
        cells.error(
            "topic",
            "unknown-topic",
            f"'{topic}' is not a Themenfeld of the indicator catalogue. Write a "
            "topic as the catalogue names it.",
        )
    period = cells.text("period")
    if period:
        try:
            period = parse_period(period).code
        except InvalidPeriodError as exc:
            cells.error("period", "invalid-period", exc.message)
    indicators = cells.codes(
        "indicators", known.indicators, "indicator", "unknown-indicator"
    )
    areas = cells.codes("areas", known.areas, "area code", "unknown-area-code")
    source_kind = cells.choice("source_kind", SourceKind)
    source_group = cells.text("source_group")
    source_date = cells.date("source_date")
    participants = cells.number("participants", whole=True)
    if participants is not None and not 1 <= participants <= MAX_PARTICIPANTS:
        cells.error(
            "participants",
            "invalid-number",
            f"Write how many took part (1 to {MAX_PARTICIPANTS:,}).",
        )
    rationale = cells.text("rationale")
    addressee = cells.choice("addressee", Addressee)
    records = {**known.records, **in_file}
    findings = cells.codes(
        "findings",
        {c for c, k in records.items() if k is RecordKind.FINDING},
        "finding (the code of a finding in the file or the database)",
        "unknown-finding",
    )
    unit = cells.text("responsible_unit")
    cost = cells.number("estimated_cost")
    outcomes = cells.codes(
        "outcome_indicators", known.indicators, "indicator", "unknown-indicator"
    )
    status = cells.choice("status", Status)
    status_on = cells.date("status_date")
    if kind is RecordKind.FINDING:
        if source_kind is None and not cells.cells.get("source_kind"):
            cells.error(
                "source_kind",
                "missing-value",
                "A finding needs its source: write 'Fokusgruppe', 'Interview', "
                "'Workshop' or 'Expertenbeitrag'.",
            )
        for column in ("addressee", "findings", "status", "status_date"):
            if cells.cells.get(column):
                cells.error(
                    column,
                    "not-for-findings",
                    f"The column '{column}' belongs to recommendations; leave it "
                    "empty for a finding, or write 'Handlungsempfehlung' as kind.",
                )
    if kind is RecordKind.RECOMMENDATION:
        if status is None and not cells.cells.get("status"):
            cells.error(
                "status",
                "missing-value",
                "A recommendation needs its status: write 'vorgeschlagen', "
                "'beschlossen', 'in Umsetzung', 'umgesetzt' or 'verworfen'.",
            )
        before = known.statuses.get(code)
        if status is not None and not may_follow(before, status):
            cells.error(
                "status",
                "invalid-status-change",
                f"The recommendation is '{label(before) if before else ''}' and "
                f"cannot go back to '{label(status)}': a status only moves forward "
                "(vorgeschlagen, beschlossen, in Umsetzung, umgesetzt; verworfen).",
            )
        if source_kind is not None:
            cells.error(
                "source_kind",
                "not-for-recommendations",
                "A recommendation has no source of its own; link its findings in "
                "the column 'findings'.",
            )
    stored_kind = known.records.get(code)
    if kind is not None and stored_kind is not None and stored_kind is not kind:
        cells.error(
            "kind",
            "kind-changed",
            f"The record '{code}' is stored as '{label(stored_kind)}'; a record keeps "
            "its kind. Give the new one a code of its own.",
        )
    record = QualitativeRecord(
        code=code,
        kind=kind or RecordKind.FINDING,
        title=title,
        text=text,
        visibility=visibility or RecordVisibility.INTERNAL,
        topic=topic,
        period=period,
        indicators=indicators,
        areas=areas,
        source=Source(
            kind=source_kind,
            group=source_group,
            date=source_date,
            participants=int(participants) if participants is not None else None,
        )
        if source_kind is not None
        else None,
        rationale=rationale,
        addressee=addressee,
        findings=findings,
        responsible_unit=unit,
        estimated_cost=cost,
        outcome_indicators=outcomes,
    )
    return RecordRow(row=cells.row, record=record, status=status, status_on=status_on)


def check_fields(
    fields: dict[str, str], known: Known
) -> tuple[RecordRow | None, list[Finding]]:
    """One record's fields (a form's, named as the file's columns) checked as an
    import checks a row: the record when valid, and the errors (by column)."""
    report = ValidationReport(path=Path("form"))
    cells = RowCells(1, {k: v.strip() for k, v in fields.items() if v}, report)
    found = _record(cells, known, {})
    return (found if cells.ok else None), report.errors


def validate_records(
    path: Path, known: Known
) -> tuple[ValidationReport, list[RecordRow]]:
    """Check a file of findings and recommendations; nothing is written.

    Returns
    -------
    tuple
        The report (errors block the import) and the valid rows.
    """
    report = ValidationReport(path=path)
    try:
        table = read_table(path)
    except ReadError as exc:
        report.unreadable(exc)
        return report, []
    names = {str(c).strip().lower(): c for c in table.frame.columns}
    for column in REQUIRED:
        if column not in names:
            report.error(
                "missing-column",
                f"The file has no column '{column}'. Add it (the columns are "
                "described in docs/formats.md).",
                column=column,
            )
    for name, original in names.items():
        if name not in COLUMNS:
            report.warning(
                "ignored-column",
                f"The column '{original}' is not one of the file's columns; it is "
                "not read.",
                column=str(original),
            )
    if not report.is_valid:
        return report, []
    rows: list[RowCells] = []
    for row, (_, cells) in zip(table.rows, table.frame.iterrows(), strict=True):
        text = {
            name: cell_text(cells[original])
            for name, original in names.items()
            if name in COLUMNS
        }
        rows.append(RowCells(row, text, report))
    report.rows_read = len(rows)
    in_file: dict[str, RecordKind] = {}
    first_row: dict[str, int] = {}
    for cells in rows:
        code = cells.cells.get("code", "")
        if code in first_row:
            cells.error(
                "code",
                "duplicate-code",
                f"The code '{code}' is in row {first_row[code]} already. Give each "
                "record its own code.",
            )
        first_row.setdefault(code, cells.row)
        with contextlib.suppress(ValueError):
            in_file[code] = parse_choice(RecordKind, cells.cells.get("kind", ""))
    valid = []
    for cells in rows:
        found = _record(cells, known, in_file)
        if cells.ok:
            valid.append(found)
    report.rows_valid = len(valid)
    return report, valid


def import_records(
    engine: Engine,
    path: Path,
    *,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
    today: dt.date | None = None,
) -> ImportOutcome:
    """Validate a file of findings and recommendations and store it in one
    transaction: new records, changed ones (by code), and status changes appended
    to the history with ``actor``'s name (dated ``status_date``, else ``today``).

    Raises
    ------
    ImportValidationError
        With the report, when the file has an error; nothing is written then.
    """
    report, rows = validate_records(path, known_codes(engine))
    if not report.is_valid:
        raise ImportValidationError(report, report.to_text())
    if dry_run:
        return ImportOutcome(report=report, release=None, rows_written=0)
    now = dt.datetime.now(dt.UTC)
    day = today or now.date()
    with engine.connect() as conn, conn.begin() as transaction:
        changed = sum(
            save_record(
                conn,
                row.record,
                status=row.status,
                status_on=row.status_on or day,
                actor=actor,
                now=now,
            )
            for row in rows
        )
        if changed == 0:
            transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        record_import(
            conn,
            kind=IMPORT_KIND,
            path=path,
            release=None,
            report=report,
            rows_written=changed,
            actor=actor,
            address=address,
        )
    return ImportOutcome(report=report, release=None, rows_written=changed)


def _joined(codes: Sequence[str]) -> str:
    return "; ".join(codes)


def records_frame(records: Sequence[QualitativeRecord]) -> pd.DataFrame:
    """The records in the file format (``COLUMNS``), German words for choices;
    a re-import of the file changes nothing."""
    rows: list[dict[str, Any]] = []
    for r in records:
        source = r.source
        last: StatusChange | None = r.history[-1] if r.history else None
        rows.append(
            {
                "code": r.code,
                "kind": label(r.kind),
                "title": r.title,
                "text": r.text,
                "visibility": label(r.visibility),
                "topic": r.topic,
                "period": r.period,
                "indicators": _joined(r.indicators),
                "areas": _joined(r.areas),
                "source_kind": label(source.kind) if source else "",
                "source_group": source.group if source else "",
                "source_date": source.date.isoformat()
                if source and source.date
                else "",
                "participants": source.participants if source else None,
                "rationale": r.rationale,
                "addressee": label(r.addressee) if r.addressee else "",
                "findings": _joined(r.findings),
                "responsible_unit": r.responsible_unit,
                "estimated_cost": r.estimated_cost,
                "outcome_indicators": _joined(r.outcome_indicators),
                "status": label(last.status) if last else "",
                "status_date": last.on.isoformat() if last else "",
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["participants"] = frame["participants"].astype("Int64")
    return frame


def records_bytes(records: Sequence[QualitativeRecord], fmt: str) -> bytes:
    """The records as CSV (UTF-8, comma) or XLSX; text a spreadsheet would run as
    a formula is written as text (``export.csv_safe``, ``export.xlsx_bytes``)."""
    frame = records_frame(records)
    if fmt == "xlsx":
        return xlsx_bytes({EXPORT_SHEET: frame})
    return csv_safe(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
