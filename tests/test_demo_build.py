"""The build of the demo data (issue 12): ``scripts/build_demo_data.py`` reads the
official exports through the project's readers and shipped mappings
(``scripts/demo_sets/official.py``). Small generated files in the exports' layouts
check the path without the shared data; the committed files are checked against a
rebuild from ``../shared/data`` when it is there."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.ingest.official.test_inkar import inkar_xls
from tests.shared_data import shared_data

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

from demo_sets import official  # noqa: E402


def test_generated_inkar_files_go_through_the_shipped_mappings(tmp_path: Path) -> None:
    official.mapped.cache_clear()
    unemployed = inkar_xls(
        tmp_path / "A_Arbeitslosigkeit.xls",
        [
            ["Kennziffer", "Raumeinheit", "Aggregat", "Arbeitslose", "Arbeitslose"],
            [None, None, None, "2020", "2021"],
            ["06433001", "Biebesheim am Rhein", "Gemeinden", 120.0, "-"],
            ["06433002", "Bischofsheim", "Gemeinden", 250.0, 260.0],
            ["03241001", "Hannover", "Gemeinden", 9999.0, 9999.0],
        ],
    )
    name = "Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)"
    working_age = inkar_xls(
        tmp_path / "A_ErwerbsfaehigeBevoelkerung.xls",
        [
            ["Kennziffer", "Raumeinheit", "Aggregat", name, name],
            [None, None, None, "2020", "2021"],
            ["06433001", "Biebesheim am Rhein", "Gemeinden", 1000.0, 1010.0],
            ["06433002", "Bischofsheim", "Gemeinden", 3000.0, 3120.0],
        ],
    )
    towns = {"06433001": "06433001", "06433002": "06433002"}
    long, declared = official.mapped(unemployed)
    assert declared["unemployed"]["kind"] == "count"  # the mapping's declaration
    found = official.series(long, "unemployed", towns)
    assert found == {
        "06433001": {"2020": "120", "2021": None},  # '-': no value
        "06433002": {"2020": "250", "2021": "260"},
    }
    base = official.series(
        official.mapped(working_age)[0], "working_age_population", towns
    )
    shares = official.shares("unemployment_share", found, base, break_2011=False)
    assert {(r["area"], r["period"]): r["value"] for r in shares} == {
        ("06433001", "2020"): "12",
        ("06433002", "2020"): "8.333",
        ("06433002", "2021"): "8.333",
    }
    first = next(r for r in shares if r["area"] == "06433001")
    assert (first["numerator"], first["denominator"]) == ("120", "1000")


def test_gemeindeverband_keys_and_gisd_names(tmp_path: Path) -> None:
    keys = official.gvb_keys(["06433001", "06413000"])
    assert keys == {"064330001": "06433001", "064130000": "06413000"}
    gisd = tmp_path / "GISD_Hessen_Gemeindeverband.csv"
    gisd.write_text(
        "gvb_id,gvb_name,year,gisd_score\n"
        "064330001,Biebesheim am Rhein,2019,0.123456\n"
        '064130000,"Offenbach am Main, Stadt",2019,NA\n'
        "073355001,Verbandsgemeinde Irgendwo,2019,0.5\n",
        encoding="utf-8",
    )
    names = {"06433001": "Biebesheim am Rhein", "06413000": "Offenbach am Main"}
    rows = official.gisd_rows(gisd, "gvb_id", keys, names)
    assert [(r["area"], r["period"], r["value"]) for r in rows] == [
        ("06433001", "2019", "0.12346")  # five decimals; NA: no row
    ]
    with pytest.raises(AssertionError, match="06433001 is 'Biebesheim am Rhein'"):
        official.gisd_rows(gisd, "gvb_id", keys, {**names, "06433001": "Trebur"})
    # a municipality in a Verbandsgemeinde has no own key: refused, not guessed
    with pytest.raises(AssertionError, match="no rows for"):
        official.gisd_rows(gisd, "gvb_id", official.gvb_keys(["07335001"]), {})


def test_a_flagged_or_secret_cell_is_refused() -> None:
    assert official.plain("1.234,5", "here") == "1234.5"
    assert official.plain("-", "here") is None
    # the demo has no use for provisional or secret cells: the build stops
    for raw in ("12p", "."):
        with pytest.raises(ValueError, match=f"here: '{raw}' is not a plain number"):
            official.plain(raw, "here")


def test_the_committed_demo_files_are_what_the_build_makes() -> None:
    shared = shared_data()
    if not (shared / "germany-inkar-gisd").is_dir():
        pytest.skip(f"the shared data is not at {shared}")
    import build_demo_data

    assert build_demo_data.main(["--shared", str(shared), "--check"]) == 0


def test_check_names_what_differs_and_leaves_other_sets_alone(tmp_path: Path) -> None:
    import build_demo_data

    built, committed = tmp_path / "built", tmp_path / "committed"
    for root in (built, committed):
        (root / "hessen").mkdir(parents=True)
        (root / "ATTRIBUTION.md").write_text("same")
    (built / "hessen" / "observations.csv").write_text("indicator\nnew\n")
    (committed / "hessen" / "observations.csv").write_text("indicator\nold\n")
    (committed / "hessen" / "stale.csv").write_text("")
    (committed / "berlin-2020").mkdir()  # another helper's set, not built here
    (committed / "berlin-2020" / "areas.geojson").write_text("{}")
    assert build_demo_data.differences(built, committed) == [
        "hessen/observations.csv",
        "hessen/stale.csv",
    ]
