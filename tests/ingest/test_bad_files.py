"""Every file of the bad corpus (tests/data/bad) is refused with its own clear finding
and leaves the database exactly as it was — on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from tests.ingest.content import snapshot

BAD = Path(__file__).parents[1] / "data" / "bad"

IMPORTERS: dict[str, Callable[[Engine, Path], ImportOutcome]] = {
    "observations": import_observations,
    "indicators": import_indicators,
    "areas": import_areas,
}


@dataclass(frozen=True, kw_only=True)
class Bad:
    """A bad file and the finding it must get."""

    file: str
    """Path below tests/data/bad; its folder names the importer."""
    code: str
    """Code of the finding."""
    advice: str
    """Part of the message that says what to do."""
    row: int | None = None
    column: str | None = None
    value: str | None = None
    others: frozenset[str] = field(default_factory=frozenset)
    """Codes of further errors the file rightly gets."""


CORPUS = [
    # --- observations: reading -----------------------------------------------------
    Bad(
        file="observations/utf16.csv",
        code="wrong-encoding",
        advice="Save it again as 'CSV UTF-8'",
    ),
    Bad(
        file="observations/bom_not_utf8.csv",
        code="wrong-encoding",
        advice="Save it again as 'CSV UTF-8'",
        row=1,
    ),
    Bad(
        file="observations/mojibake.csv",
        code="double-encoded",
        advice="Export it again from the original program as 'CSV UTF-8'",
        row=1,
        value="Ã¼",
    ),
    Bad(
        file="observations/truncated.csv",
        code="truncated-file",
        advice="Export or copy the whole file again",
        row=4,
    ),
    Bad(
        file="observations/unclosed_quote.csv",
        code="unclosed-quote",
        advice="Close the quote or remove it",
        row=2,
    ),
    Bad(
        file="observations/extra_separator.csv",
        code="extra-cell",
        advice="Check that row for a stray ';'",
        row=4,
    ),
    Bad(
        file="observations/truncated.xlsx",
        code="unreadable-file",
        advice="Open it in Excel or LibreOffice and save it again",
    ),
    Bad(
        file="observations/damaged.xlsx",
        code="unreadable-file",
        advice="Open it in Excel or LibreOffice and save it again",
    ),
    Bad(
        file="observations/old_excel.xls",
        code="unreadable-file",
        advice="save it as .xlsx or as CSV",
    ),
    Bad(
        file="observations/empty.csv",
        code="empty-file",
        advice="Export or copy the file again",
    ),
    Bad(
        file="observations/header_only.csv",
        code="no-rows",
        advice="Export the file again with its data",
    ),
    Bad(
        file="observations/missing_column.csv",
        code="missing-column",
        advice="A long file needs indicator, area, period and value",
    ),
    # --- observations: codes, periods, numbers -------------------------------------
    Bad(
        file="observations/duplicates.csv",
        code="duplicate-row",
        advice="Keep one row per indicator, area and period",
        row=4,
        column="Indikator",
        value="unemployment_share",
    ),
    Bad(
        file="observations/unknown_area.csv",
        code="unknown-area-code",
        advice="Import the areas first (sozialmonitor import areas) or correct",
        row=3,
        column="Gebiet",
        value="03241999",
    ),
    Bad(
        file="observations/unknown_indicator.csv",
        code="unknown-indicator",
        advice="Import the indicator catalogue first",
        row=3,
        column="Indikator",
        value="unemployment_rate",
    ),
    Bad(
        file="observations/invalid_period.csv",
        code="invalid-period",
        advice="Write a year (2021), a half-year (2021-H1)",
        row=3,
        column="Jahr",
        value="Q3 2022",
    ),
    Bad(
        file="observations/period_out_of_range.csv",
        code="period-out-of-range",
        advice="Correct the period or widen the indicator's first_period",
        row=3,
        column="Jahr",
        value="2014",
    ),
    Bad(
        file="observations/percent_sign.csv",
        code="not-a-number",
        advice="Remove the percent sign",
        row=3,
        column="Wert",
        value="12,5%",
    ),
    Bad(
        file="observations/not_a_number.csv",
        code="not-a-number",
        advice="Write numbers like 1234,5",
        row=3,
        column="value",
        value="abc",
    ),
    Bad(
        file="observations/wide_not_a_number.csv",
        code="not-a-number",
        advice="Write numbers like 1234,5",
        row=3,
        column="2021",
        value="n.v.",
    ),
    Bad(
        file="observations/mixed_decimals.csv",
        code="not-a-number",
        advice="Write 5,6 — one convention for the whole file",
        row=3,
        column="Wert",
        value="5.6",
    ),
    Bad(
        file="observations/unknown_flag.csv",
        code="unknown-flag",
        advice="Use provisional, estimated, break",
        row=3,
        column="flags",
        value="vorlaeufig",
    ),
    Bad(
        file="observations/share_over_100.csv",
        code="share-out-of-range",
        advice="Write shares in percent",
        row=3,
        column="Wert",
        value="112,5",
    ),
    Bad(
        file="observations/numerator_over_denominator.csv",
        code="numerator-exceeds-denominator",
        advice="Check both columns",
        row=3,
        column="Zähler",
        value="21.500",
    ),
    Bad(
        file="observations/negative_count.csv",
        code="negative-count",
        advice="correct the count",
        row=2,
        column="Zähler",
        value="-5",
    ),
    Bad(
        file="observations/only_empty_values.csv",
        code="no-values",
        advice="all cells empty",
    ),
    # --- indicator catalogue -------------------------------------------------------
    Bad(
        file="indicators/missing_field.yaml",
        code="missing-field",
        advice="Fill it in",
        row=2,
        column="unit",
    ),
    Bad(
        file="indicators/bad_kind.yaml",
        code="invalid-field",
        advice="Correct the field",
        row=1,
        column="kind",
        value="ratio",
    ),
    Bad(
        file="indicators/bad_period.yaml",
        code="invalid-field",
        advice="Write a year (2021)",
        row=1,
        column="first_period",
        value="20155",
    ),
    Bad(
        file="indicators/duplicate_id.yaml",
        code="duplicate-indicator",
        advice="Each id once",
        row=3,
        column="id",
        value="households",
    ),
    Bad(
        file="indicators/invalid.yaml",
        code="invalid-yaml",
        advice="Check the indentation",
        row=6,
    ),
    Bad(
        file="indicators/not_a_list.yaml",
        code="unreadable-file",
        advice="must be a list of indicators",
    ),
    Bad(
        file="indicators/unknown_field.csv",
        code="unknown-field",
        advice="Known fields: id, name, unit",
        row=2,
        column="einheit",
    ),
    # --- areas ---------------------------------------------------------------------
    Bad(
        file="areas/unknown_level.geojson",
        code="unknown-level",
        advice="Add one with 'sozialmonitor level add'",
        row=2,
        column="level",
        value="stadtteil",
    ),
    Bad(
        file="areas/unknown_parent.geojson",
        code="unknown-parent",
        advice="Import the parent areas first or correct the code",
        row=2,
        column="parent",
        value="03241005",
    ),
    Bad(
        file="areas/duplicate_code.geojson",
        code="duplicate-area",
        advice="Keep one row per area",
        row=3,
        column="code",
        value="03241001-01",
    ),
    Bad(
        file="areas/projected_as_wgs84.geojson",
        code="wrong-crs",
        advice="Save the file with its real CRS (e.g. EPSG:25832",
    ),
    Bad(
        file="areas/truncated.geojson",
        code="unreadable-file",
        advice="Export it again",
    ),
    Bad(
        file="areas/missing_name.csv",
        code="missing-value",
        advice="Fill in both for every area",
        row=3,
        column="name",
    ),
    Bad(
        file="areas/parent_level.csv",
        code="parent-level",
        advice="A parent must be a larger area",
        row=3,
        column="parent",
        value="03241001-01",
    ),
    Bad(
        file="areas/invalid_date.csv",
        code="invalid-date",
        advice="Write 2021-01-01 or 01.01.2021",
        row=3,
        column="valid_from",
        value="1.11.01",
    ),
    Bad(
        file="areas/missing_level_column.csv",
        code="missing-column",
        advice="Areas need code, name, level",
    ),
]


def test_corpus_lists_every_bad_file() -> None:
    on_disk = {str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file()}
    assert on_disk == {case.file for case in CORPUS}


def check_refused(report: ValidationReport, case: Bad) -> None:
    """The report has the expected finding, with row, column, value and advice."""
    codes = {f.code for f in report.errors}
    assert codes == {case.code} | case.others, report.to_text()
    finding = next(f for f in report.errors if f.code == case.code)
    assert (finding.row, finding.column) == (case.row, case.column), finding
    if case.value is not None:
        assert finding.value == case.value
    assert case.advice in finding.message
    assert not report.rows_valid


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.file)
def test_bad_file_is_refused_and_changes_nothing(
    ingest_engine: Engine, case: Bad
) -> None:
    path = BAD / case.file
    importer = IMPORTERS[case.file.split("/")[0]]
    before = snapshot(ingest_engine)
    with pytest.raises(ImportValidationError) as refused:
        importer(ingest_engine, path)
    check_refused(refused.value.report, case)  # type: ignore[arg-type]
    message = refused.value.message
    assert path.name in message
    assert "Nothing was written; correct the file and import it again." in message
    assert snapshot(ingest_engine) == before


@pytest.mark.parametrize(
    "case",
    [c for c in CORPUS if c.file.startswith("observations/")][:6],
    ids=lambda case: case.file,
)
def test_dry_run_refuses_the_same(ingest_engine: Engine, case: Bad) -> None:
    before = snapshot(ingest_engine)
    with pytest.raises(ImportValidationError) as refused:
        import_observations(ingest_engine, BAD / case.file, dry_run=True)
    check_refused(refused.value.report, case)  # type: ignore[arg-type]
    assert snapshot(ingest_engine) == before
