"""Changes (Veränderungen) against the previous period and over 5 and 10 years.

Absolute (in percentage points for shares) and relative (%). A missing base period
makes the change "not available"; gaps are never bridged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sozialmonitor.analysis.trends import series_points
from sozialmonitor.domain.period import parse_period, step_back


class Span(StrEnum):
    """How far back a change looks; ``years`` 0 means the previous period."""

    PREVIOUS = "previous"
    FIVE_YEARS = "5y"
    TEN_YEARS = "10y"

    @property
    def years(self) -> int:
        return 0 if self is Span.PREVIOUS else int(self.value[:-1])

    @property
    def label(self) -> str:
        if self is Span.PREVIOUS:
            return "gegenüber der Vorperiode"
        return f"in {self.years} Jahren"


@dataclass(frozen=True, kw_only=True)
class Change:
    """Veränderung of a value against an earlier period."""

    span: Span
    """Against the previous period, or over 5 or 10 years."""
    period: str
    """The period compared."""
    base_period: str
    """The earlier period it is compared with."""
    absolute: float | None
    """Difference (percentage points for shares); None: not available."""
    relative: float | None
    """Difference in percent of the earlier value; None when not available or 0."""
    percentage_points: bool
    """Whether ``absolute`` is in percentage points (the indicator is a share)."""

    @property
    def available(self) -> bool:
        return self.absolute is not None


def changes(
    series: Mapping[str, float | None],
    *,
    period: str | None = None,
    share: bool = False,
) -> tuple[Change, ...]:
    """Changes of ``period`` (default: the latest with a value) over 1, 5, 10 years.

    Examples
    --------
    >>> found = changes({"2011": 10.0, "2015": 12.0, "2016": 12.5}, share=True)
    >>> [(c.span.value, c.base_period, c.absolute) for c in found]
    [('previous', '2015', 0.5), ('5y', '2011', 2.5), ('10y', '2006', None)]
    """
    points = {p.code: v for p, v in series_points(series)}
    if period is None:
        if not points:
            return ()
        period = max(points, key=parse_period)
    code = parse_period(period).code
    found = []
    for span in Span:
        base = step_back(code, span.years)
        now, then = points.get(code), points.get(base)
        absolute = None if now is None or then is None else now - then
        relative = None
        if absolute is not None and then:
            relative = absolute / then * 100
        found.append(
            Change(
                span=span,
                period=code,
                base_period=base,
                absolute=absolute,
                relative=relative,
                percentage_points=share,
            )
        )
    return tuple(found)
