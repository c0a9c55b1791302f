"""Area typology: Ward clusters of z-scored profiles, checked against scikit-learn."""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from scipy.stats import zscore

from sozialmonitor.analysis.typology import typology

RTOL = 1e-9

PROFILES: dict[str, dict[str, float | None]] = {
    # two poorer, younger quarters, two richer, older ones and one in between
    "01": {"sgb2": 24.0, "u18": 22.0, "ue65": 12.0},
    "02": {"sgb2": 26.0, "u18": 21.0, "ue65": 11.0},
    "03": {"sgb2": 6.0, "u18": 14.0, "ue65": 29.0},
    "04": {"sgb2": 5.0, "u18": 15.0, "ue65": 31.0},
    "05": {"sgb2": 7.0, "u18": 13.0, "ue65": 28.0},
    "06": {"sgb2": 15.0, "u18": 18.0, "ue65": 20.0},
}


def partition(labels: list[int] | np.ndarray, codes: list[str]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for code, label in zip(codes, labels, strict=True):
        groups.setdefault(int(label), set()).add(code)
    return {frozenset(g) for g in groups.values()}


def test_two_clear_types_numbered_by_size_then_code():
    found = typology(PROFILES, k=2)
    # equal sizes: the type holding the smallest code comes first
    assert [t.areas for t in found.types] == [("01", "02", "06"), ("03", "04", "05")]
    assert found.indicators == ("sgb2", "u18", "ue65")
    assert found.type_of("06") == 1
    three = typology(PROFILES, k=3)
    assert [t.areas for t in three.types] == [("03", "04", "05"), ("01", "02"), ("06",)]
    assert found.type_of("99") is None


def test_type_means_are_means_of_scipy_z_scores():
    found = typology(PROFILES, k=2)
    codes = sorted(PROFILES)
    matrix = np.array([[PROFILES[c][i] for i in found.indicators] for c in codes])
    z = zscore(matrix, axis=0)
    for area_type in found.types:
        rows = [codes.index(code) for code in area_type.areas]
        expected = z[rows].mean(axis=0)
        assert list(area_type.means.values()) == pytest.approx(expected, rel=RTOL)


def test_distinctive_indicators_with_sign():
    found = typology(PROFILES, k=2, top=2)
    older = found.types[1]
    assert len(older.distinctive) == 2
    magnitudes = [abs(f.mean_z) for f in older.distinctive]
    assert magnitudes == sorted(magnitudes, reverse=True)
    assert max(abs(m) for m in older.means.values()) == magnitudes[0]
    by_name = {f.indicator: f for f in typology(PROFILES, k=2).types[1].distinctive}
    assert by_name["ue65"].direction == "higher" and by_name["ue65"].label == "höher"
    assert by_name["sgb2"].direction == "lower" and by_name["sgb2"].label == "niedriger"


def test_same_partition_as_scikit_learn_ward():
    cluster = pytest.importorskip("sklearn.cluster")
    rng = np.random.default_rng(2021)
    centres = rng.normal(scale=4, size=(4, 5))
    data = np.vstack([c + rng.normal(size=(10, 5)) for c in centres])
    codes = [f"{i:03d}" for i in range(len(data))]
    names = [f"ind{j}" for j in range(5)]
    profiles = {
        code: dict(zip(names, map(float, row), strict=True))
        for code, row in zip(codes, data, strict=True)
    }
    for k in (2, 3, 4, 6):
        found = typology(profiles, k=k)
        reference = cluster.AgglomerativeClustering(n_clusters=k, linkage="ward")
        labels = reference.fit_predict(zscore(data, axis=0))
        ours = {frozenset(t.areas) for t in found.types}
        assert ours == partition(labels, codes)


def test_missing_values_leave_the_area_out():
    profiles = dict(PROFILES)
    profiles["07"] = {"sgb2": None, "u18": 20.0, "ue65": 15.0}
    profiles["08"] = {"sgb2": 20.0, "u18": 20.0}  # no value of ue65
    found = typology(profiles, k=2)
    assert found.left_out == ("07", "08")
    assert found.type_of("07") is None
    assert sum(len(t.areas) for t in found.types) == 6


def test_constant_indicator_is_dropped_with_a_warning():
    profiles = {code: {**p, "flag": 1.0} for code, p in PROFILES.items()}
    with pytest.warns(UserWarning, match="flag"):
        found = typology(profiles, k=2)
    assert found.dropped_indicators == ("flag",)
    assert "flag" not in found.indicators
    assert [t.areas for t in found.types] == [
        t.areas for t in typology(PROFILES, 2).types
    ]


def test_fewer_areas_than_types():
    two = {code: PROFILES[code] for code in ("01", "03")}
    with pytest.warns(UserWarning, match="instead of 4"):
        found = typology(two, k=4)
    assert found.k == 2


def test_single_area_and_identical_profiles():
    with pytest.warns(UserWarning) as caught:
        single = typology({"01": PROFILES["01"]}, k=3)
    messages = " | ".join(str(w.message) for w in caught)
    assert "instead of 3" in messages and "Equal in every area" in messages
    assert single.k == 1 and single.types[0].areas == ("01",)
    assert single.dropped_indicators == ("sgb2", "u18", "ue65")  # no spread
    twins = {"a": {"x": 1.0, "y": 2.0}, "b": {"x": 1.0, "y": 2.0}}
    with pytest.warns(UserWarning):
        found = typology(twins, k=2)
    assert found.k == 1 and found.types[0].distinctive == ()


def test_no_complete_area():
    with pytest.warns(UserWarning, match="No area"):
        found = typology({"a": {"x": None}}, k=2)
    assert found.k == 0 and found.left_out == ("a",)


def test_input_order_does_not_matter():
    items = list(PROFILES.items())
    random.Random(4).shuffle(items)
    assert typology(dict(items), k=3) == typology(PROFILES, k=3)


def test_chosen_indicators_and_bad_k():
    found = typology(PROFILES, k=2, indicators=["ue65", "sgb2"])
    assert found.indicators == ("ue65", "sgb2")
    with pytest.raises(ValueError, match="at least 1"):
        typology(PROFILES, k=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert typology(PROFILES, k=1).k == 1
