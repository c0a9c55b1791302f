"""Which field of a boundary file holds what: the options of ``import areas``.

Without options a file names its fields ``code``, ``name``, ``level``, ``parent``
(or their German names, see :data:`FIELD_NAMES`). Files of the statistical offices
and the surveying authorities do not: BKG's VG250/VG5000 have ``AGS`` and ``GEN`` and
one file per level, Berlin's LOR files ``PLR_ID`` and ``PLR_NAME``. The options say
what the file has, so that these files import as they are published::

    sozialmonitor import areas VG5000_LAN.shp --level state --only GF=9
    sozialmonitor import areas VG5000_KRS.shp --level region --parent-prefix 2
    sozialmonitor import areas VG5000_GEM.shp --level municipality --parent-prefix 5
    sozialmonitor import areas lor_planungsraeume_2021.shp --code-field PLR_ID \\
        --name-field PLR_NAME --level planning_area --parent-prefix 6 \\
        --valid-from 2021-01-01
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sozialmonitor.ingest.report import ValidationReport
from sozialmonitor.ingest.table import cell_text

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "code": ("code", "schlüssel", "schluessel", "ags", "gebietsschlüssel", "id"),
    "name": ("name", "gebiet", "bezeichnung", "gen"),
    "level": ("level", "ebene", "raumebene"),
    "parent": ("parent", "übergeordnet", "uebergeordnet", "parent_code"),
    "valid_from": ("valid_from", "gültig_ab", "gueltig_ab"),
    "valid_to": ("valid_to", "gültig_bis", "gueltig_bis"),
    "successor": ("successor", "nachfolger"),
}
"""The names (lower case) a field may have when no option names it."""

OPTION_OF_ROLE = {
    "code": "--code-field",
    "name": "--name-field",
    "level": "--level-field",
    "parent": "--parent-field",
}
"""The option that names a role's field, for messages."""


@dataclass(frozen=True, kw_only=True)
class AreaFields:
    """What an area file's fields mean, and what holds for all of its areas."""

    code_field: str | None = None
    """Field with the area's code (default: one of :data:`FIELD_NAMES`)."""
    name_field: str | None = None
    """Field with the area's name."""
    level_field: str | None = None
    """Field with the area's level code."""
    parent_field: str | None = None
    """Field with the parent area's code."""
    level: str | None = None
    """The level of every area in the file (instead of a level field)."""
    parent_prefix: int | None = None
    """The parent's code is the first this many characters of the area's code
    (AGS: 2 for a district's state, 5 for a municipality's district; LOR: 6 for a
    planning area's Bezirksregion)."""
    only: tuple[str, str] | None = None
    """Import only the features whose field (first) has this value (second), e.g.
    ``("GF", "9")``: the land parts of BKG's states, without their waters."""
    valid_from: dt.date | None = None
    """First day of validity of every area whose row gives none."""
    valid_to: dt.date | None = None
    """Last day of validity of every area whose row gives none."""

    def __post_init__(self) -> None:
        if self.level is not None and self.level_field is not None:
            raise ValueError("Give either --level or --level-field, not both.")
        if self.parent_prefix is not None and self.parent_field is not None:
            raise ValueError("Give either --parent-field or --parent-prefix, not both.")
        if self.parent_prefix is not None and self.parent_prefix < 1:
            raise ValueError(
                "--parent-prefix must be a number of characters, 1 or more."
            )
        if (
            self.valid_from is not None
            and self.valid_to is not None
            and self.valid_to < self.valid_from
        ):
            raise ValueError("--valid-to lies before --valid-from.")

    def named(self, role: str) -> str | None:
        """The field an option names for ``role`` (None: look it up by name)."""
        return {
            "code": self.code_field,
            "name": self.name_field,
            "level": self.level_field,
            "parent": self.parent_field,
        }.get(role)


def parse_only(text: str) -> tuple[str, str]:
    """``GF=9`` → ``("GF", "9")``.

    Examples
    --------
    >>> parse_only("GF=9")
    ('GF', '9')
    """
    field, sep, value = text.partition("=")
    if not sep or not field.strip():
        raise ValueError(f"--only '{text}' is not FIELD=VALUE (e.g. --only GF=9).")
    return field.strip(), value.strip()


def _fields_text(frame: pd.DataFrame) -> str:
    return ", ".join(str(c) for c in frame.columns if not str(c).startswith("__"))


def _column(frame: pd.DataFrame, name: str) -> Any | None:
    """The column called ``name`` (exactly, else ignoring case and spaces)."""
    for column in frame.columns:
        if str(column) == name:
            return column
    wanted = name.strip().lower()
    return next((c for c in frame.columns if str(c).strip().lower() == wanted), None)


def field_roles(
    frame: pd.DataFrame, fields: AreaFields, report: ValidationReport
) -> dict[str, Any] | None:
    """The column of each role (None where the file has none), or None when a named
    field is not in the file or a required one is missing (the errors are in
    ``report``)."""
    roles: dict[str, Any] = {}
    ok = True
    for role, names in FIELD_NAMES.items():
        named = fields.named(role)
        if named is None:
            columns = {str(c).strip().lower(): c for c in frame.columns}
            roles[role] = next((columns[n] for n in names if n in columns), None)
            continue
        roles[role] = _column(frame, named)
        if roles[role] is None:
            ok = False
            report.error(
                "unknown-field",
                f"The file has no field '{named}' (given with {OPTION_OF_ROLE[role]}). "
                f"Its fields: {_fields_text(frame)}.",
                column=named,
                value=named,
            )
    if fields.only is not None and _column(frame, fields.only[0]) is None:
        ok = False
        report.error(
            "unknown-field",
            f"The file has no field '{fields.only[0]}' (given with --only). Its "
            f"fields: {_fields_text(frame)}.",
            column=fields.only[0],
            value=fields.only[0],
        )
    if not ok:
        return None
    required = ["code", "name"] + ([] if fields.level else ["level"])
    missing = [r for r in required if roles[r] is None]
    if missing:
        report.error(
            "missing-column",
            f"Missing field(s): {', '.join(missing)}. Found: {_fields_text(frame)}. "
            "Areas need code, name, level and, below the top, parent: name the "
            "file's fields with --code-field, --name-field, --level-field and "
            "--parent-field, or give the level of all its areas with --level.",
        )
        return None
    return roles


def only_features(
    frame: pd.DataFrame, only: tuple[str, str], report: ValidationReport
) -> pd.DataFrame | None:
    """The rows whose field ``only[0]`` is ``only[1]``, or None when there are
    none (an error in ``report``)."""
    column = _column(frame, only[0])
    kept = frame[frame[column].map(cell_text) == only[1]]
    if kept.empty:
        found = sorted({cell_text(v) for v in frame[column]})[:20]
        report.error(
            "no-rows",
            f"No feature has {only[0]} = '{only[1]}'. The values of {only[0]} in "
            f"the file: {', '.join(found)}.",
            column=str(column),
            value=only[1],
        )
        return None
    return kept


def parse_date(text: str | None, option: str) -> dt.date | None:
    """An option's date (ISO or German), or None for no option.

    Examples
    --------
    >>> parse_date("01.01.2021", "--valid-from")
    datetime.date(2021, 1, 1)
    """
    if text is None:
        return None
    for form in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise ValueError(
        f"{option} '{text}' is not a date. Write 2021-01-01 or 01.01.2021."
    )
