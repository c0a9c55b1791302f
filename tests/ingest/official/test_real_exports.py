"""The real exports in /work/shared/data, each imported through its shipped mapping
into a fresh SQLite database: every value equals the file's cell (read here with
the csv module alone); special signs become gaps, '.' a suppressed value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.store.database import connect, init_database
from tests.ingest.content import stored
from tests.ingest.official.exports import (
    GAPS,
    SECRET,
    add_areas,
    expected_cells,
    number,
    shared_data,
)

RTOL = 1e-9
DATA = shared_data()
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"the real exports are not here ({DATA}); set SOZIALMONITOR_SHARED_DATA",
)

# file, indicator, header labels of its column (without dates), row labels
PLAIN = [
    (
        "germany-regionalstatistik-raw/12411-01-01-4_00.csv",
        "population",
        ["Insgesamt"],
        None,
    ),
    (
        "germany-regionalstatistik-raw/12411-01-01-5_00.csv",
        "population",
        ["Insgesamt"],
        None,
    ),
    (
        "germany-regionalstatistik-raw/22811-01-01-4_00.csv",
        "minimum_income_recipients",
        ["Empfänger von sozialen Mindestsicherungsleistungen"],
        None,
    ),
    (
        "germany-regionalstatistik-raw/22811-01-01-4_00.csv",
        "sgb2_recipients",
        ["Davon", "Gesamtregelleistung (ALG II/Sozialgeld) n.d.SGB II", "zusammen"],
        None,
    ),
    (
        "regionalstatistik-raw-exports/11111-01-01-4.csv",
        "area_km2",
        ["Gebietsfläche", "qkm"],
        None,
    ),
    (
        "regionalstatistik-raw-exports/12411-01-01-4.csv",
        "population",
        ["Stichtag", "Insgesamt"],
        None,
    ),
    (
        "official-exports-sample/rs_13111-01-03-4_kreise_svb_ao.csv",
        "employees_at_workplace",
        ["Nationalität", "Insgesamt", "Geschlecht", "Insgesamt"],
        None,
    ),
    (
        "official-exports-sample/rs_21111-02-06-4_kreise_schulabgaenger_latin1.csv",
        "school_leavers",
        ["Schulabschluss", "Insgesamt", "Insgesamt"],
        None,
    ),
    (
        "official-exports-sample/rs_22411-01-01-4_kreise_pflegeeinrichtungen.csv",
        "care_home_places",
        ["Typ der Pflegeeinrichtung", "stationär", "Verfügbare Plätze in Pflegeheimen"],
        None,
    ),
    (
        "official-exports-sample/rs_22541-01-01-4_kreise_kitas.csv",
        "daycare_places",
        ["Verfügbare Plätze", "Tageseinrichtungen für Kinder", "Insgesamt"],
        None,
    ),
]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Engine]:
    engine = connect(f"sqlite:///{tmp_path / 'official.db'}")
    init_database(engine)
    yield engine
    engine.dispose()


def _import(engine: Engine, name: str) -> dict[tuple[str, str], dict[str, object]]:
    path = DATA / name
    add_areas(engine, path)
    outcome = import_official(engine, path)
    assert outcome.report.is_valid
    return {(a, p): row for (_, a, p), row in stored(engine).items()}


def _of(engine: Engine, indicator: str) -> dict[tuple[str, str], dict[str, object]]:
    return {(a, p): row for (i, a, p), row in stored(engine).items() if i == indicator}


@pytest.mark.parametrize(("name", "indicator", "columns", "rows"), PLAIN)
def test_every_value_equals_its_cell(
    fresh: Engine, name: str, indicator: str, columns: list[str], rows: list[str] | None
) -> None:
    _import(fresh, name)
    cells = expected_cells(DATA / name, columns, rows)
    assert len(cells) > 400
    found = _of(fresh, indicator)
    expected_keys = {k for k, raw in cells.items() if raw not in GAPS}
    assert set(found) == expected_keys  # gaps ('-', 'x', …) are not stored
    secret = 0
    for key in expected_keys:
        raw, row = cells[key], found[key]
        if raw in SECRET:
            secret += 1
            assert row["value"] is None and row["flags"] == int(Flag.SUPPRESSED), key
        else:
            assert row["value"] == number(raw), key
            assert row["flags"] == 0, key
    if name.endswith("12411-01-01-5_00.csv"):
        assert secret == 24  # the file's 72 '.' cells, a third of them in 'Insgesamt'
        assert found[("03241002", "2015-12-31")]["value"] == 33608  # SOURCE.md


def test_a_share_is_numerator_over_denominator(fresh: Engine) -> None:
    name = "germany-regionalstatistik-raw/12411-01-01-4_00.csv"
    _import(fresh, name)
    women = expected_cells(DATA / name, ["weiblich"])
    total = expected_cells(DATA / name, ["Insgesamt"])
    found = _of(fresh, "female_share")
    numbers = {
        k: (number(w), number(total[k]))
        for k, w in women.items()
        if w not in GAPS | SECRET and total[k] not in GAPS | SECRET
    }
    expected = {k: w / t * 100 for k, (w, t) in numbers.items() if t > 0}
    secret = {k for k, w in women.items() if SECRET & {w, total[k]}}
    assert secret  # the file has '.' cells
    assert set(found) == set(expected) | secret
    for key, value in expected.items():
        row = found[key]
        assert row["numerator"] == number(women[key])
        assert row["denominator"] == number(total[key])
        assert row["value"] == pytest.approx(value, rel=RTOL)
    for key in secret:
        assert found[key]["value"] is None
        assert found[key]["flags"] == int(Flag.SUPPRESSED)


def test_sums_of_age_groups_and_a_share_by_row(fresh: Engine) -> None:
    name = "official-exports-sample/rs_12411-03-03-4_kreise_altersgruppen.csv"
    _import(fresh, name)
    total = ["Insgesamt", "Insgesamt"]
    under3 = expected_cells(DATA / name, total, ["unter 3 Jahre"])
    three_to_6 = expected_cells(DATA / name, total, ["3 bis unter 6 Jahre"])
    found = _of(fresh, "children_under_6")
    filled = {k: raw for k, raw in under3.items() if raw not in GAPS}
    assert set(found) == filled.keys()
    assert len(filled) > 400
    for key, raw in filled.items():
        assert found[key]["value"] == number(raw) + number(three_to_6[key])
    foreign = expected_cells(
        DATA / name, ["Ausländer(innen)", "Insgesamt"], ["Insgesamt"]
    )
    foreign = {k: raw for k, raw in foreign.items() if raw not in GAPS}
    everyone = expected_cells(DATA / name, total, ["Insgesamt"])
    shares = _of(fresh, "foreigners_share")
    assert set(shares) == foreign.keys()
    for key, raw in foreign.items():
        expected = number(raw) / number(everyone[key]) * 100
        assert shares[key]["value"] == pytest.approx(expected, rel=RTOL)


def test_laender_by_name_without_keys(fresh: Engine) -> None:
    from sozialmonitor.domain.area import Area
    from sozialmonitor.ingest.official.mapping import load_mapping, shipped_mapping
    from sozialmonitor.store.writes import save_areas

    mapping = shipped_mapping("12411-0013")
    assert mapping is not None
    codes = load_mapping(mapping).areas.codes
    with fresh.begin() as conn:
        save_areas(
            conn, [Area(code=c, name=n, level="state") for n, c in codes.items()]
        )
    path = DATA / "official-exports-sample/destatis_12411-0013_laender_altersjahre.csv"
    import_official(fresh, path)
    found = _of(fresh, "population")
    assert len(found) == 16 * 7
    # the last row: 31.12.2021, Insgesamt; Baden-Württemberg's and Bayern's totals
    assert found[("08", "2021-12-31")]["value"] == 11124642
    assert found[("09", "2021-12-31")]["value"] == 13176989
