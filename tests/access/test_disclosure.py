"""Primary and secondary suppression of one table, checked by an attacker of its own
(``tests/access/attacker.py``), not by the audit the method uses."""

from __future__ import annotations

import random

import pytest

from sozialmonitor.access.attack import Cell, Equation, State, Table, feasible_ranges
from sozialmonitor.access.disclosure import Reason, primary_reason, protect
from tests.access.attacker import hidden_ranges

MIN = 3


def counts_table(counts: dict[str, float], children: dict[str, list[str]]) -> Table:
    return Table(
        cells={a: Cell(count=c) for a, c in counts.items()},
        equations=tuple(
            Equation(parent=p, children=tuple(k)) for p, k in children.items()
        ),
    )


def attack(
    counts: dict[str, float],
    children: dict[str, list[str]],
    hidden: set[str],
) -> dict[str, tuple[float, float]]:
    shown = {a: (None if a in hidden else c) for a, c in counts.items()}
    return {a: r for (_s, a), r in hidden_ranges([shown], children).items()}


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (Cell(count=0), None),
        (Cell(count=1), Reason.SMALL_COUNT),
        (Cell(count=2.0), Reason.SMALL_COUNT),
        (Cell(count=3), None),
        (Cell(count=None), None),
        (Cell(count=500, source_suppressed=True), Reason.SOURCE),
    ],
)
def test_primary_reason(cell: Cell, reason: Reason | None) -> None:
    assert primary_reason(cell, MIN) == reason


def test_hiding_only_the_small_cells_is_not_enough() -> None:
    # Two small siblings hidden alone: together they are 102 - 100 = 2, so each is
    # between 0 and 2 — narrower than the minimum of 3.
    counts = {"P": 102, "a": 1, "b": 1, "c": 100}
    children = {"P": ["a", "b", "c"]}
    assert attack(counts, children, {"a", "b"})["a"] == pytest.approx((0, 2))
    pattern = protect(counts_table(counts, children), MIN)
    assert pattern.hidden == {
        "a": Reason.SMALL_COUNT,
        "b": Reason.SMALL_COUNT,
        "c": Reason.PROTECTS,
    }
    for low, high in attack(counts, children, set(pattern.hidden)).values():
        assert high - low >= MIN


def test_a_small_parent_hides_a_child_and_a_sibling() -> None:
    counts = {"R": 60, "d1": 2, "d2": 58, "a": 2, "b": 0, "c": 30, "e": 28}
    children = {"R": ["d1", "d2"], "d1": ["a", "b"], "d2": ["c", "e"]}
    pattern = protect(counts_table(counts, children), MIN)
    assert {"d1", "a"} <= set(pattern.hidden)
    assert "R" not in pattern.hidden
    ranges = attack(counts, children, set(pattern.hidden))
    for area, reason in pattern.hidden.items():
        if reason.primary:
            low, high = ranges[area]
            assert high - low >= MIN, (area, ranges[area])


def test_a_value_shown_before_is_no_protection() -> None:
    # Release 1 showed b = 10; release 2 changes a from 5 to 2 and c from 30 to 31.
    # Hiding b again would not help (everyone knows it is 10), so the method hides c.
    children = {"P": ["a", "b", "c"]}
    before = {"P": 45, "a": 5, "b": 10, "c": 30}
    after = {"P": 43, "a": 2, "b": 10, "c": 31}
    earlier = State(table=counts_table(before, children), hidden=frozenset())
    pattern = protect(counts_table(after, children), MIN, [earlier])
    assert pattern.hidden == {"a": Reason.SMALL_COUNT, "c": Reason.PROTECTS}
    truth = [before, after]
    ranges = hidden_ranges(
        [dict(before), {**after, "a": None, "c": None}],
        children,
        identity=lambda s, area: f"{area}={truth[s][area]}",
    )
    low, high = ranges[(1, "a")]
    assert high - low >= MIN


def test_the_audit_links_an_unchanged_hidden_cell_across_states() -> None:
    counts = {"P": 12, "a": 2, "b": 10}
    table = counts_table(counts, {"P": ["a", "b"]})
    shown_b = State(table=table, hidden=frozenset({"a"}))
    ranges = feasible_ranges(
        State(table=table, hidden=frozenset({"a", "b"})), [shown_b], ["a"]
    )
    assert ranges["a"] == (2.0, 2.0)


def test_a_share_count_is_bounded_by_its_total() -> None:
    table = Table(
        cells={
            "P": Cell(count=11, total=1000),
            "a": Cell(count=1, total=2),
            "b": Cell(count=10, total=998),
        },
        equations=(Equation(parent="P", children=("a", "b")),),
        bounded_by_total=True,
    )
    state = State(table=table, hidden=frozenset({"a", "b"}))
    ranges = feasible_ranges(state, [], ["a"])
    assert ranges["a"] == pytest.approx((0.0, 11.0))


def random_hierarchy(
    rng: random.Random, districts: int, blocks: int
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Region -> districts -> blocks; most block counts small (0-6)."""
    counts: dict[str, float] = {}
    children: dict[str, list[str]] = {"R": []}
    for d in range(districts):
        district = f"D{d}"
        children["R"].append(district)
        children[district] = [f"{district}B{b}" for b in range(blocks)]
        for block in children[district]:
            counts[block] = float(rng.choice([0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 25, 80]))
        counts[district] = sum(counts[b] for b in children[district])
    counts["R"] = sum(counts[d] for d in children["R"])
    return counts, children


@pytest.mark.parametrize("seed", range(6))
def test_generated_hierarchies_with_many_small_cells_withstand_the_attack(
    seed: int,
) -> None:
    rng = random.Random(seed)
    counts, children = random_hierarchy(
        rng, districts=rng.randint(2, 5), blocks=rng.randint(2, 7)
    )
    pattern = protect(counts_table(counts, children), MIN)
    primaries = sorted(a for a, r in pattern.hidden.items() if r.primary)
    assert primaries == sorted(a for a, c in counts.items() if 0 < c < MIN)
    ranges = attack(counts, children, set(pattern.hidden))
    for area in primaries:
        low, high = ranges[area]
        assert high - low >= MIN, (seed, area, counts[area], ranges[area])
