"""Correspondence of two boundary vintages from their overlap (issue 12): on small
generated boundaries, and on Berlin's planning areas before and after 2021."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box, mapping
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.analysis.correspondence import overlap_links
from sozialmonitor.cli import app
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.lineage import LineageKind, ShareBasis
from sozialmonitor.ingest.area_fields import AreaFields
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.ingest.lineage import import_lineage
from sozialmonitor.store.lineage import lineage_of, list_links
from sozialmonitor.store.queries import list_areas
from sozialmonitor.store.writes import save_areas
from tests.cli_access import cli_env
from tests.shared_data import shared_file

CHANGE = dt.date(2021, 1, 1)
ENDED = dt.date(2020, 12, 31)
RTOL = 1e-3
"""Shares are rounded to 4 decimals."""


def square(code: str, name: str, x0: float, x1: float, **validity: dt.date) -> Area:
    """An area between longitudes x0 and x1 (13° E + …), latitudes 52.4–52.5."""
    geometry = box(13 + x0, 52.4, 13 + x1, 52.5)
    return Area(
        code=code,
        name=name,
        level="planning_area",
        geometry=json.dumps(mapping(geometry)),
        **validity,
    )


OLD = [
    square("O1", "Nord", 0.0, 0.1, valid_to=ENDED),
    square("O2", "Mitte", 0.1, 0.15, valid_to=ENDED),
    square("O3", "Süd", 0.15, 0.2, valid_to=ENDED),
    square("O4", "Ost", 0.2, 0.3, valid_to=ENDED),
    square("O5", "West", 0.3, 0.4, valid_to=ENDED),
]
NEW = [
    square("N1", "Nord-West", 0.0, 0.025, valid_from=CHANGE),  # O1 split 1 : 3
    square("N2", "Nord-Ost", 0.025, 0.1, valid_from=CHANGE),
    square("N3", "Mitte-Süd", 0.1, 0.2, valid_from=CHANGE),  # O2 + O3 merged
    square("N4", "Ost", 0.2, 0.3, valid_from=CHANGE),  # O4 recoded
    square("N5", "Westend", 0.3, 0.4001, valid_from=CHANGE),  # O5 renamed, sliver
]


def test_split_merge_recode_rename_from_overlap() -> None:
    links = overlap_links(OLD, NEW, valid_on=CHANGE)
    found = {(x.predecessor, x.successor): (x.kind, x.share) for x in links}
    assert found.keys() == {
        ("O1", "N1"),
        ("O1", "N2"),
        ("O2", "N3"),
        ("O3", "N3"),
        ("O4", "N4"),
        ("O5", "N5"),
    }
    assert found[("O1", "N1")][0] is LineageKind.SPLIT
    assert found[("O1", "N1")][1] == pytest.approx(0.25, rel=RTOL)
    assert found[("O1", "N2")][1] == pytest.approx(0.75, rel=RTOL)
    assert found[("O2", "N3")] == (LineageKind.MERGED, 1.0)
    assert found[("O4", "N4")] == (LineageKind.RECODED, 1.0)
    assert found[("O5", "N5")] == (LineageKind.RENAMED, 1.0)
    assert {x.basis for x in links} == {ShareBasis.AREA}
    assert {x.valid_on for x in links} == {CHANGE}


def test_slivers_are_left_out() -> None:
    """A new boundary drawn 0.5 % into the neighbour is no move of area."""
    old = [square("O1", "A", 0.0, 0.1), square("O2", "B", 0.1, 0.2)]
    new = [square("N1", "A", 0.0, 0.1005), square("N2", "B", 0.1005, 0.2)]
    links = overlap_links(old, new, valid_on=CHANGE)
    assert [(x.predecessor, x.successor, x.share) for x in links] == [
        ("O1", "N1", 1.0),
        ("O2", "N2", 1.0),
    ]


def test_cli_overlap_table_imports_as_lineage(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        save_areas(conn, OLD + NEW)
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "plr.csv"
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["--db", url, "lineage", "overlap", "--level", "planning_area"]
        + ["--on", "2021-01-01", "--output", str(out)],
        env=cli_env(url),
    )
    assert result.exit_code == 0, result.output
    assert "6 links of 5 old and 5 new areas" in result.stdout
    assert out.read_text("utf-8").splitlines()[:2] == [
        "old_code,new_code,kind,valid_on,share,basis",
        "O1,N1,split,2021-01-01,0.25,area",
    ]
    assert import_lineage(engine, out).rows_written == 6
    with engine.connect() as conn:
        assert [x.predecessor for x in lineage_of(conn, "N3").predecessors] == [
            "O2",
            "O3",
        ]


def test_cli_overlap_needs_both_vintages(engine: Engine) -> None:
    with engine.begin() as conn:
        save_areas(conn, NEW)
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        ["--db", url, "lineage", "overlap", "--level", "planning_area", "--on"]
        + ["2021-01-01"],
        env=cli_env(url),
    )
    assert result.exit_code == 1
    assert "has 0 areas that ended before 2021-01-01 and 5 that began" in (
        result.stderr
    )


# --- Berlin's planning areas, 447 (448 features) until 2020 and 542 since 2021 ------


def old_lor_fixed(tmp_path: Path) -> Path:
    """The old LOR file with the key error SOURCE.md describes corrected: the
    'Schloßstraße' in Charlottenburg (north of latitude 52.5) is 04030417."""
    path = shared_file(
        "berlin-lor-plr-until-2020", "berlin-lor-planning-areas-until-2020.geojson"
    )
    frame = gpd.read_file(path)
    wrong = (frame["id"] == "06010102") & (
        frame.geometry.representative_point().y > 52.5
    )
    assert wrong.sum() == 1
    frame.loc[wrong, "id"] = "04030417"
    fixed = tmp_path / "old.geojson"
    frame[["id", "name", "geometry"]].to_file(fixed, driver="GeoJSON")
    return fixed


def test_berlin_planning_areas_2020_to_2021(engine: Engine, tmp_path: Path) -> None:
    new_file = shared_file("berlin-lor-2021", "lor_planungsraeume_2021.shp")
    old_file = old_lor_fixed(tmp_path)
    import_areas(
        engine, old_file, fields=AreaFields(level="planning_area", valid_to=ENDED)
    )
    new_fields = AreaFields(
        code_field="PLR_ID",
        name_field="PLR_NAME",
        level="planning_area",
        valid_from=CHANGE,
    )
    import_areas(engine, new_file, fields=new_fields)
    with engine.connect() as conn:
        areas = list_areas(conn, with_geometry=True)
    old = [a for a in areas if a.valid_to]
    new = [a for a in areas if a.valid_from]
    assert (len(old), len(new)) == (448, 542)
    links = overlap_links(old, new, valid_on=CHANGE)
    shares: dict[str, float] = defaultdict(float)
    for link in links:
        shares[link.predecessor] += link.share or 0
    assert len(shares) == 448  # every old area went somewhere
    assert {x.successor for x in links} == {a.code for a in new}
    assert all(abs(s - 1) < RTOL for s in shares.values())
    # The largest part of an old area lies in the new area of the same name, for
    # the old areas whose name the new vintage has exactly once.
    names = {a.code: a.name for a in areas}
    new_by_name: dict[str, list[str]] = defaultdict(list)
    for a in new:
        new_by_name[a.name].append(a.code)
    biggest: dict[str, tuple[float, str]] = {}
    for link in links:
        biggest[link.predecessor] = max(
            biggest.get(link.predecessor, (0.0, "")), (link.share or 0, link.successor)
        )
    unique = [a for a in old if len(new_by_name.get(a.name, ())) == 1]
    agree = [a for a in unique if biggest[a.code][1] == new_by_name[a.name][0]]
    assert len(unique) > 300
    assert len(agree) / len(unique) > 0.95
    # Both 'Schloßstraße' keep their district: the corrected key finds its own.
    assert biggest["04030417"][1].startswith("04")
    assert biggest["06010102"][1].startswith("06")
    assert names[biggest["04030417"][1]] == "Schloßstraße"

    out = tmp_path / "plr.csv"
    url = engine.url.render_as_string(hide_password=False)
    assert (
        CliRunner()
        .invoke(
            app,
            ["--db", url, "lineage", "overlap", "--level", "planning_area"]
            + ["--on", "2021-01-01", "--output", str(out)],
            env=cli_env(url),
        )
        .exit_code
        == 0
    )
    assert import_lineage(engine, out).rows_written == len(links)
    with engine.connect() as conn:
        assert len(list_links(conn)) == len(links)
