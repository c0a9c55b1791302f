"""Finding indicators by name, synonym and keyword, the way German readers type.

"pflegebedürftig", "Pflegebeduerftige" and "Pflege" all find the care indicators:
text is normalised (umlauts transliterated, accents and punctuation dropped),
reduced to word stems with the German Snowball stemmer, and a query word matches
an indexed word by equal stem (also without a plural -s: "Kitas"), as the start of a
word ("Pflege" in "Pflegebedürftige") or, from five letters on, inside a compound
("Arbeitslose" in "Langzeitarbeitslose"). Every query word must match; stop words
are ignored.
"""

from __future__ import annotations

import heapq
import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache

import snowballstemmer

from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator

_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_A_WORD = re.compile(r"[\W_]+")

# A plain word list: formatted compactly rather than one word per line.
STOP_WORDS: frozenset[str] = frozenset(
    {
        "aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bis", "bzw", "das",
        "dass", "dem", "den", "der", "des", "die", "durch", "ein", "eine", "einem",
        "einen", "einer", "eines", "es", "fuer", "im", "in", "ins", "ist", "je", "mit",
        "nach", "oder", "pro", "sich", "sowie", "und", "usw", "vom", "von", "zu",
        "zum", "zur",
    }
)  # fmt: skip
"""Normalised German words a query ignores. Words that change the meaning of a
query ("ohne", "nicht", "unter", "ueber") are deliberately not among them."""

MIN_PREFIX = 2
"""Shortest query word that matches as the start of a longer word."""
MIN_INFIX = 5
"""Shortest query word that matches inside a compound ("armut" in "kinderarmut")."""
MIN_PLURAL_S = 3
"""Query words longer than this also match without a final s ("kitas" as "kita")."""


class Tier(IntEnum):
    """How much a field counts: a match in the name outranks one in the keywords."""

    TEXT = 1
    KEYWORD = 10
    NAME = 100


class MatchKind(IntEnum):
    """How well a query word matches an indexed word, best last."""

    INFIX = 1
    PREFIX = 2
    EXACT = 3


SEARCH_FIELDS: dict[str, Tier] = {
    "name": Tier.NAME,
    "short_name": Tier.NAME,
    "keywords": Tier.KEYWORD,
    "topic": Tier.KEYWORD,
    "definition": Tier.TEXT,
    "numerator": Tier.TEXT,
    "denominator": Tier.TEXT,
    "source": Tier.TEXT,
}
"""Indicator fields searched, in the order ``SearchHit.matched`` lists them."""

_FIELD_NAMES = tuple(SEARCH_FIELDS)
_FIELD_TIERS = tuple(SEARCH_FIELDS.values())
_BEST = Tier.NAME * MatchKind.EXACT
# Highest tier among the fields of a bit mask (bit i = field i of SEARCH_FIELDS).
_MASK_TIER = tuple(
    max((t for i, t in enumerate(_FIELD_TIERS) if mask & (1 << i)), default=0)
    for mask in range(1 << len(_FIELD_TIERS))
)


def normalise(text: str) -> str:
    """Text as the search compares it: lower case, umlauts spelt out, no accents.

    ä, ö, ü and ß become ae, oe, ue and ss (so both spellings of a word agree),
    other accents are dropped, and everything that is not a letter or digit
    separates words.

    Parameters
    ----------
    text
        Any text: a query, an indicator name, a keyword.

    Returns
    -------
    str
        The words of ``text``, normalised and separated by single spaces.

    Examples
    --------
    >>> normalise("Pflegebedürftige je 1.000 Einwohner")
    'pflegebeduerftige je 1 000 einwohner'
    >>> normalise("Pflegebeduerftige") == normalise("PFLEGEBEDÜRFTIGE")
    True
    >>> normalise("SGB-II-Quote (Straße, Café)")
    'sgb ii quote strasse cafe'
    """
    bare = unicodedata.normalize("NFC", text).lower().translate(_TRANSLITERATE)
    if not bare.isascii():  # the common case skips the slow accent stripping
        decomposed = unicodedata.normalize("NFKD", bare)
        bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_A_WORD.sub(" ", bare).split())


_STEMMER = snowballstemmer.stemmer("german")
_STEMMER_LOCK = threading.Lock()  # a Snowball stemmer keeps its state in the object


@lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """The German Snowball stem of an already normalised word."""
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(word))


def _words(text: str) -> list[str]:
    """Normalised words of ``text`` without stop words."""
    return [w for w in normalise(text).split() if w not in STOP_WORDS]


@dataclass(frozen=True, kw_only=True)
class SearchHit:
    """One indicator found by a search."""

    indicator: Indicator
    """The indicator found."""
    score: float
    """Relevance between 0 and 1; 1 = every query word is a word of the (short) name."""
    matched: tuple[str, ...]
    """Fields in which a query word matched ("name", "keywords", …)."""


class IndicatorSearch:
    """An index of indicators, built once, that answers German queries.

    Parameters
    ----------
    indicators
        The indicators to search.

    Examples
    --------
    >>> search = IndicatorSearch(
    ...     [
    ...         Indicator(id="care", name="Pflegebedürftige", unit="%"),
    ...         Indicator(id="kita", name="Betreuungsquote", unit="%", keywords="Kita"),
    ...     ]
    ... )
    >>> [hit.indicator.id for hit in search.find("pflegebeduerftig")]
    ['care']
    >>> hit = search.find("Kitas")[0]
    >>> hit.indicator.id, hit.matched
    ('kita', ('keywords',))
    >>> search.find("die und der")
    []
    """

    def __init__(self, indicators: Iterable[Indicator]) -> None:
        self._indicators = list(indicators)
        # Tie order (German collation of the name, then id), computed once.
        self._order = {
            position: rank
            for rank, position in enumerate(
                sorted(
                    range(len(self._indicators)),
                    key=lambda p: (
                        german_key(self._indicators[p].name),
                        self._indicators[p].id,
                    ),
                )
            )
        }
        word_ids: dict[str, int] = {}
        # postings[word id]: indicator position -> bit mask of the fields holding it
        postings: list[dict[int, int]] = []
        for position, indicator in enumerate(self._indicators):
            for bit, field in enumerate(_FIELD_NAMES):
                value = getattr(indicator, field)
                text = " ".join(value) if isinstance(value, tuple) else str(value)
                for word in _words(text):
                    word_id = word_ids.setdefault(word, len(word_ids))
                    if word_id == len(postings):
                        postings.append({})
                    posting = postings[word_id]
                    posting[position] = posting.get(position, 0) | (1 << bit)
        self._postings = postings
        self._by_stem: dict[str, list[int]] = {}
        # A word is found by the start of its normalised form or of its stem (the
        # Snowball stemmer also folds "ae" to "a", so the stem is not always a
        # prefix of the word).
        keys: dict[str, list[int]] = {}
        for word, word_id in word_ids.items():
            stem = _stem(word)
            self._by_stem.setdefault(stem, []).append(word_id)
            keys.setdefault(word, []).append(word_id)
            if stem != word:
                keys.setdefault(stem, []).append(word_id)
        self._keys = sorted(keys)
        self._key_words = [keys[key] for key in self._keys]
        # All keys in one string, so an infix is found by one fast str.find scan.
        self._joined = "\n".join(self._keys)
        self._key_starts: list[int] = []
        offset = 0
        for key in self._keys:
            self._key_starts.append(offset)
            offset += len(key) + 1

    def find(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        """Indicators matching every word of ``query``, best first.

        A match in the name or short name ranks above one in the keywords or
        topic, which ranks above one in the definition, numerator, denominator
        or source; within a field an equal stem ranks above a word start, which
        ranks above a part of a compound. Equal scores are ordered by name in
        German collation.

        Parameters
        ----------
        query
            Words as typed; case, umlaut spelling, word form and stop words do
            not matter.
        limit
            Largest number of hits returned.

        Returns
        -------
        list of SearchHit
            Empty for an empty query or one of stop words only.

        Examples
        --------
        >>> search = IndicatorSearch(
        ...     [
        ...         Indicator(id="a", name="Ausländeranteil", unit="%"),
        ...         Indicator(id="u", name="Langzeitarbeitslose", unit="%"),
        ...     ]
        ... )
        >>> [hit.indicator.id for hit in search.find("Auslaender")]
        ['a']
        >>> [hit.indicator.id for hit in search.find("Arbeitslosen")]
        ['u']
        >>> search.find("Arbeitslose Ausländer")
        []
        """
        words = _words(query)
        if not words or limit < 1:
            return []
        scores: dict[int, int] = {}
        fields: dict[int, int] = {}
        for number, word in enumerate(words):
            word_scores, word_fields = self._match(word)
            if number == 0:
                scores, fields = word_scores, word_fields
            else:
                scores = {
                    position: score + word_scores[position]
                    for position, score in scores.items()
                    if position in word_scores
                }
                fields = {
                    position: mask | word_fields[position]
                    for position, mask in fields.items()
                    if position in scores
                }
            if not scores:
                return []
        best = _BEST * len(words)
        ranked = heapq.nsmallest(
            limit,
            scores,
            key=lambda position: (-scores[position], self._order[position]),
        )
        return [
            SearchHit(
                indicator=self._indicators[position],
                score=scores[position] / best,
                matched=tuple(
                    name
                    for bit, name in enumerate(_FIELD_NAMES)
                    if fields[position] & (1 << bit)
                ),
            )
            for position in ranked
        ]

    def _match(self, word: str) -> tuple[dict[int, int], dict[int, int]]:
        """Best score and matched fields per indicator position for one word."""
        kinds: dict[int, MatchKind] = {}

        def found(word_ids: Iterable[int], kind: MatchKind) -> None:
            for word_id in word_ids:
                if kind > kinds.get(word_id, 0):
                    kinds[word_id] = kind

        stem = _stem(word)
        found(self._by_stem.get(stem, ()), MatchKind.EXACT)
        if word.endswith("s") and len(word) > MIN_PLURAL_S:
            # Snowball keeps the plural -s after a vowel ("Kitas", "Azubis").
            found(self._by_stem.get(_stem(word[:-1]), ()), MatchKind.EXACT)
        for form in {word, stem}:
            if len(form) >= MIN_PREFIX:
                first = bisect_left(self._keys, form)
                last = bisect_left(self._keys, form + "\U0010ffff", first)
                for index in range(first, last):
                    found(self._key_words[index], MatchKind.PREFIX)
            if len(form) >= MIN_INFIX:
                start = self._joined.find(form)
                while start != -1:
                    index = bisect_right(self._key_starts, start) - 1
                    found(self._key_words[index], MatchKind.INFIX)
                    start = self._joined.find(form, start + 1)
        scores: dict[int, int] = {}
        fields: dict[int, int] = {}
        for word_id, kind in kinds.items():
            for position, mask in self._postings[word_id].items():
                score = _MASK_TIER[mask] * kind
                if score > scores.get(position, 0):
                    scores[position] = score
                fields[position] = fields.get(position, 0) | mask
        return scores, fields
