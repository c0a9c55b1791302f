"""INKAR's ranges of years (``2012-2016``) as period headers: a mapping that
declares ``periods: range: end`` reads them as their end year with the range in
the note; one that does not is told how (issue 12, "Data as it comes")."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.recognise import recognise
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import save_areas
from tests.ingest.content import snapshot, stored
from tests.ingest.official.exports import shared_data

AREAS = [
    Area(code="03241", name="Region Hannover", level="region"),
    Area(code="03251", name="Diepholz", level="region"),
]
HEADER = [
    '"Kennziffer";"Raumeinheit";"Aggregat";"Krankenhausbetten";'
    '"Entwicklung Krankenhausbetten";"Entwicklung Krankenhausbetten"',
    ";;;2016;2011-2015;2012-2016",
]
ROWS = [
    '"03241";"Region Hannover";"Kreise";"7,12";"-1,5";"2,4"',
    '"03251";"Diepholz";"Kreise";"3,05";".";"-0,7"',
]
MAPPING = """
table: inkar-{table}
source: INKAR
areas: {{by: key, keys: [kreis]}}
{periods}
indicators:
  - id: hospital_beds_change
    name: Entwicklung der Krankenhausbetten über fünf Jahre
    unit: '%'
    topic: Gesundheit/Pflege
    kind: rate
    decimals: 1
outputs:
  - indicator: hospital_beds_change
    value: {{columns: [Entwicklung Krankenhausbetten]}}
"""


@pytest.fixture
def fresh(tmp_path: Path) -> Engine:
    engine = connect(f"sqlite:///{tmp_path / 'ranges.db'}")
    init_database(engine)
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    return engine


def _files(tmp_path: Path, periods: str) -> tuple[Path, Path]:
    export = tmp_path / "inkar.csv"
    export.write_bytes(("\r\n".join([*HEADER, *ROWS]) + "\r\n").encode("utf-8-sig"))
    found = recognise(export)
    assert found is not None
    mapping = tmp_path / "ranges.yaml"
    mapping.write_text(
        MAPPING.format(table=found.table.removeprefix("inkar-"), periods=periods),
        encoding="utf-8",
    )
    return export, mapping


def test_ranges_read_as_their_end_year_issue_12(fresh: Engine, tmp_path: Path) -> None:
    export, mapping = _files(tmp_path, "periods: {range: end}")
    outcome = import_official(fresh, export, mapping=mapping)
    assert outcome.rows_written == 4
    values = {
        (a, p): (r["value"], r["flags"], r["note"])
        for (_, a, p), r in stored(fresh).items()
    }
    assert values == {
        ("03241", "2015"): (-1.5, 0, "Zeitraum 2011–2015"),
        ("03241", "2016"): (2.4, 0, "Zeitraum 2012–2016"),
        ("03251", "2015"): (None, 8, "Zeitraum 2011–2015"),  # '.': suppressed
        ("03251", "2016"): (-0.7, 0, "Zeitraum 2012–2016"),
    }


def test_ranges_without_a_rule_are_explained(fresh: Engine, tmp_path: Path) -> None:
    export, mapping = _files(tmp_path, "")
    before = snapshot(fresh)
    with pytest.raises(ImportValidationError) as caught:
        import_official(fresh, export, mapping=mapping)
    assert snapshot(fresh) == before
    text = caught.value.report.to_text()  # type: ignore[attr-defined]
    assert "whose period is a range of years" in text
    assert "periods: range: end" in text


def test_a_range_beside_years_leaves_the_years_alone(
    fresh: Engine, tmp_path: Path
) -> None:
    """The year column of another indicator keeps its year; the range column is
    not selected by a mapping that does not read ranges."""
    export, mapping = _files(tmp_path, "")
    text = mapping.read_text(encoding="utf-8").replace(
        "[Entwicklung Krankenhausbetten]", "[Krankenhausbetten]"
    )
    mapping.write_text(text, encoding="utf-8")
    import_official(fresh, export, mapping=mapping)
    assert {(a, p): r["value"] for (_, a, p), r in stored(fresh).items()} == {
        ("03241", "2016"): 7.12,
        ("03251", "2016"): 3.05,
    }


REAL = (
    shared_data()
    / "official-exports-sample"
    / "inkar_kreise_gesundheit_pflege_2017.csv"
)


@pytest.mark.skipif(
    not REAL.is_file(),
    reason=f"the real INKAR export is not here ({REAL}); set SOZIALMONITOR_SHARED_DATA",
)
def test_the_real_export_with_a_range_column(tmp_path: Path) -> None:
    """INKAR's 'Entwicklung Krankenhausbetten' 2012-2016 beside the 2016/2017
    columns: read as 2016 with its range, every value equal to the file's."""
    rows = list(csv.reader(REAL.read_text("utf-8-sig").splitlines(), delimiter=";"))
    at = rows[0].index("Entwicklung Krankenhausbetten")
    assert rows[1][at] == "2012-2016"
    expected = {
        r[0]: float(r[at].replace(".", "").replace(",", "."))
        for r in rows[2:]
        if r and r[at] not in ("", "-", ".")
    }
    engine = connect(f"sqlite:///{tmp_path / 'real.db'}")
    init_database(engine)
    with engine.begin() as conn:
        save_areas(
            conn,
            [
                Area(code=r[0], name=r[1], level="region")
                for r in rows[2:]
                if r and len(r[0]) == 5
            ],
        )
    found = recognise(REAL)
    assert found is not None
    mapping = tmp_path / "real.yaml"
    mapping.write_text(
        MAPPING.format(
            table=found.table.removeprefix("inkar-"), periods="periods: {range: end}"
        ),
        encoding="utf-8",
    )
    import_official(engine, REAL, mapping=mapping)
    values = stored(engine)
    got = {a: r["value"] for (_, a, p), r in values.items() if p == "2016"}
    assert len(got) == len(expected) > 300
    assert got == pytest.approx(expected, rel=1e-12)
    assert {r["note"] for r in values.values()} == {"Zeitraum 2012–2016"}
    engine.dispose()
