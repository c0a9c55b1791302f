"""Plain-language readings: one sentence per indicator of an area profile.

"In Laatzen beträgt die Kennzahl „Arbeitslosenanteil“ 9,1 % – signifikant schlechter
als in der Region Hannover (7,2 %)." The sentence says what the value is and how it
stands against a benchmark (the region, else the parent area):

- with a confidence interval (shares and rates with numerator and denominator) the
  result of :mod:`sozialmonitor.analysis.comparison` in the glossary's words:
  *signifikant besser / ähnlich / signifikant schlechter* (with a polarity) or
  *signifikant höher / niedriger* (without);
- a ratio that could be tested but was not (too few cases): *nicht verglichen*;
- any other value: the plain difference, and the sentence says so
  (*ohne Signifikanztest*);
- a count: its share of the benchmark's count (a town always has fewer inhabitants
  than its region, so "less" would say nothing);
- no value of the benchmark: the value alone (``no_benchmark``) — the profile says
  once which benchmark values are missing, not in every sentence (issue 16).

The templates are fixed per indicator kind and language, so a reading is
deterministic: the same numbers give the same sentence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sozialmonitor.analysis.comparison import BenchmarkComparison, Comparison
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language

UNTESTED = "untested"
"""Result code of a plain difference (no confidence interval to test with)."""
NO_BENCHMARK = "no_benchmark"
"""Result code when there is no benchmark or it has no value."""
SUPPRESSED = "suppressed"
"""Result code when the area's value may not be shown."""

SUBJECTS: dict[Language, dict[IndicatorKind, str]] = {
    "de": {
        IndicatorKind.SHARE: "{area} beträgt die Kennzahl „{name}“ {value}",
        IndicatorKind.RATE: "{area} beträgt die Kennzahl „{name}“ {value}",
        IndicatorKind.INDEX: "{area} beträgt die Kennzahl „{name}“ {value}",
        IndicatorKind.MEAN: "{area} beträgt der Durchschnittswert „{name}“ {value}",
        IndicatorKind.MEDIAN: "{area} beträgt der Median „{name}“ {value}",
        IndicatorKind.COUNT: "{area} beträgt die Zahl „{name}“ {value}",
    },
    "en": {
        IndicatorKind.SHARE: "{area}, the indicator “{name}” is {value}",
        IndicatorKind.RATE: "{area}, the indicator “{name}” is {value}",
        IndicatorKind.INDEX: "{area}, the indicator “{name}” is {value}",
        IndicatorKind.MEAN: "{area}, the average “{name}” is {value}",
        IndicatorKind.MEDIAN: "{area}, the median “{name}” is {value}",
        IndicatorKind.COUNT: "{area}, the number “{name}” is {value}",
    },
}
"""The first half of a reading, per language and indicator kind."""

PHRASES: dict[Language, dict[str, str]] = {
    "de": {
        "suppressed": "{area} wird die Kennzahl „{name}“ nicht ausgewiesen "
        "(Zahlenwert geheim zu halten oder nicht sicher genug).",
        "tested": " – {result} {benchmark} ({value}).",
        "not_compared": " – {benchmark} {value} (nicht verglichen: {why}).",
        "higher": " – {difference} höher als {benchmark} "
        "({value}; ohne Signifikanztest).",
        "lower": " – {difference} niedriger als {benchmark} "
        "({value}; ohne Signifikanztest).",
        "equal": " – genauso hoch wie {benchmark} ({value}; ohne Signifikanztest).",
        "count": " – das sind {share} des Werts {benchmark} ({value}).",
        "end": ".",
        "small_count": "zu kleine Fallzahl",
        "no_interval": "kein Konfidenzintervall",
    },
    "en": {
        "suppressed": "{area}, the indicator “{name}” is not published "
        "(value confidential or not reliable enough).",
        "tested": " – {result} {benchmark} ({value}).",
        "not_compared": " – {benchmark}: {value} (not compared: {why}).",
        "higher": " – {difference} higher than {benchmark} "
        "({value}; no significance test).",
        "lower": " – {difference} lower than {benchmark} "
        "({value}; no significance test).",
        "equal": " – as high as {benchmark} ({value}; no significance test).",
        "count": " – that is {share} of the value {benchmark} ({value}).",
        "end": ".",
        "small_count": "too few cases",
        "no_interval": "no confidence interval",
    },
}
"""The second half of a reading and its words, per language."""

RESULT_WORDS: dict[Language, dict[Comparison, str]] = {
    "de": {c: c.label for c in Comparison},
    "en": {
        Comparison.BETTER: "significantly better than",
        Comparison.SIMILAR: "similar to",
        Comparison.WORSE: "significantly worse than",
        Comparison.HIGHER: "significantly higher than",
        Comparison.LOWER: "significantly lower than",
        Comparison.NOT_COMPARED: "not compared",
    },
}
"""The glossary's comparison words; German as :mod:`analysis.comparison` has them."""

_FEMININE = (
    "Region",
    "Städteregion",
    "Stadt",
    "Hansestadt",
    "Freie",
    "Gemeinde",
    "Samtgemeinde",
    "Verbandsgemeinde",
    "Verwaltungsgemeinschaft",
    "Bezirksregion",
    "Ortschaft",
)
_MASCULINE_NEUTER = (
    "Landkreis",
    "Kreis",
    "Bezirk",
    "Stadtbezirk",
    "Stadtteil",
    "Ortsteil",
    "Planungsraum",
    "Prognoseraum",
    "Sozialraum",
    "Quartier",
    "Regionalverband",
    "Amt",
    "Dorf",
    "Gebiet",
    "Viertel",
)
_PREPOSITIONS = ("Am", "An", "Auf", "Im", "In", "Hinter", "Unter", "Zum", "Zur")
"""A name that starts with one (``Am Heideberg``) takes "im Gebiet"."""


def in_area(name: str, lang: Language) -> str:
    """``in der Region Hannover``, ``im Landkreis Harburg``, ``in Laatzen``.

    German area names that start with a feminine noun take "in der", masculine and
    neuter ones "im"; plain place names take "in". English always says "in".

    Examples
    --------
    >>> in_area("Region Hannover", "de"), in_area("Kreis Pinneberg", "de")
    ('in der Region Hannover', 'im Kreis Pinneberg')
    >>> in_area("Laatzen", "de"), in_area("Region Hannover", "en")
    ('in Laatzen', 'in Region Hannover')
    >>> in_area("Kreisfreie Stadt Offenbach am Main", "de")
    'in der Kreisfreien Stadt Offenbach am Main'
    >>> in_area("Am Heideberg", "de"), in_area("Dorf Malchow", "de")
    ('im Gebiet Am Heideberg', 'im Dorf Malchow')
    """
    if lang != "de":
        return f"in {name}"
    first = name.split(" ", 1)[0].split("-", 1)[0]
    if first == "Kreisfreie" and " " in name:  # the adjective declines
        return f"in der Kreisfreien {name.split(' ', 1)[1]}"
    if first in _PREPOSITIONS and " " in name:
        return f"im Gebiet {name}"
    if first in _FEMININE:
        return f"in der {name}"
    if first in _MASCULINE_NEUTER:
        return f"im {name}"
    return f"in {name}"


@dataclass(frozen=True, kw_only=True)
class Reading:
    """A reading and what it rests on."""

    text: str
    """The sentence."""
    result: str
    """A :class:`~sozialmonitor.analysis.comparison.Comparison` code (``better``,
    ``similar``, ``worse``, ``higher``, ``lower``, ``not_compared``), ``untested``
    (plain difference), ``no_benchmark`` or ``suppressed``."""
    tested: bool
    """Whether the result comes from a significance test (confidence interval)."""
    direction: str | None
    """For a plain difference: ``higher``, ``lower`` or ``equal``; else None."""


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def difference_text(value: float, indicator: Indicator, lang: Language) -> str:
    """An unsigned difference with its unit; shares in percentage points.

    Examples
    --------
    >>> share = Indicator(id="x", name="x", unit="%")
    >>> difference_text(-1.94, share, "de") == "1,9\u202fProzentpunkte"
    True
    >>> money = Indicator(id="y", name="y", unit="EUR", kind="mean", decimals=0)
    >>> difference_text(12.0, money, "en") == "12\u202fEUR"
    True
    """
    text = formatting.number(abs(value), indicator.decimals, lang)
    if formatting.in_percentage_points(indicator):
        return formatting.percentage_points(text, lang)
    unit = formatting.unit(indicator, lang)
    return f"{text}{formatting.NARROW_NBSP}{unit}" if unit else text


def read_value(
    indicator: Indicator,
    *,
    area_name: str,
    value: float | None,
    suppressed: bool,
    benchmark_name: str | None,
    benchmark_value: float | None,
    comparison: BenchmarkComparison | None,
    lang: Language,
) -> Reading:
    """The sentence for one indicator of one area.

    Parameters
    ----------
    indicator
        Supplies kind, unit, decimals and (through ``comparison``) polarity.
    area_name
        The area's name.
    value
        The area's value; None with ``suppressed`` when it may not be shown.
    suppressed
        Whether the value is secret or unreliable (shown as ``.``).
    benchmark_name, benchmark_value
        The benchmark (region or parent area) and its value for the same period;
        None when there is none.
    comparison
        The significance test of the area against the benchmark, for shares and
        rates with numerator and denominator; None when there is nothing to test
        with (the plain difference is read instead, "ohne Signifikanztest").
    lang
        ``"de"`` or ``"en"``.

    Returns
    -------
    Reading
        The sentence with its result code.

    Examples
    --------
    >>> sgb2 = Indicator(id="s", name="SGB-II-Quote", unit="%",
    ...                  polarity="higher_is_worse")
    >>> print(read_value(sgb2, area_name="Laatzen", value=9.14, suppressed=False,
    ...                  benchmark_name="Region Hannover", benchmark_value=7.2,
    ...                  comparison=None, lang="de").text)
    ... # doctest: +NORMALIZE_WHITESPACE
    In Laatzen beträgt die Kennzahl „SGB-II-Quote“ 9,1\u202f% – 1,9\u202fProzentpunkte
    höher als in der Region Hannover (7,2\u202f%; ohne Signifikanztest).
    """
    words = PHRASES[lang]
    name = indicator.short_name
    area = in_area(area_name, lang)
    capitalised = area[:1].upper() + area[1:]
    if suppressed or _finite(value) is None:
        text = words["suppressed"].format(area=capitalised, name=name)
        return Reading(text=text, result=SUPPRESSED, tested=False, direction=None)
    assert value is not None
    subject = SUBJECTS[lang][indicator.kind].format(
        area=capitalised, name=name, value=formatting.with_unit(value, indicator, lang)
    )
    if benchmark_name is None:
        return Reading(
            text=subject + words["end"],
            result=NO_BENCHMARK,
            tested=False,
            direction=None,
        )
    benchmark = in_area(benchmark_name, lang)
    bench = _finite(benchmark_value)
    if bench is None:
        return Reading(
            text=subject + words["end"],
            result=NO_BENCHMARK,
            tested=False,
            direction=None,
        )
    bench_text = formatting.with_unit(bench, indicator, lang)
    if comparison is not None and comparison.result is not Comparison.NOT_COMPARED:
        tail = words["tested"].format(
            result=RESULT_WORDS[lang][comparison.result],
            benchmark=benchmark,
            value=bench_text,
        )
        return Reading(
            text=subject + tail,
            result=comparison.result.value,
            tested=True,
            direction=None,
        )
    if comparison is not None:
        why = (
            words["small_count"]
            if comparison.reason.startswith("count")
            else words["no_interval"]
        )
        tail = words["not_compared"].format(
            benchmark=benchmark, value=bench_text, why=why
        )
        return Reading(
            text=subject + tail,
            result=Comparison.NOT_COMPARED.value,
            tested=False,
            direction=None,
        )
    if indicator.kind is IndicatorKind.COUNT and bench > 0:
        percent = formatting.number(value / bench * 100, 1, lang)
        share = f"{percent}{formatting.NARROW_NBSP}%"
        tail = words["count"].format(share=share, benchmark=benchmark, value=bench_text)
        return Reading(
            text=subject + tail, result=UNTESTED, tested=False, direction=None
        )
    shown = indicator.decimals
    difference = formatting.rounded_as_shown(
        value, shown
    ) - formatting.rounded_as_shown(bench, shown)
    if round(difference, shown) == 0:
        direction = "equal"
        tail = words["equal"].format(benchmark=benchmark, value=bench_text)
    else:
        direction = "higher" if difference > 0 else "lower"
        tail = words[direction].format(
            difference=difference_text(difference, indicator, lang),
            benchmark=benchmark,
            value=bench_text,
        )
    return Reading(
        text=subject + tail, result=UNTESTED, tested=False, direction=direction
    )
