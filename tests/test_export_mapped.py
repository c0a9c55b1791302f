"""``export mapped``: a district's values in the layout of an official table, as the
mapping file that imports the table describes it — and back through ``import
mapped`` to the same values (issue 12, "Data as it comes")."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.mapping import MAPPINGS
from sozialmonitor.store import queries
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import publish_release, save_areas
from tests.cli_access import cli_env, without_access
from tests.ingest.content import snapshot, stored
from tests.ingest.official.exports import add_areas, expected_cells, shared_data
from tests.ingest.official.test_mapped_import import AREAS, FOOTER, ROWS, SEXES, TITLE

runner = CliRunner()
GENESIS = MAPPINGS / "12411-01-01-4.yaml"
DATES = ";;31.12.2015;31.12.2015;31.12.2015;31.12.2014;31.12.2014;31.12.2014"
DISTRICT = "03241"


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args], env=cli_env(url))
    return result.exit_code, result.stdout, result.stderr


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _import(engine: Engine, path: Path, mapping: Path | None = None) -> None:
    """Import and publish, as the public reads only published values."""
    outcome = import_official(engine, path, mapping=mapping, release="r1")
    assert outcome.release is not None
    with engine.begin() as conn:
        publish_release(conn, "r1")


def _fresh(path: Path, areas: list[Area] = AREAS) -> Engine:
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    with engine.begin() as conn:
        save_areas(conn, areas)
    return engine


@pytest.fixture
def source(engine: Engine, tmp_path: Path) -> Engine:
    """A database (SQLite and PostgreSQL) with a Regionalstatistik table imported
    and published: population and female share of Region Hannover and three of
    its municipalities, with a secret value ('.') and gaps."""
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    table = tmp_path / "12411-01-01-4.csv"
    table.write_text(
        "\n".join([*TITLE, DATES, SEXES, *ROWS, *FOOTER]) + "\n", encoding="utf-8"
    )
    _import(engine, table)
    return engine


Values = dict[tuple[str, str, str], tuple[object, ...]]


def _stored(engine: Engine) -> Values:
    """What an import stored: value, numerator, denominator, whether suppressed,
    note (the copy's own publication may hide more from its public)."""
    return {
        key: (
            r["value"],
            r["numerator"],
            r["denominator"],
            bool(r["flags"] & Flag.SUPPRESSED),
            r["note"],
        )
        for key, r in stored(engine).items()
    }


def _values(engine: Engine, areas: set[str]) -> Values:
    """What the public reads of the areas, in the same form."""
    with engine.connect() as conn:
        read = queries.read_observations(
            conn, queries.ObservationQuery(areas=sorted(areas))
        )
    return {
        o.key: (
            o.value,
            o.numerator,
            o.denominator,
            bool(o.flags & Flag.SUPPRESSED),
            o.note,
        )
        for o in read
    }


def test_round_trip_through_the_same_mapping_issue_12(
    source: Engine, tmp_path: Path
) -> None:
    target = tmp_path / "export.csv"
    code, _, err = run(
        _url(source),
        "export",
        "mapped",
        str(GENESIS),
        "--area",
        DISTRICT,
        "--children",
        "-o",
        str(target),
    )
    assert code == 0, err
    assert "in the layout of 12411-01-01-4" in err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("GENESIS-Tabelle: 12411-01-01-4\n")
    lines = text.splitlines()
    # the columns the mapping reads (Insgesamt, weiblich), not 'männlich'
    assert lines[2].split(";")[2:] == ["31.12.2014"] * 2 + ["31.12.2015"] * 2
    assert lines[3].split(";")[2:] == ["Insgesamt", "weiblich"] * 2
    barsinghausen = next(line for line in lines if line.startswith("03241002;"))
    assert barsinghausen.split(";")[2:] == ["."] * 4
    hannover = next(line for line in lines if line.startswith("03241001;"))
    assert hannover.split(";")[2:4] == ["x", "x"]  # no values of 2014
    assert "Stand: " in lines[-1] and "__________" in lines

    copy = _fresh(tmp_path / "copy.db")
    _import(copy, target, GENESIS)
    areas = {DISTRICT, "03241001", "03241002", "03241003"}
    assert _stored(copy) == _values(source, areas)
    hidden = {k for k, v in _values(source, areas).items() if v[3]}
    # Barsinghausen secret at the source; Burgdorf hidden by the publication's
    # secondary suppression: the public's '.', never the stored number
    assert {a for _, a, _ in hidden} == {"03241002", "03241003"}
    assert stored(source)[("population", "03241003", "2015-12-31")]["value"] == 30251
    assert "30251" not in text


def test_only_the_district_and_periods_asked_for(
    source: Engine, tmp_path: Path
) -> None:
    target = tmp_path / "district.csv"
    code, _, err = run(
        _url(source),
        "export",
        "mapped",
        str(GENESIS),
        "--area",
        DISTRICT,
        "--period",
        "2015-12-31",
        "--output",
        str(target),
    )
    assert code == 0, err
    rows = [line.split(";") for line in target.read_text("utf-8").splitlines()]
    data = [r for r in rows if r[0] == DISTRICT]
    assert data == [[DISTRICT, "Region Hannover", "1144481", "587007"]]


def test_a_mapping_the_values_cannot_go_back_into_is_refused(
    source: Engine, tmp_path: Path
) -> None:
    target = tmp_path / "sum.csv"
    mapping = MAPPINGS / "12411-03-03-4.yaml"  # sums age groups
    code, _, err = run(
        _url(source), "export", "mapped", str(mapping), "--area", DISTRICT,
        "-o", str(target),
    )  # fmt: skip
    assert code == 1
    assert "cannot be split back into its parts" in err
    assert "Traceback" not in err and not target.exists()
    code, _, err = run(
        _url(source), "export", "mapped", str(GENESIS), "--area", "09999",
        "-o", str(target),
    )  # fmt: skip
    assert code == 1 and "'09999' is not a known area code" in err
    assert not target.exists()


INKAR_AREAS = [
    Area(code="03", name="Niedersachsen", level="state"),
    Area(code=DISTRICT, name="Region Hannover", level="region", parent="03"),
]
INKAR_MAPPING = """
table: {table}
source: INKAR
areas: {{by: key, keys: [land, kreis]}}
periods: {{range: end}}
indicators:
  - id: hospital_beds_change
    name: Entwicklung der Krankenhausbetten über fünf Jahre
    unit: '%'
    topic: Gesundheit/Pflege
    kind: rate
    decimals: 1
    visibility: {visibility}
  - id: hospital_beds
    name: Krankenhausbetten (in Tausend)
    unit: Betten
    topic: Gesundheit/Pflege
    kind: count
    decimals: 0
outputs:
  - indicator: hospital_beds_change
    value: {{columns: [Entwicklung Krankenhausbetten]}}
  - indicator: hospital_beds
    value: {{columns: [Krankenhausbetten]}}
    scale: 1000
"""
INKAR_ROWS = [
    '"Kennziffer";"Raumeinheit";"Aggregat";"Krankenhausbetten";"Krankenhausbetten";'
    '"Entwicklung Krankenhausbetten";"Entwicklung Krankenhausbetten"',
    ";;;2015;2016;2011-2015;2012-2016",
    '"03";"Niedersachsen";"Bundesländer";"42,512";"42,7";"-1,5";"0,4"',
    '"03241";"Region Hannover";"Kreise";"8,1";"";".";"2,4"',
]


def _inkar(tmp_path: Path, visibility: str = "public") -> tuple[Path, Path]:
    from sozialmonitor.ingest.official.recognise import inkar_export

    export = tmp_path / "inkar.csv"
    export.write_bytes(("\r\n".join(INKAR_ROWS) + "\r\n").encode("utf-8-sig"))
    found = inkar_export(INKAR_ROWS[0].replace('"', "").split(";"))
    assert found is not None
    mapping = tmp_path / "inkar.yaml"
    mapping.write_text(
        INKAR_MAPPING.format(table=found.table, visibility=visibility), "utf-8"
    )
    return export, mapping


def test_inkar_layout_with_ranges_and_scale_round_trips(tmp_path: Path) -> None:
    """Years and ranges of years back as INKAR labels them, thousands divided out
    again, the secret value as '.', the gap empty."""
    export, mapping = _inkar(tmp_path)
    source = _fresh(tmp_path / "source.db", INKAR_AREAS)
    _import(source, export, mapping)
    target = tmp_path / "back.csv"
    code, _, err = run(
        _url(source), "export", "mapped", str(mapping), "--area", "03",
        "--area", DISTRICT, "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[1] == ";;;2011-2015;2012-2016;2015;2016"  # the mapping's order
    assert lines[2] == (
        '"03";"Niedersachsen";"Bundesländer";"-1,5";"0,4";"42,512";"42,7"'
    )
    assert lines[3] == '"03241";"Region Hannover";"Kreise";".";"2,4";"8,1";""'
    copy = _fresh(tmp_path / "copy.db", INKAR_AREAS)
    _import(copy, target, mapping)
    assert _stored(copy) == _values(source, {"03", DISTRICT})
    assert stored(copy)[("hospital_beds", "03", "2015")]["value"] == 42512


def test_internal_values_need_internal(tmp_path: Path) -> None:
    export, mapping = _inkar(tmp_path, visibility="internal")
    source = _fresh(tmp_path / "source.db", INKAR_AREAS)
    _import(source, export, mapping)
    public = tmp_path / "public.csv"
    code, _, err = run(
        _url(source), "export", "mapped", str(mapping), "--area", DISTRICT,
        "-o", str(public),
    )  # fmt: skip
    assert code == 0, err
    assert "No values of 'hospital_beds_change' to write" in err
    lines = public.read_text("utf-8-sig").splitlines()
    # the internal indicator's column is named (INKAR names an export by all its
    # indicators) and left empty; 2015 is the one year with a public value
    assert lines[0].endswith(';"Entwicklung Krankenhausbetten";"Krankenhausbetten"')
    assert lines[1] == ";;;2015;2015"
    assert lines[2].split(";")[3:] == ['""', '"8,1"']
    internal = tmp_path / "internal.csv"
    code, _, err = run(
        _url(source), "export", "mapped", str(mapping), "--area", DISTRICT,
        "--internal", "-o", str(internal),
    )  # fmt: skip
    assert code == 0, err
    assert internal.read_text("utf-8-sig").splitlines()[2].split(";")[3:5] == [
        '"."',
        '"2,4"',
    ]


def test_a_failed_export_writes_nothing_and_changes_nothing(
    source: Engine, tmp_path: Path
) -> None:
    before = without_access(snapshot(source))
    target = tmp_path / "half.csv"
    code, _, err = run(
        _url(source), "export", "mapped", str(GENESIS), "--area", DISTRICT,
        "--period", "1999", "-o", str(target),
    )  # fmt: skip
    assert code == 1
    assert "There are no values of the mapping's indicators" in err
    assert not target.exists()
    assert without_access(snapshot(source)) == before


REAL = shared_data() / "regionalstatistik-raw-exports" / "12411-01-01-4.csv"


@pytest.mark.skipif(
    not REAL.is_file(),
    reason=f"the real Regionalstatistik export is not here ({REAL}); set "
    "SOZIALMONITOR_SHARED_DATA",
)
def test_the_real_table_round_trips_with_the_land_issue_12(tmp_path: Path) -> None:
    """The real 12411-01-01-4 download (Latin-1, 31.12.2018, Germany, Länder and
    Kreise): Region Hannover, Hannover and Niedersachsen out in its layout and
    back, each value equal to the file's cell."""
    source = _fresh(tmp_path / "real.db", [])
    add_areas(source, REAL)
    with source.begin() as conn:
        save_areas(
            conn,
            [
                *INKAR_AREAS,  # Niedersachsen above Region Hannover
                Area(
                    code="03241001", name="Hannover", level="municipality",
                    parent=DISTRICT,
                ),
            ],
        )  # fmt: skip
    _import(source, REAL)
    target = tmp_path / "back.csv"
    code, _, err = run(
        _url(source), "export", "mapped", str(GENESIS), "--area", "03",
        "--children", "--area", DISTRICT, "--children", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    written = {line.split(";")[0]: line.split(";")[2:] for line in target.read_text(
        "utf-8"
    ).splitlines()[4:] if line[:1].isdigit()}  # fmt: skip
    cells = expected_cells(REAL, ["Stichtag", "Insgesamt"])
    women = expected_cells(REAL, ["Stichtag", "weiblich"])
    for key in ("03", DISTRICT, "03241001"):
        assert written[key] == [cells[(key, "2018-12-31")], women[(key, "2018-12-31")]]
    copy = _fresh(tmp_path / "copy.db", [])
    add_areas(copy, REAL)
    _import(copy, target, GENESIS)
    assert _stored(copy) == _values(source, {"03", DISTRICT, "03241001"})
    assert _stored(copy)[("population", "03", "2018-12-31")][0] == 7982448


def test_selectors_that_need_the_tables_other_labels_are_refused(
    source: Engine, tmp_path: Path
) -> None:
    """'population' selects [Insgesamt], 'women' [Insgesamt, weiblich]: written with
    only these labels, the first would match the second's column too, so the file
    would not import to the same values — refused, nothing written."""
    mapping = tmp_path / "overlap.yaml"
    mapping.write_text(
        GENESIS.read_text("utf-8").replace(
            "numerator: {columns: [weiblich]}",
            "numerator: {columns: [Insgesamt, weiblich]}",
        ),
        encoding="utf-8",
    )
    assert mapping.read_text("utf-8") != GENESIS.read_text("utf-8")
    target = tmp_path / "overlap.csv"
    code, _, err = run(
        _url(source), "export", "mapped", str(mapping), "--area", DISTRICT,
        "-o", str(target),
    )  # fmt: skip
    assert code == 1, err
    assert "does not read back through the mapping" in err
    assert "matches two cells" in err
    assert not target.exists()


def test_export_without_indicators_or_subcommand_says_what_to_do(
    source: Engine,
) -> None:
    code, _, err = run(_url(source), "export")
    assert code == 2
    assert "--indicator ID" in err and "export mapped MAPPING" in err


def test_areas_named_in_the_rows_round_trip(source: Engine, tmp_path: Path) -> None:
    """A layout that names its areas instead of keying them: the names from
    'areas: codes', read backwards."""
    mapping = tmp_path / "named.yaml"
    mapping.write_text(
        """
table: 99999-01
title: Bevölkerung nach Gebietsnamen
areas:
  by: name
  codes: {Hannover-Region: '03241', Landeshauptstadt: '03241001'}
indicators:
  - {id: population, name: Bevölkerung, unit: Personen, topic: Bevölkerung,
     kind: count, decimals: 0}
outputs:
  - indicator: population
    value: {columns: [Insgesamt]}
""",
        encoding="utf-8",
    )
    target = tmp_path / "named.csv"
    code, _, err = run(
        _url(source), "export", "mapped", str(mapping), "--area", DISTRICT,
        "--area", "03241001", "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    lines = target.read_text("utf-8").splitlines()
    assert lines[4].split(";") == ["Hannover-Region", "1137093", "1144481"]
    assert lines[5].split(";") == ["Landeshauptstadt", "x", "532163"]
    copy = _fresh(tmp_path / "copy.db")
    _import(copy, target, mapping)
    assert _stored(copy) == {
        k: v
        for k, v in _values(source, {DISTRICT, "03241001"}).items()
        if k[0] == "population"
    }
    code, _, err = run(
        _url(source), "export", "mapped", str(mapping), "--area", "03241003",
        "-o", str(target),
    )  # fmt: skip
    assert code == 1 and "lists no name for area '03241003'" in err
