"""The portal as an attacker tries it: security headers on every response, no
cookie, no forged Host header echoed, SQL-injection and XSS payloads in every query
parameter of every route answered cleanly, path traversal refused.

The routes come from the app's own route table, so a new route is covered without
touching this file; each route's query parameters are the declared ones plus those
its own page links and forms use.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from sozialmonitor.errors import ConfigurationError
from sozialmonitor.store import schema
from sozialmonitor.web.app import create_app
from sozialmonitor.web.security import (
    content_security_policy,
    frame_ancestors,
    security_headers,
)
from sozialmonitor.web.session import csrf_protected
from sozialmonitor.web.snapshot import Snapshot, snapshot

FORGED_HOST = "evil.example"
PAYLOADS = (
    "'\"><svg onload=alert(1)><script>alert(1)</script>' OR '1'='1' --",
    "0) OR 1=1; DROP TABLE observation; --",
)
"""An XSS probe that is also an SQL string break-out, and a plain SQL injection."""
PAGE_LANGUAGES = ("de", "en")
DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# --- the route table ---------------------------------------------------------------


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every GET route of the app, through included routers."""

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            else:
                yield route

    found = [r for r in walk(app.router.routes) if isinstance(r, APIRoute)]
    changing = [r for r in found if "GET" not in r.methods]
    for route in changing:  # sign-in and the administration: CSRF on every one
        checks = {d.call for d in route.dependant.dependencies}
        assert csrf_protected in checks, f"{route.path}: a POST route without CSRF"
    return [r for r in found if "GET" in r.methods]


def path_values(snap: Snapshot, client: TestClient) -> dict[str, str]:
    """A real value for every path parameter the routes use, from the demo data."""
    indicator = snap.indicator("unemployment_share")
    topic = next(t for t in snap.topics if indicator in t.indicators)
    area = next(code for code, a in snap.areas.items() if a.name == "Laatzen")
    indices = client.get("/api/v1/indices").json()["indices"]
    assert indices, "no shipped index definition"
    return {
        "indicator_id": indicator.id,
        "code": area,
        "slug": topic.slug,
        "index_id": str(indices[0]["id"]),
        "ext": "csv",
        "job_id": "kein-import",  # anonymous: sent to sign in before it is looked up
        "release_name": snap.release.name if snap.release else "demo",
        "template": "gebietsprofil",
        "report_id": "1",  # none published: the page for an unknown address
    }


def route_url(route: APIRoute, values: dict[str, str]) -> str:
    params = [p.name for p in route.dependant.path_params]
    missing = [p for p in params if p not in values]
    assert not missing, f"{route.path}: give the tests a value for {missing}"
    # ``path_format``: the path without convertors (``{release_name:path}``)
    return route.path_format.format(**{p: values[p] for p in params})


SAMPLE_QUERIES = {
    "/vergleich": "gebiete={code}&kennzahl={indicator_id}",
    "/api/v1/pages/vergleich": "gebiete={code}&kennzahl={indicator_id}",
    "/suche": "q=Arbeit",
    "/api/v1/pages/suche": "q=Arbeit",
    "/api/v1/observations": "indicator={indicator_id}&area={code}",
    "/api/v1/statistics/compare": "indicator={indicator_id}&area={code}",
    "/api/v1/statistics/trend": "indicator={indicator_id}&area={code}",
    "/api/v1/statistics/classes": "indicator={indicator_id}&level=municipality",
    "/api/v1/statistics/spatial": "indicator={indicator_id}&level=municipality",
    "/api/v1/statistics/typology": "indicator={indicator_id}&level=municipality",
    "/indikator/{indicator_id}/gebiet": "code={code}",
}
"""Query strings that make a route show something (rather than ask for input)."""


def parameter_names(client: TestClient, path: str, route: APIRoute) -> set[str]:
    """The route's declared query parameters, those its page's links to itself and
    its forms use, and ``lang``."""
    names = {p.alias for p in route.dependant.query_params} | {"lang"}
    response = client.get(path)
    if "html" in response.headers.get("content-type", ""):
        page = BeautifulSoup(response.text, "html.parser")
        own = urlsplit(path).path
        for link in page.select("a[href]"):
            parts = urlsplit(str(link["href"]))
            if parts.path == own:
                names |= {k for k, _ in parse_qsl(parts.query)}
        for form in page.select("form"):
            if urlsplit(str(form.get("action") or own)).path == own:
                names |= {str(f["name"]) for f in form.select("[name]")}
    return names


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def urls(demo: TestClient, demo_sqlite: Engine) -> dict[str, tuple[str, APIRoute]]:
    """route path → (a URL that shows something, the route)."""
    app = demo.app
    assert isinstance(app, FastAPI)
    values = path_values(snapshot(demo_sqlite), demo)
    found = {}
    for route in api_routes(app):
        url = route_url(route, values)
        if route.path in SAMPLE_QUERIES:
            url += "?" + SAMPLE_QUERIES[route.path].format(**values)
        found[route.path] = (url, route)
    return found


def all_urls(urls: dict[str, tuple[str, APIRoute]]) -> list[str]:
    """Every route, a static file, the OpenAPI description, a 404 page and a 404
    problem, a 400 problem."""
    return [
        *(url for url, _ in urls.values()),
        "/static/css/portal.css",
        "/static/vendor/vega-6.4.0.min.js",
        "/api/v1/openapi.json",
        "/gebiet/00000000000",
        "/gibt-es-nicht",
        "/api/v1/observations?indicator=unemployment_share&from=nie",
    ]


# --- headers and cookies ------------------------------------------------------------


def csp_directives(header: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1]
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def check_security_headers(headers: Any, where: str) -> None:
    policy = csp_directives(headers.get("content-security-policy", ""))
    for name, value in DIRECTIVES.items():
        assert policy.get(name) == value, (where, name, policy)
    assert not any(
        "'unsafe-inline'" in v or "'unsafe-eval'" in v for v in policy.values()
    ), where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert headers.get("cross-origin-opener-policy") == "same-origin", where
    assert "camera=()" in headers.get("permissions-policy", ""), where
    assert headers.get("x-frame-options") == "DENY", where


def test_every_response_carries_the_security_headers_and_no_cookie(
    demo: TestClient, urls: dict[str, tuple[str, APIRoute]]
) -> None:
    statuses = []
    for url in all_urls(urls):
        for lang in PAGE_LANGUAGES:
            full = url + ("&" if "?" in url else "?") + f"lang={lang}"
            response = demo.get(full, follow_redirects=False)
            assert response.status_code < 500, (full, response.text[:300])
            check_security_headers(response.headers, full)
            assert "set-cookie" not in response.headers, full
            statuses.append(response.status_code)
    # Pages, JSON, static files, a redirect, problems and not-found pages.
    assert {200, 303, 400, 404} <= set(statuses)
    assert len(statuses) >= 2 * 30


def test_a_server_error_carries_the_headers_too(demo_sqlite: Engine) -> None:
    app = create_app(demo_sqlite)

    def broken() -> None:
        raise RuntimeError("broken on purpose")

    app.add_api_route("/kaputt", broken)
    response = TestClient(app, raise_server_exceptions=False).get("/kaputt")
    assert response.status_code == 500
    check_security_headers(response.headers, "/kaputt")


def test_frame_ancestors_come_from_the_setting(
    demo_sqlite: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = "'self' https://www.hannover.de"
    monkeypatch.setenv("SOZIALMONITOR_FRAME_ANCESTORS", allowed)
    embed = "/einbetten/indikator/unemployment_share"
    response = TestClient(create_app(demo_sqlite)).get(embed)
    policy = csp_directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == allowed
    assert "x-frame-options" not in response.headers
    # Only the embeddable views: every other page is never framed.
    response = TestClient(create_app(demo_sqlite)).get("/")
    policy = csp_directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    # The argument wins over the environment.
    response = TestClient(create_app(demo_sqlite, ancestors="'none'")).get(embed)
    policy = csp_directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "value",
    [
        "https://a.example; script-src *",
        "https://a.example\r\nSet-Cookie: x=1",
        "'none' https://a.example",
        "'unsafe-inline'",
    ],
)
def test_a_frame_ancestors_value_that_is_no_source_list_is_refused(
    demo_sqlite: Engine, value: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_app(demo_sqlite, ancestors=value)
    assert "frame-ancestors setting" in caught.value.message
    assert value in caught.value.message


def test_the_policy_is_the_documented_one() -> None:
    assert csp_directives(content_security_policy()) == DIRECTIVES | {
        "font-src": "'self'",
        "connect-src": "'self'",
    }
    assert frame_ancestors("  'self'   https://x.example:8443/embed ") == (
        "'self' https://x.example:8443/embed"
    )
    assert "X-Frame-Options" not in security_headers("'self'")


# --- forged Host header -------------------------------------------------------------


def test_a_forged_host_is_never_echoed(
    demo: TestClient, urls: dict[str, tuple[str, APIRoute]]
) -> None:
    forged = {"host": FORGED_HOST}
    redirects = 0
    for url in all_urls(urls):
        parts = urlsplit(url)
        # The trailing-slash redirect rebuilds the URL from the request.
        slashed = parts.path + "/" + (f"?{parts.query}" if parts.query else "")
        for target in (url, slashed):
            response = demo.get(target, headers=forged, follow_redirects=False)
            assert response.status_code < 500, (target, response.text[:300])
            location = response.headers.get("location")
            if location is not None:
                redirects += 1
                assert location.startswith("/") and not location.startswith("//"), (
                    target,
                    location,
                )
            for name, value in response.headers.items():
                assert FORGED_HOST not in value, (target, name, value)
            if response.headers.get("content-encoding") is None:
                assert FORGED_HOST.encode() not in response.content, target
    assert redirects >= 10


def test_download_links_use_the_configured_address_not_the_host(
    demo_sqlite: Engine,
) -> None:
    path = "/indikator/unemployment_share/download.json?ansicht=tabelle"
    forged = {"host": FORGED_HOST}
    relative = TestClient(create_app(demo_sqlite)).get(path, headers=forged)
    assert relative.json()["url"] == "/indikator/unemployment_share?ansicht=tabelle"
    portal = create_app(demo_sqlite, public_url="https://sozialmonitor.example.org/")
    absolute = TestClient(portal).get(path, headers=forged)
    assert absolute.json()["url"] == (
        "https://sozialmonitor.example.org/indikator/unemployment_share?ansicht=tabelle"
    )


@pytest.mark.parametrize(
    "value", ["sozialmonitor.example.org", "javascript:alert(1)", "https://x/?a=1"]
)
def test_a_base_url_that_is_no_address_is_refused(
    demo_sqlite: Engine, value: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_app(demo_sqlite, public_url=value)
    assert "base_url setting" in caught.value.message


# --- injection payloads in every parameter ------------------------------------------


def check_clean_answer(response: Any, where: str) -> None:
    """No server error, no traceback; HTML without an injected element or event
    attribute and with intact JSON data blocks; JSON that parses."""
    assert response.status_code < 500, (where, response.text[:500])
    assert "Traceback" not in response.text, where
    kind = response.headers.get("content-type", "")
    if "html" in kind:
        page = BeautifulSoup(response.text, "html.parser")
        handlers = [
            (tag.name, name)
            for tag in page.find_all(True)
            for name in tag.attrs
            if name.lower().startswith("on")
        ]
        assert handlers == [], (where, handlers)
        for script in page.find_all("script"):
            if script.get("src"):
                assert str(script["src"]).startswith("/static/"), (where, script)
            else:
                assert script.get("type") == "application/json", (where, script)
                json.loads(script.string or "")
        # The probe's <svg onload> would be an svg outside the maps and charts.
        for svg in page.find_all("svg"):
            assert not svg.get("onload"), where
    elif "json" in kind:
        response.json()


def test_injection_payloads_in_every_parameter_are_answered_cleanly(
    demo: TestClient, urls: dict[str, tuple[str, APIRoute]], demo_sqlite: Engine
) -> None:
    with demo_sqlite.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(schema.observation))
    tried = 0
    for url, route in urls.values():
        path, _, query = url.partition("?")
        base = parse_qsl(query)
        for name in sorted(parameter_names(demo, url, route)):
            for payload in PAYLOADS:
                pairs = [(k, v) for k, v in base if k != name] + [(name, payload)]
                target = f"{path}?{urlencode(pairs)}"
                response = demo.get(target, follow_redirects=False)
                check_clean_answer(response, target)
                tried += 1
        # Path parameters too.
        for param in route.dependant.path_params:
            for payload in PAYLOADS:
                target = route.path.replace(
                    "{" + param.name + "}", payload.replace("/", "%2F")
                )
                for other in route.dependant.path_params:
                    target = target.replace("{" + other.name + "}", "csv")
                response = demo.get(target, follow_redirects=False)
                check_clean_answer(response, target)
                tried += 1
    assert tried > 150
    with demo_sqlite.connect() as conn:
        after = conn.scalar(select(func.count()).select_from(schema.observation))
    assert after == before


# --- path traversal -----------------------------------------------------------------


def asgi_get(app: FastAPI, raw_path: bytes) -> tuple[int, bytes]:
    """GET exactly ``raw_path`` (no client-side normalisation of ``..``)."""
    from urllib.parse import unquote_to_bytes

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("latin-1"),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    status = 0
    body = b""

    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        # The client stays connected until the response is sent.
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    # In a thread of its own: Playwright's sync API may keep a loop running here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return status, body


TRAVERSALS = (
    b"/static/../app.py",
    b"/static/../../store/database.py",
    b"/static/%2e%2e/app.py",
    b"/static/%2E%2E/%2E%2E/store/database.py",
    b"/static/..%2fapp.py",
    b"/static/css/..%2f..%2fapp.py",
    b"/static/%2e%2e%2f%2e%2e%2fstore%2fdatabase.py",
    b"/static//etc/passwd",
    b"/static/%2fetc%2fpasswd",
    b"/static/....//....//app.py",
    b"/static/..\\app.py",
    b"/indikator/..%2f..%2fetc%2fpasswd/download.csv",
    b"/indikator/unemployment_share/download.%2e%2e%2fapp.py",
    b"/indikator/unemployment_share/download.csv/../../../etc/passwd",
    b"/indikator/%2fetc%2fpasswd/download.json",
)
SECRETS = (b"root:", b"def create_app", b"def connect(", b"import ")


@pytest.mark.parametrize("raw_path", TRAVERSALS, ids=lambda p: p.decode())
def test_path_traversal_is_refused(demo_sqlite: Engine, raw_path: bytes) -> None:
    status, body = asgi_get(create_app(demo_sqlite), raw_path)
    assert status in (400, 404), (raw_path, status, body[:200])
    assert not any(secret in body for secret in SECRETS), (raw_path, body[:200])


def test_the_traversal_probe_reaches_real_files() -> None:
    """The probe itself works: a plain static path is served."""
    from sozialmonitor.store.database import connect

    engine = connect("sqlite://")
    status, body = asgi_get(create_app(engine), b"/static/css/portal.css")
    assert status == 200 and b".swatch" in body
