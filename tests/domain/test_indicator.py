from __future__ import annotations

import pytest
from pydantic import ValidationError

from sozialmonitor.domain.indicator import (
    CATALOGUE_FIELDS,
    REQUIRED_CATALOGUE_FIELDS,
    Indicator,
    IndicatorKind,
    Visibility,
)


def test_defaults_follow_the_documented_catalogue() -> None:
    ind = Indicator(id="x", name="Name", unit="%")
    assert ind.kind is IndicatorKind.SHARE
    assert ind.multiplier == 100
    assert ind.visibility is Visibility.PUBLIC
    assert ind.min_count == 3
    assert ind.short_name == "Name"
    assert Indicator(id="r", name="R", unit="je 1.000", kind="rate").multiplier == 1000
    assert Indicator(id="c", name="C", unit="P", kind="count").multiplier == 1


def test_required_fields_are_id_name_unit() -> None:
    assert REQUIRED_CATALOGUE_FIELDS == ("id", "name", "unit")
    assert "keywords" in CATALOGUE_FIELDS


def test_round_trip() -> None:
    ind = Indicator(id="x", name="N", unit="%", keywords="Armut; SGB II")
    assert ind.keywords == ("Armut", "SGB II")
    assert Indicator.from_dict(ind.to_dict()) == ind


@pytest.mark.parametrize(
    "fields",
    [
        {"id": "x y", "name": "N", "unit": "%"},
        {"id": "x", "name": "N", "unit": "%", "kind": "percent"},
        {"id": "x", "name": "N", "unit": "%", "first_period": "soon"},
        {"id": "x", "name": "N", "unit": "%", "colour": "red"},
    ],
)
def test_invalid_metadata_is_rejected(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Indicator.from_dict(fields)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("count", 0), ("share", 1), ("rate", 1), ("mean", 1), ("index", 1)],
)
def test_default_decimals_follow_the_kind_issue_16(kind: str, expected: int) -> None:
    ind = Indicator(id="x", name="N", unit="Personen", kind=kind)
    assert ind.decimals == expected
    # an empty cell of a catalogue file is no value either
    assert Indicator.from_dict({**ind.to_dict(), "decimals": ""}).decimals == expected


def test_catalogue_decimals_override_the_default_issue_16() -> None:
    assert Indicator(id="c", name="C", unit="P", kind="count", decimals=2).decimals == 2
    assert Indicator(id="s", name="S", unit="%", decimals=0).decimals == 0
    count = Indicator(id="c", name="C", unit="P", kind="count", decimals=1)
    assert Indicator.from_dict(count.to_dict()).decimals == 1
