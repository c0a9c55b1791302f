"""The public release digest stored at publication (issue 14): publishing and
withdrawing store the digest of the newest release, the page and the command read
the stored one, an old database gets it on ``init``, and a pattern changed after
publication never leaves a stored statement on a now-hidden value; on SQLite and
PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select, update

from sozialmonitor.analysis.digest_record import (
    digest_from_dict,
    digest_to_dict,
    stored_digest,
)
from sozialmonitor.analysis.digest_statement import StatementKind
from sozialmonitor.analysis.release_digest import Digest, release_digest
from sozialmonitor.domain.access import Audience
from sozialmonitor.store import schema
from sozialmonitor.store.database import init_database
from sozialmonitor.store.publication import publish_checked, withdraw_published
from sozialmonitor.store.queries import ObservationQuery, read_observations
from tests.digest_data import NEW, OLD, make_digest_db, town


def publish(conn: Connection, name: str) -> None:
    publish_checked(conn, name)


@pytest.fixture
def published(engine: Engine) -> Engine:
    """The digest database, both releases published through the publish path."""
    make_digest_db(engine, publish)
    return engine


def stored_rows(engine: Engine) -> dict[str, dict[str, object]]:
    """Release name → stored public document."""
    rel, table = schema.release, schema.release_digest
    with engine.connect() as conn:
        rows = conn.execute(
            select(rel.c.name, table.c.document)
            .join(rel, rel.c.id == table.c.release_id)
            .where(table.c.audience == "public")
        ).all()
    return {r.name: json.loads(r.document) for r in rows}


def without_time(digest: Digest) -> dict[str, object]:
    found = digest_to_dict(digest)
    found.pop("seconds")
    return found


def test_publishing_stores_the_public_digest_of_the_new_release(
    published: Engine,
) -> None:
    stored = stored_rows(published)
    assert set(stored) == {OLD, NEW}
    with published.connect() as conn:
        fresh = release_digest(conn, NEW, audience=Audience.PUBLIC)
    assert without_time(digest_from_dict(stored[NEW])) == without_time(fresh)
    assert {s.kind for s in fresh.statements} >= {StatementKind.CHANGE}


def test_the_stored_digest_is_what_is_read(published: Engine) -> None:
    # Mark the stored document: a read that computed anew would not have it.
    table = schema.release_digest
    document = stored_rows(published)[NEW]
    document["notes"] = ["stored, not computed"]
    with published.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.audience == "public")
            .where(table.c.document.contains(f'"release": "{NEW}"'))
            .values(document=json.dumps(document))
        )
    assert stored_digest(published).notes == ("stored, not computed",)


def test_a_cell_hidden_after_publication_leaves_no_stored_statement(
    published: Engine,
) -> None:
    before = stored_digest(published)
    change = (StatementKind.CHANGE, "sgb2", town(2))
    found = {(s.kind, s.indicator, s.areas[0].code) for s in before.statements}
    assert change in found
    # A re-protection hides the cell of town(2) in 2022 (no new data version).
    rel, ind, area = schema.release, schema.indicator, schema.area
    with published.begin() as conn:
        release_id = conn.scalar(select(rel.c.id).where(rel.c.name == NEW))
        indicator_id = conn.scalar(select(ind.c.id).where(ind.c.code == "sgb2"))
        area_id = conn.scalar(select(area.c.id).where(area.c.code == town(2)))
        conn.execute(
            insert(schema.suppressed_cell).values(
                release_id=release_id,
                indicator_id=indicator_id,
                period="2022",
                area_id=area_id,
                reason="secondary",
            )
        )
    with published.connect() as conn:
        (cell,) = read_observations(
            conn,
            ObservationQuery(indicators=["sgb2"], areas=[town(2)], periods=["2022"]),
        )
    assert cell.value is None  # the gate hides it now
    after = stored_digest(published)
    found = {(s.kind, s.indicator, s.areas[0].code) for s in after.statements}
    assert found and change not in found
    for s in after.statements:
        hidden = (s.indicator, s.areas[0].code, s.figures.period)
        assert hidden != ("sgb2", town(2), "2022")
    # The stale document was replaced by the recomputed one.
    assert digest_from_dict(stored_rows(published)[NEW]).statements == (
        after.statements
    )


def test_withdrawing_stores_the_digest_of_the_release_now_newest(
    published: Engine,
) -> None:
    with published.begin() as conn:
        conn.execute(delete(schema.release_digest))
        withdraw_published(conn, NEW, "Fehler in der Lieferung")
    assert set(stored_rows(published)) == {OLD}
    digest = stored_digest(published)
    assert (digest.release, digest.previous) == (OLD, None)


def test_init_stores_the_missing_digest_of_an_old_database(engine: Engine) -> None:
    make_digest_db(engine)  # published without the publish path: none stored
    assert stored_rows(engine) == {}
    init_database(engine)
    assert set(stored_rows(engine)) == {NEW}
