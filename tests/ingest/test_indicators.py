"""The indicator catalogue from YAML and from CSV, with its defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.store.queries import get_indicator
from tests.ingest.content import snapshot

SAMPLES = Path(__file__).parents[1] / "data" / "indicators"


def indicator(engine: Engine, code: str) -> Indicator:
    with engine.connect() as conn:
        return get_indicator(conn, code, audience=Audience.INTERNAL)


def test_yaml_catalogue_with_all_fields(engine: Engine) -> None:
    outcome = import_indicators(engine, SAMPLES / "catalogue.yaml")
    assert outcome.report.findings == []
    assert outcome.rows_written == 2
    assert indicator(engine, "child_poverty_rate").to_dict() == {
        "id": "child_poverty_rate",
        "name": "Kinder unter 15 Jahren in Bedarfsgemeinschaften nach SGB II",
        "short_name": "Kinderarmut",
        "unit": "%",
        "topic": "Soziales",
        "definition": "",
        "kind": "share",
        "numerator": "Nicht erwerbsfähige Leistungsberechtigte unter 15 Jahren",
        "denominator": "Einwohner unter 15 Jahren",
        "multiplier": 100.0,
        "decimals": 1,
        "polarity": "higher_is_worse",
        "source": "Bundesagentur für Arbeit",
        "licence": "dl-de/by-2-0",
        "update_cycle": "jährlich",
        "visibility": "public",
        "min_count": 3,
        # unquoted in YAML, read as a number and a date: still periods
        "first_period": "2015",
        "last_period": "2022-12-31",
        "keywords": ["Kinderarmut", "SGB II", "Grundsicherung"],
        "numerator_indicator": "",
        "denominator_indicator": "",
        "change_of": "",
        "change_base": "",
        "name_en": "Children under 15 in SGB II benefit communities",
        "short_name_en": "Child poverty",
        "unit_en": "",
        "topic_en": "Social affairs",
        "definition_en": "",
    }


def test_yaml_catalogue_defaults(engine: Engine) -> None:
    import_indicators(engine, SAMPLES / "catalogue.yaml")
    households = indicator(engine, "households")
    assert households.short_name == "Haushalte"
    assert households.topic == "Allgemein"
    assert households.kind == "share"
    assert households.multiplier == 100
    assert households.decimals == 1
    assert households.polarity == "neutral"
    assert households.visibility == "public"
    assert households.min_count == 3
    assert (households.first_period, households.last_period) == ("", "")
    assert households.keywords == ()


def test_csv_catalogue_with_defaults(engine: Engine) -> None:
    outcome = import_indicators(engine, SAMPLES / "catalogue.csv")
    assert outcome.report.findings == []
    share = indicator(engine, "minimal_share")
    assert (share.kind, share.multiplier, share.visibility, share.min_count) == (
        "share",
        100,
        "public",
        3,
    )
    rate = indicator(engine, "crime_rate")
    assert (rate.kind, rate.multiplier) == ("rate", 1000)
    assert rate.unit == "je 1.000 EW"
    assert rate.keywords == ("Kriminalität", "Sicherheit")


@pytest.mark.parametrize("name", ["catalogue.yaml", "catalogue.csv"])
def test_same_catalogue_twice_changes_nothing(engine: Engine, name: str) -> None:
    first = import_indicators(engine, SAMPLES / name)
    assert first.rows_written == 2
    before = snapshot(engine)
    second = import_indicators(engine, SAMPLES / name)
    assert second.rows_written == 0
    assert snapshot(engine) == before


def test_changed_indicator_is_updated(engine: Engine, tmp_path: Path) -> None:
    import_indicators(engine, SAMPLES / "catalogue.yaml")
    changed = tmp_path / "catalogue.yaml"
    changed.write_text(
        "- id: households\n  name: Haushalte\n  unit: Haushalte\n  kind: count\n",
        encoding="utf-8",
    )
    outcome = import_indicators(engine, changed)
    assert outcome.rows_written == 1
    assert indicator(engine, "households").kind == "count"
    assert indicator(engine, "households").multiplier == 1
    assert indicator(engine, "child_poverty_rate").kind == "share"  # untouched


def test_dry_run_writes_nothing(engine: Engine) -> None:
    before = snapshot(engine)
    outcome = import_indicators(engine, SAMPLES / "catalogue.yaml", dry_run=True)
    assert (outcome.report.rows_valid, outcome.rows_written) == (2, 0)
    assert snapshot(engine) == before
