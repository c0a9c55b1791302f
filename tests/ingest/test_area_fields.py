"""``import areas`` with field options: BKG VG5000 and Berlin LOR files as
published (issue 12), on small files laid out like them and on the real ones."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.area_fields import AreaFields
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.queries import list_areas
from tests.shared_data import shared_file

BKG_FIELDS = ["AGS", "GEN", "GF", "BEZ"]


def bkg_file(tmp_path: Path, name: str, rows: list[tuple[str, str, int]]) -> Path:
    """A Shapefile laid out like BKG's VG5000 (AGS, GEN, GF, BEZ; one level per
    file, Gauss-Krüger zone 3), one 1 km square per row."""
    frame = gpd.GeoDataFrame(
        {
            "AGS": [r[0] for r in rows],
            "GEN": [r[1] for r in rows],
            "GF": [r[2] for r in rows],
            "BEZ": ["Gemeinde"] * len(rows),
        },
        geometry=[
            box(3550000 + i * 1000, 5800000, 3551000 + i * 1000, 5801000)
            for i in range(len(rows))
        ],
        crs="EPSG:31467",
    )
    path = tmp_path / f"{name}.shp"
    frame.to_file(path, driver="ESRI Shapefile")
    return path


def refused(engine: Engine, path: Path, fields: AreaFields) -> list[str]:
    with pytest.raises(ImportValidationError) as caught:
        import_areas(engine, path, fields=fields)
    return [f.message for f in caught.value.report.errors]  # type: ignore[attr-defined]


def test_bkg_layout_imports_with_level_prefix_and_only(
    engine: Engine, tmp_path: Path
) -> None:
    states = bkg_file(
        tmp_path, "LAN", [("03", "Niedersachsen", 9), ("03", "Niedersachsen", 8)]
    )
    districts = bkg_file(tmp_path, "KRS", [("03241", "Region Hannover", 9)])
    towns = bkg_file(
        tmp_path, "GEM", [("03241001", "Hannover", 9), ("03241009", "Laatzen", 9)]
    )
    import_areas(engine, states, fields=AreaFields(level="state", only=("GF", "9")))
    import_areas(engine, districts, fields=AreaFields(level="region", parent_prefix=2))
    outcome = import_areas(
        engine,
        towns,
        fields=AreaFields(
            level="municipality", parent_prefix=5, valid_from=dt.date(2021, 1, 1)
        ),
    )
    assert outcome.rows_written == 2
    with engine.connect() as conn:
        areas = {a.code: a for a in list_areas(conn)}
    assert {c: (a.level, a.parent) for c, a in areas.items()} == {
        "03": ("state", None),
        "03241": ("region", "03"),
        "03241001": ("municipality", "03241"),
        "03241009": ("municipality", "03241"),
    }
    assert areas["03241009"].valid_from == dt.date(2021, 1, 1)
    assert areas["03241"].valid_from is None


def test_duplicate_code_names_both_features(engine: Engine, tmp_path: Path) -> None:
    states = bkg_file(
        tmp_path, "LAN", [("03", "Niedersachsen", 9), ("03", "Nordsee", 8)]
    )
    (message,) = refused(engine, states, AreaFields(level="state"))
    assert "The code '03' appears twice: row 1 'Niedersachsen' (near longitude" in (
        message
    )
    assert "and row 2 'Nordsee' (near longitude" in message
    with engine.connect() as conn:
        assert list_areas(conn) == []


def test_wrong_field_name_lists_the_fields(engine: Engine, tmp_path: Path) -> None:
    towns = bkg_file(tmp_path, "GEM", [("03241001", "Hannover", 9)])
    messages = refused(
        engine, towns, AreaFields(code_field="AGZ", level="municipality")
    )
    assert messages == [
        "The file has no field 'AGZ' (given with --code-field). Its fields: "
        + ", ".join(BKG_FIELDS)
        + "."
    ]


def test_unknown_only_value_lists_the_values(engine: Engine, tmp_path: Path) -> None:
    states = bkg_file(tmp_path, "LAN", [("03", "Niedersachsen", 9)])
    (message,) = refused(engine, states, AreaFields(level="state", only=("GF", "4")))
    assert message == "No feature has GF = '4'. The values of GF in the file: 9."


def test_unknown_level_option_is_one_finding(engine: Engine, tmp_path: Path) -> None:
    towns = bkg_file(
        tmp_path, "GEM", [("03241001", "Hannover", 9), ("03241009", "L", 9)]
    )
    (message,) = refused(engine, towns, AreaFields(level="gemeinde"))
    assert message.startswith("'gemeinde' (given with --level) is not an area level.")


def test_code_too_short_for_the_parent_prefix(engine: Engine, tmp_path: Path) -> None:
    states = bkg_file(tmp_path, "LAN", [("03", "Niedersachsen", 9)])
    (message,) = refused(engine, states, AreaFields(level="state", parent_prefix=2))
    assert message.startswith("The code '03' has no more than 2 characters")


def test_missing_level_says_which_options_help(engine: Engine, tmp_path: Path) -> None:
    towns = bkg_file(tmp_path, "GEM", [("03241001", "Hannover", 9)])
    (message,) = refused(engine, towns, AreaFields())
    assert message.startswith("Missing field(s): level. Found: AGS, GEN, GF, BEZ.")
    assert "--level" in message


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--level", "state", "--level-field", "EBENE"], "not both"),
        (["--valid-from", "1.1.21x"], "'1.1.21x' is not a date"),
        (["--only", "GF"], "is not FIELD=VALUE"),
        (["--parent-prefix", "0"], "1 or more"),
    ],
)
def test_cli_refuses_contradicting_options(
    tmp_path: Path, options: list[str], said: str
) -> None:
    towns = bkg_file(tmp_path, "GEM", [("03241001", "Hannover", 9)])
    result = CliRunner().invoke(
        app,
        ["--db", f"sqlite:///{tmp_path / 'x.db'}", "import", "areas", str(towns)]
        + options,
    )
    assert result.exit_code == 2
    assert said in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_cli_imports_a_bkg_layout(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    states = bkg_file(tmp_path, "LAN", [("03", "Niedersachsen", 9)])
    result = runner.invoke(
        app,
        ["--db", db, "import", "areas", str(states), "--level", "state"]
        + ["--valid-from", "01.01.2021", "--code-field", "ags", "--name-field", "GEN"],
    )
    assert result.exit_code == 0, result.output
    engine = connect(db)
    with engine.connect() as conn:
        (state,) = list_areas(conn)
    engine.dispose()
    assert (state.code, state.name, state.valid_from) == (
        "03",
        "Niedersachsen",
        dt.date(2021, 1, 1),
    )


# --- the real files (../shared/data) ------------------------------------------------

VG5000 = "germany-vg5000"


def test_vg5000_states_and_districts(engine: Engine) -> None:
    states = shared_file(VG5000, "VG5000_LAN.shp")
    districts = shared_file(VG5000, "VG5000_KRS.shp")
    land = AreaFields(level="state", only=("GF", "9"))
    assert import_areas(engine, states, fields=land).rows_written == 16
    outcome = import_areas(
        engine, districts, fields=AreaFields(level="region", parent_prefix=2)
    )
    assert outcome.rows_written == 401
    with engine.connect() as conn:
        regions = {a.code: a for a in list_areas(conn, level="region")}
    assert (regions["03241"].name, regions["03241"].parent) == ("Region Hannover", "03")
    assert regions["11000"].parent == "11"


def test_vg5000_states_with_their_waters_are_duplicates(engine: Engine) -> None:
    states = shared_file(VG5000, "VG5000_LAN.shp")
    messages = refused(engine, states, AreaFields(level="state"))
    assert len(messages) == 9  # GF 8: the nine states' waters (sea, Bodensee)
    assert any(
        "row 9 'Bayern'" in m and "row 25 'Bayern (Bodensee)'" in m for m in messages
    )


def test_vg5000_municipalities_of_germany(tmp_path: Path) -> None:
    """All 10,997 municipalities under their districts (SQLite only: the size is
    what is tested, the PostgreSQL path is the one of the districts above)."""
    engine = connect(f"sqlite:///{tmp_path / 'de.db'}")
    init_database(engine)
    fields = {
        "VG5000_LAN.shp": AreaFields(level="state", only=("GF", "9")),
        "VG5000_KRS.shp": AreaFields(level="region", parent_prefix=2),
        "VG5000_GEM.shp": AreaFields(level="municipality", parent_prefix=5),
    }
    for name, options in fields.items():
        import_areas(engine, shared_file(VG5000, name), fields=options)
    with engine.connect() as conn:
        towns = {a.code: a for a in list_areas(conn, level="municipality")}
    engine.dispose()
    assert len(towns) == 10_997
    assert (towns["03241009"].name, towns["03241009"].parent) == ("Laatzen", "03241")


def test_lor_2021_planning_areas(engine: Engine) -> None:
    path = shared_file("berlin-lor-2021", "lor_planungsraeume_2021.shp")
    fields = AreaFields(
        code_field="PLR_ID",
        name_field="PLR_NAME",
        level="planning_area",
        valid_from=dt.date(2021, 1, 1),
    )
    assert import_areas(engine, path, fields=fields).rows_written == 542
    with engine.connect() as conn:
        areas = list_areas(conn, level="planning_area")
    assert {a.valid_from for a in areas} == {dt.date(2021, 1, 1)}
    assert all(a.code.isdigit() and len(a.code) == 8 for a in areas)


def test_lor_until_2020_reports_the_duplicate_key_issue_12(engine: Engine) -> None:
    """SOURCE.md: 06010102 'Schloßstraße' occurs twice; the one in Charlottenburg
    is really 04030417. The import names both features and writes nothing."""
    path = shared_file(
        "berlin-lor-plr-until-2020", "berlin-lor-planning-areas-until-2020.geojson"
    )
    fields = AreaFields(level="planning_area", valid_to=dt.date(2020, 12, 31))
    (message,) = refused(engine, path, fields)
    assert message.startswith(
        "The code '06010102' appears twice: row 124 'Schloßstraße'"
    )
    assert "latitude 52.515" in message  # Charlottenburg, the wrong one
    assert "row 205 'Schloßstraße'" in message
    with engine.connect() as conn:
        assert list_areas(conn) == []
