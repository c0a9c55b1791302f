"""Reading a site file: the portal as a municipality's own site.

One TOML file (``--site FILE`` or ``SOZIALMONITOR_SITE``) names the portal and its
publisher, the logo, the colours, the start page's introduction, the legal pages
(Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit), the order of
topics and indicators and the area the start page and the profiles compare with.
Files it names (Markdown, logo) lie next to it.

TOML rather than YAML: Python reads it with the standard library (``tomllib``),
it has no anchors or aliases to blow up and no tags that build objects, and its
values have types (a colour is a string, never a number by accident).

Everything is checked when the portal starts, and a bad file is refused with one
line naming the file, the key and what to do (:class:`ConfigurationError`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, ValidationError

from sozialmonitor.errors import ConfigurationError
from sozialmonitor.web.site.config import (
    LEGAL_PAGES,
    LegalText,
    Logo,
    Order,
    Site,
)
from sozialmonitor.web.site.contrast import (
    MIN_TEXT_CONTRAST,
    contrast_ratio,
    parse_colour,
)
from sozialmonitor.web.site.markdown import render_markdown

MAX_CONFIG_BYTES = 64 * 1024
"""The site file itself."""
MAX_MARKDOWN_BYTES = 100 * 1024
"""One Markdown text (a long Datenschutzerklärung is some 40 KB)."""
MAX_LOGO_BYTES = 256 * 1024
"""The logo file."""
MAX_TEXT_CHARS = 200
"""A name, a publisher, an alternative text or a contact."""
MAX_ORDER_ENTRIES = 2_000
"""Topics and indicators named in ``[order]``."""

BACKGROUNDS = {"white": "#ffffff", "light grey": "#f2f4f7"}
"""What the site's colours meet in ``portal.css``: the primary colour is the
header's background under white text and the hover colour of links; the accent
colour is the links' text on white and on the light grey of forms and tabs,
and the background of buttons and the current tab under white text."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Logo(_Strict):
    file: str
    alt: str


class _Colours(_Strict):
    primary: str | None = None
    accent: str | None = None


class _Legal(_Strict):
    imprint: str | None = None
    privacy: str | None = None
    accessibility: str | None = None
    accessibility_contact: str | None = None


class _Order(_Strict):
    topics: list[str] = []
    indicators: dict[str, list[str]] = {}


class SiteFile(_Strict):
    """The site file as written (checked by Pydantic; every key is documented in
    docs/site-files.md, which a test checks)."""

    name: str
    publisher: str
    introduction: str | None = None
    introduction_en: str | None = None
    compare_area: str | None = None
    typology: str | None = None
    logo: _Logo | None = None
    colours: _Colours = _Colours()
    legal: _Legal = _Legal()
    order: _Order = _Order()


# --- reading the file ---------------------------------------------------------


def _refuse(path: Path, key: str, problem: str) -> ConfigurationError:
    where = f"{path}, key '{key}'" if key else str(path)
    return ConfigurationError(f"Site file {where}: {problem}")


def _read_bytes(site_path: Path, key: str, path: Path, limit: int, what: str) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            site_path,
            key,
            f"the {what} '{path.name}' is larger than {limit // 1024} KB. "
            "Make it smaller.",
        )
    return data


def _markdown(site_path: Path, key: str, name: str) -> tuple[str, Markup]:
    path = _beside(site_path, key, name)
    data = _read_bytes(site_path, key, path, MAX_MARKDOWN_BYTES, "Markdown file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(
            site_path, key, f"'{path.name}' is not UTF-8 text. Save it as UTF-8."
        ) from None
    return text, render_markdown(text)


def _beside(site_path: Path, key: str, name: str) -> Path:
    """A file named by the site file: relative to its folder, never outside it."""
    folder = site_path.parent.resolve()
    path = (folder / name).resolve()
    if folder not in path.parents:
        raise _refuse(
            site_path,
            key,
            f"'{name}' lies outside the site file's folder. Put the file next to "
            "the site file.",
        )
    if not path.is_file():
        raise _refuse(
            site_path,
            key,
            f"the file '{name}' does not exist next to the site file. Put it there "
            "or correct the name.",
        )
    return path


_SVG_FORBIDDEN = (
    (re.compile(r"<!(?:DOCTYPE|ENTITY)", re.I), "a DOCTYPE or ENTITY declaration"),
    (re.compile(r"<script", re.I), "a script"),
    (re.compile(r"<foreignObject", re.I), "a foreignObject"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler (on…=)"),
    (
        re.compile(r"(?:href|src)\s*=\s*[\"']?\s*(?!#|data:image/)[a-z]*:", re.I),
        "a link to another file or server",
    ),
    (
        re.compile(r"(?:href|src)\s*=\s*[\"']?\s*&", re.I),
        "a link written with character references",
    ),
    (re.compile(r"url\(\s*[\"']?\s*(?!#)", re.I), "a url() that is not '#…'"),
    (re.compile(r"@import", re.I), "an @import"),
)
"""What a logo SVG may not hold: the portal loads nothing from other servers and
runs no script but its own."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _logo(site_path: Path, logo: _Logo) -> Logo:
    path = _beside(site_path, "logo.file", logo.file)
    data = _read_bytes(site_path, "logo.file", path, MAX_LOGO_BYTES, "logo")
    suffix = path.suffix.lower()
    if suffix == ".png":
        if not data.startswith(PNG_SIGNATURE):
            raise _refuse(site_path, "logo.file", f"'{path.name}' is not a PNG image.")
        media_type = "image/png"
    elif suffix == ".svg":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(
                site_path, "logo.file", f"'{path.name}' is not UTF-8 SVG text."
            ) from None
        if "<svg" not in text:
            raise _refuse(site_path, "logo.file", f"'{path.name}' is not an SVG.")
        for pattern, what in _SVG_FORBIDDEN:
            if pattern.search(text):
                raise _refuse(
                    site_path,
                    "logo.file",
                    f"'{path.name}' holds {what}, which a logo may not. Save it "
                    "as a plain SVG (or PNG).",
                )
        media_type = "image/svg+xml"
    else:
        raise _refuse(
            site_path,
            "logo.file",
            f"'{path.name}' is neither .svg nor .png. Give the logo as SVG or PNG.",
        )
    return Logo(
        data=data,
        media_type=media_type,
        alt=_text(site_path, "logo.alt", logo.alt),
        url=f"/logo{suffix}",
    )


def _text(site_path: Path, key: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise _refuse(site_path, key, "is empty. Give a text.")
    if len(value) > MAX_TEXT_CHARS or any(c in value for c in "\r\n\x00"):
        raise _refuse(
            site_path,
            key,
            f"must be one line of at most {MAX_TEXT_CHARS} characters.",
        )
    return value


def _colour(site_path: Path, key: str, value: str | None) -> str:
    if value is None:
        return ""
    colour = parse_colour(value)
    if colour is None:
        raise _refuse(
            site_path,
            key,
            f"'{value}' is not a colour. Write it as #rrggbb, e.g. #0b4f8a.",
        )
    for name, background in BACKGROUNDS.items():
        ratio = contrast_ratio(colour, background)
        if ratio < MIN_TEXT_CONTRAST:
            raise _refuse(
                site_path,
                key,
                f"'{value}' has a contrast of {ratio:.2f}:1 with {name} "
                f"({background}), which it meets as text or background; WCAG 2.1 "
                f"AA needs at least {MIN_TEXT_CONTRAST}:1. Choose a darker colour.",
            )
    return colour


_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}")


def _contact(site_path: Path, value: str | None) -> str:
    if value is None:
        return ""
    value = _text(site_path, "legal.accessibility_contact", value)
    if _EMAIL.fullmatch(value):
        return f"mailto:{value}"
    if re.fullmatch(r"https://[^\s<>\"']+", value):
        return value
    raise _refuse(
        site_path,
        "legal.accessibility_contact",
        f"'{value}' is neither an e-mail address nor an https:// address.",
    )


def _dotted(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


_FIX = {
    "extra_forbidden": "is not a key of a site file. Remove it or correct its name "
    "(see docs/site-files.md).",
    "missing": "is missing. Add it.",
    "string_type": "must be a text in quotes.",
    "list_type": 'must be a list, e.g. ["a", "b"].',
    "dict_type": "must be a table.",
    "model_type": "must be a table.",
}


def load_site(path: str | Path) -> Site:
    """The site configuration in ``path``, checked.

    Raises
    ------
    ConfigurationError
        For a file that is missing, too large or not TOML, an unknown or missing
        key, a named file that is missing or too large, a colour that is no colour
        or has too little contrast, a logo that is not a plain SVG or PNG.
    """
    site_path = Path(path)
    if not site_path.is_file():
        raise ConfigurationError(
            f"Site file {site_path}: it does not exist. Give the path of a site "
            "file (TOML) or leave the site setting empty."
        )
    data = _read_bytes(site_path, "", site_path, MAX_CONFIG_BYTES, "site file")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigurationError(
            f"Site file {site_path}: it is not valid TOML ({error}). Correct it."
        ) from None
    try:
        parsed = SiteFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        fix = _FIX.get(first["type"], f"{first['msg']}.")
        raise _refuse(site_path, _dotted(first["loc"]), fix) from None
    return _site(site_path, parsed)


def _site(site_path: Path, parsed: SiteFile) -> Site:
    introduction = {}
    for lang, name in (("de", parsed.introduction), ("en", parsed.introduction_en)):
        if name is not None:
            key = "introduction" if lang == "de" else "introduction_en"
            introduction[lang] = _markdown(site_path, key, name)[1]
    legal = {}
    for page in LEGAL_PAGES:
        name = getattr(parsed.legal, page)
        if name is not None:
            source, html = _markdown(site_path, f"legal.{page}", name)
            legal[page] = LegalText(html=html, source=source)
    order_entries = len(parsed.order.topics) + sum(
        len(v) for v in parsed.order.indicators.values()
    )
    if order_entries > MAX_ORDER_ENTRIES:
        raise _refuse(
            site_path, "order", f"names more than {MAX_ORDER_ENTRIES} entries."
        )
    compare_area = ""
    if parsed.compare_area is not None:
        compare_area = _text(site_path, "compare_area", parsed.compare_area)
    return Site(
        name=_text(site_path, "name", parsed.name),
        publisher=_text(site_path, "publisher", parsed.publisher),
        path=str(site_path),
        introduction=introduction,
        compare_area=compare_area,
        typology=_beside(site_path, "typology", parsed.typology)
        if parsed.typology is not None
        else None,
        logo=_logo(site_path, parsed.logo) if parsed.logo is not None else None,
        primary=_colour(site_path, "colours.primary", parsed.colours.primary),
        accent=_colour(site_path, "colours.accent", parsed.colours.accent),
        legal=legal,
        accessibility_contact=_contact(site_path, parsed.legal.accessibility_contact),
        order=Order(
            topics=tuple(parsed.order.topics),
            indicators={k: tuple(v) for k, v in parsed.order.indicators.items()},
        ),
    )
