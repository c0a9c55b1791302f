"""The demo database holds the real published figures (see src/sozialmonitor/demo)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

import pytest
import xlrd
from sqlalchemy import Engine

from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.demo import DEMO_RELEASE, build_demo_database
from sozialmonitor.store import queries
from sozialmonitor.store.lineage import list_links
from sozialmonitor.store.queries import ObservationQuery, read_observations
from tests.shared_data import shared_file

BARSINGHAUSEN = "03241002"
MSS_2021_REFERENCE_DATE = dt.date(2020, 12, 31)
OLD_PLANNING_AREAS_END = dt.date(2020, 12, 30)


def value(engine: Engine, indicator: str, area: str, period: str) -> float | None:
    with engine.connect() as conn:
        (found,) = read_observations(
            conn,
            ObservationQuery(indicators=[indicator], areas=[area], periods=[period]),
        )
    return found.value


def test_published_reference_values(demo_sqlite: Engine) -> None:
    # Values quoted in the sources' notes (INKAR; Regionalstatistik 12411-01-01-5).
    assert value(demo_sqlite, "unemployed", BARSINGHAUSEN, "1998") == 1429
    assert value(demo_sqlite, "population", BARSINGHAUSEN, "2015-12-31") == 33608


def test_demo_has_both_cities_with_their_hierarchy(demo_sqlite: Engine) -> None:
    with demo_sqlite.connect() as conn:
        towns = queries.list_areas(conn, parent="03241")
        planning = queries.list_areas(
            conn, level="planning_area", valid_on=MSS_2021_REFERENCE_DATE
        )
        indicators = queries.list_indicators(conn)
        release = queries.latest_published(conn)
    assert len(towns) == 21
    assert len(planning) == 542
    assert len(indicators) >= 10
    assert release is not None and release.name == DEMO_RELEASE


def test_at_least_ten_indicators_over_ten_years(demo_sqlite: Engine) -> None:
    with demo_sqlite.connect() as conn:
        rows = read_observations(conn, ObservationQuery(areas=[BARSINGHAUSEN, "03241"]))
    years: dict[str, set[str]] = {}
    for o in rows:
        years.setdefault(o.indicator, set()).add(o.period[:4])
    assert sum(len(y) >= 10 for y in years.values()) >= 10


def test_region_unemployment_share_is_computed_from_municipalities(
    demo_sqlite: Engine,
) -> None:
    with demo_sqlite.connect() as conn:
        (region,) = read_observations(
            conn,
            ObservationQuery(
                indicators=["unemployment_share"], areas=["03241"], periods=["2021"]
            ),
        )
        towns = read_observations(
            conn,
            ObservationQuery(
                indicators=["unemployment_share"],
                level="municipality",
                periods=["2021"],
            ),
        )
    hannover_towns = [o for o in towns if o.area.startswith("03241")]
    assert len(hannover_towns) == 21
    assert region.flags & Flag.COMPUTED
    assert region.numerator == sum(o.numerator or 0 for o in hannover_towns)
    assert region.value == pytest.approx(
        region.numerator / region.denominator * 100  # type: ignore[operator]
    )


def test_building_twice_reuses_the_database(demo_sqlite: Engine) -> None:
    assert build_demo_database(demo_sqlite) is False


def test_demo_builds_on_postgresql(pg_engine: Engine) -> None:
    assert build_demo_database(pg_engine) is True
    assert value(pg_engine, "unemployed", BARSINGHAUSEN, "1998") == 1429
    assert value(pg_engine, "population", BARSINGHAUSEN, "2015-12-31") == 33608


PILOT = "06-pilot"
PILOT_DISTRICTS = {"06635": 22, "06631": 23, "06531": 18, "06433": 14, "06413": 1}
"""The Hessian pilot's districts and their municipalities (VG5000, 01.01.2021)."""


def test_hessen_pilot_has_five_districts_with_their_municipalities_issue_12(
    demo_sqlite: Engine,
) -> None:
    with demo_sqlite.connect() as conn:
        districts = queries.list_areas(conn, parent=PILOT)
        towns = {d: queries.list_areas(conn, parent=d) for d in PILOT_DISTRICTS}
        (top,) = queries.list_areas(conn, codes=[PILOT])
    assert top.parent is None and top.level == "state"
    assert {d.code: d.name for d in districts} == {
        "06635": "Landkreis Waldeck-Frankenberg",
        "06631": "Landkreis Fulda",
        "06531": "Landkreis Gießen",
        "06433": "Landkreis Groß-Gerau",
        "06413": "Kreisfreie Stadt Offenbach am Main",
    }
    assert {d: len(t) for d, t in towns.items()} == PILOT_DISTRICTS
    assert [t.code for t in towns["06413"]] == ["06413000"]
    assert all(t.level == "municipality" for ts in towns.values() for t in ts)


def test_hessen_district_shares_are_computed_from_their_municipalities(
    demo_sqlite: Engine,
) -> None:
    with demo_sqlite.connect() as conn:
        (fulda,) = read_observations(
            conn,
            ObservationQuery(
                indicators=["unemployment_share"], areas=["06631"], periods=["2021"]
            ),
        )
        towns = read_observations(
            conn,
            ObservationQuery(
                indicators=["unemployed"], level="municipality", periods=["2021"]
            ),
        )
    assert fulda.flags & Flag.COMPUTED
    assert fulda.numerator == sum(o.value or 0 for o in towns if o.area[:5] == "06631")


def test_hessen_values_are_the_source_cells(demo_sqlite: Engine) -> None:
    """A sample of the Hessen demo values against the original files, read here
    with xlrd and csv (not with the readers the build uses)."""
    workbook = shared_file("germany-inkar-gisd/inkar", "A_Arbeitslosigkeit.xls")
    gvb = shared_file("germany-inkar-gisd/gisd", "GISD_Hessen_Gemeindeverband.csv")
    kreis = shared_file("germany-inkar-gisd/gisd", "GISD_Hessen_Kreis.csv")
    sheet = xlrd.open_workbook(str(workbook), logfile=io.StringIO()).sheet_by_name(
        "Daten"
    )
    years = [str(v) for v in sheet.row_values(1)]
    rows = {str(sheet.cell_value(r, 0)): r for r in range(2, sheet.nrows)}
    for ags in ("06413000", "06631001", "06635022"):
        for year in ("1998", "2021"):
            cell = sheet.cell_value(rows[ags], years.index(year))
            assert value(demo_sqlite, "unemployed", ags, year) == cell

    def gisd(path: Path, key: str, area: str, year: str) -> float:
        with path.open(encoding="utf-8") as handle:
            return next(
                float(r["gisd_score"])
                for r in csv.DictReader(handle)
                if r[key] == area and r["year"] == year
            )

    # published with five decimals, stored as published
    assert value(demo_sqlite, "gisd_score", "06631001", "2019") == gisd(
        gvb, "gvb_id", "066310001", "2019"
    )
    assert value(demo_sqlite, "gisd_score", "06413", "2021") == gisd(
        kreis, "kreis_id", "06413", "2021"
    )


def test_berlin_planning_areas_before_and_after_2021_issue_12(
    demo_sqlite: Engine,
) -> None:
    with demo_sqlite.connect() as conn:
        every = queries.list_areas(conn, level="planning_area")
        on_reference_date = queries.list_areas(
            conn, level="planning_area", valid_on=MSS_2021_REFERENCE_DATE
        )
        before = queries.list_areas(
            conn, level="planning_area", valid_on=OLD_PLANNING_AREAS_END
        )
        links = list_links(conn)
        status = read_observations(
            conn,
            ObservationQuery(indicators=["mss_status_index"], level="planning_area"),
        )
    old = [a for a in every if a.valid_to is not None]
    assert len(old) == 447 and len(every) == 447 + 542
    assert {a.valid_to for a in old} == {OLD_PLANNING_AREAS_END}
    assert {a.code for a in before} == {a.code for a in old}
    assert len(on_reference_date) == 542
    assert {a.valid_from for a in on_reference_date} == {MSS_2021_REFERENCE_DATE}
    # the MSS 2021 values stay at their reference date, on the areas valid then
    assert {o.period for o in status} == {"2020-12-31"}
    assert {o.area for o in status} <= {a.code for a in on_reference_date}
    # every old area has successors whose shares of its surface add up to 1
    shares: dict[str, float] = defaultdict(float)
    for link in links:
        shares[link.predecessor] += link.share or 0
    assert set(shares) == {a.code for a in old}
    assert all(abs(total - 1) < 0.001 for total in shares.values())
    assert {x.successor for x in links} == {a.code for a in on_reference_date}
    # the two key fixes of the source: Charlottenburg's Schloßstraße has its own
    # key, and Allende II (one area until 2020) was split in two in 2021
    names = {a.code: a.name for a in every}
    assert names["04030417"] == names["06010102"] == "Schloßstraße"
    allende = {x.successor: x.kind.value for x in links if x.predecessor == "09041402"}
    assert allende == {"09401432": "split", "09401433": "split"}
