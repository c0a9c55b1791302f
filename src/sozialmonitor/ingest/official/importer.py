"""``import official`` and ``import mapped``: an export through its mapping into a
draft release, with the same checks and report as every observation import."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, select

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.errors import ImportValidationError, UnreadableFileError
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.observations import validate_long
from sozialmonitor.ingest.official.apply import STYLE, apply_mapping
from sozialmonitor.ingest.official.genesis import OfficialTable, read_official
from sozialmonitor.ingest.official.mapping import (
    Mapping,
    load_mapping,
    shipped_mapping,
)
from sozialmonitor.ingest.official.recognise import MAPPINGS_DOC
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.store import schema
from sozialmonitor.store.queries import list_releases
from sozialmonitor.store.writes import (
    WRITE_CHUNK_ROWS,
    draft_release,
    save_indicators,
    store_observations,
)


def _refuse(report: ValidationReport) -> ImportValidationError:
    return ImportValidationError(report, report.to_text())


def _read(path: Path, report: ValidationReport) -> OfficialTable:
    try:
        return read_official(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        raise _refuse(report) from None


def mapping_for(path: Path, mapping_path: Path | None) -> tuple[OfficialTable, Mapping]:
    """The export read, and its mapping: the given file or the shipped one.

    Raises
    ------
    ImportValidationError
        When the file is not an export, no mapping is shipped for its table, or
        the mapping is for another table.
    """
    report = ValidationReport(path=path)
    table = _read(path, report)
    code = table.export.table
    if mapping_path is None:
        shipped = shipped_mapping(code)
        if shipped is None:
            report.error(
                "unknown-table",
                f"No mapping is shipped for table {code}. Write one (a YAML file "
                f"that says which columns hold which indicator, see {MAPPINGS_DOC}) "
                "and import with `sozialmonitor import mapped MAPPING FILE`.",
                value=code,
            )
            raise _refuse(report)
        mapping_path = shipped
    mapping = load_mapping(mapping_path)
    if mapping.table != code:
        report.error(
            "wrong-table",
            f"The mapping {mapping_path.name} is for table {mapping.table}, the file "
            f"is table {code}. Use the mapping of table {code}.",
            value=code,
        )
        raise _refuse(report)
    return table, mapping


def _create_declared(conn: Connection, mapping: Mapping) -> int:
    """Create the mapping's declared indicators the database lacks (known ones
    stay as they are)."""
    known = set(conn.execute(select(schema.indicator.c.code)).scalars())
    new = [i for i in mapping.declared() if i.id not in known]
    return save_indicators(conn, new) if new else 0


def import_official(
    engine: Engine,
    path: Path,
    *,
    mapping: Path | None = None,
    release: str | None = None,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
    chunk_rows: int = WRITE_CHUNK_ROWS,
) -> ImportOutcome:
    """Import an official export through a mapping (default: the shipped one for
    its table) into a draft release, all or nothing, in one transaction (the
    values written in chunks of ``chunk_rows`` rows inside it).

    Raises
    ------
    ImportValidationError
        When the export, the mapping or the values have errors; nothing is written.
    """
    table, rules = mapping_for(path, mapping)
    report = ValidationReport(path=path, rows_read=len(table.lines))
    long = apply_mapping(table, rules, report)
    with engine.connect() as conn, conn.begin() as transaction:
        if long is None:
            raise _refuse(report)
        if long.empty:
            report.error(
                "no-values",
                "The mapping selects no values from the file (no rows of the "
                "mapped kinds of keys). Check 'areas: keys' in the mapping.",
            )
            raise _refuse(report)
        created = _create_declared(conn, rules)
        rows = validate_long(conn, long, report, columns={}, style=STYLE)
        if not report.is_valid:
            raise _refuse(report)
        if dry_run:
            if release is not None:
                draft_release(conn, release)
            transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        existing = {r.id for r in list_releases(conn)}
        target = draft_release(conn, release)
        written = store_observations(conn, target, rows, chunk_rows=chunk_rows)
        if written == 0 and created == 0:
            transaction.rollback()
            kept = target if target.id in existing else None
            return ImportOutcome(report=report, release=kept, rows_written=0)
        record_import(
            conn,
            kind="observations",
            path=path,
            release=target,
            report=report,
            rows_written=written,
            actor=actor,
            address=address,
        )
    return ImportOutcome(report=report, release=target, rows_written=written)
