"""The site configuration as the portal uses it: the portal as a municipality's
own site (name, publisher, logo, colours, introduction, legal pages, order of topics
and indicators, comparison area). ``Site()`` is the portal without a site file;
:mod:`sozialmonitor.web.site.loading` reads and checks a site file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import Markup

from sozialmonitor.web.snapshot import Snapshot, Topic

DEFAULT_NAME = "Sozialmonitor"
LEGAL_PAGES = ("imprint", "privacy", "accessibility")
"""The keys of the legal pages under ``[legal]``."""


@dataclass(frozen=True, kw_only=True)
class Logo:
    data: bytes
    media_type: str
    """``image/svg+xml`` or ``image/png``."""
    alt: str
    url: str
    """Where the portal serves it: ``/logo.svg`` or ``/logo.png``."""


@dataclass(frozen=True, kw_only=True)
class Order:
    """The order of topics (by slug) and of indicators within a topic (by id);
    what the site does not name follows in the catalogue's order."""

    topics: tuple[str, ...] = ()
    indicators: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[object, ...]:
        """The order as a hashable value, for the keys of pages kept per data
        version (apps with different site files may share a snapshot)."""
        return (self.topics, tuple(self.indicators.items()))

    def arrange(self, topics: tuple[Topic, ...]) -> tuple[Topic, ...]:
        """The topics in the site's order, each with its indicators in order."""
        rank = {slug: i for i, slug in enumerate(self.topics)}
        ordered = sorted(topics, key=lambda t: rank.get(t.slug, len(rank)))
        return tuple(self.within(t) for t in ordered)

    def within(self, topic: Topic) -> Topic:
        """The topic with its indicators in the site's order."""
        wanted = self.indicators.get(topic.slug)
        if not wanted:
            return topic
        rank = {indicator_id: i for i, indicator_id in enumerate(wanted)}
        return replace(
            topic,
            indicators=tuple(
                sorted(topic.indicators, key=lambda i: rank.get(i.id, len(rank)))
            ),
        )


@dataclass(frozen=True, kw_only=True)
class LegalText:
    """One legal page's text (German; the site gives no translation)."""

    html: Markup
    source: str
    """The Markdown as written."""


@dataclass(frozen=True, kw_only=True)
class Site:
    """The portal's own site: what the frame, the start page, the legal pages and
    the profiles take from the site file. ``Site()`` is the portal without one."""

    name: str = DEFAULT_NAME
    publisher: str = ""
    path: str = ""
    """The site file ("" without one)."""
    introduction: dict[str, Markup] = field(default_factory=dict)
    """Language → the start page's introduction (empty: the portal's own)."""
    compare_area: str = ""
    """Code of the area the start page shows and the profiles compare with."""
    typology: Path | None = None
    """A typology file (YAML) for the area types, read by the typology's own
    setting; the site only names it."""
    logo: Logo | None = None
    primary: str = ""
    accent: str = ""
    legal: dict[str, LegalText] = field(default_factory=dict)
    """Page (``imprint``, ``privacy``, ``accessibility``) → its text."""
    accessibility_contact: str = ""
    """``mailto:…`` or ``https://…``: where to report a barrier."""
    order: Order = field(default_factory=Order)

    @property
    def configured(self) -> bool:
        return bool(self.path)

    @property
    def stylesheet(self) -> bool:
        """Whether the site has colours of its own (served as ``/site.css``)."""
        return bool(self.primary or self.accent)

    def css(self) -> str:
        """The stylesheet with the site's colours (custom properties of
        ``portal.css``)."""
        lines = [":root {"]
        if self.accent:
            lines.append(f"  --accent: {self.accent};")
        if self.primary:
            lines.append(f"  --accent-dark: {self.primary};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def unknown_names(self, snap: Snapshot) -> list[str]:
        """What the site names that the database does not have, one line each (for
        a warning at start: the catalogue may still be imported)."""
        found = []
        slugs = {t.slug for t in snap.topics}
        for slug in self.order.topics:
            if slug not in slugs:
                found.append(f"[order] topics: there is no topic '{slug}'")
        for slug, ids in self.order.indicators.items():
            if slug not in slugs:
                found.append(f"[order.indicators]: there is no topic '{slug}'")
            for indicator_id in ids:
                if indicator_id not in snap.indicator_by_id:
                    found.append(
                        f"[order.indicators] {slug}: there is no indicator "
                        f"'{indicator_id}'"
                    )
        if self.compare_area and self.compare_area not in snap.areas:
            found.append(f"compare_area: there is no area '{self.compare_area}'")
        return [f"{self.path}: {line}." for line in found]


DEFAULT_SITE = Site()
NO_ORDER = Order()
"""The catalogue's own order (topics by German name)."""
