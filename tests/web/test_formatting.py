"""Numbers as the portal writes them: the same text as CLDR's patterns (Babel)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from babel import Locale
from babel.numbers import parse_pattern

from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language


def cldr(value: float, decimals: int, lang: Language, *, sign: bool) -> str:
    """The reference: Babel's de_DE / en_GB pattern, the portal's signs, the value
    rounded half away from zero on its decimal text."""
    rounded = Decimal(repr(value)).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    pattern = parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))
    text = pattern.apply(abs(rounded), Locale.parse(formatting.LOCALES[lang]))
    if rounded == 0:
        return ("±" if sign else "") + text
    return ("−" if rounded < 0 else "+" if sign else "") + text


@pytest.mark.parametrize("lang", ["de", "en"])
def test_numbers_are_written_as_cldr_writes_them(lang: Language) -> None:
    rng = np.random.default_rng(11)
    samples = [
        *rng.uniform(-1e7, 1e7, 1_000),
        *rng.uniform(-5, 5, 1_000),
        *(np.round(rng.uniform(0, 100, 1_000), 2) + 0.005),  # halves of the last digit
        0.0,
        -0.0,
        -0.04,
        1e12,
    ]
    for value in samples:
        for decimals in (0, 1, 2, 3):
            for sign in (False, True):
                assert formatting.number(
                    float(value), decimals, lang, sign=sign
                ) == cldr(float(value), decimals, lang, sign=sign), (value, decimals)


def test_no_number_is_a_dash() -> None:
    assert formatting.number(None, 1, "de") == formatting.NO_VALUE_SIGN
    assert formatting.number(float("nan"), 1, "en") == formatting.NO_VALUE_SIGN


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (0.25, 1, "0,3"),  # round(0.25, 1) would give 0.2
        (-0.25, 1, "−0,3"),
        (2.675, 2, "2,68"),  # its binary value lies below 2.675
        (1.005, 2, "1,01"),
        (0.35, 1, "0,4"),
        (4.45, 1, "4,5"),
        (1234.5, 0, "1.235"),
        (2.5, 0, "3"),
        (-0.04, 1, "0,0"),
        (1e16 + 2, 1, "10.000.000.000.000.002,0"),
    ],
)
def test_numbers_are_rounded_as_official_statistics_round(
    value: float, decimals: int, text: str
) -> None:
    # Kaufmännisch: half away from zero, on the value as it is written.
    assert formatting.number(value, decimals, "de") == text
