"""Map classes against mapclassify's published examples and hand-computed bins."""

from __future__ import annotations

import math
import warnings

import mapclassify
import numpy as np
import pytest

from sozialmonitor.analysis.classify import (
    SCHEMES,
    Scheme,
    classify,
    format_number,
    legend_labels,
)
from sozialmonitor.errors import InvalidQueryError

RTOL = 1e-6
NNBSP = "\u202f"

# mapclassify's docstrings (classifiers.py) on its example data, California
# employment density (mapclassify.load_example(), 58 counties), k = 5.
CALEMP_PUBLISHED = {
    "natural_breaks": ([75.29, 192.05, 370.5, 722.85, 4111.45], [49, 3, 4, 1, 1]),
    "quantiles": ([1.464, 5.798, 13.278, 54.616, 4111.45], [12, 11, 12, 11, 12]),
    "equal_interval": (
        [822.394, 1644.658, 2466.922, 3289.186, 4111.45],
        [57, 0, 0, 0, 1],
    ),
    "std_mean": (
        [-967.36235382, -420.71712519, 672.57333208, 1219.21856072, 4111.45],
        [0, 0, 56, 1, 1],
    ),
}


@pytest.mark.parametrize("scheme", list(CALEMP_PUBLISHED))
def test_published_mapclassify_examples(scheme: str):
    bins, counts = CALEMP_PUBLISHED[scheme]
    cal = mapclassify.load_example()
    found = classify(list(cal), scheme, k=5)
    assert found.k == 5
    assert found.bins == pytest.approx(bins, rel=RTOL)
    assert list(found.counts) == counts


@pytest.mark.parametrize(
    ("scheme", "reference"),
    [
        ("natural_breaks", lambda y, k: mapclassify.FisherJenks(y, k=k)),
        ("quantiles", lambda y, k: mapclassify.Quantiles(y, k=k)),
        ("equal_interval", lambda y, k: mapclassify.EqualInterval(y, k=k)),
    ],
)
@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_same_bins_and_classes_as_mapclassify(scheme, reference, k: int):
    y = np.random.default_rng(42).lognormal(mean=2.0, sigma=0.8, size=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify: "Numba not installed"
        expected = reference(y, k)
    found = classify(list(y), scheme, k=k)
    assert found.bins == pytest.approx(expected.bins, rel=RTOL)
    assert list(found.classes) == expected.yb.tolist()
    assert list(found.counts) == expected.counts.tolist()


@pytest.mark.parametrize(
    ("k", "multiples"),
    [
        (2, [0]),
        (3, [-1, 1]),
        (4, [-1, 0, 1]),
        (5, [-2, -1, 1, 2]),
        (6, [-2, -1, 0, 1, 2]),
    ],
)
def test_std_mean_cuts(k: int, multiples: list[int]):
    y = np.random.default_rng(1).normal(50, 10, size=80)
    expected = mapclassify.StdMean(y, multiples=multiples)
    found = classify(list(y), "std_mean", k=k)
    assert found.bins == pytest.approx(expected.bins, rel=RTOL)
    assert list(found.classes) == expected.yb.tolist()


def test_hand_computed_bins():
    equal = classify([0, 2.5, 5, 7.5, 10], "equal_interval", k=5)
    assert equal.bins == pytest.approx([2, 4, 6, 8, 10])
    assert equal.classes == (0, 1, 2, 3, 4)
    quartiles = classify(list(range(1, 11)), "quantiles", k=2)
    assert quartiles.bins == pytest.approx([5.5, 10])
    groups = classify([1, 2, 3, 10, 11, 12, 20, 21, 22], "natural_breaks", k=3)
    assert groups.bins == pytest.approx([3, 12, 22])
    assert groups.counts == (3, 3, 3)


def test_classes_are_closed_on_the_right():
    found = classify([1.0, 2.0, 3.0, 4.0], "equal_interval", k=3)
    assert found.bins == pytest.approx([2.0, 3.0, 4.0])
    assert found.classes == (0, 0, 1, 2)


def test_missing_values_get_no_class():
    found = classify([4.0, None, 1.0, math.nan, 2.0, 3.0], "equal_interval", k=3)
    assert found.classes == (2, None, 0, None, 0, 1)
    assert sum(found.counts) == 4


def test_single_area_gives_one_class_with_a_warning():
    with pytest.warns(UserWarning, match="1 distinct value"):
        found = classify([12.5], "natural_breaks", k=5)
    assert (found.k, found.bins, found.classes) == (1, (12.5,), (0,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert classify([12.5], "quantiles", k=1).k == 1


def test_ties_reduce_k_with_a_warning():
    values = [1, 1, 1, 1, 2, 3]
    with pytest.warns(UserWarning, match="3 distinct value"):
        found = classify(values, "natural_breaks", k=4)
    assert found.k == 3 and found.bins == pytest.approx([1, 2, 3])
    with pytest.warns(UserWarning, match="instead of 4"):
        quantiles = classify(values, "quantiles", k=4)
    assert quantiles.k < 4
    assert sum(quantiles.counts) == 6


def test_no_values_at_all():
    with pytest.warns(UserWarning, match="No values"):
        found = classify([None, None], "quantiles")
    assert (found.k, found.classes, found.labels) == (0, (None, None), ())


def test_natural_breaks_is_deterministic():
    y = list(np.random.default_rng(5).normal(size=100))
    assert classify(y, "natural_breaks", k=6) == classify(y, "natural_breaks", k=6)


def test_unknown_scheme_and_bad_k():
    with pytest.raises(InvalidQueryError, match="natural_breaks, quantiles"):
        classify([1.0, 2.0], "jenks")
    with pytest.raises(ValueError, match="at least 1"):
        classify([1.0, 2.0], "quantiles", k=0)


def test_registry():
    assert list(SCHEMES) == [
        "natural_breaks",
        "quantiles",
        "equal_interval",
        "std_mean",
    ]
    for name, scheme in SCHEMES.items():
        assert isinstance(scheme, Scheme)
        assert scheme.name == name and scheme.label


def test_german_numbers():
    assert format_number(1234.5) == "1.234,5"
    assert format_number(1234567.0, 0) == "1.234.567"
    assert format_number(12.5, unit="%") == f"12,5{NNBSP}%"
    assert format_number(2.3, sign=True) == "+2,3"
    assert format_number(-2.3, sign=True) == "-2,3"
    assert format_number(4.2, unit="je 1.000 EW") == "4,2 je 1.000 EW"


def test_german_legend_labels():
    found = classify([5.0, 10.0, 12.5, 20.0], "equal_interval", k=3, unit="%")
    assert found.labels == (
        f"bis 10,0{NNBSP}%",
        f"über 10,0{NNBSP}% bis 15,0{NNBSP}%",
        f"über 15,0{NNBSP}% bis 20,0{NNBSP}%",
    )
    # rounding would make 10,0 and 10,0: one more decimal keeps them apart
    assert legend_labels([10.01, 10.04, 1250.0]) == (
        "bis 10,01",
        "über 10,01 bis 10,04",
        "über 10,04 bis 1.250,00",
    )
    assert legend_labels([]) == ()
