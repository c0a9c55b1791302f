"""Readable German URLs that restore a view on their own (permalinks)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from sozialmonitor.web.i18n import DEFAULT_LANGUAGE, Language

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(text: str) -> str:
    """``Gesundheit / Pflege`` → ``gesundheit-pflege``.

    Examples
    --------
    >>> slug("Bevölkerung & Soziales")
    'bevoelkerung-soziales'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_UMLAUTS)).strip("-")


def href(path: str, lang: Language, /, **params: object) -> str:
    """A link within the portal that keeps the language; empty params are left out.

    Lists become repeated parameters.

    Examples
    --------
    >>> href("/vergleich", "en", gebiete=["03241001", "03241"], tab=None)
    '/vergleich?gebiete=03241001&gebiete=03241&lang=en'
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list | tuple):
            pairs.extend((key, str(v)) for v in value)
        else:
            pairs.append((key, str(value)))
    if lang != DEFAULT_LANGUAGE:
        pairs.append(("lang", lang))
    return f"{path}?{urlencode(pairs)}" if pairs else path
