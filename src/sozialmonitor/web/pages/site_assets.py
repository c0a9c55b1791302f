"""What the site file adds to every page: its colours as a stylesheet (the CSP
allows no inline style) and its logo, both served by the portal itself."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from sozialmonitor.web.page import site_of
from sozialmonitor.web.problems import problem

router = APIRouter()

CACHE = "public, max-age=3600"
"""The site file is read once at start: an hour is short enough after a change."""


@router.get("/site.css", include_in_schema=False)
def site_css(request: Request) -> Response:
    """The site's colours as custom properties of ``portal.css``."""
    return Response(
        site_of(request).css(),
        media_type="text/css",
        headers={"Cache-Control": CACHE},
    )


def _logo(request: Request, url: str) -> Response:
    found = site_of(request).logo
    if found is None or found.url != url:
        return problem(404, "Not found", "This portal has no such logo.", "no-logo")
    return Response(
        found.data, media_type=found.media_type, headers={"Cache-Control": CACHE}
    )


@router.get("/logo.svg", include_in_schema=False, response_model=None)
def logo_svg(request: Request) -> Response:
    """The site's logo as SVG, checked when the portal started."""
    return _logo(request, "/logo.svg")


@router.get("/logo.png", include_in_schema=False, response_model=None)
def logo_png(request: Request) -> Response:
    """The site's logo as PNG."""
    return _logo(request, "/logo.png")
