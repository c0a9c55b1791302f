"""Colour contrast after WCAG 2.1 (success criterion 1.4.3, level AA).

The formula of relative luminance and contrast ratio is WCAG's own
(https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio); a site's colours are checked
with it before the portal starts.
"""

from __future__ import annotations

import re

MIN_TEXT_CONTRAST = 4.5
"""WCAG 2.1 AA for normal text."""

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_colour(value: str) -> str | None:
    """``#0b4f8a`` (or ``#abc``) as a lower-case six-digit colour; None for
    anything else.

    Examples
    --------
    >>> parse_colour("#0B4F8A")
    '#0b4f8a'
    >>> parse_colour("#abc")
    '#aabbcc'
    >>> parse_colour("blue") is None
    True
    """
    if not _HEX.fullmatch(value):
        return None
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG's relative luminance of a six-digit ``#rrggbb`` colour (0 black, 1 white).

    Examples
    --------
    >>> relative_luminance("#ffffff"), relative_luminance("#000000")
    (1.0, 0.0)
    """
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio of two ``#rrggbb`` colours, from 1 to 21.

    Examples
    --------
    >>> contrast_ratio("#000000", "#ffffff")
    21.0
    >>> round(contrast_ratio("#767676", "#ffffff"), 2)  # the lightest AA grey
    4.54
    """
    lighter, darker = sorted(
        (relative_luminance(first), relative_luminance(second)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
