"""The attacker of issue 11: download every public value from every surface, then
try to recover each hidden count.

Two checks. (1) A generated hierarchy (region → districts → blocks, many small
counts, two periods, a second release that revises some) whose every count and total
above 7,000 is a distinct number of its own: no response of any surface — pages, JSON
twins, API, statistics, downloads — may contain one of a hidden cell. (2) From the
API's values of every level, as of every release, the attacker's linear programme
(``tests/access/attacker.py``, knowing which cells a release changed) must leave
every small count a range at least as wide as the minimum count. The same runs on the
demo database.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable, Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
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

MIN = 3
LEVELS = ("region", "district", "block")
PERIODS = ("2021", "2022")
RELEASES = ("r1", "r2")
INDICATORS = (
    Indicator(id="cases", name="Hilfefälle", unit="Fälle", kind="count", topic="Hilfe"),
    Indicator(
        id="aid_share",
        name="Anteil Hilfebeziehende",
        unit="%",
        topic="Hilfe",
        numerator="Hilfebeziehende",
        denominator="Einwohner",
    ),
)


def distinct_numbers(rng: random.Random) -> Iterator[int]:
    """Primes between 7,001 and 9,973 in random order: no two cells share one, and
    no sum of them (a parent) or year or percentage is one."""
    primes = [n for n in range(7001, 9974) if all(n % d for d in range(2, 97))]
    rng.shuffle(primes)
    return iter(primes)


def generated(conn: Connection, seed: int = 11) -> None:
    """Blocks only are stored; districts and the region are computed from them."""
    rng = random.Random(seed)
    numbers = distinct_numbers(rng)
    save_indicators(conn, INDICATORS)
    areas = [Area(code="R", name="Kreis", level="region")]
    blocks = []
    for d in range(3):
        district = f"R{d}"
        areas.append(
            Area(code=district, name=f"Bezirk {d}", level="district", parent="R")
        )
        for b in range(6):
            code = f"R{d}B{b}"
            blocks.append(code)
            areas.append(
                Area(code=code, name=f"Block {d}-{b}", level="block", parent=district)
            )
    save_areas(conn, areas)

    def small_or_distinct() -> int:
        return rng.choice([0, 1, 1, 2, 2, rng.randint(3, 60), next(numbers)])

    first = {}
    for period in PERIODS:
        for code in blocks:
            first[("cases", code, period)] = (small_or_distinct(), None)
            first[("aid_share", code, period)] = (
                small_or_distinct(),
                next(numbers) * 3,
            )
    _store(conn, "r1", first)
    revised = {
        key: (rng.choice([1, 2, next(numbers)]), total)
        for key, (_count, total) in first.items()
        if key[2] == "2022" and rng.random() < 0.3
    }
    _store(conn, "r2", revised)


def _store(
    conn: Connection,
    name: str,
    cells: dict[tuple[str, str, str], tuple[int, int | None]],
) -> None:
    release = draft_release(conn, name)
    found = []
    for (indicator, area, period), (count, total) in cells.items():
        found.append(
            {
                "indicator_id": queries.indicator_id(conn, indicator),
                "area_id": queries.area_id(conn, area),
                "period": period,
                "value": float(count) if total is None else count / total * 100,
                "numerator": None if total is None else float(count),
                "denominator": None if total is None else float(total),
                "flags": 0,
                "note": None,
            }
        )
    store_observations(conn, release, pd.DataFrame(found))
    publish_release(conn, name)


@pytest.fixture
def generated_engine(engine: Engine) -> Engine:
    with engine.begin() as conn:
        generated(conn)
    return engine


def true_cells(
    engine: Engine, indicator: str, as_of: str | None
) -> dict[tuple[str, str], Observation]:
    """(area, period) → the value as the administration reads it."""
    found = {}
    with engine.connect() as conn:
        for level in LEVELS:
            query = ObservationQuery(indicators=[indicator], level=level, as_of=as_of)
            for obs in read_observations(conn, query, audience=Audience.INTERNAL):
                found[(obs.area, obs.period)] = obs
    return found


def count(indicator: Indicator, obs: dict[str, object] | Observation) -> float | None:
    field = "value" if indicator.kind == "count" else "numerator"
    value = obs[field] if isinstance(obs, dict) else getattr(obs, field)
    return None if value is None else float(value)  # type: ignore[arg-type]


def unknown_names(
    truth: dict[str, dict[tuple[str, str], Observation]],
    indicator: Indicator,
    period: str,
) -> Callable[[int, str], str]:
    """The strongest attacker knows which cells a release changed: a cell is the
    same unknown in every state where its count is the same."""

    def name(state: int, area: str) -> str:
        return f"{area}={count(indicator, truth[RELEASES[state]][(area, period)])}"

    return name


def surface_urls(
    indicator: str,
    areas: list[str],
    *,
    levels: tuple[str, ...] = LEVELS,
    periods: tuple[str, ...] = PERIODS,
    releases: tuple[str, ...] = RELEASES,
) -> list[str]:
    """Every surface that shows the indicator's or the areas' values: pages, JSON
    twins, API, statistics, downloads, as of every release."""
    first, last = periods[0], periods[-1]
    urls = ["/", "/thema", "/methoden", "/suche?q=Block", "/gebiet"]
    urls += ["/datenluecken", "/datenluecken?ansicht=tabelle", "/api/v1/gaps"]
    urls += ["/datenluecken/download.csv", "/datenluecken/download.xlsx"]
    for level in levels:
        urls.append(f"/datenluecken?ebene={level}")
        urls.append(f"/api/v1/gaps?level={level}")
        for period in periods:
            view = f"ebene={level}&zeitraum={period}"
            for tab in ("karte", "diagramm", "tabelle"):
                urls.append(f"/indikator/{indicator}?{view}&ansicht={tab}")
                urls.append(f"/einbetten/indikator/{indicator}?{view}&ansicht={tab}")
            for ext in ("csv", "json", "xlsx"):
                urls.append(
                    f"/indikator/{indicator}/download.{ext}?{view}&ansicht=tabelle"
                )
            urls.append(f"/indikator/{indicator}/download.csv?{view}&ansicht=hotspots")
            urls.append(
                f"/api/v1/statistics/compare?indicator={indicator}&level={level}&period={period}"
            )
            urls.append(
                f"/api/v1/statistics/classes?indicator={indicator}&level={level}&period={period}"
            )
        urls.append(
            f"/indikator/{indicator}?ebene={level}&ansicht=veraenderung"
            f"&von={first}&bis={last}"
        )
        for release in releases:
            urls.append(
                f"/api/v1/observations?indicator={indicator}&level={level}&as_of={release}"
            )
    for code in areas:
        urls.append(f"/gebiet/{code}")
        urls.append(f"/einbetten/gebiet/{code}?indikator={indicator}")
        urls.append(f"/api/v1/observations?area={code}")
        urls.append(f"/api/v1/statistics/trend?indicator={indicator}&area={code}")
    for first, second in zip(areas, areas[1:], strict=False):
        urls.append(f"/vergleich?gebiete={first}&gebiete={second}&kennzahl={indicator}")
    twins = [
        "/api/v1/pages" + (u if u != "/" else "/start")
        for u in urls
        if not u.startswith("/api/") and "/download." not in u
    ]
    return urls + twins


def text_of(body: bytes) -> str:
    if body[:2] == b"PK":  # xlsx: the sheets' XML holds the numbers
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return " ".join(
                book.read(n).decode("utf-8", "replace") for n in book.namelist()
            )
    return body.decode("utf-8", "replace")


def number_pattern(number: float) -> re.Pattern[str]:
    """The number as any surface may write it: 7919, 7.919, 7,919, 7919.0.

    Examples
    --------
    >>> [bool(number_pattern(7919).search(t)) for t in ("7919.0", "7.919", "x7919,00")]
    [True, True, True]
    >>> [bool(number_pattern(7919).search(t)) for t in ("17919", "7919.5", "7919,01")]
    [False, False, False]
    """
    digits = f"{int(number)}"
    grouped = (
        f"{digits[:-3]}[.,\u202f\u00a0]?{digits[-3:]}" if len(digits) > 3 else digits
    )
    return re.compile(rf"(?<![\d.,]){grouped}(?:[.,]0+)?(?![\d]|[.,]\d)")


def test_no_surface_shows_a_hidden_count_and_none_can_be_recovered(
    generated_engine: Engine,
) -> None:
    client = TestClient(create_app(generated_engine))
    with generated_engine.connect() as conn:
        areas = [a.code for a in queries.list_areas(conn)]
    children: dict[str, list[str]] = {}
    for a in client.get("/api/v1/areas").json()["areas"]:
        if a["parent"]:
            children.setdefault(a["parent"], []).append(a["code"])
    for indicator in INDICATORS:
        # (1) canaries: the distinct numbers of every hidden cell, in any state
        canaries: dict[str, re.Pattern[str]] = {}
        truth = {r: true_cells(generated_engine, indicator.id, r) for r in RELEASES}
        hidden_somewhere = 0
        # A number one release showed is known (a population that a later release
        # keeps beside a count it hides): no canary; the LP below covers it.
        shown_somewhere = {
            number
            for cells in truth.values()
            for obs in cells.values()
            if not obs.flags & Flag.CONFIDENTIAL
            for number in (obs.value, obs.numerator, obs.denominator)
        }
        for cells in truth.values():
            for obs in cells.values():
                if not obs.flags & Flag.CONFIDENTIAL:
                    continue
                hidden_somewhere += 1
                for number in (obs.value, obs.numerator, obs.denominator):
                    if (
                        number is not None
                        and number > 7000
                        and float(number).is_integer()
                        and number not in shown_somewhere
                    ):
                        canaries[f"{obs.area} {obs.period} {number:g}"] = (
                            number_pattern(number)
                        )
        assert hidden_somewhere >= 6, "the generated data should hide many cells"
        shown_anywhere: set[str] = set()
        for url in surface_urls(indicator.id, areas):
            response = client.get(url)
            assert response.status_code < 500, url
            body = text_of(response.content)
            for name, pattern in canaries.items():
                if pattern.search(body):
                    shown_anywhere.add(f"{name} in {url}")
        assert not shown_anywhere, sorted(shown_anywhere)[:5]

        # (2) the linear programme over both releases, all levels, both periods
        for period in PERIODS:
            states = []
            for release in RELEASES:
                shown: dict[str, float | None] = {}
                for level in LEVELS:
                    body = client.get(
                        "/api/v1/observations",
                        params={
                            "indicator": indicator.id,
                            "level": level,
                            "as_of": release,
                        },
                    ).json()
                    for obs in body["observations"]:
                        if obs["period"] == period:
                            shown[obs["area"]] = count(indicator, obs)
                states.append(shown)

            identity = unknown_names(truth, indicator, period)
            ranges = hidden_ranges(states, children, identity=identity)
            for (state, area), (low, high) in ranges.items():
                true = count(indicator, truth[RELEASES[state]][(area, period)])
                if true is not None and 0 < true < MIN:
                    assert high - low >= MIN, (
                        indicator.id,
                        period,
                        state,
                        area,
                        low,
                        high,
                    )


def test_the_demo_has_nothing_to_recover(demo_sqlite: Engine) -> None:
    client = TestClient(create_app(demo_sqlite))
    children: dict[str, list[str]] = {}
    for a in client.get("/api/v1/areas").json()["areas"]:
        if a["parent"]:
            children.setdefault(a["parent"], []).append(a["code"])
    levels = [lvl["code"] for lvl in client.get("/api/v1/areas").json()["levels"]]
    attacked = 0
    for indicator in client.get("/api/v1/indicators").json()["indicators"]:
        if indicator["kind"] not in ("count", "share", "rate"):
            continue
        kind = Indicator(id="x", name="x", unit="x", kind=indicator["kind"])
        by_period: dict[str, dict[str, float | None]] = {}
        for level in levels:
            body = client.get(
                "/api/v1/observations",
                params={"indicator": indicator["id"], "level": level},
            )
            if body.status_code != 200:
                continue
            for obs in body.json()["observations"]:
                by_period.setdefault(obs["period"], {})[obs["area"]] = count(kind, obs)
        for shown in by_period.values():
            if all(v is None for v in shown.values()):
                continue
            for (_state, area), (low, high) in hidden_ranges([shown], children).items():
                attacked += 1
                assert high - low >= indicator["min_count"], (indicator["id"], area)
    # The demo's real data has no count above zero under the minimum: nothing is
    # hidden, and the attacker finds nothing to attack.
    assert attacked == 0
