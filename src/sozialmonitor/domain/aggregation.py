"""A parent area's value from its children: ratio-correct, never a mean of rates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation


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
    by_area = {o.area: o for o in child_values if not o.flags & Flag.SUPPRESSED}
    use_parts = indicator.kind is not IndicatorKind.COUNT
    if use_parts:
        usable = {
            code: o
            for code, o in by_area.items()
            if o.numerator is not None and o.denominator is not None
        }
    else:
        usable = {code: o for code, o in by_area.items() if o.value is not None}
    if not usable:
        return None
    if use_parts and indicator.kind in (IndicatorKind.MEDIAN, IndicatorKind.INDEX):
        return None
    missing = tuple(code for code in children if code not in usable)
    flags = Flag.COMPUTED
    for o in usable.values():
        flags |= Flag(o.flags) & (Flag.PROVISIONAL | Flag.ESTIMATED | Flag.BREAK)
    numerator: float | None = None
    denominator: float | None = None
    if use_parts:
        numerator = sum(o.numerator or 0.0 for o in usable.values())
        denominator = sum(o.denominator or 0.0 for o in usable.values())
        value = indicator.value_from(numerator, denominator) if denominator else None
    else:
        value = sum(o.value or 0.0 for o in usable.values())
    note = (
        f"Computed from {len(usable)} of {len(children)} child areas; "
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
        flags=int(flags),
        note=note,
        missing_children=missing,
    )
