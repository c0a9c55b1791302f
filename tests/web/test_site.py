"""The site configuration (``web/site``): the portal as the municipality's own site.

Site files are written by the tests (``tests/web/site_files.py``); the two the demo
ships are checked against the demo database.
"""

from __future__ import annotations

import math
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app as cli_app
from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import ConfigurationError
from sozialmonitor.ingest.demo import DEMO_SITES, demo_site
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web.app import create_app
from sozialmonitor.web.site import load_site
from sozialmonitor.web.site.contrast import contrast_ratio
from sozialmonitor.web.site.loading import (
    MAX_LOGO_BYTES,
    MAX_MARKDOWN_BYTES,
    SiteFile,
)
from sozialmonitor.web.snapshot import snapshot
from tests.fixtures import TOWNS
from tests.web.site_files import LOGO_SVG, SITE_TOML, write_site

RTOL = 1e-3
"""Contrast ratios are published with two decimals."""
LEGAL_PATHS = ("/impressum", "/datenschutz", "/barrierefreiheit")
CRAWL_LIMIT = 40
"""Pages visited per language: one of each page type the links reach."""
SKIPPED = ("/api/", "/static/", "/abmelden", "format=", "download")
"""Links the crawl does not follow: the JSON twins, files and downloads."""


def soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


# --- contrast ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "published"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#767676", "#ffffff", 4.54),  # WebAIM: the lightest grey that passes AA
        ("#777777", "#ffffff", 4.48),  # … and the next that does not
        ("#0000ff", "#ffffff", 8.59),
    ],
)
def test_contrast_ratio_matches_published_values(
    first: str, second: str, published: float
) -> None:
    assert math.isclose(
        round(contrast_ratio(first, second), 2), published, rel_tol=RTOL
    )


# --- refusing bad site files ------------------------------------------------------


def refused(site: Path) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_site(site)
    message = caught.value.message
    assert "\n" not in message, message
    assert str(site) in message, message
    return message


def test_a_good_site_file_is_read(tmp_path: Path) -> None:
    site = load_site(write_site(tmp_path))
    assert site.name == "Sozialmonitor Teststadt"
    assert site.logo is not None and site.logo.url == "/logo.svg"
    assert site.logo.data == LOGO_SVG.encode()
    assert site.accessibility_contact == "mailto:barrierefreiheit@teststadt.example"
    assert set(site.legal) == {"imprint", "privacy", "accessibility"}
    assert site.css() == ":root {\n  --accent: #0b5f8a;\n  --accent-dark: #143d59;\n}\n"


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    text = SITE_TOML.format(compare="", order="") + '\n[colours2]\nprimary = "#000"\n'
    message = refused(write_site(tmp_path, toml=text))
    assert "key 'colours2'" in message and "is not a key" in message


def test_unknown_key_in_a_table_is_refused(tmp_path: Path) -> None:
    text = SITE_TOML.format(compare="", order="").replace(
        'accent = "#0b5f8a"', 'accent = "#0b5f8a"\nlink = "#000000"'
    )
    assert "key 'colours.link'" in refused(write_site(tmp_path, toml=text))


def test_missing_name_is_refused(tmp_path: Path) -> None:
    text = SITE_TOML.format(compare="", order="").replace(
        'name = "Sozialmonitor Teststadt"\n', ""
    )
    assert "key 'name': is missing" in refused(write_site(tmp_path, toml=text))


def test_missing_site_file_is_refused(tmp_path: Path) -> None:
    refused(tmp_path / "nowhere.toml")


def test_site_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    assert "not valid TOML" in refused(write_site(tmp_path, toml="name = [\n"))


def test_missing_markdown_file_is_refused(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    (tmp_path / "datenschutz.md").unlink()
    message = refused(site)
    assert "key 'legal.privacy'" in message and "datenschutz.md" in message


def test_file_outside_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("geheim", encoding="utf-8")
    text = SITE_TOML.format(compare="", order="").replace(
        '"impressum.md"', '"../secret.md"'
    )
    message = refused(write_site(tmp_path / "site", toml=text))
    assert "key 'legal.imprint'" in message and "outside" in message


@pytest.mark.parametrize("colour", ["blue", "#12345", "0b5f8a", "#ggg000"])
def test_a_colour_that_is_no_colour_is_refused(tmp_path: Path, colour: str) -> None:
    text = SITE_TOML.format(compare="", order="").replace("#0b5f8a", colour)
    message = refused(write_site(tmp_path, toml=text))
    assert "key 'colours.accent'" in message and "is not a colour" in message


def test_a_colour_with_too_little_contrast_is_refused(tmp_path: Path) -> None:
    text = SITE_TOML.format(compare="", order="").replace("#143d59", "#7fb2e5")
    message = refused(write_site(tmp_path, toml=text))
    ratio = contrast_ratio("#7fb2e5", "#ffffff")
    assert ratio < 4.5
    assert "key 'colours.primary'" in message
    assert f"{ratio:.2f}:1" in message and "4.5:1" in message


def test_a_colour_that_fails_only_on_the_grey_background_is_refused(
    tmp_path: Path,
) -> None:
    # 4.54:1 on white, less on the light grey of forms and tabs.
    text = SITE_TOML.format(compare="", order="").replace("#0b5f8a", "#767676")
    message = refused(write_site(tmp_path, toml=text))
    assert "light grey" in message and "key 'colours.accent'" in message


def test_a_logo_too_large_is_refused(tmp_path: Path) -> None:
    big = LOGO_SVG.replace("</svg>", "<!--" + "x" * MAX_LOGO_BYTES + "--></svg>")
    message = refused(write_site(tmp_path, files={"logo.svg": big}))
    assert "key 'logo.file'" in message and "larger than" in message


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.example/a.png"/>'
        "</svg>",
        '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href="&#106;avascript:x">'
        "<rect/></a></svg>",
        "<html>no svg</html>",
    ],
)
def test_a_logo_that_is_not_a_plain_svg_is_refused(tmp_path: Path, svg: str) -> None:
    assert "key 'logo.file'" in refused(write_site(tmp_path, files={"logo.svg": svg}))


def test_a_png_logo_is_served_and_a_fake_one_refused(tmp_path: Path) -> None:
    text = SITE_TOML.format(compare="", order="").replace("logo.svg", "logo.png")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    site = load_site(write_site(tmp_path / "good", toml=text, files={"logo.png": png}))
    assert site.logo is not None and site.logo.media_type == "image/png"
    fake = write_site(tmp_path / "fake", toml=text, files={"logo.png": LOGO_SVG})
    assert "is not a PNG" in refused(fake)


def test_markdown_too_long_is_refused(tmp_path: Path) -> None:
    long_text = "Sehr lang. " * (MAX_MARKDOWN_BYTES // 10)
    message = refused(write_site(tmp_path, files={"impressum.md": long_text}))
    assert "key 'legal.imprint'" in message and "larger than" in message


def test_bad_accessibility_contact_is_refused(tmp_path: Path) -> None:
    text = SITE_TOML.format(compare="", order="").replace(
        "barrierefreiheit@teststadt.example", "javascript:alert(1)"
    )
    assert "legal.accessibility_contact" in refused(write_site(tmp_path, toml=text))


def test_cli_refuses_a_bad_site_file_in_one_line(tmp_path: Path) -> None:
    text = SITE_TOML.format(compare="", order="").replace("#143d59", "#aaaaaa")
    site = write_site(tmp_path, toml=text)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert runner.invoke(cli_app, ["--db", url, "init"]).exit_code == 0
    for command in (["serve", "--site", str(site)], ["demo", "--site", str(site)]):
        result = runner.invoke(cli_app, ["--db", url, *command])
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "colours.primary" in lines[0], result.stderr
        assert "Traceback" not in result.output
    # demo refuses before it builds anything
    fresh = tmp_path / "demo.db"
    result = runner.invoke(
        cli_app,
        ["--db", f"sqlite:///{fresh}", "demo", "--no-serve", "--site", str(site)],
    )
    assert result.exit_code == 1 and not fresh.exists()


# --- the pages --------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(
        tmp_path_factory.mktemp("site"),
        compare="03241",
        order='[order]\ntopics = ["mindestsicherung", "arbeit"]\n\n'
        "[order.indicators]\n"
        'arbeit = ["employment_rate", "unemployment_share"]\n',
    )


@pytest.fixture(scope="module")
def site_client(demo_sqlite: Engine, site_file: Path) -> TestClient:
    return TestClient(create_app(demo_sqlite, site=str(site_file)))


@pytest.fixture(scope="module")
def plain_client(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite, site=""))


def crawl(client: TestClient, start: str) -> dict[str, BeautifulSoup]:
    """Path → page for one page of each type the links from ``start`` reach (a
    type: the first path segment and the names of the query parameters)."""
    seen_types: set[tuple[str, ...]] = set()
    found: dict[str, BeautifulSoup] = {}
    queue = deque([start])
    while queue and len(found) < CRAWL_LIMIT:
        path = queue.popleft()
        parts = urlsplit(path)
        kind = (
            parts.path.split("/")[1],
            str(len(parts.path.split("/"))),
            *sorted({k for k, _ in parse_qsl(parts.query)} - {"lang"}),
        )
        if kind in seen_types:
            continue
        seen_types.add(kind)
        response = client.get(path)
        assert "set-cookie" not in response.headers, path
        if not response.headers["content-type"].startswith("text/html"):
            continue
        page = soup(response)
        found[path] = page
        for link in page.select("a[href]"):
            href = str(link["href"])
            if href.startswith("/") and not any(s in href for s in SKIPPED):
                queue.append(href)
    return found


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_page_type_shows_the_site_name_logo_and_legal_links(
    site_client: TestClient, lang: str
) -> None:
    start = "/" if lang == "de" else "/?lang=en"
    pages = crawl(site_client, start)
    first_segments = {urlsplit(p).path.split("/")[1] for p in pages}
    # start, topics, indicator, areas, profile, compare, methods, gaps, search,
    # the legal pages: reached from the start page by links alone
    for expected in (
        "",
        "thema",
        "indikator",
        "gebiet",
        "vergleich",
        "methoden",
        "impressum",
        "datenschutz",
        "barrierefreiheit",
    ):
        assert expected in first_segments, (expected, sorted(first_segments))
    assert len(pages) >= 15, sorted(pages)
    suffix = "?lang=en" if lang == "en" else ""
    for path, page in pages.items():
        assert page.html is not None and page.html["lang"] == lang, path
        assert page.title is not None
        assert page.title.get_text().endswith("– Sozialmonitor Teststadt"), path
        if path.startswith("/einbetten/"):  # a view alone, for another site's frame
            assert page.select_one("header, footer.site") is None, path
            continue
        brand = page.select_one("header .brand")
        assert brand is not None and "Sozialmonitor Teststadt" in brand.get_text()
        logo = brand.select_one("img.logo")
        assert logo is not None and logo["src"] == "/logo.svg", path
        assert logo["alt"] == "Wappen der Teststadt", path
        legal = [str(a["href"]) for a in page.select("footer.site nav.legal a")]
        assert legal == [p + suffix for p in LEGAL_PATHS], (path, legal)
        footer = page.select_one("footer.site")
        assert footer is not None
        assert "Stadt Teststadt, Sozialplanung" in footer.get_text(), path
        css = [str(link["href"]) for link in page.select("link[rel=stylesheet]")]
        assert "/site.css" in css, path
        assert page.select("[style]") == [], f"{path}: an inline style"


def test_logo_and_stylesheet_are_served(site_client: TestClient) -> None:
    logo = site_client.get("/logo.svg")
    assert logo.status_code == 200
    assert logo.headers["content-type"] == "image/svg+xml"
    assert logo.content == LOGO_SVG.encode()
    assert site_client.get("/logo.png").status_code == 404
    css = site_client.get("/site.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "--accent: #0b5f8a;" in css.text and "--accent-dark: #143d59;" in css.text


def test_without_a_site_the_portal_keeps_its_look_and_says_who_must_act(
    plain_client: TestClient,
) -> None:
    page = soup(plain_client.get("/"))
    assert page.title is not None
    assert (
        page.title.get_text()
        == "Sozialmonitor – Daten zur sozialen Lage – Sozialmonitor"
    )
    assert page.select_one("header .brand img") is None
    assert "/site.css" not in {str(x["href"]) for x in page.select("link")}
    assert [str(a["href"]) for a in page.select("footer.site nav.legal a")] == list(
        LEGAL_PATHS
    )
    for path in LEGAL_PATHS:
        response = plain_client.get(path)
        assert response.status_code == 200
        note = soup(response).select_one("main p.note")
        assert note is not None and "noch nicht hinterlegt" in note.get_text(), path
        twin = plain_client.get("/api/v1/pages" + path).json()
        assert twin["provided"] is False and twin["markdown"] == ""
    assert plain_client.get("/logo.svg").status_code == 404


def test_legal_pages_render_markdown_with_raw_html_as_text(
    site_client: TestClient,
) -> None:
    page = soup(site_client.get("/impressum"))
    prose = page.select_one("main .prose")
    assert prose is not None
    heading = prose.select_one("h2")
    assert heading is not None and heading.get_text() == "Anbieter"
    assert page.select("main h1")[0].get_text() == "Impressum"
    assert len(page.select("h1")) == 1
    # The payload is shown, never run or loaded.
    assert prose.select("script, img, iframe") == []
    assert "<script>alert('impressum')</script>" in prose.get_text()
    assert "<img src=x onerror=alert(1)>" in prose.get_text()
    for link in prose.select("a[href]"):
        assert not str(link["href"]).lower().startswith("javascript:"), link
    assert all("tracker.example" not in str(x) for x in page.select("[src]"))
    twin = site_client.get("/api/v1/pages/impressum").json()
    assert twin["provided"] is True and "<script>" in twin["markdown"]


def test_accessibility_statement_has_its_feedback_contact_in_both_languages(
    site_client: TestClient,
) -> None:
    german = soup(site_client.get("/barrierefreiheit"))
    contact = german.select_one(
        'main a[href="mailto:barrierefreiheit@teststadt.example"]'
    )
    assert contact is not None
    english = soup(site_client.get("/barrierefreiheit?lang=en"))
    prose = english.select_one("main .prose")
    assert prose is not None and prose["lang"] == "de"
    assert "German only" in english.select("main p.note")[0].get_text()
    assert english.select_one('main a[href^="mailto:"]') is not None


def test_start_page_shows_the_site_introduction(site_client: TestClient) -> None:
    page = soup(site_client.get("/"))
    h1 = page.select_one("main h1")
    assert h1 is not None and h1.get_text() == "Sozialmonitor Teststadt"
    intro = page.select_one("main .lead")
    assert intro is not None and intro.select_one("strong") is not None
    assert "Einleitung" in intro.get_text()
    english = soup(site_client.get("/?lang=en"))
    intro_en = english.select_one("main .lead")
    assert intro_en is not None and intro_en["lang"] == "de"


def test_topic_and_indicator_order_apply_on_start_and_topic_pages(
    site_client: TestClient, plain_client: TestClient, demo_sqlite: Engine
) -> None:
    snap = snapshot(demo_sqlite)
    default = [t.slug for t in snap.topics]
    assert default.index("arbeit") < default.index("mindestsicherung")
    start = [
        s["aria-labelledby"]
        for s in soup(site_client.get("/")).select(".topics section")
    ]
    assert start[:2] == ["topic-mindestsicherung", "topic-arbeit"]
    rest = [slug for slug in default if slug not in ("mindestsicherung", "arbeit")]
    assert [s.removeprefix("topic-") for s in start[2:]] == rest
    index = soup(site_client.get("/thema"))
    assert [str(a["href"]) for a in index.select("table.topic-list a")][:2] == [
        "/thema/mindestsicherung",
        "/thema/arbeit",
    ]
    # Within the topic: the named ones first, the rest in the catalogue's order.
    twin = site_client.get("/api/v1/pages/thema/arbeit").json()
    shown = list(dict.fromkeys(row["indicator"]["id"] for row in twin["rows"]))
    catalogue = [i.id for i in snap.topic("arbeit").indicators]  # type: ignore[union-attr]
    assert shown[:2] == ["employment_rate", "unemployment_share"]
    assert shown[2:] == [
        i for i in catalogue if i not in ("employment_rate", "unemployment_share")
    ]
    plain = plain_client.get("/api/v1/pages/thema/arbeit").json()
    assert list(dict.fromkeys(r["indicator"]["id"] for r in plain["rows"])) == catalogue
    # The profile's topics and rows too.
    profile = site_client.get("/api/v1/pages/gebiet/03241").json()
    assert [t["slug"] for t in profile["topics"]][:2] == ["mindestsicherung", "arbeit"]
    arbeit = next(t for t in profile["topics"] if t["slug"] == "arbeit")
    assert [r["indicator"] for r in arbeit["rows"]][:2] == [
        "employment_rate",
        "unemployment_share",
    ]
    # The start page's key figures of "arbeit" follow the order too.
    figures = soup(site_client.get("/")).select("#topic-arbeit ~ ul.figures a")
    assert [str(a["href"]) for a in figures][:2] == [
        "/indikator/employment_rate",
        "/indikator/unemployment_share",
    ]


def _gate_value(engine: Engine, indicator: str, area: str, period: str) -> float | None:
    """The public read gate's value (computed from the children where none is
    stored)."""
    with engine.connect() as conn:
        found = read_observations(
            conn,
            ObservationQuery(
                indicators=[indicator], areas=[area], periods=[period], computed=True
            ),
            audience=Audience.PUBLIC,
        )
    return found[0].value if found else None


def test_comparison_area_applies_on_the_start_page_and_the_profiles(
    demo_sqlite: Engine, tmp_path: Path
) -> None:
    # Berlin's district Mitte instead of Berlin as a whole: an area below the top.
    snap = snapshot(demo_sqlite)
    mitte = next(
        a for a in snap.areas.values() if a.name == "Mitte" and a.level == "district"
    )
    client = TestClient(
        create_app(demo_sqlite, site=str(write_site(tmp_path, compare=mitte.code)))
    )
    start = client.get("/api/v1/pages/start").json()
    assert start["compare_area"] == mitte.code
    figures = [f for t in start["topics"] for f in t["figures"]]
    assert figures and {f["area"]["code"] for f in figures} == {mitte.code}
    checked = 0
    for f in figures:
        gate = _gate_value(demo_sqlite, f["indicator"]["id"], mitte.code, f["period"])
        if gate is not None:
            assert math.isclose(f["value"], gate, rel_tol=1e-9), f
            checked += 1
    assert checked > 0, "no figure of Mitte has a value: nothing was checked"
    # A planning area in Mitte is compared with Mitte, not with Berlin.
    below = [
        code
        for code, area in snap.areas.items()
        if area.level == "planning_area"
        and area.valid_to is None
        and mitte in snap.ancestors(code)
    ][0]
    profile = client.get(f"/api/v1/pages/gebiet/{below}").json()
    assert profile["region"]["code"] == mitte.code
    benchmarks = {r["benchmark"] for t in profile["topics"] for r in t["rows"]}
    assert mitte.code in benchmarks, (below, benchmarks)
    # Without the site: compared with Berlin.
    plain = TestClient(create_app(demo_sqlite, site="")).get(
        f"/api/v1/pages/gebiet/{below}"
    )
    assert plain.json()["region"]["code"] == snap.top_area(below).code != mitte.code
    # An area not below the comparison area keeps its own top area.
    laatzen = next(c for c, a in snap.areas.items() if a.name == "Laatzen")
    other = client.get(f"/api/v1/pages/gebiet/{laatzen}").json()
    assert other["region"]["code"] == "03241"


def test_start_page_compares_with_a_top_area(site_client: TestClient) -> None:
    start = site_client.get("/api/v1/pages/start").json()
    figures = [f for t in start["topics"] for f in t["figures"]]
    assert figures and {f["area"]["code"] for f in figures} == {"03241"}


@pytest.mark.parametrize("name", DEMO_SITES)
def test_the_demo_sites_load_and_name_only_what_the_demo_has(
    name: str, demo_sqlite: Engine
) -> None:
    site = load_site(demo_site(name))
    assert site.logo is not None and set(site.legal) == {
        "imprint",
        "privacy",
        "accessibility",
    }
    assert "Demo" in site.name and "Demo" in site.publisher
    assert site.unknown_names(snapshot(demo_sqlite)) == []
    client = TestClient(create_app(demo_sqlite, site=demo_site(name)))
    for path in ("/", *LEGAL_PATHS):
        page = soup(client.get(path))
        assert page.select_one("header .brand img.logo") is not None, path
        assert "Demo" in page.get_text(), path


def test_unknown_names_are_listed_for_a_warning(
    demo_sqlite: Engine, tmp_path: Path
) -> None:
    site = load_site(
        write_site(
            tmp_path,
            compare="99999",
            order='[order]\ntopics = ["arbeit", "raumfahrt"]\n\n[order.indicators]\n'
            'arbeit = ["moon_landings"]\n',
        )
    )
    lines = site.unknown_names(snapshot(demo_sqlite))
    assert len(lines) == 3, lines
    assert any("'raumfahrt'" in line for line in lines)
    assert any("'moon_landings'" in line for line in lines)
    assert any("'99999'" in line for line in lines)


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    found = []
    for name, info in model.model_fields.items():
        found.append(prefix + name)
        inner = info.annotation
        for candidate in (inner, *getattr(inner, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                found += _keys(candidate, f"{prefix}{name}.")
    return found


def test_every_key_of_a_site_file_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "site-files.md").read_text(
        encoding="utf-8"
    )
    keys = _keys(SiteFile)
    assert "colours.primary" in keys and "legal.accessibility_contact" in keys
    missing = [key for key in keys if f"| `{key}` |" not in docs]
    assert not missing, f"keys missing from docs/site-files.md: {missing}"


def test_comparison_area_on_sqlite_and_postgresql(
    small_engine: Engine, tmp_path: Path
) -> None:
    """The start page shows the figures of a town (not the region's, as without a
    site), on both databases (the small code-built one)."""
    town = TOWNS[0]
    client = TestClient(
        create_app(small_engine, site=str(write_site(tmp_path, compare=town)))
    )
    start = client.get("/api/v1/pages/start").json()
    figures = [f for t in start["topics"] for f in t["figures"]]
    assert figures and {f["area"]["code"] for f in figures} == {town}
    for f in figures:
        gate = _gate_value(small_engine, f["indicator"]["id"], town, f["period"])
        assert gate is not None and math.isclose(f["value"], gate, rel_tol=1e-9)


def test_a_site_file_names_the_typology_the_profiles_show(demo_sqlite: Engine) -> None:
    """The Hannover demo site's ``typology`` file reaches the profiles: Laatzen's
    type is the one ``stats typology`` gives for the same indicators and level."""
    from sozialmonitor.analysis.service.typology import typology_level
    from sozialmonitor.web.typology_setting import load_typology_setting

    site = load_site(demo_site("hannover"))
    assert site.typology is not None
    setting = load_typology_setting(site.typology)
    app = create_app(demo_sqlite, site=demo_site("hannover"))
    assert app.state.typology == setting
    with demo_sqlite.connect() as conn:
        report = typology_level(
            conn, indicators=setting.indicators, level=setting.level, k=setting.k
        )
    expected = report.typology.type_of("03241009")
    text = " ".join(soup(TestClient(app).get("/gebiet/03241009")).get_text().split())
    assert f"Gebietstyp: Typ {expected} von {report.typology.k}" in text
    without = TestClient(create_app(demo_sqlite, site="")).get("/gebiet/03241009")
    assert "Gebietstyp" not in soup(without).get_text()
