"""``publish_site``: the static build of the public portal, walked file by file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.opendata.datapackage import PACKAGE_FILE
from sozialmonitor.publish.build import (
    MANIFEST,
    Limits,
    PublishLimitError,
    publish_site,
)
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    store_observations,
)
from tests.publish.build_walk import broken_links, files_containing, files_of
from tests.release_data import BASE, DRAFT, NEW_POPULATION_002, make_draft
from tests.store.disclosure_data import CASES, INDICATORS, REGION, TOWNS, rows

SUB = "/sub/path/"
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
"""For tests of the build's own bookkeeping: the reading is the same on both."""
SHARE = {"T1": (1, 73), "T2": (30, 401), "T3": (10, 103), "T4": (5, 81)}
"""T1's numerator 1 is under the minimum of 3: its share (1.3698… %) is suppressed."""


def _tiny_counts_db(engine: Engine) -> None:
    from sozialmonitor.domain.area import Area
    from sozialmonitor.store.writes import save_areas, save_indicators

    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
        save_areas(
            conn,
            [Area(code=REGION, name="Region", level="region")]
            + [
                Area(code=t, name=f"Ort {t}", level="municipality", parent=REGION)
                for t in TOWNS
            ],
        )
        release = draft_release(conn, "r1")
        store_observations(conn, release, rows(conn, CASES, SHARE))
        publish_release(conn, "r1")


@pytest.fixture
def draft_engine(small_engine: Engine) -> Engine:
    """The small database with ``BASE`` published and the draft ``DRAFT``."""
    make_draft(small_engine)
    return small_engine


def test_the_build_holds_the_public_portal_with_every_link_working(
    draft_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    outcome = publish_site(draft_engine, out, base_url=SUB)

    assert outcome.release == BASE
    assert outcome.base == SUB
    assert broken_links(out, SUB) == []
    assert outcome.broken == []
    for page in (
        "index.html",
        "thema/index.html",
        "gebiet/03241001/index.html",
        "indikator/unemployment_share/index.html",
        "api/v1/pages/indikator/unemployment_share.json",
        "indikator/unemployment_share/download.csv",
        "static/css/portal.css",
        "suche/index.html",
        "suche/index.json",
        PACKAGE_FILE,
        "dcat.ttl",
        "dcat.jsonld",
    ):
        assert (out / page).is_file(), page
    # The indicator's other views and downloads became files of their own.
    assert list((out / "indikator/unemployment_share").glob("q-*/index.html"))
    assert list((out / "indikator/unemployment_share").glob("download.q-*.csv"))
    # Nothing internal, no draft: not its name, not its changed figure.
    assert (
        files_containing(
            out,
            "internal_case_load",
            "Fallzahl (intern)",
            DRAFT,
            f"{NEW_POPULATION_002:,.0f}".replace(",", "."),
            str(int(NEW_POPULATION_002)),
        )
        == []
    )
    descriptor = json.loads((out / PACKAGE_FILE).read_text(encoding="utf-8"))
    assert BASE in json.dumps(descriptor)
    # The English pages are left out, and said so; their links lead to German.
    assert any("lang=en" in reason for reason in outcome.left_out)


def test_no_suppressed_value_reaches_any_file(engine: Engine, tmp_path: Path) -> None:
    _tiny_counts_db(engine)
    out = tmp_path / "site"
    publish_site(engine, out, base_url=SUB)

    with engine.connect() as conn:
        public = queries.read_observations(
            conn, queries.ObservationQuery(), audience=Audience.PUBLIC
        )
        internal = queries.read_observations(
            conn, queries.ObservationQuery(), audience=Audience.INTERNAL
        )
    hidden = {
        (o.indicator, o.area, o.period) for o in public if o.flags & Flag.SUPPRESSED
    }
    assert ("share", "T1", "2021") in hidden
    secret = [
        o for o in internal if (o.indicator, o.area, o.period) in hidden and o.value
    ]
    # Every suppressed figure with enough digits to be told apart from others.
    needles = {repr(o.value)[:8] for o in secret if len(repr(o.value)) > 8}
    assert "1.369863" in needles
    assert files_containing(out, *needles) == []
    share_page = (out / "indikator/share/index.html").read_text(encoding="utf-8")
    assert "1,37" not in share_page
    assert broken_links(out, SUB) == []


@sqlite_only
def test_a_second_build_writes_only_what_changed_and_deletes_what_is_gone(
    small_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    first = publish_site(small_engine, out, base_url=SUB)
    assert first.written == first.files > 0
    stale = out / "gebiet/03241003/index.html"
    assert stale.is_file()

    again = publish_site(small_engine, out, base_url=SUB)
    assert (again.written, again.deleted) == (0, 0)
    assert again.unchanged == first.files

    # A new release: only the pages it changed are written again.
    with small_engine.begin() as conn:
        release = draft_release(conn, "2022")
        from tests.release_data import frame, share

        store_observations(
            conn, release, frame(conn, [share("03241001", "2021", 22_000, 301_000)])
        )
        publish_release(conn, "2022")
    third = publish_site(small_engine, out, base_url=SUB)
    assert 0 < third.written < third.files
    assert third.release == "2022"
    assert broken_links(out, SUB) == []
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {
        p.relative_to(out).as_posix() for p in files_of(out)
    }

    # Under another sub-path every page changes; nothing of the old one is left.
    fourth = publish_site(small_engine, out, base_url="/anders/")
    assert fourth.written > 0
    assert broken_links(out, "/anders/") == []


@sqlite_only
def test_a_folder_of_other_files_is_refused(
    small_engine: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SozialmonitorError, match="holds no previous build"):
        publish_site(small_engine, out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@sqlite_only
@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (Limits(max_files=5), "more than 5 pages and files"),
        (Limits(max_bytes=10_000), "more than 10,000 bytes"),
    ],
)
def test_a_build_over_its_limits_stops_and_changes_nothing(
    small_engine: Engine, tmp_path: Path, limits: Limits, message: str
) -> None:
    out = tmp_path / "site"
    publish_site(small_engine, out, base_url=SUB)
    before = {p: p.read_bytes() for p in files_of(out)}
    with pytest.raises(PublishLimitError, match=message):
        publish_site(small_engine, out, base_url="/anders/", limits=limits)
    assert {p: p.read_bytes() for p in files_of(out)} == before
    assert not list(tmp_path.glob(".sozialmonitor-publish-*"))  # no staging left


@sqlite_only
def test_without_a_published_release_there_is_nothing_to_build(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(SozialmonitorError, match="no published release"):
        publish_site(engine, tmp_path / "site")
    assert not (tmp_path / "site").exists()


@sqlite_only
def test_the_search_page_lists_every_page_and_the_index_agrees(
    small_engine: Engine, tmp_path: Path
) -> None:
    from bs4 import BeautifulSoup

    out = tmp_path / "site"
    publish_site(small_engine, out, base_url=SUB)
    soup = BeautifulSoup(
        (out / "suche/index.html").read_text(encoding="utf-8"), "html.parser"
    )
    listed = {a["href"] for a in soup.select("#static-search-list a")}
    index = json.loads((out / "suche/index.json").read_text(encoding="utf-8"))
    assert listed == {p["url"] for p in index["pages"]}
    assert f"{SUB}indikator/unemployment_share/" in listed
    assert f"{SUB}gebiet/03241001/" in listed
    assert soup.select_one("#static-search")["data-index"] == f"{SUB}suche/index.json"
    assert soup.select_one(f'script[src="{SUB}static/publish/suche.js"]') is not None
    assert soup.select_one("form[role=search]")["action"] == f"{SUB}suche/"
