"""Plain-language readings of the area profile: one sentence per indicator kind,
German and English, from the comparison statistics."""

from __future__ import annotations

import pytest

from sozialmonitor.analysis.comparison import (
    BenchmarkComparison,
    Comparison,
    compare_with_benchmark,
)
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.web.reading import (
    NO_BENCHMARK,
    SUPPRESSED,
    UNTESTED,
    Reading,
    difference_text,
    in_area,
    read_value,
)

NNBSP = "\u202f"
SGB2 = Indicator(
    id="sgb2",
    name="SGB-II-Quote",
    short_name="SGB-II-Quote",
    unit="%",
    polarity="higher_is_worse",
)
EMPLOYMENT = Indicator(
    id="employment", name="Beschäftigtenquote", unit="%", polarity="higher_is_better"
)
FOREIGNERS = Indicator(id="foreigners", name="Ausländeranteil", unit="%")
INCOME = Indicator(
    id="income",
    name="Einkommen je Einwohner",
    unit="EUR",
    kind="mean",
    decimals=0,
    polarity="higher_is_better",
)
POPULATION = Indicator(
    id="population", name="Einwohner", unit="Personen", kind="count", decimals=0
)


def reading(
    indicator: Indicator,
    value: float | None,
    bench: float | None,
    comparison: BenchmarkComparison | None = None,
    *,
    lang: str = "de",
    suppressed: bool = False,
    benchmark_name: str | None = "Region Hannover",
) -> Reading:
    return read_value(
        indicator,
        area_name="Laatzen",
        value=value,
        suppressed=suppressed,
        benchmark_name=benchmark_name,
        benchmark_value=bench,
        comparison=comparison,
        lang=lang,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("name", "lang", "expected"),
    [
        ("Region Hannover", "de", "in der Region Hannover"),
        ("Landkreis Harburg", "de", "im Landkreis Harburg"),
        ("Stadt Oberhausen", "de", "in der Stadt Oberhausen"),
        ("Bezirk Mitte", "de", "im Bezirk Mitte"),
        ("Laatzen", "de", "in Laatzen"),
        ("Regionsteil Nord", "de", "in Regionsteil Nord"),
        ("Region Hannover", "en", "in Region Hannover"),
    ],
)
def test_in_area_takes_the_article_of_the_first_noun(
    name: str, lang: str, expected: str
) -> None:
    assert in_area(name, lang) == expected  # type: ignore[arg-type]


def test_significantly_worse_for_a_higher_is_worse_share() -> None:
    # 30.8 % of 263 (95 % CI 25.5 … 36.6 %) against a region at 20 %
    found = compare_with_benchmark(SGB2, 81, 263, 20.0)
    assert found.result is Comparison.WORSE
    result = reading(SGB2, 81 / 263 * 100, 20.0, found)
    assert result.text == (
        f"In Laatzen beträgt die Kennzahl „SGB-II-Quote“ 30,8{NNBSP}% – "
        f"signifikant schlechter als in der Region Hannover (20,0{NNBSP}%)."
    )
    assert (result.result, result.tested) == ("worse", True)


def test_significantly_better_similar_and_in_english() -> None:
    better = reading(
        EMPLOYMENT, 30.8, 20.0, compare_with_benchmark(EMPLOYMENT, 81, 263, 20.0)
    )
    assert "signifikant besser als in der Region Hannover" in better.text
    similar = reading(SGB2, 30.8, 30.0, compare_with_benchmark(SGB2, 81, 263, 30.0))
    assert "– ähnlich wie in der Region Hannover (30,0" in similar.text
    assert similar.result == "similar"
    english = reading(
        SGB2, 30.8, 20.0, compare_with_benchmark(SGB2, 81, 263, 20.0), lang="en"
    )
    assert english.text == (
        f"In Laatzen, the indicator “SGB-II-Quote” is 30.8{NNBSP}% – "
        f"significantly worse than in Region Hannover (20.0{NNBSP}%)."
    )


def test_without_polarity_says_higher_or_lower() -> None:
    found = compare_with_benchmark(FOREIGNERS, 81, 263, 20.0)
    text = reading(FOREIGNERS, 30.8, 20.0, found).text
    assert "signifikant höher als in der Region Hannover" in text
    assert "besser" not in text and "schlechter" not in text


def test_too_few_cases_are_not_compared() -> None:
    found = compare_with_benchmark(SGB2, 2, 10, 20.0)
    assert found.result is Comparison.NOT_COMPARED
    result = reading(SGB2, 20.0, 7.0, found)
    assert result.text.endswith(
        f"– in der Region Hannover 7,0{NNBSP}% (nicht verglichen: zu kleine Fallzahl)."
    )
    assert (result.result, result.tested) == ("not_compared", False)


def test_without_interval_the_plain_difference_says_so() -> None:
    result = reading(SGB2, 9.14, 7.2)
    assert result.text == (
        f"In Laatzen beträgt die Kennzahl „SGB-II-Quote“ 9,1{NNBSP}% – "
        f"1,9{NNBSP}Prozentpunkte höher als in der Region Hannover "
        f"(7,2{NNBSP}%; ohne Signifikanztest)."
    )
    assert (result.result, result.tested, result.direction) == (
        UNTESTED,
        False,
        "higher",
    )
    lower = reading(INCOME, 1480.0, 1512.4)
    assert lower.text == (
        "In Laatzen beträgt der Durchschnittswert „Einkommen je Einwohner“ "
        f"1.480{NNBSP}EUR – 32{NNBSP}EUR niedriger als in der Region Hannover "
        f"(1.512{NNBSP}EUR; ohne Signifikanztest)."
    )
    # equal as shown: the difference is read from the rounded values
    equal = reading(SGB2, 7.21, 7.24)
    assert equal.direction == "equal"
    assert "genauso hoch wie in der Region Hannover" in equal.text
    english = reading(SGB2, 9.14, 7.2, lang="en")
    assert f"1.9{NNBSP}percentage points higher than in Region Hannover" in (
        english.text
    )
    assert "no significance test" in english.text


def test_a_count_is_read_as_its_share_of_the_benchmark() -> None:
    result = reading(POPULATION, 42_675, 1_173_891)
    assert result.text == (
        f"In Laatzen beträgt die Zahl „Einwohner“ 42.675{NNBSP}Personen – das sind "
        f"3,6{NNBSP}% des Werts in der Region Hannover (1.173.891{NNBSP}Personen)."
    )


def test_missing_benchmark_suppressed_value_and_top_area() -> None:
    missing = reading(SGB2, 9.1, None)
    # the profile names the missing benchmark values once (issue 16), not each
    # sentence
    expected = f"In Laatzen beträgt die Kennzahl „SGB-II-Quote“ 9,1{NNBSP}%."
    assert missing.text == expected
    assert missing.result == NO_BENCHMARK
    secret = reading(SGB2, None, 7.2, suppressed=True)
    assert secret.result == SUPPRESSED
    assert "nicht ausgewiesen" in secret.text and "7,2" not in secret.text
    top = reading(SGB2, 9.1, None, benchmark_name=None)
    assert top.text == f"In Laatzen beträgt die Kennzahl „SGB-II-Quote“ 9,1{NNBSP}%."


def test_readings_are_deterministic() -> None:
    found = compare_with_benchmark(SGB2, 81, 263, 20.0)
    assert reading(SGB2, 30.8, 20.0, found) == reading(SGB2, 30.8, 20.0, found)


def test_difference_text_uses_percentage_points_for_shares() -> None:
    assert difference_text(-2.345, SGB2, "de") == f"2,3{NNBSP}Prozentpunkte"
    assert difference_text(2.345, SGB2, "en") == f"2.3{NNBSP}percentage points"
    assert difference_text(12.4, INCOME, "de") == f"12{NNBSP}EUR"
