"""A parent area's value from its children: ratio-correct, never a mean of rates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation

CARRIED_FLAGS = int(Flag.PROVISIONAL | Flag.ESTIMATED | Flag.BREAK)
"""Flags of a child value that its parent's computed value carries on."""
_SUPPRESSED = int(Flag.SUPPRESSED)


def can_aggregate(indicator: Indicator) -> bool:
    """Whether parent values can be computed: not for an index or a median."""
    return indicator.kind not in (IndicatorKind.MEDIAN, IndicatorKind.INDEX)


def adds_values(indicator: Indicator) -> bool:
    """Counts add up their values; every other kind its numerators and denominators."""
    return indicator.kind is IndicatorKind.COUNT


def usable(indicator: Indicator, obs: Observation) -> bool:
    """Whether a child's value counts towards its parent's: shown, and with the parts
    the indicator adds up."""
    if int(obs.flags) & _SUPPRESSED:
        return False
    if adds_values(indicator):
        return obs.value is not None
    return obs.numerator is not None and obs.denominator is not None


@dataclass
class ChildSums:
    """What the usable values of one parent's children add up to, for one indicator
    and period (added here one by one, or summed by the database)."""

    numerator: float = 0.0
    denominator: float = 0.0
    value: float = 0.0
    flags: int = 0
    """The carried flags of any child (see ``CARRIED_FLAGS``)."""
    areas: set[str] = field(default_factory=set)
    """The children whose values are in the sums."""

    def add(self, obs: Observation) -> None:
        """Add one usable child value (see ``usable``)."""
        self.numerator += obs.numerator or 0.0
        self.denominator += obs.denominator or 0.0
        self.value += obs.value or 0.0
        self.flags |= int(obs.flags) & CARRIED_FLAGS
        self.areas.add(obs.area)


def parent_value(
    indicator: Indicator,
    parent: str,
    period: str,
    children: Sequence[str],
    sums: ChildSums,
) -> Observation | None:
    """The parent's computed value from what its usable children add up to.

    None when no child is usable or the indicator cannot be aggregated (an index, a
    median). Children outside ``sums.areas`` are listed in ``missing_children``.
    """
    if not sums.areas or not can_aggregate(indicator):
        return None
    missing = tuple(code for code in children if code not in sums.areas)
    numerator: float | None = None
    denominator: float | None = None
    if adds_values(indicator):
        value: float | None = sums.value
    else:
        numerator, denominator = sums.numerator, sums.denominator
        value = indicator.value_from(numerator, denominator) if denominator else None
    note = (
        f"Computed from {len(sums.areas)} of {len(children)} child areas; "
        f"missing: {', '.join(missing)}."
        if missing
        else f"Computed from all {len(children)} child areas."
    )
    return Observation(
        indicator=indicator.id,
        area=parent,
        period=period,
        value=value,
        numerator=numerator,
        denominator=denominator,
        flags=int(Flag.COMPUTED) | sums.flags,
        note=note,
        missing_children=missing,
    )


def aggregate(
    indicator: Indicator,
    parent: str,
    period: str,
    children: Sequence[str],
    child_values: Iterable[Observation],
) -> Observation | None:
    """The parent's value computed from its children's numerators and denominators.

    Ratio indicators (and means with numerator and denominator) add up numerators and
    denominators; counts add up values. Other indicators (an index, a median, a mean
    without its parts) cannot be aggregated and give None. Children without a usable
    value are listed in ``missing_children``; no child at all gives None.

    Examples
    --------
    >>> from sozialmonitor.domain.indicator import Indicator
    >>> share = Indicator(id="u", name="U", unit="%")
    >>> kids = [Observation(indicator="u", area="a", period="2021", value=50.0,
    ...                     numerator=1, denominator=2),
    ...         Observation(indicator="u", area="b", period="2021", value=10.0,
    ...                     numerator=10, denominator=100)]
    >>> aggregate(share, "p", "2021", ["a", "b"], kids).value  # 11 / 102, not 30 %
    10.784313725490197
    """
    sums = ChildSums()
    for obs in child_values:
        if obs.area not in sums.areas and usable(indicator, obs):
            sums.add(obs)
    return parent_value(indicator, parent, period, children, sums)
