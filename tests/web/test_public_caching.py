"""Public answers carry an ETag and ``Cache-Control: public, no-cache`` and are
answered ``304`` when the asker holds them already; a new release changes the tag;
signed-in answers are never cached; the JSON API is open to other sites (CORS)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.store.writes import publish_release
from sozialmonitor.web.app import create_app
from tests.fixtures import make_demo_db
from tests.release_data import DRAFT, make_draft

PAGES = ("/", "/indikator/unemployment_share", "/api/v1/indicators")


def test_a_public_answer_is_tagged_and_revalidated(engine: Engine) -> None:
    make_demo_db(engine)
    client = TestClient(create_app(engine))
    for url in PAGES:
        first = client.get(url)
        assert first.status_code == 200, url
        tag = first.headers["etag"]
        assert tag.startswith('W/"')
        assert first.headers["cache-control"] == "public, no-cache"
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["etag"] == tag
        other = client.get(url, headers={"If-None-Match": 'W/"something-else"'})
        assert other.status_code == 200 and other.content == first.content
        assert "set-cookie" not in first.headers


def test_the_language_and_a_new_release_change_the_tag(engine: Engine) -> None:
    make_demo_db(engine)
    client = TestClient(create_app(engine))
    url = "/indikator/unemployment_share"
    german = client.get(url).headers["etag"]
    assert client.get(url + "?lang=en").headers["etag"] != german
    make_draft(engine)  # publishes BASE, keeps DRAFT a draft
    before = client.get(url).headers["etag"]
    with engine.begin() as conn:
        publish_release(conn, DRAFT)
    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] not in (before, german)


def test_the_api_is_open_to_other_sites_and_pages_are_not(engine: Engine) -> None:
    make_demo_db(engine)
    client = TestClient(create_app(engine))
    assert (
        client.get("/api/v1/indicators").headers["access-control-allow-origin"] == "*"
    )
    assert "access-control-allow-origin" not in client.get("/").headers


def test_an_answer_with_credentials_is_never_cached(engine: Engine) -> None:
    make_demo_db(engine)
    client = TestClient(create_app(engine))
    tag = client.get("/api/v1/indicators").headers["etag"]
    signed = client.get(
        "/api/v1/indicators",
        headers={"Authorization": "Bearer not-a-token", "If-None-Match": tag},
    )
    assert signed.status_code != 304
    assert "etag" not in signed.headers
    assert signed.headers["cache-control"] == "private, no-store"
    assert "access-control-allow-origin" not in signed.headers


def test_errors_are_not_tagged(engine: Engine) -> None:
    make_demo_db(engine)
    missing = TestClient(create_app(engine)).get("/indikator/no-such-indicator")
    assert missing.status_code == 404
    assert "etag" not in missing.headers
