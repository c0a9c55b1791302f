"""Backup and restore (issue 11): a restored database serves exactly what the original
did, on SQLite and PostgreSQL in every direction, and a hostile file writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, inspect, select, text

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Flag
from sozialmonitor.errors import (
    BackupFileError,
    BackupVersionError,
    BackupWriteError,
    RestoreTargetError,
    SchemaRevisionError,
    SozialmonitorError,
)
from sozialmonitor.export import observations_frame as export_frame
from sozialmonitor.export import to_bytes
from sozialmonitor.store import queries, schema
from sozialmonitor.store.backup import archive as archive_module
from sozialmonitor.store.backup import backup, read_manifest, restore
from sozialmonitor.store.backup.archive import MANIFEST
from sozialmonitor.store.backup.migration import script, upgrade
from sozialmonitor.store.coverage import read_coverage
from sozialmonitor.store.data_version import data_version
from sozialmonitor.store.database import connect, init_database, schema_is_current
from sozialmonitor.store.release_diff import release_diff
from sozialmonitor.store.writes import (
    draft_release,
    log_import,
    publish_release,
    remove_observations,
    save_areas,
    store_observations,
    withdraw_release,
)
from tests.conftest import own_pg_database, reset_postgres
from tests.fixtures import make_demo_db

OLD_REVISION = "0001"
"""Its tables hold what 0002 does; 0002 only rebuilt an index."""
GEOMETRY = (
    '{"type":"Polygon","coordinates":[[[9.7,52.3],[9.8,52.3],[9.8,52.4],[9.7,52.3]]]}'
)
ODD_FLOATS = (0.1 + 0.2, 1e-300, 123456789.12345679, -2.5e17, 5e-324)
ODD_PERIODS = ("2022-H1", "2022-H2", "2022-03-31", "2022-06-30")


# --- databases --------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_target_server() -> Iterator[str]:
    """A second PostgreSQL database of this session, the target of restores whose
    source is the ``db_url`` one."""
    with own_pg_database("_restore") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a second, empty database (not initialised, SQLite file not existing)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    url: str = request.getfixturevalue("pg_target_server")
    reset_postgres(url)
    return url


@pytest.fixture
def source(engine: Engine) -> Engine:
    """The demo database with more history: four releases (published, published
    with a change and a removal, withdrawn, draft), an internal indicator with values,
    an area with boundary and dates, odd floats, notes and the import log."""
    make_rich_db(engine)
    return engine


def make_rich_db(engine: Engine, log_file: Path | None = None) -> None:
    make_demo_db(engine)
    with engine.begin() as conn:
        save_areas(
            conn,
            [
                Area(
                    code="03241004",
                    name="Gemeinde 004 – Süd",
                    level="municipality",
                    parent="03241",
                    valid_from=dt.date(2021, 1, 1),
                    valid_to=dt.date(2024, 12, 31),
                    successor="03241001",
                    geometry=GEOMETRY,
                )
            ],
        )
        ids = {a.code: queries.area_id(conn, a.code) for a in queries.list_areas(conn)}
        share = queries.indicator_id(conn, "unemployment_share")
        population = queries.indicator_id(conn, "population")
        internal = queries.indicator_id(conn, "internal_case_load")

        second = draft_release(conn, "2022-H1")
        rows = [
            (share, "03241001", "2022", 7.25, 22_000.0, 303_000.0, 0, "vorläufig ✓"),
            (
                share,
                "03241002",
                "2021",
                5.5,
                1_105.0,
                20_100.0,
                int(Flag.REVISED),
                None,
            ),
            (share, "03241004", "2022", None, None, None, int(Flag.SUPPRESSED), "."),
            (population, "03241004", "2022", 12_345.0, None, None, 0, None),
            (internal, "03241001", "2022", 42.0, None, None, 0, "intern"),
        ]
        rows += [
            (population, "03241003", period, v, None, None, 0, None)
            for period, v in zip(ODD_PERIODS, ODD_FLOATS[:4], strict=True)
        ]
        store_observations(conn, second, _frame(rows, ids))
        remove_observations(conn, second, [(population, ids["03241003"], "2020")])
        publish_release(conn, "2022-H1")

        third = draft_release(conn, "2022-H2")
        store_observations(
            conn,
            third,
            _frame(
                [(share, "03241003", "2022", ODD_FLOATS[4], 1.0, 2.0, 0, None)], ids
            ),
        )
        publish_release(conn, "2022-H2")
        withdraw_release(conn, "2022-H2", "Fehler in der Quelle")

        draft = draft_release(conn, "2023-Entwurf")
        store_observations(
            conn,
            draft,
            _frame(
                [(share, "03241001", "2023", 6.0, 18_000.0, 300_000.0, 1, None)], ids
            ),
        )
        if log_file is not None:
            log_import(
                conn,
                kind="observations",
                path=log_file,
                release=second,
                rows_read=9,
                rows_written=9,
            )


def _frame(rows: list[tuple[Any, ...]], ids: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": ind,
                "area_id": ids[area],
                "period": period,
                "value": value,
                "numerator": num,
                "denominator": den,
                "flags": flags,
                "note": note,
            }
            for ind, area, period, value, num, den, flags, note in rows
        ]
    )


@pytest.fixture
def logged_source(engine: Engine, tmp_path: Path) -> Engine:
    log_file = tmp_path / "werte.csv"
    log_file.write_text("indicator,area,period,value\n", encoding="utf-8")
    make_rich_db(engine, log_file)
    return engine


# --- what a database serves -------------------------------------------------------


def served(engine: Engine) -> dict[str, Any]:
    """Everything the database answers through the public and internal reads: every
    indicator, stored and computed, as of every release, for both audiences; areas
    with geometry, indicators, levels, releases, coverage, release differences, the
    import log and the CSV exports."""
    found: dict[str, Any] = {}
    with engine.connect() as conn:
        releases = queries.list_releases(conn)
        found["levels"] = queries.list_levels(conn)
        found["areas"] = queries.list_areas(conn, with_geometry=True)
        levels = sorted({a.level for a in found["areas"]})
        found["releases"] = releases
        found["latest"] = queries.latest_published(conn)
        found["data_version"] = data_version(conn)
        log = schema.import_log
        found["import_log"] = [
            {**r._mapping, "imported_at": _utc(r.imported_at)}
            for r in conn.execute(select(log).order_by(log.c.id))
        ]
        for audience in (Audience.PUBLIC, Audience.INTERNAL):
            found[f"indicators {audience}"] = queries.list_indicators(
                conn, audience=audience
            )
            found[f"coverage {audience}"] = read_coverage(conn, audience=audience)
            for as_of in [None, *(r.name for r in releases)]:
                for level in [None, *levels]:  # with a level: parents computed
                    for computed in (True, False):
                        key = f"{audience} {as_of} {level} {computed}"
                        query = queries.ObservationQuery(
                            as_of=as_of, level=level, computed=computed
                        )
                        try:
                            rows: Any = queries.read_observations(
                                conn, query, audience=audience
                            )
                        except SozialmonitorError as exc:
                            rows = exc.code
                        found[f"observations {key}"] = rows
                        if isinstance(rows, str):
                            continue
                        areas = queries.list_areas(conn, codes={o.area for o in rows})
                        frame = export_frame(rows, areas)
                        for fmt in ("csv", "csv-de"):
                            found[f"export {fmt} {key}"] = to_bytes(frame, fmt)
        published = [r.name for r in releases if r.sequence is not None]
        for old, new in zip(published, published[1:], strict=False):
            found[f"diff {old} {new}"] = release_diff(conn, old, new)
    return found


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def assert_serves_the_same(original: dict[str, Any], restored: dict[str, Any]) -> None:
    assert original.keys() == restored.keys()
    for key, value in original.items():
        assert restored[key] == value, key


def test_served_covers_every_kind_of_read(source: Engine) -> None:
    """The comparison is not vacuous: the demo history shows up in it."""
    found = served(source)
    assert len(found["releases"]) == 4
    assert any(a.geometry == GEOMETRY for a in found["areas"])
    public = found[f"observations {Audience.PUBLIC} None None True"]
    internal = found[f"observations {Audience.INTERNAL} None None True"]
    region = found[f"observations {Audience.PUBLIC} None region True"]
    assert {o.indicator for o in internal} - {o.indicator for o in public} == {
        "internal_case_load"
    }
    assert found[f"observations {Audience.PUBLIC} 2023-Entwurf None True"] == (
        "unknown-release"
    )
    # 0.30000000000000004 people are a count under the minimum: the public gets the
    # cell hidden, the administration the exact float, and both are compared.
    assert any(o.value == ODD_FLOATS[0] for o in internal)
    odd = [o for o in public if o.area == "03241003" and o.period == "2022-H1"]
    assert odd and all(o.value is None for o in odd)
    assert any(o.flags & Flag.COMPUTED for o in region)  # parents from children
    assert found["diff 2021-H2 2022-H1"]


# --- round trips ------------------------------------------------------------------


@pytest.mark.parametrize("initialised", [False, True], ids=["new", "initialised"])
def test_restore_serves_exactly_what_the_original_did(
    logged_source: Engine, target_url: str, tmp_path: Path, initialised: bool
) -> None:
    file = tmp_path / "backup.zip"
    manifest = backup(logged_source, file)
    target = connect(target_url)
    if initialised:
        init_database(target)
    result = restore(file, target)

    assert result.schema_revision == head_revision()
    assert schema_is_current(target)
    assert_serves_the_same(served(logged_source), served(target))
    counts = {t.name: t.rows for t in manifest.tables}
    assert counts["observation"] == _count(logged_source, "observation") > 20
    assert counts["import_log"] == 1
    target.dispose()


def test_backup_of_a_restored_database_is_the_same_file_content(
    source: Engine, tmp_path: Path
) -> None:
    """Same dialect, same data: every member has the same checksum again."""
    first = backup(source, tmp_path / "first.zip")
    with _sibling(source, tmp_path) as target:
        restore(tmp_path / "first.zip", target)
        second = backup(target, tmp_path / "second.zip")
    assert [(t.name, t.rows, t.sha256) for t in second.tables] == [
        (t.name, t.rows, t.sha256) for t in first.tables
    ]


def test_restored_rows_are_stored_as_the_original_stored_them(
    logged_source: Engine, tmp_path: Path
) -> None:
    """Same dialect: every table holds the same values as the driver returns them
    (SQLite: the same text for dates and times as SQLAlchemy writes)."""
    backup(logged_source, tmp_path / "b.zip")
    with _sibling(logged_source, tmp_path) as target:
        restore(tmp_path / "b.zip", target)
        for table in [*schema.metadata.sorted_tables]:
            assert _raw_rows(target, table.name) == _raw_rows(
                logged_source, table.name
            ), table.name
    with logged_source.connect() as conn:
        created = conn.exec_driver_sql("SELECT created_at FROM release").scalar()
    if logged_source.dialect.name == "sqlite":
        assert isinstance(created, str) and "+" not in created


def _raw_rows(engine: Engine, table: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f'SELECT * FROM "{table}"').all()
    return sorted((tuple(r) for r in rows), key=repr)


@contextmanager
def _sibling(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the same kind as ``engine``, dropped afterwards."""
    if engine.dialect.name == "sqlite":
        sibling = connect(f"sqlite:///{tmp_path / 'sibling.db'}")
        yield sibling
        sibling.dispose()
        return
    url = engine.url.set(database=f"{engine.url.database}_sibling")
    admin = connect(engine.url.render_as_string(hide_password=False))

    def run(statement: str) -> None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(statement))

    run(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    run(f'CREATE DATABASE "{url.database}"')
    sibling = connect(url.render_as_string(hide_password=False))
    try:
        yield sibling
    finally:
        sibling.dispose()
        run(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        admin.dispose()


def test_every_table_of_the_schema_is_in_the_backup(
    small_engine: Engine, tmp_path: Path
) -> None:
    manifest = backup(small_engine, tmp_path / "b.zip")
    names = [t.name for t in manifest.tables]
    assert set(names) == set(schema.metadata.tables) | {"alembic_version"}
    # parents before children, so a restore can insert in this order
    assert names.index("area_level") < names.index("area")
    assert names.index("release") < names.index("import_log")
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        for entry in manifest.tables:
            data = archive.read(entry.member)
            assert hashlib.sha256(data).hexdigest() == entry.sha256
            assert len(data.splitlines()) == entry.rows
    assert read_manifest(tmp_path / "b.zip") == manifest


def test_floats_dates_and_nulls_are_written_exactly(
    source: Engine, tmp_path: Path
) -> None:
    manifest = backup(source, tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        observations = [
            json.loads(line)
            for line in archive.read("tables/observation.jsonl").splitlines()
        ]
        area = [
            json.loads(line) for line in archive.read("tables/area.jsonl").splitlines()
        ]
        releases = archive.read("tables/release.jsonl").decode().splitlines()
    columns = [c.name for c in manifest.table("observation").columns]
    values = {row[columns.index("value")] for row in observations}
    assert set(ODD_FLOATS) <= values
    assert None in values
    south = next(row for row in area if row[1] == "03241004")
    assert "2021-01-01" in south and "2024-12-31" in south and GEOMETRY in south
    assert all("+00:00" in line for line in releases)


def test_a_restored_database_takes_new_imports(
    source: Engine, target_url: str, tmp_path: Path
) -> None:
    """Ids continue after the restored ones (PostgreSQL: the sequences moved)."""
    backup(source, tmp_path / "b.zip")
    target = connect(target_url)
    restore(tmp_path / "b.zip", target)
    log_file = tmp_path / "neu.csv"
    log_file.write_text("x\n", encoding="utf-8")
    with target.begin() as conn:
        before = {r.id for r in queries.list_releases(conn)}
        save_areas(conn, [Area(code="03241005", name="Neu", level="municipality")])
        ids = {a.code: queries.area_id(conn, a.code) for a in queries.list_areas(conn)}
        share = queries.indicator_id(conn, "unemployment_share")
        release = draft_release(conn, "2024")
        store_observations(
            conn,
            release,
            _frame([(share, "03241005", "2024", 3.5, 35.0, 1000.0, 0, None)], ids),
        )
        log_import(
            conn,
            kind="observations",
            path=log_file,
            release=release,
            rows_read=1,
            rows_written=1,
        )
        publish_release(conn, "2024")
    assert release.id not in before and release.id > max(before)
    assert ids["03241005"] == max(ids.values())
    with target.connect() as conn:
        rows = queries.read_observations(
            conn, queries.ObservationQuery(areas=["03241005"])
        )
    assert [(o.value, o.release) for o in rows] == [(3.5, "2024")]
    target.dispose()


def test_backup_is_one_consistent_snapshot(source: Engine, tmp_path: Path) -> None:
    """An import committed while the backup runs is not in it, not even in part."""
    expected = served(source)
    observations = _count(source, "observation")

    def import_meanwhile(table: str, _rows: int) -> None:
        if table != "area_level":
            return
        with source.begin() as conn:
            release = draft_release(conn, "meanwhile")
            ids = {
                a.code: queries.area_id(conn, a.code) for a in queries.list_areas(conn)
            }
            share = queries.indicator_id(conn, "unemployment_share")
            store_observations(
                conn,
                release,
                _frame([(share, "03241002", "2023", 1.0, 1.0, 100.0, 0, None)], ids),
            )
            publish_release(conn, "meanwhile")

    manifest = backup(source, tmp_path / "b.zip", progress=import_meanwhile)
    assert _count(source, "observation") == observations + 1  # it did happen
    assert manifest.table("observation").rows == observations
    assert manifest.table("release").rows == 4
    target = connect(f"sqlite:///{tmp_path / 'restored.db'}")
    restore(tmp_path / "b.zip", target)
    assert_serves_the_same(expected, served(target))
    target.dispose()


def test_an_older_schema_revision_is_upgraded(
    small_engine: Engine, tmp_path: Path
) -> None:
    """A backup of revision 0001 is restored and upgraded to the newest revision."""
    backup(small_engine, tmp_path / "head.zip")
    old = as_of_revision(tmp_path / "head.zip", tmp_path / "old.zip", OLD_REVISION)
    assert read_manifest(old).schema_revision == OLD_REVISION
    target = connect(f"sqlite:///{tmp_path / 'restored.db'}")
    result = restore(old, target)
    assert result.schema_revision == head_revision() != OLD_REVISION
    assert schema_is_current(target)
    index = next(
        ix
        for ix in inspect(target).get_indexes("observation")
        if ix["name"] == "ix_observation_area"
    )
    assert "release_id" in index["column_names"]  # built by the 0002 migration
    assert_serves_the_same(served(small_engine), served(target))
    target.dispose()


def head_revision() -> str:
    return str(script(connect("sqlite://")).get_current_head())


def as_of_revision(good: Path, out: Path, revision: str) -> Path:
    """A backup as it would have been written at an older schema revision: only
    the tables and columns that revision has (it holds the rows of the newer one)."""
    scratch = connect("sqlite://")
    with scratch.connect() as conn, conn.begin():
        upgrade(scratch, conn, revision)
        columns = {
            name: [c["name"] for c in inspect(conn).get_columns(name)]
            for name in inspect(conn).get_table_names()
        }
    scratch.dispose()

    def older(manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        manifest["schema_revision"] = revision
        manifest["tables"] = [t for t in manifest["tables"] if t["name"] in columns]
        for entry in manifest["tables"]:
            names = [c["name"] for c in entry["columns"]]
            keep = [i for i, n in enumerate(names) if n in columns[entry["name"]]]
            entry["columns"] = [entry["columns"][i] for i in keep]
            rows = [json.loads(line) for line in members[entry["member"]].splitlines()]
            members[entry["member"]] = b"".join(
                json.dumps([row[i] for i in keep], ensure_ascii=False).encode() + b"\n"
                for row in rows
            )
        members["tables/alembic_version.jsonl"] = (
            json.dumps([revision]).encode() + b"\n"
        )

    return rewrite(good, out, older)


KILLED_RESTORE = """
import os, signal, sys
from pathlib import Path
from sozialmonitor.store.backup import restore
from sozialmonitor.store.database import connect

def die(table, rows):
    if table == "observation":  # its rows are in, the transaction still open
        os.kill(os.getpid(), signal.SIGKILL)

restore(Path(sys.argv[1]), connect(sys.argv[2]), progress=die)
"""


def test_a_killed_restore_writes_nothing(good_backup: Path, target_url: str) -> None:
    target = connect(target_url)
    init_database(target)
    before = served(target), _tables(target)
    target.dispose()
    done = subprocess.run(
        [sys.executable, "-c", KILLED_RESTORE, str(good_backup), target_url],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    target = connect(target_url)
    assert (served(target), _tables(target)) == before
    restore(good_backup, target)  # and the database is usable as it was
    assert (
        _tables(target)["observation"]
        == read_manifest(good_backup).table("observation").rows
    )
    target.dispose()


# --- the target -------------------------------------------------------------------


def test_a_target_with_data_is_refused_unless_replaced(
    source: Engine, tmp_path: Path
) -> None:
    backup(source, tmp_path / "rich.zip")
    target = connect(f"sqlite:///{tmp_path / 'other.db'}")
    init_database(target)
    make_demo_db(target)
    before = served(target)
    with pytest.raises(RestoreTargetError) as raised:
        restore(tmp_path / "rich.zip", target)
    assert raised.value.code == "restore-target-not-empty"
    assert "--replace" in raised.value.message
    assert_serves_the_same(before, served(target))

    restore(tmp_path / "rich.zip", target, replace=True)
    assert_serves_the_same(served(source), served(target))
    target.dispose()


def test_a_target_of_a_newer_schema_is_refused(
    small_engine: Engine, tmp_path: Path
) -> None:
    backup(small_engine, tmp_path / "b.zip")
    target = connect(f"sqlite:///{tmp_path / 'newer.db'}")
    init_database(target)
    with target.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(RestoreTargetError, match="newer than this Sozialmonitor"):
        restore(tmp_path / "b.zip", target, replace=True)
    with target.connect() as conn:
        assert conn.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalar() == ("9999")
    target.dispose()


def test_backup_of_an_uninitialised_database_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    engine = connect(db_url)
    with engine.connect():  # an empty database (SQLite: an empty file)
        pass
    out = tmp_path / "backups"
    out.mkdir()
    with pytest.raises(SchemaRevisionError, match="sozialmonitor init"):
        backup(engine, out / "b.zip")
    assert list(out.iterdir()) == []
    engine.dispose()


def test_backup_of_a_missing_sqlite_file_creates_none(tmp_path: Path) -> None:
    with pytest.raises(SchemaRevisionError, match="no database file"):
        backup(connect(f"sqlite:///{tmp_path / 'typo.db'}"), tmp_path / "b.zip")
    assert list(tmp_path.iterdir()) == []


def test_backup_into_a_missing_folder_is_refused(
    small_engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(BackupWriteError, match="folder that exists"):
        backup(small_engine, tmp_path / "missing" / "b.zip")


def test_a_failed_backup_leaves_no_file(small_engine: Engine, tmp_path: Path) -> None:
    def fail(table: str, _rows: int) -> None:
        if table == "observation":
            raise KeyboardInterrupt

    out = tmp_path / "backups"
    out.mkdir()
    with pytest.raises(KeyboardInterrupt):
        backup(small_engine, out / "b.zip", progress=fail)
    assert list(out.iterdir()) == []


# --- hostile files ----------------------------------------------------------------


def rewrite(
    original: Path,
    out: Path,
    change: Callable[[dict[str, Any], dict[str, bytes]], None],
    *,
    checksums: bool = True,
) -> Path:
    """A copy of a backup with manifest and members changed; the manifest's sizes,
    counts and checksums are made to agree again unless ``checksums`` is False."""
    with zipfile.ZipFile(original) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n != MANIFEST}
        manifest = json.loads(archive.read(MANIFEST))
    change(manifest, members)
    if checksums:
        for entry in manifest.get("tables", []):
            data = members.get(entry["member"], b"")
            entry["bytes"] = len(data)
            entry["rows"] = data.count(b"\n")
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr(MANIFEST, json.dumps(manifest))
    return out


def _replace_in(member: str, old: bytes, new: bytes) -> Callable[..., None]:
    def change(_manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        assert old in members[member]
        members[member] = members[member].replace(old, new, 1)

    return change


def _manifest_change(change: Callable[[dict[str, Any]], None]) -> Callable[..., None]:
    def wrapped(manifest: dict[str, Any], _members: dict[str, bytes]) -> None:
        change(manifest)

    return wrapped


def _truncated(good: Path, out: Path) -> Path:
    out.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return out


def _flipped(good: Path, out: Path) -> Path:
    """One byte of the observation member's compressed data changed."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("tables/observation.jsonl")
    local = info.header_offset
    name_length = int.from_bytes(data[local + 26 : local + 28], "little")
    extra_length = int.from_bytes(data[local + 28 : local + 30], "little")
    start = local + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    return out


def _bomb(good: Path, out: Path) -> Path:
    """The observation member replaced by 100 MB of blanks (deflates to 100 KB)."""
    size = 100 << 20

    def change(_manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        members["tables/observation.jsonl"] = b" " * size

    return rewrite(good, out, change)


def _lying_sizes(good: Path, out: Path) -> Path:
    """A member with more lines than the manifest declares (sizes not updated)."""

    def change(_manifest: dict[str, Any], members: dict[str, bytes]) -> None:
        members["tables/area.jsonl"] += members["tables/area.jsonl"]

    return rewrite(good, out, change, checksums=False)


def _changed_value_same_size(good: Path, out: Path) -> Path:
    """A digit changed: size and row count agree, the checksum does not."""
    return rewrite(
        good,
        out,
        _replace_in("tables/area.jsonl", b"Gemeinde 001", b"Gemeinde 009"),
        checksums=False,
    )


def _not_zip(_good: Path, out: Path) -> Path:
    out.write_text("indicator,area,period,value\n", encoding="utf-8")
    return out


def _no_manifest(good: Path, out: Path) -> Path:
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name != MANIFEST:
                dst.writestr(name, src.read(name))
    return out


def _changed(change: Callable[..., None]) -> Callable[[Path, Path], Path]:
    return lambda good, out: rewrite(good, out, change)


def _drop_table(manifest: dict[str, Any]) -> None:
    manifest["tables"] = [t for t in manifest["tables"] if t["name"] != "import_log"]


def _wrong_format(manifest: dict[str, Any]) -> None:
    manifest["format"] = "something-else"


def _wrong_columns(manifest: dict[str, Any]) -> None:
    area = next(t for t in manifest["tables"] if t["name"] == "area")
    area["columns"][1]["name"] = "kennziffer"


def _wrong_types(manifest: dict[str, Any]) -> None:
    area = next(t for t in manifest["tables"] if t["name"] == "area")
    area["columns"][0]["type"] = "text"


def _evil_name(manifest: dict[str, Any]) -> None:
    manifest["tables"][1]["name"] = 'area"; DROP TABLE area; --'


def _newer_revision(manifest: dict[str, Any]) -> None:
    manifest["schema_revision"] = "9999"


def _newer_format(manifest: dict[str, Any]) -> None:
    manifest["format_version"] = 2


HOSTILE: dict[str, tuple[Callable[[Path, Path], Path], type[Exception], str]] = {
    "not a zip": (_not_zip, BackupFileError, "not a zip file"),
    "truncated": (_truncated, BackupFileError, "truncated"),
    "flipped byte": (_flipped, BackupFileError, "observation.jsonl"),
    "zip bomb": (_bomb, BackupFileError, "zip bomb"),
    "no manifest": (_no_manifest, BackupFileError, "no manifest.json"),
    "more rows than declared": (_lying_sizes, BackupFileError, "area.jsonl"),
    "checksum": (_changed_value_same_size, BackupFileError, "checksum"),
    "table missing": (
        _changed(_manifest_change(_drop_table)),
        BackupFileError,
        "do not match schema revision",
    ),
    "wrong format": (
        _changed(_manifest_change(_wrong_format)),
        BackupFileError,
        "not describe a Sozialmonitor backup",
    ),
    "wrong columns": (
        _changed(_manifest_change(_wrong_columns)),
        BackupFileError,
        "columns of table 'area'",
    ),
    "wrong column types": (
        _changed(_manifest_change(_wrong_types)),
        BackupFileError,
        "columns of table 'area'",
    ),
    "evil table name": (
        _changed(_manifest_change(_evil_name)),
        BackupFileError,
        "tables.1.name",
    ),
    "string in an integer column": (
        _changed(_replace_in("tables/area.jsonl", b"[2,", b'["2",')),
        BackupFileError,
        "column 'id' holds '2'",
    ),
    "invalid date": (
        _changed(_replace_in("tables/area.jsonl", b'"2021-01-01"', b'"2021-13-01"')),
        BackupFileError,
        "not a valid date value",
    ),
    "not JSON": (
        _changed(_replace_in("tables/area.jsonl", b"[2,", b"{2,")),
        BackupFileError,
        "line 2 is not valid JSON",
    ),
    "short row": (
        _changed(_replace_in("tables/area.jsonl", b"[2,", b"[")),
        BackupFileError,
        "line 2 is not a list of 9 values",
    ),
    "integer beyond 64 bits": (
        _changed(_replace_in("tables/area.jsonl", b"[2,", b"[99999999999999999999,")),
        BackupFileError,
        "rows of table 'area' cannot be stored",
    ),
    "lone surrogate": (
        _changed(
            _replace_in("tables/area.jsonl", b"Gemeinde 002", b"Gemeinde \\ud800")
        ),
        BackupFileError,
        "rows of table 'area' cannot be stored",
    ),
    "duplicate key": (
        _changed(_replace_in("tables/area.jsonl", b"[2,", b"[1,")),
        BackupFileError,
        "rows of table 'area' cannot be stored",
    ),
    "no end of line": (
        _changed(lambda _m, members: members.update({"tables/area.jsonl": b"[1"})),
        BackupFileError,
        "truncated",
    ),
    "revision member disagrees": (
        _changed(
            lambda _m, members: members.update(
                {"tables/alembic_version.jsonl": b'["0001"]\n'}
            )
        ),
        BackupFileError,
        "does not hold the revision",
    ),
    "newer schema revision": (
        _changed(_manifest_change(_newer_revision)),
        BackupVersionError,
        "Upgrade Sozialmonitor",
    ),
    "newer format": (
        _changed(_manifest_change(_newer_format)),
        BackupVersionError,
        "format 2",
    ),
}


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the rich database on SQLite, made once for the hostile files."""
    folder = tmp_path_factory.mktemp("good")
    engine = connect(f"sqlite:///{folder / 'good.db'}")
    init_database(engine)
    make_rich_db(engine)
    path = folder / "good.zip"
    backup(engine, path)
    engine.dispose()
    return path


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_refused_and_writes_nothing(
    case: str, good_backup: Path, tmp_path: Path
) -> None:
    make, error, message = HOSTILE[case]
    bad = make(good_backup, tmp_path / "bad.zip")

    new_file = tmp_path / "new.db"
    with pytest.raises(error) as raised:
        restore(bad, connect(f"sqlite:///{new_file}"))
    assert message in raised.value.message
    assert str(bad) in raised.value.message
    assert not new_file.exists()  # not even an empty database is left behind

    initialised = connect(f"sqlite:///{tmp_path / 'initialised.db'}")
    init_database(initialised)
    before = served(initialised), _tables(initialised)
    with pytest.raises(error):
        restore(bad, initialised)
    assert (served(initialised), _tables(initialised)) == before
    initialised.dispose()


@pytest.mark.parametrize(
    "case",
    [
        "checksum",
        "duplicate key",
        "string in an integer column",
        "integer beyond 64 bits",
        "lone surrogate",
    ],
)
def test_a_hostile_file_writes_nothing_into_postgresql(
    case: str, good_backup: Path, tmp_path: Path, pg_engine: Engine
) -> None:
    """The failure comes after rows were inserted: the transaction takes them back."""
    make, error, message = HOSTILE[case]
    bad = make(good_backup, tmp_path / "bad.zip")
    before = served(pg_engine), _tables(pg_engine)
    with pytest.raises(error, match=message):
        restore(bad, pg_engine)
    assert (served(pg_engine), _tables(pg_engine)) == before


def test_a_line_longer_than_the_limit_is_refused_before_it_is_read_whole(
    good_backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unpacked in blocks smaller than a line, the line's start is held only up to the
    limit."""
    monkeypatch.setattr(archive_module, "BLOCK_BYTES", 64)
    monkeypatch.setattr(archive_module, "MAX_LINE_BYTES", 100)
    with pytest.raises(BackupFileError, match="longer than allowed"):
        restore(good_backup, connect(f"sqlite:///{tmp_path / 'x.db'}"))
    assert not (tmp_path / "x.db").exists()


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BackupFileError, match="no such file") as raised:
        read_manifest(tmp_path / "nirgends.zip")
    assert raised.value.code == "invalid-backup"


def test_a_lying_zip_header_is_caught(good_backup: Path, tmp_path: Path) -> None:
    """A member whose zip headers claim fewer bytes than it holds (and the manifest
    agrees with them): unpacking stops at the claimed size, and the CRC refuses it."""
    plain = rewrite(good_backup, tmp_path / "plain.zip", lambda _m, _members: None)
    with zipfile.ZipFile(plain) as archive:
        size = archive.getinfo("tables/area.jsonl").file_size - 10

    def claim(manifest: dict[str, Any], _members: dict[str, bytes]) -> None:
        entry = next(t for t in manifest["tables"] if t["name"] == "area")
        entry["bytes"] = size

    lying = rewrite(plain, tmp_path / "lying.zip", claim, checksums=False)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_with_member_size(lying.read_bytes(), "tables/area.jsonl", size))
    with zipfile.ZipFile(bad) as archive:
        assert archive.getinfo("tables/area.jsonl").file_size == size
    with pytest.raises(BackupFileError, match="area.jsonl"):
        restore(bad, connect(f"sqlite:///{tmp_path / 'x.db'}"))
    assert not (tmp_path / "x.db").exists()


def _with_member_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with the uncompressed size of one member changed in both headers."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
        local = info.header_offset
        out[local + 22 : local + 26] = size.to_bytes(4, "little")
        entry = name.encode()
        position = 0
        while True:
            position = data.index(b"PK\x01\x02", position)
            if data[position + 46 : position + 46 + len(entry)] == entry:
                break
            position += 4
        out[position + 24 : position + 28] = size.to_bytes(4, "little")
    return bytes(out)


# --- helpers ----------------------------------------------------------------------


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _tables(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {
            n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
            for n in names
        }
