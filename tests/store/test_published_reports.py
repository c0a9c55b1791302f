"""Reports published as pages (issue 14): stored as rendered, listed newest first,
withdrawn but kept, each step in the audit log; migration 0014 goes down and up
again and matches the schema."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select

from sozialmonitor.store import schema
from sozialmonitor.store.database import _alembic_config, schema_is_current
from sozialmonitor.store.published_reports import (
    PUBLISHED,
    WITHDRAWN,
    publish_report,
    published_report_by_id,
    published_reports,
    withdraw_report,
)

DAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _publish(engine: Engine, title: str, at: dt.datetime) -> int:
    with engine.begin() as conn:
        return publish_report(
            conn,
            template="gebietsprofil",
            area="03241001",
            topic=None,
            lang="de",
            title=title,
            release_name="2021",
            body="<p>Text</p>",
            document="<!DOCTYPE html><html></html>",
            actor="erika",
            address="127.0.0.1",
            now=at,
        )


def test_published_withdrawn_and_kept(small_engine: Engine) -> None:
    first = _publish(small_engine, "Erster", DAY)
    second = _publish(small_engine, "Zweiter", DAY + dt.timedelta(days=1))
    with small_engine.connect() as conn:
        assert [r.title for r in published_reports(conn)] == ["Zweiter", "Erster"]
        stored = published_report_by_id(conn, first)
    assert stored is not None and stored.published_at == DAY
    assert stored.body == "<p>Text</p>" and stored.published_by == "erika"
    with small_engine.begin() as conn:
        assert withdraw_report(conn, second, actor="paul", now=DAY)
        assert not withdraw_report(conn, second, actor="paul")  # already withdrawn
        assert not withdraw_report(conn, 999, actor="paul")
    with small_engine.connect() as conn:
        assert [r.id for r in published_reports(conn)] == [first]
        assert {r.id for r in published_reports(conn, withdrawn=True)} == {
            first,
            second,
        }
        gone = published_report_by_id(conn, second)
        events = conn.execute(
            select(schema.audit_event.c.action, schema.audit_event.c.actor).where(
                schema.audit_event.c.action.in_([PUBLISHED, WITHDRAWN])
            )
        ).all()
    assert gone is not None and gone.withdrawn_by == "paul"
    assert sorted(events) == [
        (PUBLISHED, "erika"),
        (PUBLISHED, "erika"),
        (WITHDRAWN, "paul"),
    ]


def test_migration_0014_downgrades_and_upgrades_again(small_engine: Engine) -> None:
    _publish(small_engine, "Erster", DAY)
    command.downgrade(_alembic_config(small_engine), "0013")
    assert "published_report" not in inspect(small_engine).get_table_names()
    command.upgrade(_alembic_config(small_engine), "head")
    assert schema_is_current(small_engine)
    with small_engine.connect() as conn:
        differences = [
            d
            for d in compare_metadata(MigrationContext.configure(conn), schema.metadata)
            if "published_report" in repr(d)
        ]
        assert differences == []
        assert published_reports(conn) == []
