"""Every shipped mapping loads, is named after its table and is listed in
docs/mapping-files.md; an indicator declared by several mappings means the same
thing in each (kind, unit, multiplier)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sozialmonitor.ingest.official.mapping import MAPPINGS, load_mapping

SHIPPED = sorted(MAPPINGS.glob("*.yaml"))
DOCS = Path(__file__).resolve().parents[3] / "docs" / "mapping-files.md"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_mapping_loads_and_is_documented(path: Path) -> None:
    mapping = load_mapping(path)
    assert mapping.table == path.stem
    row = re.compile(rf"^\| [^|]*(?<![\w-]){re.escape(path.stem)}(?![\w-])", re.M)
    assert row.search(DOCS.read_text(encoding="utf-8")), "no row in the docs' table"


def test_an_indicator_means_the_same_in_every_mapping() -> None:
    seen: dict[str, tuple[str, str, float, str]] = {}
    for path in SHIPPED:
        for indicator in load_mapping(path).declared():
            meaning = (
                indicator.kind.value,
                indicator.unit,
                indicator.multiplier,
                path.name,
            )
            first = seen.setdefault(indicator.id, meaning)
            assert first[:3] == meaning[:3], (indicator.id, first, meaning)
    assert len(seen) > 30
