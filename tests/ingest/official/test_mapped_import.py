"""Official exports on small files written here: the layouts, encodings and signs,
and every way a file or a mapping can be wrong — each a clear message, nothing
written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.limits import MAX_CELL_CHARS
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import save_areas
from tests.cli_access import cli_env
from tests.ingest.content import snapshot, stored

TITLE = [
    "GENESIS-Tabelle: 12411-01-01-4",
    "Bevölkerungsstand: Bevölkerung nach Geschlecht;;;;;;",
    "- Stichtag 31.12. -;;;;;;",
    "regionale Tiefe: Kreise und krfr. Städte;;;;;;",
]
DATES = ";;31.12.2015;31.12.2015;31.12.2015;31.12.2014;31.12.2014;31.12.2014"
SEXES = ";;Insgesamt;männlich;weiblich;Insgesamt;männlich;weiblich"
ROWS = [
    "DG;Deutschland;82175684;40514123;41661561;81197537;39835457;41362080",
    "03;  Niedersachsen;7926599;3904094;4022505;7790559;3825520;3965039",
    "032;    Hannover, Stat. Region;2137823;1044283;1093540;2111325;1029808;1081517",
    "03241;      Region Hannover;1144481;557474;587007;1137093;552865;584228",
    "03241001;        Hannover, Landeshauptstadt;532163;258578;273585;-;-;-",
    "03241002;        Barsinghausen;.;.;.;/;x;...",
    "03241003;        Burgdorf;30251;…;15101;29944;14653;15291",
]
FOOTER = [
    "__________",
    '"zu ""gesamter Tabelle"":',
    'ab dem Berichtsjahr 2011: nach dem Zensus 2011"',
    '"© Statistische Ämter des Bundes und der Länder, Deutschland, 2017."',
    "Stand: 10.10.2017 / 11:57:53",
]
AREAS = [
    Area(code="DG", name="Deutschland", level="country"),
    Area(code="03", name="Niedersachsen", level="state"),
    Area(code="03241", name="Region Hannover", level="region", parent="03"),
    Area(code="03241001", name="Hannover", level="municipality", parent="03241"),
    Area(code="03241002", name="Barsinghausen", level="municipality", parent="03241"),
    Area(code="03241003", name="Burgdorf", level="municipality", parent="03241"),
]


def export(
    path: Path,
    lines: list[str] | None = None,
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    lines = lines if lines is not None else [*TITLE, DATES, SEXES, *ROWS, *FOOTER]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


@pytest.fixture
def fresh(tmp_path: Path) -> Engine:
    engine = connect(f"sqlite:///{tmp_path / 'official.db'}")
    init_database(engine)
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    return engine


def refused(engine: Engine, path: Path, **options: object) -> str:
    """The report of an import that must fail, after checking it wrote nothing."""
    before = snapshot(engine)
    with pytest.raises(ImportValidationError) as caught:
        import_official(engine, path, **options)  # type: ignore[arg-type]
    assert snapshot(engine) == before
    return caught.value.report.to_text()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("cp1252", "\r\n"), ("latin-1", "\n")],
)
def test_a_classic_export_in_each_encoding(
    fresh: Engine, tmp_path: Path, encoding: str, newline: str
) -> None:
    rows = ROWS if encoding != "latin-1" else [r.replace("…", "...") for r in ROWS]
    path = export(
        tmp_path / "12411-01-01-4.csv",
        [*TITLE, DATES, SEXES, *rows, *FOOTER],
        encoding=encoding,
        newline=newline,
    )
    outcome = import_official(fresh, path)
    assert outcome.report.is_valid
    found = stored(fresh)
    population = {(a, p): r for (i, a, p), r in found.items() if i == "population"}
    assert population[("03241", "2015-12-31")]["value"] == 1144481
    assert population[("03241003", "2014-12-31")]["value"] == 29944
    assert population[("DG", "2015-12-31")]["value"] == 82175684
    assert ("032", "2015-12-31") not in population  # a Regierungsbezirk: not mapped
    assert ("03241001", "2014-12-31") not in population  # '-': a gap
    secret = population[("03241002", "2015-12-31")]
    assert secret["value"] is None and secret["flags"] == int(Flag.SUPPRESSED)
    assert population[("03241002", "2014-12-31")]["flags"] == int(Flag.SUPPRESSED)
    share = found[("female_share", "03241", "2015-12-31")]
    assert share["numerator"] == 587007 and share["denominator"] == 1144481
    assert share["value"] == pytest.approx(587007 / 1144481 * 100, rel=1e-12)
    assert found[("female_share", "03241002", "2015-12-31")]["flags"] == int(
        Flag.SUPPRESSED
    )
    assert len(population) == 11


def test_a_newer_vintage_with_a_stichtag_row(fresh: Engine, tmp_path: Path) -> None:
    stichtag = ";;Stichtag;Stichtag;Stichtag;Stichtag;Stichtag;Stichtag"
    path = export(tmp_path / "t.csv", [*TITLE, stichtag, DATES, SEXES, *ROWS])
    import_official(fresh, path)
    assert stored(fresh)[("population", "03241", "2014-12-31")]["value"] == 1137093


def test_a_missing_header_row_is_named(fresh: Engine, tmp_path: Path) -> None:
    path = export(tmp_path / "t.csv", [*TITLE, SEXES, *ROWS, *FOOTER])
    text = refused(fresh, path)
    assert "have no period" in text
    assert "header row with the dates is missing" in text


def test_a_renamed_column_is_named(fresh: Engine, tmp_path: Path) -> None:
    renamed = SEXES.replace("Insgesamt", "Gesamt")
    path = export(tmp_path / "t.csv", [*TITLE, DATES, renamed, *ROWS, *FOOTER])
    text = refused(fresh, path)
    assert "wants a column with the labels ['Insgesamt']" in text
    assert "The file's columns: Gesamt; männlich; weiblich" in text
    assert "docs/mapping-files.md" in text


def test_an_unknown_area_code_is_a_finding(fresh: Engine, tmp_path: Path) -> None:
    extra = "03241099;        Nirgendwo;100;50;50;90;45;45"
    path = export(tmp_path / "t.csv", [*TITLE, DATES, SEXES, *ROWS, extra, *FOOTER])
    text = refused(fresh, path)
    row = len(TITLE) + 2 + len(ROWS) + 1
    assert (
        f"t.csv, row {row}, column 'column 1 (key)': '03241099' is not a "
        "known area code" in text
    )


def test_only_known_areas_leaves_the_others_out_with_one_warning(
    fresh: Engine, tmp_path: Path
) -> None:
    """A nationwide download into a county's installation: the areas it lacks are
    left out and counted, the known ones imported (issue 12)."""
    extra = [f"0324109{n};        Nirgendwo {n};100;50;50;90;45;45" for n in range(7)]
    path = export(tmp_path / "t.csv", [*TITLE, DATES, SEXES, *ROWS, *extra, *FOOTER])
    code, out, err = run(fresh, "official", str(path), "--only-known-areas")
    assert code == 0, err
    assert "28 values of 7 areas that are not in the database were left out" in err
    assert "03241090, 03241091, 03241092, 03241093, 03241094 …" in err
    assert "Import those areas first" in err
    found = stored(fresh)
    assert found[("population", "03241003", "2014-12-31")]["value"] == 29944
    assert not any(a.startswith("0324109") for (_i, a, _p) in found)


def run(engine: Engine, *args: str) -> tuple[int, str, str]:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--db", url, "import", *args], env=cli_env(url))
    return result.exit_code, result.stdout, result.stderr


def test_an_unknown_table_exits_2_naming_it(fresh: Engine, tmp_path: Path) -> None:
    lines = [TITLE[0].replace("12411-01-01-4", "99999-01-01-4"), *TITLE[1:]]
    path = export(tmp_path / "t.csv", [*lines, DATES, SEXES, *ROWS, *FOOTER])
    before = snapshot(fresh)
    code, out, err = run(fresh, "official", str(path))
    assert code == 2
    assert "No mapping is shipped for table 99999-01-01-4" in err
    assert "sozialmonitor import mapped MAPPING FILE" in err
    assert "docs/mapping-files.md" in err
    assert "Traceback" not in out + err
    assert snapshot(fresh) == before


def test_import_official_on_the_command_line(fresh: Engine, tmp_path: Path) -> None:
    path = export(tmp_path / "t.csv")
    code, out, err = run(fresh, "official", str(path), "--release", "2017")
    assert code == 0, err
    assert "t.csv: 22 new or changed into release '2017'." in out
    assert stored(fresh, "2017")[("population", "03", "2015-12-31")]["value"] == 7926599


def test_import_observations_names_a_genesis_export(
    fresh: Engine, tmp_path: Path
) -> None:
    path = export(tmp_path / "t.csv")
    code, _, err = run(fresh, "observations", str(path))
    assert code == 2
    assert (
        "This looks like a Regionalstatistik export (table 12411-01-01-4): use "
        "`sozialmonitor import official FILE`" in err
    )
    assert "separator" not in err


FLAT_ROW = (
    "21111-02-06-4;Absolventen;JAHR;Schuljahr;{year};KREISE;Kreise;03241;"
    "Region Hannover;SCHUL1;Abschluss;{code};{label};{value};Anzahl;"
    "ABG001;Absolventen und Abgänger;{flag}"
)
FLAT = [
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;"
    "1_variable_attribute_label;2_variable_code;2_variable_label;"
    "2_variable_attribute_code;2_variable_attribute_label;value;value_unit;"
    "value_variable_code;value_variable_label;value_q",
    FLAT_ROW.format(
        year="2017/2018",
        code="OHNE",
        label="ohne Hauptschulabschluss",
        value="512",
        flag="e",
    ),
    FLAT_ROW.format(
        year="2017/2018", code="", label="Insgesamt", value="10240", flag="e"
    ),
    FLAT_ROW.format(
        year="2018/2019",
        code="OHNE",
        label="ohne Hauptschulabschluss",
        value=".",
        flag=".",
    ),
    FLAT_ROW.format(
        year="2018/2019", code="", label="Insgesamt", value="10110 p", flag="e"
    ),
]
"""A flat (ffcsv) export as GENESIS-Online writes it: one value per row, with its
measure and quality columns."""
MAPPING = """\
table: 21111-02-06-4
source: GENESIS-Online
areas: {by: key, keys: [kreis]}
periods: {school_year: start}
indicators:
  - id: leavers_share
    name: Abgänger ohne Hauptschulabschluss
    unit: '%'
    kind: share
    multiplier: 100
    decimals: 1
outputs:
  - indicator: leavers_total
    scale: 0.001
    value: {rows: [Insgesamt, Absolventen und Abgänger]}
  - indicator: leavers_share
    numerator: {rows: [ohne Hauptschulabschluss]}
    denominator: {rows: [Insgesamt]}
"""


def test_a_mapping_of_ones_own_on_a_flat_file(engine: Engine, tmp_path: Path) -> None:
    """Also against PostgreSQL: the same code path."""
    with engine.begin() as conn:
        save_areas(conn, AREAS)
    mapping = tmp_path / "mine.yaml"
    total = (
        "  - indicator: leavers_total\n    scale: 0.001\n"
        "    value: {rows: [Insgesamt, Absolventen und Abgänger]}\n"
    )
    mapping.write_text(MAPPING.replace(total, ""))
    path = export(tmp_path / "flat.csv", FLAT, encoding="utf-8-sig")
    outcome = import_official(engine, path, mapping=mapping)
    assert outcome.rows_written == 2
    found = stored(engine)
    share = found[("leavers_share", "03241", "2017")]  # school year 2017/2018: start
    assert share["value"] == pytest.approx(512 / 10240 * 100, rel=1e-12)
    secret = found[("leavers_share", "03241", "2018")]
    assert secret["value"] is None and secret["flags"] == int(Flag.SUPPRESSED)


def test_an_undeclared_indicator_and_a_scale(fresh: Engine, tmp_path: Path) -> None:
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(MAPPING)
    path = export(tmp_path / "flat.csv", FLAT)
    text = refused(fresh, path, mapping=mapping)
    assert "'leavers_total' is not a known indicator id" in text
    declared = MAPPING.replace(
        "indicators:\n",
        "indicators:\n  - {id: leavers_total, name: Abgänger (Tsd.), unit: Tsd.}\n",
    )
    mapping.write_text(declared)
    import_official(fresh, path, mapping=mapping)
    scaled = stored(fresh)[("leavers_total", "03241", "2018")]
    assert scaled["value"] == 10.11
    assert scaled["flags"] == int(Flag.PROVISIONAL)  # '10110 p': provisional


def test_a_wrong_mapping_field_is_named(fresh: Engine, tmp_path: Path) -> None:
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(
        MAPPING.replace(
            "    value: {rows: [Insgesamt, Absolventen und Abgänger]}\n", ""
        )
    )
    text = refused(fresh, export(tmp_path / "flat.csv", FLAT), mapping=mapping)
    assert "mine.yaml, column 'outputs.0'" in text
    assert "give either 'value' or both 'numerator' and 'denominator'" in text
    mapping.write_text(MAPPING.replace("kind: share", "kind: sharez"))
    text = refused(fresh, export(tmp_path / "flat.csv", FLAT), mapping=mapping)
    assert "mine.yaml, column 'indicators.0.kind'" in text
    mapping.write_text(MAPPING.replace("table: 21111-02-06-4", "table: 12411-01-01-4"))
    text = refused(fresh, export(tmp_path / "flat.csv", FLAT), mapping=mapping)
    assert "is for table 12411-01-01-4, the file is table 21111-02-06-4" in text


def test_an_ambiguous_selector_is_named(fresh: Engine, tmp_path: Path) -> None:
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(
        "table: 12411-01-01-4\nareas: {keys: [kreis]}\n"
        "outputs:\n  - {indicator: population, value: {columns: []}}\n"
    )
    text = refused(fresh, export(tmp_path / "t.csv"), mapping=mapping)
    assert "matches two cells for area '03241' and period '2015-12-31'" in text


def test_hostile_exports_stay_bounded(fresh: Engine, tmp_path: Path) -> None:
    long_cell = "x" * (MAX_CELL_CHARS + 1)
    path = export(tmp_path / "t.csv", [*TITLE, DATES, SEXES, f"03241;{long_cell};1"])
    assert "more than the 32,767 a cell may hold" in refused(fresh, path)
    wide = ";;" + ";".join(["31.12.2015"] * 10_001)
    path = export(tmp_path / "t.csv", [*TITLE, wide, SEXES, *ROWS])
    assert "more than the 10,000 an import reads" in refused(fresh, path)
    unclosed = export(tmp_path / "t.csv", [*TITLE, DATES, SEXES, '03241;"' + "a" * 40])
    row = len(TITLE) + 3
    assert f"t.csv, row {row}: a quoted cell starts in this line" in refused(
        fresh, unclosed
    )
    only_title = export(tmp_path / "t.csv", TITLE)
    assert "no header rows" in refused(fresh, only_title)


def test_the_example_of_the_docs_works(fresh: Engine, tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "mapping-files.md"
    text = docs.read_text(encoding="utf-8")
    example = text[text.index("## A complete example") :]
    csv_block = example.split("```csv\n")[1].split("```")[0]
    yaml_block = example.split("```yaml\n")[1].split("```")[0]
    path = tmp_path / "13111-01-03-4.csv"
    path.write_text(csv_block.replace(";…\n", ";1000;500;500;100;60;40\n"))
    mapping = tmp_path / "mine.yaml"
    mapping.write_text(yaml_block)
    import_official(fresh, path, mapping=mapping)
    found = stored(fresh)
    assert found[("employees_at_workplace", "DG", "2015-06-30")]["value"] == 30771297
    share = found[("employees_at_workplace_foreign_share", "03241", "2015-06-30")]
    assert share["value"] == pytest.approx(10.0)


def test_an_area_name_missing_from_the_codes_is_named(
    fresh: Engine, tmp_path: Path
) -> None:
    lines = [
        "GENESIS-Tabelle: 12411-0013",
        "Bevölkerung: Bundesländer, Stichtag, Geschlecht, Altersjahre;;;;",
        ";;Niedersachsen;Niedersachsen;Atlantis",
        ";;männlich;Insgesamt;Insgesamt",
        "31.12.2021;Insgesamt;3950000;8003421;12",
    ]
    path = export(tmp_path / "t.csv", lines)
    text = refused(fresh, path)
    assert "The column 'Atlantis / Insgesamt' (1 columns in all) names none" in text
    del lines[-1]
    lines[2] = ";;Niedersachsen;Niedersachsen"
    lines[3] = ";;männlich;Insgesamt"
    import_official(
        fresh, export(path, [*lines, "31.12.2021;Insgesamt;3950000;8003421"])
    )
    assert stored(fresh)[("population", "03", "2021-12-31")]["value"] == 8003421


def test_a_dry_run_with_json_writes_nothing(fresh: Engine, tmp_path: Path) -> None:
    before = snapshot(fresh)
    code, out, err = run(
        fresh, "official", str(export(tmp_path / "t.csv")), "--dry-run", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["valid"] is True and report["rows_written"] == 0
    assert report["rows_read"] == len(ROWS) and report["errors"] == 0
    assert snapshot(fresh) == before  # not even the declared indicator female_share
