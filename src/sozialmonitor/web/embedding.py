"""Embed codes: how another site shows one of the portal's views in a frame.

The embeddable views live under ``EMBED_PREFIX`` (``/einbetten/…``, see
:mod:`sozialmonitor.web.pages.indicator_embed`); the pages offer an ``<iframe>``
for them in a read-only text field.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from sozialmonitor.web.i18n import Language
from sozialmonitor.web.security import EMBED_PREFIX
from sozialmonitor.web.urls import href

EMBED_HEIGHT = 640
"""Height (px) the embed code gives the frame: a map or chart with its legend."""


@dataclass(frozen=True, kw_only=True)
class EmbedCode:
    """How another site embeds the current view."""

    url: str
    """The embeddable view (absolute with the ``base-url`` setting)."""
    code: str
    """The ``<iframe>`` element to copy."""
    absolute: bool
    """Whether ``url`` is absolute (else the site must put the portal's address
    in front)."""


def embed_path(indicator_id: str, lang: Language, params: dict[str, object]) -> str:
    """The embeddable view with the given view parameters.

    Examples
    --------
    >>> embed_path("sgb2", "de", {"ansicht": "karte", "zeitraum": "2021"})
    '/einbetten/indikator/sgb2?ansicht=karte&zeitraum=2021'
    """
    return href(f"{EMBED_PREFIX}indikator/{indicator_id}", lang, **params)


def embed_code(url: str, title: str, *, base_url: str) -> EmbedCode:
    """The ``<iframe>`` for ``url`` (a path), absolute when ``base_url`` is set.

    Examples
    --------
    >>> found = embed_code("/einbetten/indikator/x", "X", base_url="https://s.example")
    >>> found.code.split()[:3]
    ['<iframe', 'src="https://s.example/einbetten/indikator/x"', 'title="X"']
    """
    full = base_url + url
    code = (
        f'<iframe src="{escape(full)}" title="{escape(title)}" width="100%" '
        f'height="{EMBED_HEIGHT}" loading="lazy"></iframe>'
    )
    return EmbedCode(url=full, code=code, absolute=bool(base_url))
