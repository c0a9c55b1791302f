"""The indicator catalogue from YAML or CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.domain.indicator import (
    CATALOGUE_FIELDS,
    REQUIRED_CATALOGUE_FIELDS,
    Indicator,
    IndicatorKind,
)
from sozialmonitor.errors import ImportValidationError, UnreadableFileError
from sozialmonitor.ingest.formats.yaml.reader import read_yaml
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import read_table
from sozialmonitor.store import schema
from sozialmonitor.store.writes import save_indicators


def _records(path: Path, report: ValidationReport) -> list[tuple[int, dict[str, Any]]]:
    """(row, fields) per indicator; YAML rows are the list positions (1, 2, …)."""
    if path.suffix.lower() in (".yaml", ".yml"):
        if not path.is_file():
            report.error(
                "unreadable-file",
                "The file does not exist. Check the path and the file name.",
            )
            return []
        try:
            data = read_yaml(path)
        except UnreadableFileError as exc:
            report.unreadable(exc)
            return []
        if isinstance(data, dict) and isinstance(data.get("indicators"), list):
            data = data["indicators"]
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            report.error(
                "unreadable-file",
                "The YAML file must be a list of indicators, each with id, name and "
                "unit (see the README).",
            )
            return []
        return [(row, _yaml_fields(fields)) for row, fields in enumerate(data, 1)]
    try:
        table = read_table(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        return []
    records = []
    for row, (_, cells) in zip(table.rows, table.frame.iterrows(), strict=True):
        fields = {str(k).strip().lower(): v for k, v in cells.items() if v != ""}
        records.append((row, fields))
    return records


_TEXT_FIELDS = frozenset(
    name for name, info in Indicator.model_fields.items() if info.annotation is str
)


def _yaml_fields(fields: dict[Any, Any]) -> dict[str, Any]:
    """Fields of one YAML entry; numbers and dates YAML read from unquoted text
    (``first_period: 2015``) become text again where the field is text."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        name = str(key).strip().lower()
        if name in _TEXT_FIELDS and isinstance(value, int | float | dt.date):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            value = value.isoformat() if isinstance(value, dt.date) else str(value)
        out[name] = value
    return out


def validate_indicators(
    path: Path, *, stored: dict[str, IndicatorKind] | None = None
) -> tuple[ValidationReport, list[Indicator]]:
    """The catalogue's indicators and the report of what is wrong with it;
    ``stored``: the kinds of the indicators in the database, by id, to check the
    links against (None: links are not checked)."""
    report = ValidationReport(path=path)
    records = _records(path, report)
    report.rows_read = len(records)
    if not records and report.is_valid:
        report.error(
            "no-rows",
            "The file has no indicators. A catalogue lists at least one, with id, "
            "name and unit.",
        )
    found: list[Indicator] = []
    seen: dict[str, int] = {}
    for row, fields in records:
        unknown = sorted(set(fields) - set(CATALOGUE_FIELDS))
        for name in unknown:
            report.error(
                "unknown-field",
                f"'{name}' is not a catalogue field. Known fields: "
                f"{', '.join(CATALOGUE_FIELDS)}.",
                row=row,
                column=name,
            )
        missing = [f for f in REQUIRED_CATALOGUE_FIELDS if not fields.get(f)]
        for name in missing:
            report.error(
                "missing-field",
                f"The required field '{name}' is empty. Fill it in.",
                row=row,
                column=name,
            )
        if unknown or missing:
            continue
        try:
            indicator = Indicator.from_dict(fields)
        except ValidationError as exc:
            for problem in exc.errors():
                column = ".".join(str(p) for p in problem["loc"]) or None
                reason = problem["msg"].removeprefix("Value error, ").rstrip(".")
                report.error(
                    "invalid-field",
                    f"{reason} (found {problem.get('input')!r}). Correct the field "
                    "(see the catalogue fields in docs/formats.md).",
                    row=row,
                    column=column,
                    value=problem.get("input"),
                )
            continue
        if indicator.id in seen:
            report.error(
                "duplicate-indicator",
                f"The id '{indicator.id}' is defined twice (first in row "
                f"{seen[indicator.id]}). Each id once.",
                row=row,
                column="id",
                value=indicator.id,
            )
            continue
        seen[indicator.id] = row
        found.append(indicator)
    if stored is not None and report.is_valid:
        _check_links(report, found, seen, stored)
    report.rows_valid = len(found) if report.is_valid else 0
    return report, found


def _check_links(
    report: ValidationReport,
    indicators: list[Indicator],
    rows: dict[str, int],
    stored: dict[str, IndicatorKind],
) -> None:
    """Every linked indicator exists (in the file or the database) and a numerator
    or denominator is a count: an error per link that does not."""
    kinds = stored | {i.id: i.kind for i in indicators}
    for indicator in indicators:
        row = rows[indicator.id]
        for field, linked in indicator.links.items():
            if linked not in kinds:
                report.error(
                    "unknown-linked-indicator",
                    f"'{linked}' is no indicator of the catalogue or the database. "
                    "Name an existing indicator by its id, or add it to the file.",
                    row=row,
                    column=field,
                    value=linked,
                )
            elif field != "change_of" and kinds[linked] is not IndicatorKind.COUNT:
                report.error(
                    "linked-indicator-not-a-count",
                    f"'{linked}' is a {kinds[linked].value}, but a numerator or "
                    "denominator is the value of a count indicator. Name a count.",
                    row=row,
                    column=field,
                    value=linked,
                )


def import_indicators(
    engine: Engine,
    path: Path,
    *,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
) -> ImportOutcome:
    """Validate a catalogue and store it (new and changed indicators), audited as
    done by ``actor`` from ``address``."""
    with engine.connect() as conn:
        ind = schema.indicator
        stored = {
            r.code: IndicatorKind(r.kind)
            for r in conn.execute(select(ind.c.code, ind.c.kind))
        }
    report, indicators = validate_indicators(path, stored=stored)
    if not report.is_valid:
        raise ImportValidationError(report, report.to_text())
    if dry_run:
        return ImportOutcome(report=report, release=None, rows_written=0)
    with engine.connect() as conn, conn.begin() as transaction:
        changed = save_indicators(conn, indicators)
        if changed == 0:  # the same catalogue again: leave the database as it was
            transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        record_import(
            conn,
            kind="indicators",
            path=path,
            release=None,
            report=report,
            rows_written=changed,
            actor=actor,
            address=address,
        )
    return ImportOutcome(report=report, release=None, rows_written=changed)
