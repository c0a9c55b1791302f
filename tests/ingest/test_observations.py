"""Observation files that are fine: what is read, what is stored, and into which
release — on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.errors import ImportValidationError, ReleaseStateError
from sozialmonitor.ingest.observations import import_observations, validate_observations
from sozialmonitor.store.queries import list_releases
from sozialmonitor.store.writes import publish_release, save_areas
from tests.fixtures import FIRST_RELEASE
from tests.ingest.content import snapshot, stored

SAMPLES = Path(__file__).parents[1] / "data" / "observations"
PROVISIONAL, ESTIMATED, SUPPRESSED = (
    int(Flag.PROVISIONAL),
    int(Flag.ESTIMATED),
    int(Flag.SUPPRESSED),
)


def values(engine: Engine, release: str) -> dict[tuple[str, str, str], tuple]:
    """(value, numerator, denominator, flags, note) per key stored in ``release``."""
    return {
        key: (r["value"], r["numerator"], r["denominator"], r["flags"], r["note"])
        for key, r in stored(engine, release).items()
    }


def test_long_file_with_german_numbers_bom_and_signs(ingest_engine: Engine) -> None:
    outcome = import_observations(
        ingest_engine, SAMPLES / "long_semicolon_german_bom.csv", release="2022"
    )
    assert outcome.report.findings == []
    assert (outcome.report.rows_read, outcome.report.skipped_empty) == (9, 2)
    assert outcome.rows_written == 7
    assert values(ingest_engine, "2022") == {
        ("mean_income", "03241001", "2022"): (1234.5, None, None, 0, None),
        ("mean_income", "03241002", "2022"): (987.25, None, None, PROVISIONAL, None),
        ("unemployment_share", "03241001", "2022"): (7.4, None, None, 0, None),
        # "5,6 p": the official sign for a provisional value
        ("unemployment_share", "03241002", "2022"): (
            5.6,
            None,
            None,
            PROVISIONAL,
            None,
        ),
        # ".": secret — stored as suppressed, without a number
        ("unemployment_share", "03241003", "2022"): (
            None,
            None,
            None,
            SUPPRESSED,
            "Geheimhaltung",
        ),
        ("population", "03241001", "2022"): (302114.0, None, None, 0, None),
        # "-" and an empty cell: no value, left out
        # the value computed from Zähler and Nenner: 1200 / 24000 x 100
        ("child_poverty", "03241001", "2022"): (5.0, 1200.0, 24000.0, 0, None),
    }


def test_long_file_with_commas_utf8_flags_and_period_forms(
    ingest_engine: Engine,
) -> None:
    outcome = import_observations(
        ingest_engine, SAMPLES / "long_comma_utf8.csv", release="2022"
    )
    assert outcome.report.findings == []
    assert outcome.report.skipped_empty == 1  # "x": not sensible
    assert values(ingest_engine, "2022") == {
        ("unemployment_share", "03241001", "2022"): (7.4, None, None, 0, None),
        ("unemployment_share", "03241002", "2022"): (
            5.6,
            None,
            None,
            PROVISIONAL | ESTIMATED,
            None,
        ),
        ("mean_income", "03241001", "2022-H1"): (
            1234.5,
            None,
            None,
            0,
            "Median of households",
        ),
        ("population", "03241001", "2022-12-31"): (302114.0, None, None, 0, None),
    }


def test_tab_separated_windows_1252_with_umlauts(ingest_engine: Engine) -> None:
    outcome = import_observations(
        ingest_engine, SAMPLES / "long_tab_cp1252.csv", release="2022"
    )
    assert outcome.report.findings == []
    found = values(ingest_engine, "2022")
    assert found[("unemployment_share", "03241001", "2022")] == (
        pytest.approx(21_500 / 302_000 * 100, rel=1e-12),
        21_500.0,
        302_000.0,
        0,
        "Schätzung für Süd",
    )
    assert found[("unemployment_share", "03241002", "2022")][4] == (
        "Gemeinde Größe geprüft"
    )


def test_wide_layout_is_turned_long(ingest_engine: Engine) -> None:
    outcome = import_observations(
        ingest_engine, SAMPLES / "wide_semicolon.csv", release="2022"
    )
    assert outcome.report.findings == []
    assert (outcome.report.rows_read, outcome.report.skipped_empty) == (2, 1)
    assert {k: v[0] for k, v in values(ingest_engine, "2022").items()} == {
        ("mean_income", "03241001", "2019"): 1100.0,
        ("mean_income", "03241001", "2020"): 1150.5,
        ("mean_income", "03241001", "2021"): 1190.0,
        ("mean_income", "03241001", "2022"): 1234.5,
        ("mean_income", "03241002", "2019"): 900.0,
        ("mean_income", "03241002", "2021"): 950.25,
        ("mean_income", "03241002", "2022"): 987.25,
    }


def test_excel_long_layout(ingest_engine: Engine) -> None:
    outcome = import_observations(ingest_engine, SAMPLES / "long.xlsx", release="2022")
    (restored,) = outcome.report.findings
    assert (restored.code, restored.column) == ("leading-zero-restored", "Gebiet")
    assert "3241002 → 03241002" in restored.message
    assert values(ingest_engine, "2022") == {
        ("unemployment_share", "03241001", "2022"): (7.4, None, None, 0, None),
        ("population", "03241002", "2022"): (
            20150.0,
            None,
            None,
            0,
            "Gebiet als Zahl: die Null fehlt",
        ),
        # an Excel date as the period, and German text in a cell
        ("mean_income", "03241001", "2022-12-31"): (1234.5, None, None, 0, None),
        ("population", "03241003", "2022"): (None, None, None, SUPPRESSED, "geheim"),
    }


def test_excel_wide_layout(ingest_engine: Engine) -> None:
    outcome = import_observations(ingest_engine, SAMPLES / "wide.xlsx", release="2022")
    assert outcome.report.findings == []
    assert outcome.report.skipped_empty == 1
    assert {k: v[0] for k, v in values(ingest_engine, "2022").items()} == {
        ("mean_income", "03241001", "2020"): 1150.5,
        ("mean_income", "03241001", "2021"): 1190.0,
        ("mean_income", "03241001", "2022"): 1234.5,
        ("mean_income", "03241002", "2021"): 950.25,
        ("mean_income", "03241002", "2022"): 987.25,
    }


NOTE = "Schätzung für Süd"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1"])
@pytest.mark.parametrize("separator", [",", ";", "\t"], ids=["comma", "semi", "tab"])
def test_encodings_and_separators_read_the_same(
    ingest_engine: Engine, tmp_path: Path, encoding: str, separator: str
) -> None:
    number = "7.4" if separator == "," else "7,4"
    rows = [
        ["Indikator", "Gebietsschlüssel", "Jahr", "Wert", "Anmerkung"],
        ["unemployment_share", "03241001", "2022", number, NOTE],
    ]
    path = tmp_path / "sample.csv"
    text = "".join(separator.join(row) + "\r\n" for row in rows)
    path.write_bytes(text.encode(encoding))
    with ingest_engine.connect() as conn:
        report, frame = validate_observations(conn, path)
    assert report.findings == []
    assert frame[["period", "value", "note"]].to_dict("records") == [
        {"period": "2022", "value": 7.4, "note": NOTE}
    ]


def test_first_import_creates_a_draft(ingest_engine: Engine) -> None:
    outcome = import_observations(ingest_engine, SAMPLES / "wide_semicolon.csv")
    assert outcome.release is not None
    assert outcome.release.status is ReleaseStatus.DRAFT
    with ingest_engine.connect() as conn:
        releases = {r.name: r.status for r in list_releases(conn)}
    assert releases == {
        FIRST_RELEASE: ReleaseStatus.PUBLISHED,
        outcome.release.name: ReleaseStatus.DRAFT,
    }
    # the next import goes into the same draft
    again = import_observations(ingest_engine, SAMPLES / "long_comma_utf8.csv")
    assert again.release is not None
    assert again.release.name == outcome.release.name
    assert len(stored(ingest_engine, outcome.release.name)) == 7 + 4


def test_dry_run_validates_and_writes_nothing(ingest_engine: Engine) -> None:
    before = snapshot(ingest_engine)
    outcome = import_observations(
        ingest_engine, SAMPLES / "long_semicolon_german_bom.csv", dry_run=True
    )
    assert outcome.report.is_valid
    assert outcome.report.rows_valid == 7
    assert (outcome.rows_written, outcome.release) == (0, None)
    assert snapshot(ingest_engine) == before


def test_same_file_twice_changes_nothing(ingest_engine: Engine) -> None:
    path = SAMPLES / "long_semicolon_german_bom.csv"
    first = import_observations(ingest_engine, path)
    assert first.rows_written == 7
    after_first = snapshot(ingest_engine)
    second = import_observations(ingest_engine, path)
    assert second.rows_written == 0
    assert second.release == first.release
    assert snapshot(ingest_engine) == after_first


def test_values_equal_to_the_published_ones_write_nothing(
    ingest_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "published_again.csv"
    # population 2021 as published in tests/fixtures.py
    path.write_text("indicator;area;period;value\npopulation;03241001;2021;301000\n")
    before = snapshot(ingest_engine)
    outcome = import_observations(ingest_engine, path)
    assert (outcome.rows_written, outcome.release) == (0, None)
    assert snapshot(ingest_engine) == before  # not even an empty draft


def test_published_release_is_never_changed(ingest_engine: Engine) -> None:
    before = snapshot(ingest_engine)
    with pytest.raises(ReleaseStateError) as refused:
        import_observations(
            ingest_engine, SAMPLES / "wide_semicolon.csv", release=FIRST_RELEASE
        )
    assert f"'{FIRST_RELEASE}' is published" in refused.value.message
    assert "Import into a new draft (--release NEW-NAME)" in refused.value.message
    assert snapshot(ingest_engine) == before


def test_release_published_after_import_keeps_its_values(
    ingest_engine: Engine,
) -> None:
    import_observations(ingest_engine, SAMPLES / "wide_semicolon.csv", release="2022")
    with ingest_engine.begin() as conn:
        publish_release(conn, "2022")
    before = snapshot(ingest_engine)
    with pytest.raises(ReleaseStateError):
        import_observations(ingest_engine, SAMPLES / "wide.xlsx", release="2022")
    assert snapshot(ingest_engine) == before


def test_jumps_are_warnings_and_the_values_are_imported(ingest_engine: Engine) -> None:
    outcome = import_observations(ingest_engine, SAMPLES / "jump.csv", release="2022")
    jumps = {
        (f.row, f.column): f.message
        for f in outcome.report.warnings
        if f.code == "implausible-jump"
    }
    assert outcome.report.errors == []
    # against the published value of 2021: 21 000 / 301 000 = 6.98 %
    assert "12 after 6.97674 in the previous period 2021" in jumps[(2, "value")]
    # against the row before in the same file
    assert "2000 after 1000 in the previous period 2021" in jumps[(4, "value")]
    assert set(jumps) == {(2, "value"), (4, "value")}
    assert outcome.rows_written == 3


def test_leading_zeros_lost_by_a_spreadsheet_are_restored(
    ingest_engine: Engine,
) -> None:
    outcome = import_observations(
        ingest_engine, SAMPLES / "leading_zeros_lost.csv", release="2022"
    )
    (warning,) = outcome.report.warnings
    assert warning.code == "leading-zero-restored"
    assert warning.column == "area"
    assert "Format the column as text" in warning.message
    assert set(stored(ingest_engine, "2022")) == {
        ("population", "03241001", "2022"),
        ("population", "03241002", "2022"),
    }


def test_indicator_given_on_the_command_line(
    ingest_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "population.csv"
    path.write_text("Gebiet;Jahr;Wert\n03241003;2022;25.100\n", encoding="utf-8")
    import_observations(ingest_engine, path, indicator="population", release="2022")
    assert values(ingest_engine, "2022") == {
        ("population", "03241003", "2022"): (25100.0, None, None, 0, None)
    }


def test_dry_run_into_a_published_release_is_refused(ingest_engine: Engine) -> None:
    before = snapshot(ingest_engine)
    with pytest.raises(ReleaseStateError):
        import_observations(
            ingest_engine,
            SAMPLES / "wide_semicolon.csv",
            release=FIRST_RELEASE,
            dry_run=True,
        )
    assert snapshot(ingest_engine) == before


def test_dry_run_into_a_new_release_creates_nothing(ingest_engine: Engine) -> None:
    before = snapshot(ingest_engine)
    outcome = import_observations(
        ingest_engine, SAMPLES / "wide_semicolon.csv", release="new", dry_run=True
    )
    assert outcome.report.rows_valid == 7
    assert snapshot(ingest_engine) == before


def test_many_rows_with_one_problem_are_summed_up(
    ingest_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "many.csv"
    lines = ["indicator;area;period;value"]
    lines += [f"population;0999{n:04d};2022;{n}" for n in range(30)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ImportValidationError) as refused:
        import_observations(ingest_engine, path)
    report = refused.value.report  # type: ignore[attr-defined]
    assert [e.row for e in report.errors] == list(range(2, 22))
    assert report.error_count == 30  # each row counted once, not 20 + a summary
    text = report.to_text()
    assert "… and 10 more findings" in text
    assert text.endswith(
        "30 rows read, 30 errors, 0 warnings. Nothing was written; "
        "correct the file and import it again."
    )


def test_each_flagged_row_is_one_warning_issue_12(
    ingest_engine: Engine, tmp_path: Path
) -> None:
    """66 rows flagged as implausible jumps are 66 warnings, not 20 listed + 1."""
    path = tmp_path / "jumps.csv"
    lines = ["indicator;area;period;value"]
    for n in range(66):
        area = f"0999{n:04d}"
        lines += [f"population;{area};2020;100", f"population;{area};2021;1000"]
    path.write_text("\n".join(lines) + "\n")
    areas = [
        Area(code=f"0999{n:04d}", name=f"Ort {n}", level="municipality")
        for n in range(66)
    ]
    with ingest_engine.begin() as conn:
        save_areas(conn, areas)
    outcome = import_observations(ingest_engine, path, dry_run=True)
    report = outcome.report
    assert report.warning_count == 66
    assert len(report.warnings) == 20
    assert report.to_text().endswith("132 rows read, 0 errors, 66 warnings.")
