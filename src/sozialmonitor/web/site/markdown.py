"""Markdown of a site's texts (introduction, legal pages) as safe HTML.

CommonMark through markdown-it-py with raw HTML off: a ``<script>`` in the file
is shown as text. Links keep markdown-it's check (no ``javascript:``, ``data:`` …);
images are not rendered, since a picture from another server would be a request
the portal never makes. Headings move one level down, below the page's own ``<h1>``.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

HEADING_SHIFT = 1
"""``#`` in the file becomes ``<h2>``: the page has its own ``<h1>``."""


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).disable(
        "image"
    )


def render_markdown(text: str) -> Markup:
    """The Markdown ``text`` as HTML safe to put into a page.

    Examples
    --------
    >>> str(render_markdown("# Impressum\\n\\n<script>alert(1)</script>"))
    '<h2>Impressum</h2>\\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\\n'
    """
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"
    # Raw HTML is off, so the renderer escapes every tag the text holds.
    return Markup(parser.renderer.render(tokens, parser.options, {}))  # nosec B704
