"""``import official`` and ``import mapped``: an export through its mapping into a
draft release, with the same checks and report as every observation import."""

from __future__ import annotations

import re
from pathlib import Path
from tempfile import TemporaryDirectory

import pandas as pd
from sqlalchemy import Connection, Engine, select

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.errors import (
    GenesisServiceError,
    ImportValidationError,
    UnreadableFileError,
)
from sozialmonitor.ingest.draft import DraftWrite
from sozialmonitor.ingest.formats.xls.reader import is_xls
from sozialmonitor.ingest.formats.xlsx.reader import read_xlsx_sheets
from sozialmonitor.ingest.limits import shorten
from sozialmonitor.ingest.official.apply import STYLE, apply_mapping
from sozialmonitor.ingest.official.ba import read_ba
from sozialmonitor.ingest.official.genesis import OfficialTable, read_official
from sozialmonitor.ingest.official.inkar import read_inkar
from sozialmonitor.ingest.official.iris import read_iris
from sozialmonitor.ingest.official.mapping import (
    Mapping,
    load_mapping,
    shipped_mapping,
)
from sozialmonitor.ingest.official.recognise import (
    BA,
    INKAR,
    IRIS,
    MAPPINGS_DOC,
    ZIP_MAGIC,
    head_bytes,
    recognise,
)
from sozialmonitor.ingest.official.webservice import (
    TABLE_CODE,
    GenesisAccess,
    fetch_table,
)
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import ReadError
from sozialmonitor.ingest.validator import validate_long
from sozialmonitor.store import schema
from sozialmonitor.store.writes import WRITE_CHUNK_ROWS, save_indicators


def _refuse(report: ValidationReport) -> ImportValidationError:
    return ImportValidationError(report, report.to_text())


def _read(path: Path, report: ValidationReport) -> OfficialTable:
    try:
        if not path.is_file():
            raise ReadError(
                path, "the file does not exist. Check the path and the file name."
            )
        export = recognise(path)
        if export is not None and export.source == BA:
            return read_ba(path)
        if export is not None and export.source == IRIS:
            return read_iris(path)
        if is_xls(path) or (export is not None and export.source == INKAR):
            return read_inkar(path)  # an unreadable workbook: its own message
        if head_bytes(path, len(ZIP_MAGIC)) == ZIP_MAGIC:
            read_xlsx_sheets(path, lambda _: [])  # a damaged one: its message
            raise ReadError(
                path,
                "the workbook is neither an INKAR export (a sheet 'Daten' whose "
                "first row starts with 'Kennziffer, Raumeinheit, Aggregat') nor a "
                "Bundesagentur für Arbeit statistics workbook (a first sheet "
                "'Impressum' with a row 'Titel:'). Import it as downloaded, or save "
                "its table as CSV and use `sozialmonitor import observations`.",
                finding="unreadable-export",
            )
        return read_official(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        raise _refuse(report) from None


def read_export(path: Path) -> OfficialTable:
    """An export read as ``import official`` reads it (any layout it knows).

    Raises
    ------
    ImportValidationError
        When the file is not an export of a known layout.
    """
    return _read(path, ValidationReport(path=path))


def _shipped(code: str, report: ValidationReport) -> Path:
    """The mapping shipped for a table; refuses a table without one."""
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
    return shipped


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
        mapping_path = _shipped(code, report)
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
    only_known_areas: bool = False,
) -> ImportOutcome:
    """Import an official export through a mapping (default: the shipped one for
    its table) into a draft release, all or nothing, in one transaction (the
    values written in chunks of ``chunk_rows`` rows inside it).

    ``only_known_areas``: leave out the values of areas the database does not
    have, with one warning that counts them (a nationwide download into a
    county's installation); else each is an error.

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
        if only_known_areas:
            long = _known_areas_only(conn, long, report)
        rows = validate_long(conn, long, report, columns={}, style=STYLE)
        if not report.is_valid:
            raise _refuse(report)
        with DraftWrite(
            conn,
            transaction,
            release=release,
            dry_run=dry_run,
            expected_rows=len(rows),
            chunk_rows=chunk_rows,
        ) as draft:
            draft.write(rows)
            return draft.finish(
                report, path=path, actor=actor, address=address, also_changed=created
            )


def _known_areas_only(
    conn: Connection, long: pd.DataFrame, report: ValidationReport
) -> pd.DataFrame:
    """The values of the areas the database has; one warning counts the rest."""
    known = set(conn.scalars(select(schema.area.c.code)))
    inside = long["area"].isin(known)
    if inside.all():
        return long
    left_out = long.loc[~inside, "area"]
    codes = sorted(set(left_out))
    shown = ", ".join(codes[:5]) + (" …" if len(codes) > 5 else "")
    report.warning(
        "areas-left-out",
        f"{len(left_out):,} values of {len(codes):,} areas that are not in the "
        f"database were left out ({shown}): the file covers more areas than this "
        "installation. Import those areas first to keep their values.",
    )
    return long.loc[inside]


def import_genesis(
    engine: Engine,
    table: str,
    access: GenesisAccess,
    *,
    release: str | None = None,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
    only_known_areas: bool = False,
) -> ImportOutcome:
    """Fetch a table from the GENESIS web service and import it as ``import
    official`` imports a downloaded file: through the table's shipped mapping, with
    the same report, all or nothing (``only_known_areas`` as there).

    Raises
    ------
    GenesisServiceError
        When the table cannot be fetched; nothing is written.
    ImportValidationError
        When no mapping is shipped for the table, or the table has errors; nothing
        is written.
    """
    if not re.fullmatch(TABLE_CODE, table):
        raise GenesisServiceError(
            f"'{shorten(table)}' is not a table code: give it as the service shows it, "
            "e.g. 12411-01-01-4 or 12411-0013."
        )
    shown = Path(f"{table}.csv")  # the report names it so, not its temporary folder
    _shipped(table, ValidationReport(path=shown))  # before fetching
    with TemporaryDirectory(prefix="sozialmonitor-genesis-") as folder:
        path = Path(folder) / shown.name
        fetch_table(access, table, path)
        try:
            outcome = import_official(
                engine,
                path,
                release=release,
                dry_run=dry_run,
                actor=actor,
                address=address,
                only_known_areas=only_known_areas,
            )
        except ImportValidationError as exc:
            report: ValidationReport = exc.report  # type: ignore[assignment]
            report.path = shown
            raise _refuse(report) from None
    outcome.report.path = shown
    return outcome
