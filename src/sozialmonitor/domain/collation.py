"""German sorting (DIN 5007-1): Ä sorts with A, ß as ss, case ignored."""

from __future__ import annotations

import unicodedata

_FOLD = str.maketrans({"ß": "ss", "ẞ": "ss"})


def german_key(text: str) -> str:
    """Sort key that puts "Ärzte" among the A's.

    Examples
    --------
    >>> sorted(["Zuzug", "Ärzte", "Arbeit", "Straße"], key=german_key)
    ['Arbeit', 'Ärzte', 'Straße', 'Zuzug']
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
