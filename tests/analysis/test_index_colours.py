"""An index definition's optional ``colours`` (issue 13): declared colours are
checked when the definition is read, and the MSS layout gets the MSS colours."""

from __future__ import annotations

import pytest

from sozialmonitor.analysis.index_definition import find_definition, parse_definition
from sozialmonitor.analysis.index_parts import MSS_CELL_COLOURS, MSS_STATUS_COLOURS
from sozialmonitor.errors import IndexDefinitionError

BASE = """
id: demo
name: Demo-Index
level: social_quarter
period: 31.12.2022
status:
  name: Status-Index
  indicators: [{key: a, label: A, indicator: a_share}]
  classes: [{code: 1, label: hoch, below: 0}, {code: 2, label: niedrig}]
dynamics:
  name: Dynamik-Index
  indicators: [{key: d, label: D, indicator: d_change}]
  classes:
    - {code: 1, label: positiv, symbol: "+", below: 0}
    - {code: 5, label: negativ, symbol: "-"}
"""


def test_the_mss_gets_the_mss_colours() -> None:
    mss = find_definition("mss")
    assert mss.mss_layout
    assert mss.class_colours("status") == MSS_STATUS_COLOURS
    assert mss.cell_colours() == MSS_CELL_COLOURS


def test_another_layout_gets_a_sequential_palette_and_declared_colours() -> None:
    plain = parse_definition(BASE)
    assert not plain.mss_layout
    status = plain.class_colours("status")
    assert len(set(status.values())) == 2
    assert plain.cell_colours()["2-"] == status[2]
    declared = parse_definition(BASE + 'colours:\n  cells: {"2-": "#112233"}\n')
    assert declared.cell_colours()["2-"] == "#112233"
    assert declared.cell_colours()["1-"] == status[1]


@pytest.mark.parametrize(
    ("colours", "message"),
    [
        ('  status: {1: "red"}', "write colours as #rrggbb"),
        ('  status: {7: "#aabbcc"}', "colours.status names unknown codes: [7]"),
        ('  cells: {"3+": "#aabbcc"}', "colours.cells names unknown cells: ['3+']"),
        ('  shades: {1: "#aabbcc"}', "colours.shades"),
    ],
)
def test_wrong_colours_are_refused_with_the_field(colours: str, message: str) -> None:
    with pytest.raises(IndexDefinitionError) as caught:
        parse_definition(BASE + "colours:\n" + colours + "\n", origin="demo.yaml")
    assert caught.value.message.startswith("demo.yaml: ")
    assert message in caught.value.message
