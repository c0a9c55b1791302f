"""Findings and recommendations in the store: round trip, the visibility gate, the
append-only status history, migration 0012."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, delete, inspect, update
from sqlalchemy.exc import DBAPIError

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.qualitative import (
    Addressee,
    QualitativeRecord,
    RecordKind,
    RecordVisibility,
    Source,
    SourceKind,
    Status,
)
from sozialmonitor.errors import StatusChangeError
from sozialmonitor.store import queries, schema
from sozialmonitor.store.database import _alembic_config, schema_is_current
from sozialmonitor.store.qualitative import RecordFilter, read_records, save_record
from tests.fixtures import REGION, TOWNS

NEW_TABLES = ("qualitative_record", "qualitative_link", "recommendation_status")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

FINDING = QualitativeRecord(
    code="E-1",
    kind=RecordKind.FINDING,
    title="Beispiel: Wege zur Beratung sind weit",
    text="Die Gruppe **nennt** weite Wege.\n\n<script>x</script>",
    visibility=RecordVisibility.PUBLIC,
    topic="Arbeit",
    period="2021",
    indicators=("unemployment_share", "internal_case_load"),
    areas=(TOWNS[0], TOWNS[1]),
    source=Source(
        kind=SourceKind.FOCUS_GROUP,
        group="Fachkräfte",
        date=dt.date(2024, 3, 5),
        participants=12,
    ),
)
SECRET = QualitativeRecord(
    code="E-2",
    kind=RecordKind.FINDING,
    title="Beispiel: intern",
    text="Nur für die Verwaltung.",
    visibility=RecordVisibility.INTERNAL,
    areas=(TOWNS[0],),
    source=Source(kind=SourceKind.INTERVIEW),
)
ADVICE = QualitativeRecord(
    code="H-1",
    kind=RecordKind.RECOMMENDATION,
    title="Beispiel: Beratung vor Ort",
    text="Sprechstunden in den Stadtteilen.",
    visibility=RecordVisibility.PUBLIC,
    topic="Arbeit",
    areas=(TOWNS[0],),
    rationale="Weite Wege (E-1).",
    addressee=Addressee.COUNCIL,
    findings=("E-1", "E-2"),
    responsible_unit="Fachbereich Soziales",
    estimated_cost=25000.0,
    outcome_indicators=("unemployment_share",),
)


def _store(engine: Engine) -> None:
    with engine.begin() as conn:
        for record in (FINDING, SECRET):
            assert save_record(conn, record, actor="cli", now=NOW)
        assert save_record(
            conn,
            ADVICE,
            status=Status.PROPOSED,
            status_on=dt.date(2024, 5, 1),
            actor="anna",
            now=NOW,
        )


def test_records_round_trip(small_engine: Engine) -> None:
    _store(small_engine)
    with small_engine.connect() as conn:
        found = {r.code: r for r in read_records(conn, audience=Audience.INTERNAL)}
    assert found["E-1"] == FINDING
    assert found["E-2"] == SECRET
    advice = found["H-1"]
    assert advice.status is Status.PROPOSED
    assert [(h.status, h.on, h.by) for h in advice.history] == [
        (Status.PROPOSED, dt.date(2024, 5, 1), "anna")
    ]
    assert advice == ADVICE.__class__(**{**ADVICE.__dict__, "history": advice.history})


def test_saving_the_same_record_again_changes_nothing(small_engine: Engine) -> None:
    _store(small_engine)
    with small_engine.begin() as conn:
        assert not save_record(conn, FINDING, actor="cli", now=NOW)
        assert not save_record(conn, ADVICE, status=Status.PROPOSED, actor="x")
        changed = FINDING.__class__(**{**FINDING.__dict__, "areas": (TOWNS[2],)})
        assert save_record(conn, changed, actor="cli", now=NOW)
    with small_engine.connect() as conn:
        (stored,) = read_records(conn, codes=["E-1"])
    assert stored.areas == (TOWNS[2],)


def test_the_public_never_reads_internal_records_or_links(
    small_engine: Engine,
) -> None:
    _store(small_engine)
    with small_engine.connect() as conn:
        public = {r.code: r for r in read_records(conn)}
        by_area = read_records(conn, where=RecordFilter(area=TOWNS[0]))
    assert set(public) == {"E-1", "H-1"}
    # the internal indicator and the internal finding are not named either
    assert public["E-1"].indicators == ("unemployment_share",)
    assert public["H-1"].findings == ("E-1",)
    assert {r.code for r in by_area} == {"E-1", "H-1"}


@pytest.mark.parametrize(
    ("scope", "sees_internal"),
    [(REGION, True), (TOWNS[0], True), (TOWNS[1], False)],
)
def test_staff_of_an_area_see_the_internal_records_about_it_only(
    small_engine: Engine, scope: str, sees_internal: bool
) -> None:
    _store(small_engine)
    with small_engine.connect() as conn:
        found = {r.code: r for r in read_records(conn, audience=Audience.within(scope))}
    assert ("E-2" in found) is sees_internal
    assert {"E-1", "H-1"} <= set(found)
    assert found["H-1"].findings == (("E-1", "E-2") if sees_internal else ("E-1",))


def test_filters(small_engine: Engine) -> None:
    _store(small_engine)
    with small_engine.connect() as conn:

        def codes(**where: object) -> set[str]:
            found = read_records(
                conn, audience=Audience.INTERNAL, where=RecordFilter(**where)
            )
            return {r.code for r in found}

        assert codes(kind=RecordKind.RECOMMENDATION) == {"H-1"}
        assert codes(topic="Arbeit") == {"E-1", "H-1"}
        assert codes(area=TOWNS[1]) == {"E-1"}
        assert codes(indicator="unemployment_share") == {"E-1", "H-1"}
        assert codes(status=Status.PROPOSED) == {"H-1"}
        assert codes(status=Status.DECIDED) == set()
        assert codes(addressee=Addressee.COUNCIL) == {"H-1"}
        assert codes(addressee=Addressee.PROVIDERS) == set()


def test_the_status_moves_forward_and_its_history_grows(small_engine: Engine) -> None:
    _store(small_engine)
    with small_engine.begin() as conn:
        assert save_record(
            conn,
            ADVICE,
            status=Status.DECIDED,
            status_on=dt.date(2024, 6, 20),
            actor="rat",
        )
        with pytest.raises(StatusChangeError, match="only moves forward"):
            save_record(conn, ADVICE, status=Status.PROPOSED, actor="x")
    with small_engine.connect() as conn:
        (advice,) = read_records(conn, codes=["H-1"])
    assert [(h.status, h.by) for h in advice.history] == [
        (Status.PROPOSED, "anna"),
        (Status.DECIDED, "rat"),
    ]


def test_the_status_history_is_append_only(small_engine: Engine) -> None:
    _store(small_engine)
    st = schema.recommendation_status
    for statement in (update(st).values(status="implemented"), delete(st)):
        with (
            pytest.raises(DBAPIError, match="append-only"),
            small_engine.begin() as conn,
        ):
            conn.execute(statement)
    with small_engine.connect() as conn:
        (advice,) = read_records(conn, codes=["H-1"])
    assert advice.status is Status.PROPOSED


def test_migration_0012_downgrades_and_upgrades_again(small_engine: Engine) -> None:
    _store(small_engine)
    command.downgrade(_alembic_config(small_engine), "0011")
    tables = set(inspect(small_engine).get_table_names())
    assert not {"qualitative_record", "recommendation_status"} & tables
    with small_engine.connect() as conn:
        kept = {i.id for i in queries.list_indicators(conn, audience=Audience.INTERNAL)}
    assert kept == {"unemployment_share", "population", "internal_case_load"}
    command.upgrade(_alembic_config(small_engine), "head")
    assert schema_is_current(small_engine)
    with small_engine.connect() as conn:
        differences = [
            d
            for d in compare_metadata(MigrationContext.configure(conn), schema.metadata)
            if any(name in repr(d) for name in NEW_TABLES)
        ]
    assert differences == []
    _store(small_engine)  # the triggers are back and the tables empty
    st = schema.recommendation_status
    with pytest.raises(DBAPIError, match="append-only"), small_engine.begin() as conn:
        conn.execute(delete(st))
