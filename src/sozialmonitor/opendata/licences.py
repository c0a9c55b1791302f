"""The catalogue's licence text as the licence a harvester understands: the URI of
the DCAT-AP.de licence vocabulary (``http://dcat-ap.de/def/licenses/…``).

The catalogue holds licences as planners write them ("dl-de/by-2-0", "CC BY 4.0",
"Datenlizenz Deutschland – Namensnennung – Version 2.0"). A text that names exactly
one known licence maps to it; any other text (no licence, several, or terms of
use in words) maps to ``other-closed``: an export must never declare data open
that its publisher did not license so. The text itself travels along as the
attribution, so nothing is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VOCABULARY = "http://dcat-ap.de/def/licenses/"


@dataclass(frozen=True, kw_only=True)
class Licence:
    """A licence of the DCAT-AP.de vocabulary."""

    key: str
    """Its key in the vocabulary (``dl-by-de/2.0``)."""
    title: str
    attribution: bool
    """Whether users must name the source (``dcatde:licenseAttributionByText``)."""

    @property
    def uri(self) -> str:
        return VOCABULARY + self.key


DL_BY = Licence(
    key="dl-by-de/2.0",
    title="Datenlizenz Deutschland – Namensnennung – Version 2.0",
    attribution=True,
)
DL_ZERO = Licence(
    key="dl-zero-de/2.0",
    title="Datenlizenz Deutschland – Zero – Version 2.0",
    attribution=False,
)
CC_BY = Licence(
    key="cc-by/4.0",
    title="Creative Commons Namensnennung – 4.0 International (CC BY 4.0)",
    attribution=True,
)
CC_ZERO = Licence(
    key="cc-zero", title="Creative Commons CC Zero (CC0 1.0)", attribution=False
)
OTHER_CLOSED = Licence(
    key="other-closed",
    title="Andere geschlossene Lizenz (siehe Nutzungsbedingungen)",
    attribution=True,
)

_PATTERNS: tuple[tuple[Licence, re.Pattern[str]], ...] = (
    (
        DL_BY,
        re.compile(
            r"dl-de[/-]by[-/ ]?2[-.]0|dl-by-de/2\.0|"
            r"datenlizenz deutschland\W+namensnennung\W+version 2\.0",
            re.IGNORECASE,
        ),
    ),
    (
        DL_ZERO,
        re.compile(
            r"dl-de[/-]zero[-/ ]?2[-.]0|dl-zero-de/2\.0|"
            r"datenlizenz deutschland\W+zero\W+version 2\.0",
            re.IGNORECASE,
        ),
    ),
    (CC_BY, re.compile(r"\bcc[- ]by[- ]4\.0\b|\bcc-by/4\.0\b", re.IGNORECASE)),
    (CC_ZERO, re.compile(r"\bcc0\b|\bcc[- ]zero\b", re.IGNORECASE)),
)

_JOINERS = re.compile(r"[\s;,:()]+")


def licence_of(text: str) -> Licence:
    """The vocabulary licence the catalogue's licence text names.

    Examples
    --------
    >>> licence_of("dl-de/by-2-0").uri
    'http://dcat-ap.de/def/licenses/dl-by-de/2.0'
    >>> licence_of("CC BY 4.0").key
    'cc-by/4.0'
    >>> licence_of("dl-de/by-2-0 (BKG); MSS: Abdruck mit Quellenangabe").key
    'other-closed'
    >>> licence_of("").key
    'other-closed'
    """
    found = [
        (licence, match)
        for licence, pattern in _PATTERNS
        for match in [pattern.search(text)]
        if match
    ]
    if len(found) != 1:
        return OTHER_CLOSED
    licence, match = found[0]
    rest = _JOINERS.sub("", text[: match.start()] + text[match.end() :])
    return licence if not rest else OTHER_CLOSED
