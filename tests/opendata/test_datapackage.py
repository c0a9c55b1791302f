"""The Data Package of a published release: valid under frictionless, public values
only, suppressed cells empty, every value as the public read gate gives it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from frictionless import Package, validate
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import ReleaseStateError, SozialmonitorError
from sozialmonitor.opendata.datapackage import PACKAGE_FILE, write_datapackage
from sozialmonitor.store import queries
from tests.fixtures import make_demo_db
from tests.release_data import make_draft
from tests.store.disclosure_data import make_small_counts_db


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / "values" / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_package_is_valid_and_holds_every_public_value(
    engine: Engine, tmp_path: Path
) -> None:
    make_demo_db(engine)
    folder = tmp_path / "package"
    outcome = write_datapackage(engine, folder)

    report = validate(folder / PACKAGE_FILE)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((folder / PACKAGE_FILE).read_text(encoding="utf-8"))
    names = {r["name"] for r in descriptor["resources"]}
    assert names == {"indicators", "areas", "unemployment_share", "population"}
    assert "internal_case_load" not in (folder / "indicators.csv").read_text()
    assert not (folder / "values" / "internal_case_load.csv").exists()

    with engine.connect() as conn:
        expected = queries.read_observations(
            conn,
            queries.ObservationQuery(indicators=["unemployment_share"]),
            audience=Audience.PUBLIC,
        )
    written = _rows(folder, "unemployment_share")
    assert [(r["area"], r["period"], float(r["value"])) for r in written] == [
        (o.area, o.period, o.value) for o in expected
    ]
    assert outcome.values == sum(
        len(_rows(folder, n)) for n in ("unemployment_share", "population")
    )


def test_each_indicator_carries_its_licence_and_source(
    engine: Engine, tmp_path: Path
) -> None:
    make_demo_db(engine)
    write_datapackage(engine, tmp_path / "p")
    package = Package(tmp_path / "p" / PACKAGE_FILE)
    values = package.get_resource("unemployment_share")
    assert values.licenses[0]["path"].startswith("http://dcat-ap.de/def/licenses/")
    assert values.schema.foreign_keys[0]["reference"]["resource"] == "areas"


def test_a_suppressed_cell_is_empty_with_its_flag(
    engine: Engine, tmp_path: Path
) -> None:
    make_small_counts_db(engine)  # T1's count of 2 is under the minimum of 3
    write_datapackage(engine, tmp_path / "p")
    cases = {r["area"]: r for r in _rows(tmp_path / "p", "cases")}
    assert cases["T1"]["value"] == ""
    assert "suppressed" in cases["T1"]["flags"]
    assert cases["T2"]["value"] == "40.0"
    share = {r["area"]: r for r in _rows(tmp_path / "p", "share")}
    assert (share["T1"]["value"], share["T1"]["numerator"]) == ("", "")
    assert validate(tmp_path / "p" / PACKAGE_FILE).valid


def test_only_a_published_release_becomes_open_data(
    engine: Engine, tmp_path: Path
) -> None:
    make_demo_db(engine)
    make_draft(engine)
    with engine.connect() as conn:
        draft = next(r.name for r in queries.list_releases(conn) if r.is_editable)
    with pytest.raises(ReleaseStateError, match="published releases only"):
        write_datapackage(engine, tmp_path / "p", release=draft)
    assert not (tmp_path / "p").exists()
    write_datapackage(engine, tmp_path / "q")  # the newest published, not the draft
    assert draft not in (tmp_path / "q" / PACKAGE_FILE).read_text()


def test_a_folder_with_files_is_refused(engine: Engine, tmp_path: Path) -> None:
    make_demo_db(engine)
    folder = tmp_path / "package"
    folder.mkdir()
    (folder / "old.csv").write_text("x")
    with pytest.raises(SozialmonitorError, match="not an empty folder"):
        write_datapackage(engine, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["old.csv"]
