"""A draft's changes against the published state, its checks, the audit of
validating, publishing and withdrawing, and min_count changes recomputing patterns —
on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from sozialmonitor.access import audit
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.errors import ReleaseCheckError, StaleEditError
from sozialmonitor.store import queries, schema
from sozialmonitor.store.data_version import data_version
from sozialmonitor.store.indicator_edit import (
    edit_indicator,
    fingerprint,
    stored_indicator,
)
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.release_review import (
    change_page,
    diff_by_indicator,
    release_findings,
)
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_indicators,
    validate_release,
    withdraw_release,
)
from tests.release_data import (
    DRAFT,
    EXPECTED,
    JUMPS,
    add_bad_share,
    make_draft,
)


@pytest.fixture
def draft_engine(small_engine: Engine) -> Engine:
    make_draft(small_engine)
    return small_engine


def test_counts_per_indicator_and_large_jumps(draft_engine: Engine) -> None:
    with draft_engine.connect() as conn:
        release = queries.get_release(conn, DRAFT)
        found = {
            d.indicator: (d.new, d.changed, d.removed, d.jumps)
            for d in diff_by_indicator(conn, release)
        }
        assert found == EXPECTED
        jumps = change_page(conn, release, only_jumps=True)
        every = change_page(conn, release, size=3, page=2)
        removed = [c for c in change_page(conn, release).rows if c.change == "removed"]
    assert {(c.indicator, c.area, c.period) for c in jumps.rows} == JUMPS
    assert jumps.total == 3 and all(c.jump for c in jumps.rows)
    assert every.total == 8 and every.pages == 3 and len(every.rows) == 3
    assert [(c.area, c.old_value, c.new_value) for c in removed] == [
        ("03241003", 25_000.0, None)
    ]


def test_a_page_beyond_the_last_shows_the_last(draft_engine: Engine) -> None:
    with draft_engine.connect() as conn:
        release = queries.get_release(conn, DRAFT)
        page = change_page(conn, release, indicator="population", page=99, size=2)
    assert (page.page, page.pages, page.total, len(page.rows)) == (2, 2, 3, 1)


def test_after_publication_the_diff_is_against_the_releases_before(
    draft_engine: Engine,
) -> None:
    with draft_engine.begin() as conn:
        publish_release(conn, DRAFT)
    with draft_engine.connect() as conn:
        release = queries.get_release(conn, DRAFT)
        found = {d.indicator: d.changed for d in diff_by_indicator(conn, release)}
    assert found == {k: v[1] for k, v in EXPECTED.items()}


def test_findings_refuse_validation_and_nothing_is_written(
    draft_engine: Engine,
) -> None:
    add_bad_share(draft_engine)
    with draft_engine.connect() as conn:
        findings = release_findings(conn, queries.get_release(conn, DRAFT))
    assert {f.code: f.severity for f in findings} == {
        "share-above-total": "error",
        "large-jumps": "warning",
        "values-removed": "warning",
    }
    with pytest.raises(ReleaseCheckError) as caught, draft_engine.begin() as conn:
        validate_release(conn, DRAFT, actor="erika", address="10.0.0.1")
    assert "numerator larger than" in caught.value.message
    with draft_engine.connect() as conn:
        assert queries.get_release(conn, DRAFT).status is ReleaseStatus.DRAFT
        assert audit.events(conn, action="release-validated") == []


def test_an_empty_draft_is_not_validated(small_engine: Engine) -> None:
    with small_engine.begin() as conn:
        draft_release(conn, "leer")
    with (
        pytest.raises(ReleaseCheckError, match="no values"),
        small_engine.begin() as conn,
    ):
        validate_release(conn, "leer")


def test_validate_publish_withdraw_are_audited(draft_engine: Engine) -> None:
    with draft_engine.begin() as conn:
        validate_release(conn, DRAFT, actor="erika", address="10.0.0.1")
    with draft_engine.begin() as conn:
        publish_release(conn, DRAFT, actor="paul", address="10.0.0.2")
    with draft_engine.begin() as conn:
        withdraw_release(conn, DRAFT, "Quelle korrigiert", actor="paul", address="::1")
    with draft_engine.connect() as conn:
        found = [
            (e.action, e.actor, e.target, e.address)
            for e in audit.events(conn)
            if e.action.startswith("release-") and e.target == DRAFT
        ]
        withdrawn = audit.events(conn, action="release-withdrawn")[-1]
    assert found == [
        ("release-validated", "erika", DRAFT, "10.0.0.1"),
        ("release-published", "paul", DRAFT, "10.0.0.2"),
        ("release-withdrawn", "paul", DRAFT, "::1"),
    ]
    assert withdrawn.detail == {"reason": "Quelle korrigiert"}


def public_population(engine: Engine) -> dict[str, float | None]:
    with engine.connect() as conn:
        found = read_observations(
            conn,
            ObservationQuery(indicators=["population"], periods=["2020"]),
            audience=Audience.PUBLIC,
        )
    return {o.area: o.value for o in found}


def test_a_raised_min_count_hides_newly_small_counts_at_once(
    small_engine: Engine,
) -> None:
    before = public_population(small_engine)
    assert before["03241002"] == 20_000
    with small_engine.connect() as conn:
        population = stored_indicator(conn, "population")
    raised = population.model_copy(update={"min_count": 21_000})
    with small_engine.begin() as conn:
        edit_indicator(
            conn,
            raised,
            opened=fingerprint(population),
            actor="erika",
            address="10.0.0.1",
        )
    after = public_population(small_engine)
    assert after["03241002"] is None  # 20,000 < 21,000
    assert after["03241001"] == 300_000
    # 002 alone would be recomputed from the region minus the rest: a second cell
    # hides with it.
    assert sum(v is None for v in after.values()) >= 2
    with small_engine.connect() as conn:
        event = audit.events(conn, action="indicator-changed")[-1]
    assert (event.actor, event.target, event.address) == (
        "erika",
        "population",
        "10.0.0.1",
    )
    assert event.detail == {"changed": {"min_count": {"before": 3, "after": 21_000}}}


def test_a_catalogue_import_changing_min_count_recomputes_too(
    small_engine: Engine,
) -> None:
    with small_engine.connect() as conn:
        population = stored_indicator(conn, "population")
    with small_engine.begin() as conn:
        save_indicators(conn, [population.model_copy(update={"min_count": 21_000})])
    assert public_population(small_engine)["03241002"] is None
    with small_engine.connect() as conn:
        assert audit.events(conn, action="indicator-changed")[-1].actor == audit.SYSTEM


def test_a_stale_fingerprint_is_refused_and_nothing_written(
    small_engine: Engine,
) -> None:
    with small_engine.connect() as conn:
        population = stored_indicator(conn, "population")
    opened = fingerprint(population)
    with small_engine.begin() as conn:
        edit_indicator(
            conn, population.model_copy(update={"name": "Bevölkerung"}), opened=opened
        )
    with pytest.raises(StaleEditError), small_engine.begin() as conn:
        renamed = population.model_copy(update={"name": "Einwohner*innen"})
        edit_indicator(conn, renamed, opened=opened)
    with small_engine.connect() as conn:
        assert stored_indicator(conn, "population").name == "Bevölkerung"
        assert len(audit.events(conn, action="indicator-changed")) == 1


def import_log_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(select(func.count()).select_from(schema.import_log)) or 0
        )


def test_an_edit_changes_the_data_version_without_an_import_row_issue_11(
    small_engine: Engine,
) -> None:
    with small_engine.connect() as conn:
        population = stored_indicator(conn, "population")
        version = data_version(conn)
    imports = import_log_rows(small_engine)
    with small_engine.begin() as conn:
        changed = edit_indicator(
            conn,
            population.model_copy(update={"name": "Einwohner*innen"}),
            opened=fingerprint(population),
        )
    assert changed
    with small_engine.connect() as conn:
        edited = data_version(conn)
        renamed = stored_indicator(conn, "population")
    assert edited != version
    assert import_log_rows(small_engine) == imports
    # a second edit changes it again; saving the same record changes nothing
    with small_engine.begin() as conn:
        edit_indicator(
            conn,
            renamed.model_copy(update={"name": "Bevölkerung"}),
            opened=fingerprint(renamed),
        )
    with small_engine.connect() as conn:
        again = data_version(conn)
        current = stored_indicator(conn, "population")
    assert again not in (version, edited)
    with small_engine.begin() as conn:
        assert not edit_indicator(conn, current, opened=fingerprint(current))
    with small_engine.connect() as conn:
        assert data_version(conn) == again
    assert import_log_rows(small_engine) == imports
