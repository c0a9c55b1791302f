"""Area lineage from a correspondence table (CSV or Excel): one row per old area and
new area, e.g. a statistical office's Umsteigeschlüssel, a city's LOR 2019 → 2021
table, or what ``sozialmonitor lineage overlap`` writes.

Columns (English or German names)::

    old_code,new_code,kind,valid_on,share,basis
    09041402,09041402,split,2021-01-01,0.62,population
    09041402,09041403,split,2021-01-01,0.38,population

``share`` (0–1, ``0,38`` or ``38 %`` too) and ``basis`` (population, area,
official; default official) are optional; where one old area's rows give shares,
they must sum to 1.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.domain.lineage import (
    SHARE_SUM_TOLERANCE,
    AreaLink,
    LineageKind,
    ShareBasis,
)
from sozialmonitor.errors import ImportValidationError, UnreadableFileError
from sozialmonitor.ingest.journal import record_import
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import cell_text, read_table
from sozialmonitor.store import schema
from sozialmonitor.store.lineage import save_links

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "predecessor": (
        "old_code",
        "predecessor",
        "alt",
        "alter_schlüssel",
        "alter_schluessel",
        "vorgänger",
        "vorgaenger",
    ),
    "successor": (
        "new_code",
        "successor",
        "neu",
        "neuer_schlüssel",
        "neuer_schluessel",
        "nachfolger",
    ),
    "kind": ("kind", "art"),
    "valid_on": ("valid_on", "date", "datum", "gültig_ab", "gueltig_ab", "stichtag"),
    "share": ("share", "anteil"),
    "basis": ("basis", "grundlage"),
}
"""The names (lower case) each column may have."""
REQUIRED = ("predecessor", "successor", "kind", "valid_on")

KIND_WORDS: dict[str, LineageKind] = {
    **{k.value: k for k in LineageKind},
    "zusammengelegt": LineageKind.MERGED,
    "eingegliedert": LineageKind.MERGED,
    "geteilt": LineageKind.SPLIT,
    "umbenannt": LineageKind.RENAMED,
    "umgeschlüsselt": LineageKind.RECODED,
}
BASIS_WORDS: dict[str, ShareBasis] = {
    **{b.value: b for b in ShareBasis},
    "bevölkerung": ShareBasis.POPULATION,
    "fläche": ShareBasis.AREA,
    "amtlich": ShareBasis.OFFICIAL,
}


def _date(text: str) -> dt.date | None:
    for form in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text[:10], form).date()
        except ValueError:
            continue
    return None


def _share(text: str) -> float | None:
    """``0.38``, ``0,38`` or ``38 %`` as 0.38; None when it is no number."""
    cleaned = text.replace("\u202f", " ").strip()
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%").strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value / 100 if percent else value


def validate_lineage(
    conn: Connection, path: Path
) -> tuple[ValidationReport, list[AreaLink]]:
    """The links of a correspondence table and the findings about it."""
    report = ValidationReport(path=path)
    try:
        table = read_table(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        return report, []
    frame = table.frame
    report.rows_read = len(frame)
    columns = {str(c).strip().lower(): c for c in frame.columns}
    roles = {
        role: next((columns[n] for n in names if n in columns), None)
        for role, names in COLUMN_NAMES.items()
    }
    missing = [r for r in REQUIRED if roles[r] is None]
    if missing:
        report.error(
            "missing-column",
            f"Missing column(s): {', '.join(COLUMN_NAMES[r][0] for r in missing)}. "
            f"Found: {', '.join(str(c) for c in frame.columns)}. A lineage table "
            "needs old_code, new_code, kind and valid_on (share and basis are "
            "optional).",
        )
        return report, []
    if frame.empty:
        report.error("no-rows", "The file has no rows. Add one row per old→new area.")
        return report, []
    known = set(conn.scalars(select(schema.area.c.code)))
    links: list[AreaLink] = []
    rows: dict[tuple[str, str], int] = {}
    link_rows: dict[int, int] = {}  # index in links → row
    for record, row in zip(frame.to_dict("records"), table.rows, strict=True):
        values = {
            r: cell_text(record[c]) if c is not None else "" for r, c in roles.items()
        }
        link = _link(values, roles, int(row), known, rows, report)
        if link is not None:
            link_rows[len(links)] = int(row)
            links.append(link)
    _check_shares(links, link_rows, report)
    report.rows_valid = len(links) if report.is_valid else 0
    return report, links


def _link(
    values: dict[str, str],
    roles: dict[str, object],
    row: int,
    known: set[str],
    rows: dict[tuple[str, str], int],
    report: ValidationReport,
) -> AreaLink | None:
    """The row's link, or None with its errors in ``report``."""
    ok = True
    for role in ("predecessor", "successor"):
        code = values[role]
        if not code:
            ok = False
            report.error(
                "missing-area",
                "The area code is empty. Fill in the old and the new code.",
                row=row,
                column=str(roles[role]),
            )
        elif code not in known:
            ok = False
            report.error(
                "unknown-area-code",
                f"'{code}' is not a known area code. Import the areas of both "
                "boundary vintages first (sozialmonitor import areas).",
                row=row,
                column=str(roles[role]),
                value=code,
            )
    old, new = values["predecessor"], values["successor"]
    if ok and old == new:
        ok = False
        report.error(
            "self-link",
            f"'{old}' is its own successor. An area that kept its code is the same "
            "area: leave the row out.",
            row=row,
            column=str(roles["successor"]),
            value=new,
        )
    if ok and (old, new) in rows:
        ok = False
        report.error(
            "duplicate-row",
            f"'{old}' → '{new}' appears twice (first in row {rows[(old, new)]}). Keep "
            "one row per pair.",
            row=row,
            value=f"{old} → {new}",
        )
    kind = KIND_WORDS.get(values["kind"].lower())
    if kind is None:
        ok = False
        report.error(
            "unknown-kind",
            f"'{values['kind']}' is not a kind of change. Write one of "
            f"{', '.join(k.value for k in LineageKind)}.",
            row=row,
            column=str(roles["kind"]),
            value=values["kind"],
        )
    valid_on = _date(values["valid_on"])
    if valid_on is None:
        ok = False
        report.error(
            "invalid-date",
            f"'{values['valid_on']}' is not a date. Write the first day of the new "
            "area as 2021-01-01 or 01.01.2021.",
            row=row,
            column=str(roles["valid_on"]),
            value=values["valid_on"],
        )
    share = _share(values["share"]) if values["share"] else None
    if values["share"] and share is None:
        ok = False
        report.error(
            "not-a-number",
            f"'{values['share']}' is not a number. Write the share moved as 0.38, "
            "0,38 or 38 %.",
            row=row,
            column=str(roles["share"]),
            value=values["share"],
        )
    elif share is not None and not 0 <= share <= 1:
        ok = False
        report.error(
            "share-out-of-range",
            f"The share {values['share']} is outside 0–1 (0–100 %). Write the share "
            "of the old area that moved to the new one.",
            row=row,
            column=str(roles["share"]),
            value=values["share"],
        )
    basis = None
    if share is not None:
        basis = BASIS_WORDS.get(values["basis"].lower() or ShareBasis.OFFICIAL.value)
        if basis is None:
            ok = False
            report.error(
                "unknown-basis",
                f"'{values['basis']}' is not a basis of a share. Write one of "
                f"{', '.join(b.value for b in ShareBasis)}.",
                row=row,
                column=str(roles["basis"]),
                value=values["basis"],
            )
    if not ok or kind is None or valid_on is None:
        return None
    rows[(old, new)] = row
    return AreaLink(
        predecessor=old,
        successor=new,
        kind=kind,
        valid_on=valid_on,
        share=share,
        basis=basis,
    )


def _check_shares(
    links: list[AreaLink], link_rows: dict[int, int], report: ValidationReport
) -> None:
    """Each predecessor's shares must be all given or all missing and sum to 1."""
    by_predecessor: dict[str, list[int]] = defaultdict(list)
    for index, link in enumerate(links):
        by_predecessor[link.predecessor].append(index)
    for code, indices in by_predecessor.items():
        shares = [links[i].share for i in indices]
        given = [s for s in shares if s is not None]
        where = ", ".join(str(link_rows[i]) for i in indices)
        if given and len(given) < len(shares):
            report.error(
                "shares-do-not-sum",
                f"'{code}' has a share in some of its rows ({where}) and none in "
                "others. Give the share of every successor or of none.",
                row=link_rows[indices[0]],
                value=code,
            )
        elif given and abs(sum(given) - 1) > SHARE_SUM_TOLERANCE:
            report.error(
                "shares-do-not-sum",
                f"The shares of '{code}' (rows {where}) sum to {sum(given):.4g}, not "
                f"1: all of an old area goes somewhere. Correct the shares (±"
                f"{SHARE_SUM_TOLERANCE:g} is allowed for rounding).",
                row=link_rows[indices[0]],
                value=code,
            )


def import_lineage(
    engine: Engine,
    path: Path,
    *,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
) -> ImportOutcome:
    """Validate a correspondence table and store its links (new and changed) in one
    transaction, audited as done by ``actor`` from ``address``."""
    with engine.connect() as conn, conn.begin() as transaction:
        report, links = validate_lineage(conn, path)
        if not report.is_valid:
            raise ImportValidationError(report, report.to_text())
        if dry_run:
            return ImportOutcome(report=report, release=None, rows_written=0)
        changed = save_links(conn, links)
        if changed == 0:
            transaction.rollback()
            return ImportOutcome(report=report, release=None, rows_written=0)
        record_import(
            conn,
            kind="lineage",
            path=path,
            release=None,
            report=report,
            rows_written=changed,
            actor=actor,
            address=address,
        )
    return ImportOutcome(report=report, release=None, rows_written=changed)
