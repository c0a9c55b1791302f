"""Issue 11, linkage: the same count published under two indicators — a count
(``unemployed``) and a share whose numerator it is (``unemployment_share`` with
``numerator_indicator: unemployed``), whose denominator is another count
(``denominator_indicator: population``). A cell hidden in one must not follow from
the other.

The attacker downloads every public value of the three indicators from the API, as
of every release and on every level, and solves one linear programme over all of
them (``tests/access/attacker.py``) in which a linked cell is ONE unknown: the
share's numerator and the count are the same number (when they are equal), and a
share shown tells its denominator, the population. Every small count must keep a
range at least as wide as its indicator's minimum count.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import queries
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)
from sozialmonitor.web.app import create_app
from tests.access.attacker import hidden_ranges

LEVELS = ("region", "district", "block")
PERIODS = ("2021", "2022")
RELEASES = ("r1", "r2")
COUNT, SHARE, POPULATION = "unemployed", "unemployment_share", "population"
SHARE_MIN = 5
"""The share's own minimum, above the count's: a count of 3 or 4 is small in the
share and not in the count, the plainest leak (hidden in one, shown in the other)."""
INDICATORS = (
    Indicator(id=COUNT, name="Arbeitslose", unit="Personen", kind="count"),
    Indicator(id=POPULATION, name="Einwohner 15–64", unit="Personen", kind="count"),
    Indicator(
        id=SHARE,
        name="Arbeitslosenanteil",
        unit="%",
        numerator="Arbeitslose",
        denominator="Einwohner 15–64",
        numerator_indicator=COUNT,
        denominator_indicator=POPULATION,
        min_count=SHARE_MIN,
    ),
)
MINIMUM = {i.id: i.min_count for i in INDICATORS}


def generated(
    conn: Connection, seed: int, indicators: tuple[Indicator, ...] = INDICATORS
) -> None:
    """Blocks only are stored; districts and the region are computed. The share
    misses some blocks (its parents add up fewer children than the count's) and
    is secret at the source at some others; a few populations are small."""
    rng = random.Random(seed)
    save_indicators(conn, indicators)
    areas = [Area(code="R", name="Kreis", level="region")]
    blocks = []
    for d in range(3):
        areas.append(
            Area(code=f"R{d}", name=f"Bezirk {d}", level="district", parent="R")
        )
        for b in range(6):
            blocks.append(f"R{d}B{b}")
            areas.append(
                Area(
                    code=blocks[-1],
                    name=f"Block {d}-{b}",
                    level="block",
                    parent=f"R{d}",
                )
            )
    save_areas(conn, areas)
    first: dict[tuple[str, str], tuple[int, int, int]] = {}
    for period in PERIODS:
        for code in blocks:
            count = rng.choice([0, 1, 2, 3, 4, rng.randint(5, 60), rng.randint(5, 600)])
            population = rng.choice([1, 2, rng.randint(count + 50, 3000)])
            population = max(population, count)
            flags = 0
            roll = rng.random()
            if roll < 0.1:
                flags = -1  # the share has no value here
            elif roll < 0.18:
                flags = int(Flag.SUPPRESSED)
            first[(code, period)] = (count, population, flags)
    _store(conn, "r1", first)
    revised = {
        key: (rng.choice([1, 2, 4, rng.randint(5, 90)]), population, flags)
        for key, (_count, population, flags) in first.items()
        if key[1] == "2022" and rng.random() < 0.3
    }
    _store(conn, "r2", revised)


def _store(
    conn: Connection, name: str, cells: dict[tuple[str, str], tuple[int, int, int]]
) -> None:
    release = draft_release(conn, name)
    ids = {i.id: queries.indicator_id(conn, i.id) for i in INDICATORS}
    found = []
    for (area, period), (count, population, flags) in cells.items():
        area_id = queries.area_id(conn, area)
        base = {"area_id": area_id, "period": period, "note": None}
        found.append(
            base
            | {"indicator_id": ids[COUNT], "value": float(count)}
            | {"numerator": None, "denominator": None, "flags": 0}
        )
        found.append(
            base
            | {"indicator_id": ids[POPULATION], "value": float(population)}
            | {"numerator": None, "denominator": None, "flags": 0}
        )
        if flags >= 0:
            found.append(
                base
                | {"indicator_id": ids[SHARE], "value": count / population * 100}
                | {"numerator": float(count), "denominator": float(population)}
                | {"flags": flags}
            )
    store_observations(conn, release, pd.DataFrame(found))
    publish_release(conn, name)


def true_counts(engine: Engine, release: str) -> dict[tuple[str, str, str], float]:
    """(indicator, area, period) → the count as the administration reads it."""
    return _truth(engine, release)[0]


def _truth(
    engine: Engine, release: str
) -> tuple[dict[tuple[str, str, str], float], dict[tuple[str, str, str], list[str]]]:
    """The counts, and the children a computed parent leaves out of its sum (those
    the source kept secret, those without a value)."""
    found = {}
    missing = {}
    with engine.connect() as conn:
        for indicator in INDICATORS:
            for level in LEVELS:
                query = ObservationQuery(
                    indicators=[indicator.id], level=level, as_of=release
                )
                for obs in read_observations(conn, query, audience=Audience.INTERNAL):
                    number = obs.value if indicator.kind == "count" else obs.numerator
                    if number is not None:
                        found[(indicator.id, obs.area, obs.period)] = number
                    missing[(indicator.id, obs.area, obs.period)] = list(
                        obs.missing_children
                    )
    return found, missing


def downloaded(
    client: TestClient, period: str, release: str
) -> tuple[dict[str, float | None], dict[str, float]]:
    """What the public sees of the three indicators, as of ``release``: per cell
    (``indicator:area``) the count or None (hidden), and the populations a shown
    share gives away as its denominator."""
    shown: dict[str, float | None] = {}
    denominators: dict[str, float] = {}
    for indicator in INDICATORS:
        for level in LEVELS:
            body = client.get(
                "/api/v1/observations",
                params={"indicator": indicator.id, "level": level, "as_of": release},
            ).json()
            for obs in body["observations"]:
                if obs["period"] != period:
                    continue
                field = "value" if indicator.kind == "count" else "numerator"
                value = obs[field]
                shown[f"{indicator.id}:{obs['area']}"] = (
                    None if value is None else float(value)
                )
                if (
                    indicator.id == SHARE
                    and level == "block"  # stored; a parent may miss children
                    and obs["denominator"] is not None
                ):
                    denominators[obs["area"]] = float(obs["denominator"])
    return shown, denominators


def linked_identity(
    truth: dict[str, dict[tuple[str, str, str], float]], period: str
) -> Callable[[int, str], str]:
    """The linked attacker's unknowns: a cell is the same unknown in every state
    where its count is the same (the release history tells), and the share's
    numerator IS the count's value where both are the same number."""

    def name(state: int, cell: str) -> str:
        indicator, area = cell.split(":", 1)
        counts = truth[RELEASES[state]]
        number = counts.get((indicator, area, period))
        if indicator == SHARE and number == counts.get((COUNT, area, period)):
            indicator = COUNT
        return f"{indicator}:{area}={number}"

    return name


def attack(engine: Engine) -> list[tuple[object, ...]]:
    """The small counts the linked attacker narrows below their minimum."""
    client = TestClient(create_app(engine))
    children: dict[str, list[str]] = {}
    for a in client.get("/api/v1/areas").json()["areas"]:
        if a["parent"]:
            for indicator in MINIMUM:
                children.setdefault(f"{indicator}:{a['parent']}", []).append(
                    f"{indicator}:{a['code']}"
                )
    truth = {r: true_counts(engine, r) for r in RELEASES}
    left_out = {r: _truth(engine, r)[1] for r in RELEASES}
    found = []
    attacked = 0
    for period in PERIODS:
        states, totals, summed = [], [], []
        for release in RELEASES:
            # The strongest attacker knows which children each parent adds up.
            summed.append(
                {
                    parent: [
                        c
                        for c in kids
                        if c.split(":", 1)[1]
                        not in left_out[release].get(
                            (*parent.split(":", 1), period), []
                        )
                    ]
                    for parent, kids in children.items()
                }
            )
            shown, denominators = downloaded(client, period, release)
            # A shown share shows its denominator: the population of that area.
            for area, population in denominators.items():
                shown[f"{POPULATION}:{area}"] = population
            states.append(shown)
            totals.append(
                {
                    f"{SHARE}:{cell.split(':', 1)[1]}": value
                    for cell, value in shown.items()
                    if cell.startswith(f"{POPULATION}:") and value is not None
                }
            )
        identity = linked_identity(truth, period)
        ranges = hidden_ranges(states, summed, identity=identity, totals=totals)
        for (state, cell), (low, high) in ranges.items():
            indicator, area = cell.split(":", 1)
            true = truth[RELEASES[state]].get((indicator, area, period))
            if true is not None and 0 < true < MINIMUM[indicator]:
                attacked += 1
                if high - low < MINIMUM[indicator]:
                    found.append((RELEASES[state], period, cell, true, low, high))
    assert attacked >= 10, "the generated data should hide many small counts"
    return found


@pytest.mark.parametrize("seed", [11, 12])
def test_a_count_hidden_in_one_indicator_is_not_recovered_from_the_other_issue_11(
    engine: Engine, seed: int
) -> None:
    with engine.begin() as conn:
        generated(conn, seed)
    assert attack(engine) == []


def test_linking_published_indicators_protects_them_again(engine: Engine) -> None:
    """Without the links the same data leaks (the audit of each indicator alone);
    naming them in the catalogue later computes the patterns again at once."""
    unlinked = tuple(
        i.model_copy(update={"numerator_indicator": "", "denominator_indicator": ""})
        for i in INDICATORS
    )
    with engine.begin() as conn:
        generated(conn, 11, unlinked)
    assert attack(engine) != []
    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
    assert attack(engine) == []


def test_linked_cells_are_hidden_together(engine: Engine) -> None:
    """Wherever the share hides a cell whose numerator is the count's value, the
    count hides it too, and the other way round; wherever the population is
    hidden, so is the share (it would show it as its denominator)."""
    with engine.begin() as conn:
        generated(conn, 11)
    client = TestClient(create_app(engine))
    truth = true_counts(engine, "r2")
    checked = 0
    for period in PERIODS:
        shown, _ = downloaded(client, period, "r2")
        population_hidden = {
            c.split(":", 1)[1]
            for c, v in shown.items()
            if c.startswith(f"{POPULATION}:") and v is None
        }
        for cell, value in shown.items():
            indicator, area = cell.split(":", 1)
            if indicator != SHARE:
                continue
            if truth.get((SHARE, area, period)) == truth.get((COUNT, area, period)):
                checked += 1
                assert (value is None) == (shown[f"{COUNT}:{area}"] is None), cell
            if area in population_hidden:
                assert value is None, cell
    assert checked >= 20


def test_the_demo_links_its_share_and_leaves_nothing_to_recover(
    demo_sqlite: Engine,
) -> None:
    """The Hannover demo's share names its numerator and denominator counts; the
    linked attacker on every level and period of the three finds no hidden count
    narrowed below the minimum (the real data has no small count: none hidden)."""
    client = TestClient(create_app(demo_sqlite))
    linked = {
        i["id"]: i
        for i in client.get("/api/v1/indicators").json()["indicators"]
        if i["id"] in ("unemployed", "working_age_population", "unemployment_share")
    }
    with demo_sqlite.connect() as conn:
        share = next(
            i for i in queries.list_indicators(conn) if i.id == "unemployment_share"
        )
    assert (share.numerator_indicator, share.denominator_indicator) == (
        "unemployed",
        "working_age_population",
    )
    areas = client.get("/api/v1/areas").json()
    children: dict[str, list[str]] = {}
    for a in areas["areas"]:
        if a["parent"]:
            for indicator in linked:
                children.setdefault(f"{indicator}:{a['parent']}", []).append(
                    f"{indicator}:{a['code']}"
                )
    by_period: dict[str, dict[str, float | None]] = {}
    for indicator, meta in linked.items():
        for level in [lvl["code"] for lvl in areas["levels"]]:
            response = client.get(
                "/api/v1/observations", params={"indicator": indicator, "level": level}
            )
            if response.status_code != 200:
                continue
            for obs in response.json()["observations"]:
                value = obs["value"] if meta["kind"] == "count" else obs["numerator"]
                by_period.setdefault(obs["period"], {})[
                    f"{indicator}:{obs['area']}"
                ] = value

    def same(_state: int, cell: str) -> str:  # the share's numerator is the count
        return cell.replace("unemployment_share:", "unemployed:")

    assert len(by_period) >= 10
    for shown in by_period.values():
        for (_state, cell), (low, high) in hidden_ranges(
            [shown], children, identity=same
        ).items():
            assert high - low >= 3, cell
