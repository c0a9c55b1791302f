"""Index definitions, the computation's parts, the Oberhausen-style definition on
synthetic data, and the index commands and API.

The Oberhausen data are not public here: ``synthetic_quarters`` makes up a seeded,
clearly labelled set of 27 social quarters over four reference dates to exercise that
definition (changes over three periods from a time series). The MSS reproduction
against official values is in ``test_indices_mss2021.py``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from scipy import stats
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.analysis import index_definition, index_parts
from sozialmonitor.analysis.index_definition import (
    IndexDefinition,
    find_definition,
    parse_definition,
    shipped_definitions,
)
from sozialmonitor.analysis.index_derived import compute_and_store
from sozialmonitor.analysis.index_inputs import compute_from_database
from sozialmonitor.analysis.index_methods import standardise
from sozialmonitor.analysis.indices import classify, compute_index
from sozialmonitor.cli import app
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.errors import (
    IndexDefinitionError,
    IndexInputError,
    UnknownIndexError,
)
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)
from sozialmonitor.web.app import create_app

RTOL = 1e-6
SEED = 20240521
CITY = "05119000"
QUARTERS = tuple(f"OB{n:02d}" for n in range(1, 28))
YEARS = ("2019-12-31", "2020-12-31", "2021-12-31", "2022-12-31")
runner = CliRunner()

MINIMAL = """
id: tiny
name: Tiny
level: social_quarter
period: 2022-12-31
status:
  name: Status-Index
  indicators: [{key: a, label: A, indicator: a_share}]
  classes: [{code: 1, label: hoch, below: -1}, {code: 2, label: niedrig}]
"""


# --- definitions ------------------------------------------------------------------


def test_shipped_definitions_load_and_validate() -> None:
    shipped = shipped_definitions()
    assert set(shipped) == {"mss", "oberhausen"}
    mss = shipped["mss"]
    assert (mss.level, mss.period, mss.min_population) == (
        "planning_area",
        "2020-12-31",
        300,
    )
    assert [e.code for e in mss.excluded_areas] == ["10100205"]
    assert [c.label for c in mss.status.classes] == [
        "hoch",
        "mittel",
        "niedrig",
        "sehr niedrig",
    ]
    assert mss.dynamics is not None
    assert [(c.code, c.symbol) for c in mss.dynamics.classes] == [
        (1, "+"),
        (3, "+/-"),
        (5, "-"),
    ]
    oberhausen = shipped["oberhausen"]
    assert oberhausen.level == "social_quarter"
    assert len(oberhausen.status.indicators) == 7
    assert oberhausen.dynamics is not None
    assert {i.periods for i in oberhausen.dynamics.indicators} == {3}
    assert all(i.change_of for i in oberhausen.dynamics.indicators)
    assert "id: mss" in mss.text and len(mss.digest) == 64


def test_every_definition_field_is_described() -> None:
    models = [
        v
        for module in (index_definition, index_parts)
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v is not BaseModel
    ]
    assert IndexDefinition in models
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("period: 2022-12-31", None),
        ("period: 31.02.2022", "period"),
        ("standardisation: median", "standardisation"),
        ("aggregation: product", "aggregation"),
        ("id: Tiny Index", "id"),
        ("min_population: -1", "min_population"),
    ],
)
def test_definition_fields_are_checked(change: str, message: str | None) -> None:
    key = change.split(":")[0]
    text = "\n".join(
        change if line.startswith(f"{key}:") else line for line in MINIMAL.splitlines()
    )
    if key not in [line.split(":")[0] for line in MINIMAL.splitlines()]:
        text += f"\n{change}\n"
    if message is None:
        assert parse_definition(text).period == "2022-12-31"
        return
    with pytest.raises(IndexDefinitionError) as caught:
        parse_definition(text, origin="tiny.yaml")
    assert caught.value.message.startswith("tiny.yaml: ")
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        (
            "[{code: 1, label: a, below: 1}, {code: 2, label: b, up_to: 0}, "
            "{code: 3, label: c}]",
            "increase",
        ),
        ("[{code: 1, label: a, below: 1}, {code: 2, label: b, up_to: 2}]", "rest"),
        ("[{code: 1, label: a}, {code: 2, label: b}]", "without a bound"),
        ("[{code: 1, label: a, below: 0, up_to: 0}, {code: 2, label: b}]", "not both"),
        ("[{code: 1, label: a, below: 0}, {code: 1, label: b}]", "codes must differ"),
    ],
)
def test_class_schemes_are_checked(classes: str, message: str) -> None:
    text = MINIMAL.replace(
        "classes: [{code: 1, label: hoch, below: -1}, {code: 2, label: niedrig}]",
        f"classes: {classes}",
    )
    with pytest.raises(IndexDefinitionError, match=message):
        parse_definition(text)


@pytest.mark.parametrize(
    ("indicator", "message"),
    [
        ("{key: a, label: A}", "either 'indicator' or 'change_of'"),
        ("{key: a, label: A, indicator: x, change_of: x, periods: 1}", "not both"),
        ("{key: a, label: A, change_of: x}", "'periods' goes with"),
        ("{key: a, label: A, indicator: x, polarity: neutral}", "higher_is"),
        ("{key: A-1, label: A, indicator: x}", "lower-case"),
    ],
)
def test_index_indicators_are_checked(indicator: str, message: str) -> None:
    text = MINIMAL.replace("{key: a, label: A, indicator: a_share}", indicator)
    with pytest.raises(IndexDefinitionError, match=message):
        parse_definition(text)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("combined: {name: X}", "'combined' and focus dynamics need 'dynamics'"),
        ("focus: {status_classes: [7]}", "unknown class codes: \\[7\\]"),
        ("min_population: 300\npopulation: null", "needs the population"),
    ],
)
def test_definition_consistency_is_checked(extra: str, message: str) -> None:
    with pytest.raises(IndexDefinitionError, match=message):
        parse_definition(MINIMAL + extra + "\n")


def test_combined_matrix_templates_are_checked() -> None:
    mss = find_definition("mss").to_dict()
    mss["combined"]["cell"] = "{status}{dynamics}"
    with pytest.raises(ValueError, match="may use"):
        IndexDefinition.from_dict(mss)


def test_find_definition_by_id_or_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert find_definition(path).id == "tiny"
    assert find_definition(str(path)).text == MINIMAL
    with pytest.raises(UnknownIndexError, match="mss, oberhausen"):
        find_definition("nope")
    with pytest.raises(IndexDefinitionError, match="no file"):
        find_definition(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(IndexDefinitionError, match="mapping"):
        find_definition(tmp_path / "list.yaml")


# --- the parts of the computation ---------------------------------------------------


def test_mss_class_bounds_as_published() -> None:
    mss = find_definition("mss")
    assert mss.dynamics is not None
    values = pd.Series([-1.0001, -1.0, 0.0, 1.0, 1.0001, 1.5, 1.5001])
    assert classify(values, mss.status.classes).tolist() == [1, 2, 2, 2, 3, 3, 4]
    assert classify(values, mss.dynamics.classes).tolist() == [1, 3, 3, 3, 5, 5, 5]


def test_zscore_is_scipys_population_zscore() -> None:
    values = pd.Series(np.random.default_rng(SEED).gamma(2.0, 3.0, 50), name="x")
    expected = stats.zscore(values.to_numpy(), ddof=0)
    np.testing.assert_allclose(standardise(values), expected, rtol=RTOL)
    assert not np.allclose(stats.zscore(values.to_numpy(), ddof=1), expected)


def test_weighted_zscore() -> None:
    values = pd.Series([10.0, 20.0, 40.0], name="x")
    weights = pd.Series([1.0, 2.0, 1.0])
    # Weighted mean 22.5; weighted variance (156.25 + 2 * 6.25 + 306.25) / 4 = 118.75.
    expected = (values - 22.5) / np.sqrt(118.75)
    np.testing.assert_allclose(
        standardise(values, "zscore_weighted", weights), expected, rtol=RTOL
    )
    with pytest.raises(IndexInputError, match="population"):
        standardise(values, "zscore_weighted", None)


def test_a_constant_indicator_cannot_be_standardised() -> None:
    with pytest.raises(IndexInputError, match="same value"):
        standardise(pd.Series([3.0, 3.0, 3.0], name="s1"))


def _two_indicator_definition(**changes: object) -> IndexDefinition:
    data = parse_definition(MINIMAL).to_dict()
    data["status"]["indicators"] = [
        {"key": "a", "label": "A", "indicator": "a_share", "weight": 2},
        {
            "key": "b",
            "label": "B",
            "indicator": "b_rate",
            "polarity": "higher_is_better",
        },
    ]
    data.update(changes)
    return IndexDefinition.from_dict(data)


def test_weights_polarity_and_aggregation() -> None:
    inputs = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0], "b": [8.0, 6.0, 7.0, 1.0]},
        index=["q1", "q2", "q3", "q4"],
    )
    summed = compute_index(
        _two_indicator_definition(standardise_index=False), inputs
    ).areas
    z_a, z_b = stats.zscore(inputs["a"]), stats.zscore(inputs["b"])
    np.testing.assert_allclose(summed["z_b"], -z_b, rtol=RTOL)
    np.testing.assert_allclose(summed["status_sum"], 2 * z_a - z_b, rtol=RTOL)
    np.testing.assert_allclose(summed["status_index"], summed["status_sum"])
    averaged = compute_index(
        _two_indicator_definition(aggregation="mean"), inputs
    ).areas
    np.testing.assert_allclose(averaged["status_sum"], (2 * z_a - z_b) / 3, rtol=RTOL)
    # Standardised again, the mean and the sum give the same index.
    standardised = compute_index(_two_indicator_definition(), inputs).areas
    np.testing.assert_allclose(
        averaged["status_index"], standardised["status_index"], rtol=RTOL
    )


def test_areas_left_out_say_why() -> None:
    definition = _two_indicator_definition(
        min_population=500,
        excluded_areas=[{"code": "q2"}, {"code": "elsewhere", "reason": "Test"}],
    )
    inputs = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0, 5.0, np.nan], "b": [8.0, 6.0, 7.0, 1.0, 2.0, 3.0]},
        index=["q1", "q2", "q3", "q4", "q5", "q6"],
    )
    population = pd.Series(
        [900, 900, 499, 900, 900, 900, np.nan],
        index=["q1", "q2", "q3", "q4", "q5", "q6", "q7"],
    )
    with pytest.warns(UserWarning, match="1 area\\(s\\) left out for missing values"):
        found = compute_index(definition, inputs, population=population)
    assert found.excluded["reason"].to_dict() == {
        "q2": "Ausreißer",
        "q3": "nicht indexiert (< 500 EW)",
        "q6": "nicht indexiert (fehlende Werte: a)",
        "q7": "nicht indexiert (Einwohnerzahl fehlt)",
    }
    assert list(found.included.index) == ["q1", "q4", "q5"]
    assert found.areas.loc[["q2", "q3"], "z_a"].isna().all()
    with pytest.raises(IndexInputError, match="at least two"):
        compute_index(
            definition,
            inputs.loc[["q1", "q2"]],
            population=population.loc[["q1", "q2"]],
        )
    with pytest.raises(IndexInputError, match="lack the indicators b"):
        compute_index(definition, inputs[["a"]])


# --- Oberhausen-style, on synthetic data ----------------------------------------------


def synthetic_quarters() -> tuple[pd.DataFrame, pd.Series]:
    """SYNTHETIC (seeded) values of the seven core indicators for 27 quarters over
    four reference dates: (indicator, area, period) -> value, and the population.
    Made up for tests; not Oberhausen's data."""
    rng = np.random.default_rng(SEED)
    ids = find_definition("oberhausen").status.indicators
    rows = []
    for ind in ids:
        base = rng.uniform(2.0, 30.0, len(QUARTERS))
        for step, year in enumerate(YEARS):
            drift = rng.normal(0.0, 0.8, len(QUARTERS)) * step
            rows += [
                (ind.indicator, q, year, round(float(v), 2))
                for q, v in zip(QUARTERS, np.clip(base + drift, 0, 100), strict=True)
            ]
    values = pd.DataFrame(rows, columns=["indicator", "area", "period", "value"])
    population = pd.Series(
        rng.integers(2_000, 15_000, len(QUARTERS)), index=list(QUARTERS), dtype=float
    )
    return values, population


def _expected_oberhausen() -> pd.DataFrame:
    values, population = synthetic_quarters()
    definition = find_definition("oberhausen")
    assert definition.dynamics is not None
    wide = values.pivot_table(
        index="area", columns=["indicator", "period"], values="value"
    )
    inputs = pd.DataFrame(index=wide.index)
    for ind in definition.status.indicators:
        inputs[ind.key] = wide[(ind.source, YEARS[-1])]
    for ind in definition.dynamics.indicators:
        inputs[ind.key] = wide[(ind.source, YEARS[-1])] - wide[(ind.source, YEARS[0])]
    return compute_index(definition, inputs, population=population).areas


def test_oberhausen_definition_on_synthetic_quarters() -> None:
    areas = _expected_oberhausen()
    assert areas["included"].all() and len(areas) == 27
    z_columns = [c for c in areas.columns if c.startswith("z_")]
    assert len(z_columns) == 14
    np.testing.assert_allclose(areas[z_columns].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(areas[z_columns].std(ddof=0), 1.0, rtol=RTOL)
    assert set(areas["status_label"]) <= {"hoch", "mittel", "niedrig", "sehr niedrig"}
    assert set(areas["cell"]) <= {f"{s}{d}" for s in "1234" for d in ("+", "+/-", "-")}


@pytest.fixture
def oberhausen_engine(engine: Engine) -> Engine:
    """Synthetic Oberhausen-style quarters in one published release."""
    values, population = synthetic_quarters()
    definition = find_definition("oberhausen")
    indicators = [
        Indicator(id=i.source, name=i.label, unit="%", topic="Sozialindex-Test")
        for i in definition.status.indicators
    ] + [Indicator(id="population", name="Einwohner", unit="Personen", kind="count")]
    with engine.begin() as conn:
        save_indicators(conn, indicators)
        save_areas(
            conn,
            [Area(code=CITY, name="Oberhausen (synthetisch)", level="municipality")]
            + [
                Area(code=q, name=f"Quartier {q}", level="social_quarter", parent=CITY)
                for q in QUARTERS
            ],
        )
        population_rows = pd.DataFrame(
            {
                "indicator": "population",
                "area": population.index,
                "period": YEARS[-1],
                "value": population.to_numpy(),
            }
        )
        frame = pd.concat([values, population_rows], ignore_index=True)
        frame["indicator_id"] = frame["indicator"].map(
            {c: queries.indicator_id(conn, c) for c in frame["indicator"].unique()}
        )
        frame["area_id"] = frame["area"].map(
            {c: queries.area_id(conn, c) for c in QUARTERS}
        )
        frame = frame.assign(numerator=None, denominator=None, flags=0, note=None)
        release = draft_release(conn, "Synthetisch 2022")
        store_observations(conn, release, frame)
        publish_release(conn, "Synthetisch 2022")
    return engine


def test_oberhausen_changes_come_from_the_time_series(
    oberhausen_engine: Engine,
) -> None:
    expected = _expected_oberhausen()
    with warnings.catch_warnings(), oberhausen_engine.connect() as conn:
        warnings.simplefilter("error")  # complete inputs: no area left out
        found = compute_from_database(conn, find_definition("oberhausen")).areas
    for column in ("z_d_sgb2", "dynamics_index", "status_index"):
        np.testing.assert_allclose(
            found.loc[expected.index, column], expected[column], rtol=RTOL
        )
    assert (found["cell"] == expected["cell"]).all()
    with (
        oberhausen_engine.connect() as conn,
        pytest.raises(IndexInputError, match="needs 4 periods"),
    ):
        compute_from_database(conn, find_definition("oberhausen"), period=YEARS[-2])


def test_index_compute_stores_traceable_derived_indicators(
    oberhausen_engine: Engine,
) -> None:
    definition = find_definition("oberhausen")
    stored = compute_and_store(oberhausen_engine, definition, release="Index 2022")
    assert stored.release.name == "Index 2022"
    assert len(stored.indicators) == 14 + 2 * 3 + 1
    assert stored.rows_written == 27 * len(stored.indicators)
    again = compute_and_store(oberhausen_engine, definition, release="Index 2022")
    assert again.rows_written == 0
    with oberhausen_engine.connect() as conn:
        status_class = queries.get_indicator(
            conn, "oberhausen.status_class", audience=Audience.INTERNAL
        )
        draft = queries.read_observations(
            conn,
            queries.ObservationQuery(
                indicators=["oberhausen.status_class"], as_of="Index 2022"
            ),
            audience=Audience.INTERNAL,
        )
    assert status_class.kind.value == "index"
    assert definition.text in status_class.definition
    assert definition.digest in status_class.definition
    assert "1 = hoch (< -1)" in status_class.definition
    labels = {o.area: o.note for o in draft}
    expected = _expected_oberhausen()["status_label"]
    for area, label in expected.items():
        trace = f"Indexdefinition oberhausen (SHA-256 {definition.digest[:12]})"
        assert labels[area] == f"{label} · {trace}"


def test_derived_indicators_of_internal_inputs_are_internal(
    oberhausen_engine: Engine,
) -> None:
    with oberhausen_engine.begin() as conn:
        sgb2 = queries.get_indicator(conn, "sgb2_share")
        save_indicators(
            conn, [sgb2.model_copy(update={"visibility": Visibility.INTERNAL})]
        )
    definition = find_definition("oberhausen")
    compute_and_store(oberhausen_engine, definition, release="Intern")
    with oberhausen_engine.connect() as conn:
        derived = queries.get_indicator(
            conn, "oberhausen.status_index", audience=Audience.INTERNAL
        )
        assert derived.visibility is Visibility.INTERNAL
        # The public cannot compute it: an input is not public.
        with pytest.raises(IndexInputError, match="sgb2_share"):
            compute_from_database(conn, definition)


# --- commands and API ---------------------------------------------------------------


def test_index_commands(oberhausen_engine: Engine, tmp_path: Path) -> None:
    url = oberhausen_engine.url.render_as_string(hide_password=False)
    listed = runner.invoke(app, ["index", "list"])
    assert listed.exit_code == 0
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == [
        "mss",
        "oberhausen",
    ]
    shown = runner.invoke(app, ["--db", url, "index", "show", "oberhausen"])
    assert shown.exit_code == 0, shown.output
    header = shown.stdout.splitlines()[0].split("\t")
    assert header[:3] == ["code", "name", "z_migration"]
    assert "status_index" in header and "dynamics_class" in header
    as_json = runner.invoke(app, ["--db", url, "index", "show", "oberhausen", "--json"])
    body = json.loads(as_json.stdout)
    assert len(body["areas"]) == 27 and body["period"] == "2022-12-31"
    missing = runner.invoke(app, ["--db", url, "index", "show", "nope"])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert "There is no index 'nope'" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("level:", "levels:"), encoding="utf-8")
    failed = runner.invoke(app, ["--db", url, "index", "compute", str(bad)])
    assert failed.exit_code == 1 and "levels: Extra inputs" in failed.stderr


def test_index_api(oberhausen_engine: Engine) -> None:
    client = TestClient(create_app(oberhausen_engine))
    listed = client.get("/api/v1/indices").json()["indices"]
    assert [i["id"] for i in listed] == ["mss", "oberhausen"]
    assert listed[0]["definition"]["min_population"] == 300
    one = client.get("/api/v1/indices/oberhausen").json()
    assert one["text"] == find_definition("oberhausen").text
    body = client.get("/api/v1/indices/oberhausen/results").json()
    assert body["release"]["name"] == "Synthetisch 2022"
    area = body["areas"][0]
    assert set(area["zscores"]) == {
        i.key for i in find_definition("oberhausen").indicators
    }
    assert area["status"]["label"] in {"hoch", "mittel", "niedrig", "sehr niedrig"}
    assert area["dynamics"]["label"] in {"positiv", "stabil", "negativ"}
    assert {f["code"] for f in body["focus"]} == {
        a["code"]
        for a in body["areas"]
        if a["status"]["class"] in (3, 4) or a["dynamics"]["class"] == 5
    }
    for path, status, code in [
        ("/api/v1/indices/nope/results", 404, "unknown-index"),
        ("/api/v1/indices/nope", 404, "unknown-index"),
        ("/api/v1/indices/mss/results", 400, "index-input"),
        ("/api/v1/indices/oberhausen/results?period=2019-12-31", 400, "index-input"),
        ("/api/v1/indices/oberhausen/results?period=soon", 400, "invalid-period"),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith(f"/{code}")
