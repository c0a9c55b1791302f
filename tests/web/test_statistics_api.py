"""``/api/v1/statistics``: the JSON agrees with the pure functions and with
expectations worked out independently (by hand, or known facts about the demo data)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from statistics import mean
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.changes import changes
from sozialmonitor.analysis.classify import classify
from sozialmonitor.analysis.comparison import compare_with_benchmark
from sozialmonitor.analysis.spatial import analyse, contiguity_weights
from sozialmonitor.analysis.trends import trend
from sozialmonitor.analysis.typology import typology
from sozialmonitor.domain.access import Audience
from sozialmonitor.store import queries
from sozialmonitor.web.app import create_app
from tests.fixtures import COUNTS, FIRST_RELEASE, REGION, TOWNS

RTOL = 1e-6
PROBLEM_KEYS = {"type", "title", "status", "detail"}
HANNOVER, LANGENHAGEN = "03241001", "03241010"
Z95 = 1.959963984540054
"""The 97.5 % quantile of the standard normal distribution."""


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/statistics/{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def read(engine: Engine, indicator: str, **query: Any) -> list[Any]:
    with engine.connect() as conn:
        return queries.read_observations(
            conn,
            queries.ObservationQuery(indicators=[indicator], **query),
            audience=Audience.PUBLIC,
        )


def indicator(engine: Engine, code: str) -> Any:
    with engine.connect() as conn:
        return queries.get_indicator(conn, code)


# --- compare -----------------------------------------------------------------------


def test_compare_wilson_interval_by_hand(client: TestClient) -> None:
    body = get(
        client, "compare", indicator="unemployment_share", area=TOWNS[1], period="2020"
    )
    assert body["period"] == "2020" and body["release"]["name"] == FIRST_RELEASE
    (row,) = body["comparisons"]
    # Wilson (1927) for 1,000 of 20,000 at 95 %, written out.
    n, p = 20_000, 1_000 / 20_000
    centre, scale = p + Z95**2 / (2 * n), 1 + Z95**2 / n
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
    assert row["interval"]["lower"] == pytest.approx(
        (centre - half) / scale * 100, rel=RTOL
    )
    assert row["interval"]["upper"] == pytest.approx(
        (centre + half) / scale * 100, rel=RTOL
    )
    assert row["interval"]["lower"] == pytest.approx(4.7065, abs=1e-4)
    assert row["interval"]["upper"] == pytest.approx(5.3108, abs=1e-4)
    assert row["interval"]["method"] == "wilson"
    # The region's 2020 value from its towns' counts: 21,500 / 345,000 = 6.23 %,
    # above the interval; more unemployment is worse, so the town is better.
    region = sum(c[0] for (_, y), c in COUNTS.items() if y == "2020") / sum(
        c[1] for (_, y), c in COUNTS.items() if y == "2020"
    )
    assert row["benchmark"]["code"] == REGION
    assert row["benchmark"]["value"] == pytest.approx(region * 100, rel=RTOL)
    assert row["benchmark"]["computed"] is True
    assert row["result"] == {
        "code": "better",
        "label": "signifikant besser als",
        "text": "signifikant besser als Region Hannover",
    }


def test_compare_children_of_a_parent_at_once(
    client: TestClient, small_engine: Engine
) -> None:
    body = get(client, "compare", indicator="unemployment_share", parent=REGION)
    assert body["period"] == "2021"  # the latest with a value
    rows = {r["area"]["code"]: r for r in body["comparisons"]}
    assert list(rows) == list(TOWNS)
    assert rows[TOWNS[2]]["result"]["code"] == "not_compared"
    assert rows[TOWNS[2]]["reason"] == "no value for 2021"
    assert rows[TOWNS[0]]["benchmark"]["missing_children"] == [TOWNS[2]]
    share = indicator(small_engine, "unemployment_share")
    region = rows[TOWNS[0]]["benchmark"]["value"]
    for code in TOWNS[:2]:
        num, den = COUNTS[(code, "2021")]
        expected = compare_with_benchmark(share, num, den, region)
        assert rows[code]["result"]["code"] == expected.result.value
        assert expected.interval is not None
        assert rows[code]["interval"]["lower"] == pytest.approx(
            expected.interval.lower, rel=RTOL
        )
    # Hannover's 7.0 % against the region's 6.9 % with 301,000 at risk: worse.
    assert rows[TOWNS[0]]["result"]["code"] == "worse"


def test_compare_with_a_chosen_benchmark_and_level(client: TestClient) -> None:
    body = get(
        client,
        "compare",
        indicator="unemployment_share",
        level="municipality",
        benchmark=TOWNS[0],
        period="2020",
    )
    assert {r["benchmark"]["code"] for r in body["comparisons"]} == {TOWNS[0]}
    own = next(r for r in body["comparisons"] if r["area"]["code"] == TOWNS[0])
    assert own["result"]["code"] == "similar"  # its own value lies in its interval
    assert [r["result"]["code"] for r in body["comparisons"][1:]] == [
        "better",
        "better",
    ]


def test_compare_not_compared_cases_say_why(client: TestClient) -> None:
    count = get(client, "compare", indicator="population", area=TOWNS[0])
    assert count["comparisons"][0]["result"]["label"] == "nicht verglichen"
    assert count["comparisons"][0]["reason"] == "no confidence interval for a count"
    top = get(client, "compare", indicator="unemployment_share", area=REGION)
    assert top["comparisons"][0]["benchmark"] is None
    assert "no parent" in top["comparisons"][0]["reason"]


# --- trend -------------------------------------------------------------------------


def test_trend_of_two_values_is_not_tested_but_changes(client: TestClient) -> None:
    body = get(client, "trend", indicator="unemployment_share", area=TOWNS[1])
    assert body["direction"] == {"code": "not_tested", "label": "nicht geprüft"}
    assert "from 5 on" in body["note"]
    assert body["periods"] == ["2020", "2021"] and body["missing_periods"] == []
    previous = body["changes"][0]
    assert previous["span"] == "previous" and previous["percentage_points"]
    assert previous["absolute"] == pytest.approx(1_100 / 20_100 * 100 - 5.0, rel=RTOL)
    # Sen's slope of two points is their difference per year.
    assert body["sen_slope"] == pytest.approx(previous["absolute"], rel=RTOL)
    assert body["changes"][1]["absolute"] is None  # 2016 is not there


def test_trend_of_the_region_matches_the_pure_function(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    body = get(demo, "trend", indicator="unemployment_share", area="03241")
    rows = read(demo_sqlite, "unemployment_share", areas=["03241"])
    series = {o.period: o.value for o in rows}
    expected = trend(
        series,
        numerators={o.period: o.numerator for o in rows},
        denominators={o.period: o.denominator for o in rows},
    )
    assert expected.mann_kendall is not None and expected.sen_slope is not None
    assert body["mann_kendall"]["s"] == expected.mann_kendall.s
    assert body["p_value"] == pytest.approx(expected.mann_kendall.p_value, rel=RTOL)
    assert body["sen_slope"] == pytest.approx(expected.sen_slope, rel=RTOL)
    assert body["direction"]["code"] == expected.direction.value
    assert [c["absolute"] for c in body["changes"]] == pytest.approx(
        [c.absolute for c in changes(series, share=True)], rel=RTOL
    )
    # INKAR: unemployment in the region fell from 2001 to 2021; Zensus 2011 break.
    assert body["direction"]["code"] == "decreasing"
    assert body["periods"][0] == "2001" and body["periods"][-1] == "2021"
    assert body["breaks"] == ["2011"]
    assert body["changes"][2]["base_period"] == "2011"
    logit = get(
        demo, "trend", indicator="unemployment_share", area="03241", method="logit"
    )
    assert logit["logit"]["slope"] < 0
    assert logit["direction"]["code"] == "decreasing"


# --- classes -----------------------------------------------------------------------


def test_classes_match_the_pure_function_and_report_fewer_classes(
    client: TestClient,
) -> None:
    body = get(
        client,
        "classes",
        indicator="unemployment_share",
        level="municipality",
        period="2020",
        scheme="equal_interval",
        k=2,
    )
    values = [COUNTS[(c, "2020")][0] / COUNTS[(c, "2020")][1] * 100 for c in TOWNS]
    expected = classify(values, "equal_interval", 2, unit="%")
    assert body["bins"] == pytest.approx(list(expected.bins), rel=RTOL)
    assert [a["class"] for a in body["areas"]] == list(expected.classes)
    assert [x["label"] for x in body["legend"]] == list(expected.labels)
    # By hand: 2.0 … 6.67 % in two equal halves, cut at 4.33 %.
    assert body["bins"][0] == pytest.approx((2.0 + 20_000 / 300_000 * 100) / 2)
    assert body["legend"][0]["label"] == "bis 4,3\u202f%"
    assert [a["class"] for a in body["areas"]] == [1, 1, 0]
    fewer = get(client, "classes", indicator="unemployment_share", level="municipality")
    assert fewer["period"] == "2021" and fewer["k"] == 2 and fewer["k_requested"] == 5
    assert fewer["warnings"] and "instead of 5" in fewer["warnings"][0]
    assert fewer["areas"][2]["class"] is None  # no 2021 value


DEMO_TOWNS = 21 + 78
"""Municipalities with an unemployment share: Hannover's and the Hessen pilot's."""


def test_classes_of_the_demo_municipalities(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    body = get(demo, "classes", indicator="unemployment_share", level="municipality")
    classed = [a for a in body["areas"] if a["class"] is not None]
    assert len(classed) == DEMO_TOWNS and body["k"] == 5 and body["period"] == "2021"
    assert {a["code"][:2] for a in classed} == {"03", "06"}
    assert sum(x["count"] for x in body["legend"]) == DEMO_TOWNS
    values = [a["value"] for a in body["areas"]]
    expected = classify(values, "natural_breaks", 5, unit="%")
    assert [a["class"] for a in body["areas"]] == list(expected.classes)
    by_code = {a["code"]: a for a in classed}
    # Hannover (7.7 %) and Offenbach (8.3 %) have the highest shares: the top class.
    assert by_code[HANNOVER]["class"] == by_code["06413000"]["class"] == 4
    # Quantiles of Berlin's 536 planning areas with a value: about 107 per class.
    quint = get(
        demo,
        "classes",
        indicator="mss_s4_child_poverty",
        level="planning_area",
        scheme="quantiles",
    )
    assert all(abs(x["count"] - 536 / 5) <= 2 for x in quint["legend"])
    assert len(read(demo_sqlite, "mss_s4_child_poverty", level="planning_area")) == 536


# --- spatial -----------------------------------------------------------------------


def test_spatial_without_boundaries_says_to_import_them(client: TestClient) -> None:
    response = client.get(
        "/api/v1/statistics/spatial",
        params={"indicator": "unemployment_share", "level": "municipality"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/missing-boundaries")
    assert "import areas" in body["detail"] and "boundaries" in body["detail"]


def test_spatial_hannover_neighbours_and_pure_function(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    body = get(demo, "spatial", indicator="unemployment_share", level="municipality")
    areas = {a["code"]: a for a in body["areas"]}
    assert LANGENHAGEN in areas[HANNOVER]["neighbours"]
    assert HANNOVER in areas[LANGENHAGEN]["neighbours"]
    # Offenbach am Main borders no municipality of the demo: an island
    assert body["n"] == DEMO_TOWNS - 1 and body["islands"] == ["06413000"]
    assert body["left_out"] == ["11000000"]  # Berlin: no value
    with demo_sqlite.connect() as conn:
        shapes = queries.list_areas(conn, level="municipality", with_geometry=True)
    values = [areas[a.code]["value"] for a in shapes]
    expected = analyse(
        [a.code for a in shapes], [a.geometry for a in shapes], values, rule="queen"
    )
    assert expected.moran is not None
    assert body["moran"]["i"] == pytest.approx(expected.moran.i, rel=RTOL)
    assert body["moran"]["p_value"] == expected.moran.p_value
    assert body["moran"]["expected"] == pytest.approx(-1 / (DEMO_TOWNS - 2), rel=RTOL)
    assert [areas[r.area]["cluster"]["code"] for r in expected.local] == [
        r.cluster.value for r in expected.local
    ]
    w = contiguity_weights([a.code for a in shapes], [a.geometry or "" for a in shapes])
    assert areas[HANNOVER]["neighbours"] == list(w.of(HANNOVER))


def test_moran_of_berlin_child_poverty_is_clearly_positive(demo: TestClient) -> None:
    params = {"indicator": "mss_s4_child_poverty", "level": "planning_area"}
    body = get(demo, "spatial", **params)
    assert body["moran"]["i"] > 0.3
    assert body["moran"]["p_value"] <= 0.01 and body["moran"]["p_normal"] < 1e-6
    assert body["n"] == 536 and len(body["left_out"]) == 6
    clusters = {a["cluster"]["code"] for a in body["areas"]}
    assert {"high-high", "low-low"} <= clusters
    assert get(demo, "spatial", **params) == body  # seeded: the same every time


# --- typology ----------------------------------------------------------------------


def test_typology_matches_the_pure_function(client: TestClient) -> None:
    body = get(
        client,
        "typology",
        indicator=["unemployment_share", "population"],
        level="municipality",
        period="2020",
        k=2,
    )
    profiles = {
        code: {
            "unemployment_share": COUNTS[(code, "2020")][0]
            / COUNTS[(code, "2020")][1]
            * 100,
            "population": float(COUNTS[(code, "2020")][1]),
        }
        for code in TOWNS
    }
    expected = typology(profiles, 2, indicators=["unemployment_share", "population"])
    assert [t["areas"] for t in body["types"]] == [
        list(t.areas) for t in expected.types
    ]
    # By hand: the big town (300,000, 6.7 %) stands apart from two small ones.
    assert body["types"][1]["areas"] == [TOWNS[0]]
    assert "höher" in body["types"][1]["description"]
    assert {a["code"]: a["type"] for a in body["areas"]} == {
        TOWNS[0]: 2,
        TOWNS[1]: 1,
        TOWNS[2]: 1,
    }


def test_typology_of_berlin_planning_areas(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    ids = ["mss_s1_unemployment", "mss_s3_transfer", "mss_s4_child_poverty"]
    body = get(demo, "typology", indicator=",".join(ids), level="planning_area")
    assert body["period"] == "2020-12-31" and body["k"] == 4
    sizes = [t["size"] for t in body["types"]]
    assert sum(sizes) == 536 and sizes == sorted(sizes, reverse=True)
    assert len(body["left_out"]) == 6
    raw = {
        i: {o.area: o.value for o in read(demo_sqlite, i, level="planning_area")}
        for i in ids
    }
    profiles = {code: {i: raw[i].get(code) for i in ids} for code in raw[ids[0]]}
    expected = typology(profiles, 4, indicators=ids)
    assert [t["areas"] for t in body["types"]] == [
        list(t.areas) for t in expected.types
    ]
    # Independently: a type said to have "höher" child poverty has a higher raw mean
    # than all planning areas, one said "niedriger" a lower one.
    overall = mean(v for v in raw["mss_s4_child_poverty"].values() if v is not None)
    checked = 0
    for found in body["types"]:
        poverty = mean(raw["mss_s4_child_poverty"][c] for c in found["areas"])
        labels = {f["indicator"]: f["label"] for f in found["distinctive"]}
        word = labels.get("mss_s4_child_poverty")
        if word == "höher":
            assert poverty > overall
        elif word == "niedriger":
            assert poverty < overall
        checked += word is not None
    assert checked >= 2


# --- errors and shape --------------------------------------------------------------


ERRORS: list[tuple[str, dict[str, Any], int, str]] = [
    ("compare", {"indicator": "nope", "area": REGION}, 404, "unknown-indicator"),
    (
        "compare",
        {"indicator": "internal_case_load", "area": REGION},
        404,
        "unknown-indicator",
    ),
    (
        "compare",
        {"indicator": "population", "area": "99"},
        404,
        "unknown-area-code",
    ),
    (
        "compare",
        {"indicator": "population", "area": TOWNS[0], "benchmark": "99"},
        404,
        "unknown-area-code",
    ),
    ("compare", {"indicator": "population", "level": "x"}, 404, "unknown-level"),
    (
        "compare",
        {"indicator": "population", "area": REGION, "confidence": "1.5"},
        400,
        "invalid-parameters",
    ),
    (
        "compare",
        {"indicator": "population", "area": REGION, "period": "soon"},
        400,
        "invalid-period",
    ),
    ("compare", {"area": REGION}, 400, "invalid-parameters"),
    ("trend", {"indicator": "population", "area": "99"}, 404, "unknown-area-code"),
    (
        "trend",
        {"indicator": "population", "area": REGION, "method": "logit"},
        400,
        "invalid-query",
    ),
    (
        "trend",
        {"indicator": "population", "area": REGION, "method": "guess"},
        400,
        "invalid-query",
    ),
    (
        "classes",
        {"indicator": "population", "level": "municipality", "k": 11},
        400,
        "invalid-parameters",
    ),
    (
        "classes",
        {"indicator": "population", "level": "municipality", "k": 1},
        400,
        "invalid-parameters",
    ),
    (
        "classes",
        {"indicator": "population", "level": "municipality", "k": "many"},
        400,
        "invalid-parameters",
    ),
    (
        "classes",
        {"indicator": "population", "level": "municipality", "scheme": "jenks"},
        400,
        "invalid-query",
    ),
    ("classes", {"indicator": "population", "level": "x"}, 404, "unknown-level"),
    (
        "spatial",
        {"indicator": "population", "level": "municipality", "rule": "bishop"},
        400,
        "invalid-query",
    ),
    (
        "spatial",
        {"indicator": "nope", "level": "municipality"},
        404,
        "unknown-indicator",
    ),
    (
        "typology",
        {"indicator": "population", "level": "municipality"},
        400,
        "invalid-query",
    ),
    (
        "typology",
        {"indicator": "population,nope", "level": "municipality"},
        404,
        "unknown-indicator",
    ),
    (
        "typology",
        {
            "indicator": "population,unemployment_share",
            "level": "municipality",
            "k": 0,
        },
        400,
        "invalid-parameters",
    ),
]
"""(endpoint, parameters, status, problem code)"""


def test_compare_takes_the_most_specific_choice_and_else_the_top_areas(
    client: TestClient,
) -> None:
    both = get(client, "compare", indicator="population", area=TOWNS[0], level="region")
    assert [c["area"]["code"] for c in both["comparisons"]] == [TOWNS[0]]
    tops = get(client, "compare", indicator="population")
    assert [c["area"]["code"] for c in tops["comparisons"]] == [REGION]


def test_errors_are_problem_details(client: TestClient) -> None:
    # One database for all cases: each is a read that fails before it finds data.
    for path, params, status, kind in ERRORS:
        case = f"{path} {params}"
        response = client.get(f"/api/v1/statistics/{path}", params=params)
        assert response.status_code == status, (case, response.text)
        assert response.headers["content-type"] == "application/problem+json", case
        body = response.json()
        assert body.keys() >= PROBLEM_KEYS, case
        assert body["status"] == status, case
        assert body["type"].endswith("/" + kind), (case, body)
        assert body["detail"], case


def test_too_few_values_is_a_result_with_a_note(client: TestClient) -> None:
    body = get(
        client,
        "typology",
        indicator=["unemployment_share", "population"],
        level="district",
    )
    assert body["types"] == [] and body["note"]
    empty = get(client, "classes", indicator="population", level="district")
    assert empty["k"] == 0 and empty["note"]


@pytest.fixture
def everything(demo: TestClient) -> Iterator[list[dict[str, Any]]]:
    yield [
        get(demo, "compare", indicator="unemployment_share", parent="03241"),
        get(demo, "trend", indicator="mss_s4_child_poverty", area="01100101"),
        get(demo, "classes", indicator="mss_s1_unemployment", level="district_region"),
        get(demo, "spatial", indicator="mss_s1_unemployment", level="district_region"),
        get(
            demo,
            "typology",
            indicator=["mss_k01_youth_unemployment", "mss_k02_single_parents"],
            level="planning_area",
        ),
    ]


def test_every_answer_is_strict_json_with_release_and_note(
    everything: list[dict[str, Any]],
) -> None:
    for body in everything:
        json.dumps(body, allow_nan=False)
        assert body["release"]["name"] and "note" in body
        assert body["statistic"] in {
            "compare",
            "trend",
            "classes",
            "spatial",
            "typology",
        }
