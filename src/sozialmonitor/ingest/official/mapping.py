"""Mapping files: how an official table becomes indicators (schema and loading).

A mapping names the table, says where the area and the period of each value are,
and lists the outputs: which column (by its header labels) and which rows (by
their labels) hold an indicator's value, or its numerator and denominator, or the
parts of a sum. ``docs/mapping-files.md`` explains every field with an example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.errors import ImportValidationError, UnreadableFileError
from sozialmonitor.ingest.formats.yaml.reader import read_yaml
from sozialmonitor.ingest.official.period import RangeRule
from sozialmonitor.ingest.report import ValidationReport

MAPPINGS = Path(__file__).parent / "mappings"
"""The shipped mappings, one file per table: ``<table code>.yaml``."""

KeyKind = Literal[
    "deutschland", "land", "regierungsbezirk", "kreis", "gemeindeverband", "gemeinde"
]
KEY_KINDS: dict[int, KeyKind] = {
    2: "land",
    3: "regierungsbezirk",
    5: "kreis",
    7: "gemeindeverband",
    9: "gemeindeverband",
    8: "gemeinde",
    10: "gemeinde",
    11: "gemeinde",
    12: "gemeinde",
}
"""Official key by its length: 2 Land, 3 Regierungsbezirk, 5 Kreis, 7 or 9
Gemeindeverband, 8 Gemeinde (AGS), 10 to 12 Gemeinde with its association's
digits between Kreis and Gemeinde (Regionalstatistik, ARS)."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Selector(_Strict):
    """Cells by their labels: all ``columns`` labels must be among the column's
    header labels, all ``rows`` labels among the row's labels (a label listed
    twice must occur twice)."""

    columns: list[str] = Field(default_factory=list)
    """Labels of the value column's header rows (dates are not labels)."""
    rows: list[str] = Field(default_factory=list)
    """Labels of the row besides its date, key and name (e.g. an age group)."""


class Quantity(_Strict):
    """One cell per area and period, or the sum of several (``sum``)."""

    columns: list[str] = Field(default_factory=list)
    rows: list[str] = Field(default_factory=list)
    sum: list[Selector] = Field(default_factory=list)
    """Parts added up, e.g. two age groups; a part without a value leaves a gap."""

    @model_validator(mode="after")
    def _one_kind(self) -> Quantity:
        if self.sum and (self.columns or self.rows):
            raise ValueError("give either 'columns'/'rows' or 'sum', not both")
        return self

    @property
    def parts(self) -> list[Selector]:
        """The selectors whose cells are added up (one for a plain quantity)."""
        return self.sum or [Selector(columns=self.columns, rows=self.rows)]


class Output(_Strict):
    """Values of one indicator."""

    indicator: str
    """The indicator's id (declared under ``indicators`` or already known)."""
    value: Quantity | None = None
    numerator: Quantity | None = None
    denominator: Quantity | None = None
    """For a share or rate: the value is numerator / denominator × the
    indicator's multiplier, computed as in every import."""
    scale: float = 1.0
    """Each value (or numerator and denominator) is multiplied by it, e.g. 1000
    for a table in thousands."""

    @model_validator(mode="after")
    def _value_or_parts(self) -> Output:
        ratio = self.numerator is not None and self.denominator is not None
        half = (self.numerator is None) != (self.denominator is None)
        if half or (self.value is not None) == ratio:
            raise ValueError(
                "give either 'value' or both 'numerator' and 'denominator'"
            )
        return self


def _kreise() -> list[KeyKind]:
    return ["kreis"]


class Areas(_Strict):
    """Where a value's area is."""

    by: Literal["key", "name"] = "key"
    """``key``: the official key in the row (Regionalstatistik); ``name``: the
    area's name, looked up in ``codes``."""
    keys: list[KeyKind] = Field(default_factory=_kreise)
    """With ``by: key``: the kinds of keys imported; rows of other kinds are left
    out. A 10- to 12-digit Gemeinde key becomes the 8-digit AGS."""
    names_in: Literal["rows", "columns"] = "rows"
    """With ``by: name``: the names are in the rows, or in a header row."""
    codes: dict[str, str] = Field(default_factory=dict)
    """Key or name as in the file → the area code in the database (``DG: DE``;
    required for every name with ``by: name``)."""


class Periods(_Strict):
    school_year: Literal["start", "end"] = "end"
    """A school year 2017/2018 is the year it ends in (or starts in)."""
    range: RangeRule = "none"
    """A range of years (INKAR's ``2012-2016``): ``none``, no period (such a
    column cannot be selected); ``end``, its end year, the range kept in each
    value's note (``Zeitraum 2012–2016``)."""


class Mapping(_Strict):
    """How one official table becomes indicators."""

    table: str
    """The table code of the export's title block, e.g. ``12411-01-01-4``."""
    source: str = "GENESIS"
    title: str = ""
    areas: Areas = Field(default_factory=Areas)
    periods: Periods = Field(default_factory=Periods)
    indicators: list[dict[str, Any]] = Field(default_factory=list)
    """Indicators this mapping creates when the database lacks them, with the
    catalogue's fields (``sozialmonitor import indicators``)."""
    outputs: list[Output] = Field(min_length=1)

    def declared(self) -> list[Indicator]:
        """The declared indicators as catalogue entries."""
        return [Indicator.from_dict(i) for i in self.indicators]


def shipped_mapping(table: str) -> Path | None:
    """The mapping shipped for a table code, or None."""
    path = MAPPINGS / f"{table}.yaml"
    return path if path.is_file() and path.parent == MAPPINGS else None


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file.

    Raises
    ------
    ImportValidationError
        When the file cannot be read or a field is wrong; its report names the
        field and what to do.
    """
    report = ValidationReport(path=path)
    try:
        data = read_yaml(path)
    except UnreadableFileError as exc:
        report.unreadable(exc)
        raise ImportValidationError(report, report.to_text()) from None
    if not isinstance(data, dict):
        report.error(
            "invalid-mapping",
            "A mapping file is a YAML mapping with 'table', 'areas' and 'outputs' "
            "(see docs/mapping-files.md).",
        )
        raise ImportValidationError(report, report.to_text())
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        _report_problems(report, exc, "")
        raise ImportValidationError(report, report.to_text()) from None
    for n, fields in enumerate(mapping.indicators):
        try:
            Indicator.from_dict(fields)
        except ValidationError as exc:
            _report_problems(report, exc, f"indicators.{n}.")
    if not report.is_valid:
        raise ImportValidationError(report, report.to_text())
    return mapping


def _report_problems(
    report: ValidationReport, exc: ValidationError, prefix: str
) -> None:
    for problem in exc.errors():
        where = prefix + ".".join(str(p) for p in problem["loc"])
        reason = problem["msg"].removeprefix("Value error, ")
        report.error(
            "invalid-mapping",
            f"{reason} (found {shorten_input(problem.get('input'))}). Correct "
            "the field (see docs/mapping-files.md).",
            column=where.rstrip(".") or None,
        )


def shorten_input(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"
