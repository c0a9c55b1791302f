"""Methods & data: catalogue, sources, release history with changes, availability."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.store import queries
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.release_diff import release_diff
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    remove_observations,
    store_observations,
    withdraw_release,
)
from sozialmonitor.web import formatting
from sozialmonitor.web.app import create_app
from sozialmonitor.web.i18n import missing_translations
from sozialmonitor.web.pages import methods_catalogue, methods_release
from tests.fixtures import FIRST_RELEASE, INDICATORS, observations_frame
from tests.web.test_topic_page import german_texts

SECOND = "2022-H1"


def soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


def second_release(engine: Engine) -> None:
    """A published second release: one share revised, 2022 new, one value removed,
    and a new value of the internal indicator (which must not show)."""
    with engine.begin() as conn:
        rel = draft_release(conn, SECOND)
        store_observations(
            conn,
            rel,
            observations_frame(
                conn,
                {
                    ("03241001", "2021"): (21_500, 301_000),  # share revised
                    ("03241001", "2022"): (22_000, 302_000),  # both new
                },
            ),
        )
        internal = queries.indicator_id(conn, "internal_case_load")
        town = queries.area_id(conn, "03241002")
        store_observations(
            conn,
            rel,
            pd.DataFrame(
                [
                    {
                        "indicator_id": internal,
                        "area_id": town,
                        "period": "2022",
                        "value": 17.0,
                        "numerator": None,
                        "denominator": None,
                        "flags": 0,
                        "note": None,
                    }
                ]
            ),
        )
        share = queries.indicator_id(conn, "unemployment_share")
        remove_observations(
            conn, rel, [(share, queries.area_id(conn, "03241003"), "2020")]
        )
        publish_release(conn, SECOND)


def test_catalogue_lists_every_public_indicator_and_no_internal_one(
    client: TestClient,
) -> None:
    response = client.get("/methoden")
    assert response.status_code == 200
    page = soup(response)
    public = {i.name for i in INDICATORS if i.visibility.value == "public"}
    assert {
        h.get_text(strip=True)
        for h in page.select("section[aria-labelledby=katalog] h4")
    } == public
    assert "Fallzahl (intern)" not in page.get_text()
    assert "internal_case_load" not in response.text
    share = page.select_one("article[aria-labelledby=kennzahl-unemployment_share]")
    terms = {
        dt.get_text(): dt.find_next_sibling("dd").get_text(strip=True)
        for dt in share.select("dt")
    }
    assert terms["Zähler"] == "Arbeitslose"
    assert terms["Nenner (Bezugsgröße)"] == "Erwerbsfähige"
    assert terms["Art und Einheit"] == "Anteil, %"
    assert terms["Bewertung"] == "Höhere Werte sind ungünstiger."
    assert terms["Quelle"] == "ohne Angabe"


def test_catalogue_filter_by_topic_and_words(client: TestClient) -> None:
    page = soup(client.get("/methoden", params={"thema": "arbeit"}))
    assert [
        h.get_text() for h in page.select("section[aria-labelledby=katalog] h4")
    ] == ["Arbeitslosenanteil"]
    assert page.select_one("#filter-topic option[selected]")["value"] == "arbeit"
    assert page.select_one("label[for=filter-topic]") is not None
    assert page.select_one("label[for=filter-q]") is not None
    page = soup(client.get("/methoden", params={"q": "erwerbsfaehige"}))
    assert [
        h.get_text() for h in page.select("section[aria-labelledby=katalog] h4")
    ] == ["Arbeitslosenanteil"]
    assert page.select_one("#filter-q")["value"] == "erwerbsfaehige"
    availability = page.select("table.availability tbody th")
    assert [th.get_text(strip=True) for th in availability] == ["Arbeitslosenanteil"]
    page = soup(client.get("/methoden", params={"q": "Fallzahl"}))
    assert not page.select("section[aria-labelledby=katalog] h4")
    assert "Keine Kennzahl passt" in page.select_one("#katalog").parent.get_text()


def test_table_of_contents_points_to_the_sections(client: TestClient) -> None:
    page = soup(client.get("/methoden"))
    targets = [a["href"][1:] for a in page.select("nav.toc a")]
    assert targets == [
        "katalog",
        "quellen",
        "datenstaende",
        "verfuegbarkeit",
        "erlaeuterungen",
    ]
    assert all(page.find(id=target) for target in targets)
    levels = [int(h.name[1]) for h in page.select("main h1, main h2, main h3, main h4")]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    for table in page.select("main table"):
        assert table.caption is not None and table.caption.get_text(strip=True)


def test_sources_group_indicators_with_their_licences(demo: TestClient) -> None:
    page = soup(demo.get("/methoden"))
    body = demo.get("/api/v1/pages/methoden").json()
    sources = page.select("table.sources tbody tr")
    assert len(sources) == len(body["sources"])
    listed = [a["href"] for tr in sources for a in tr.select("td a")]
    assert len(listed) == body["total"]  # every indicator under exactly one source
    gisd = next(s for s in body["sources"] if "GISD" in s["source"])
    assert gisd["licences"] == ["CC BY 4.0"]
    assert [i["id"] for i in gisd["indicators"]] == ["gisd_score"]


def test_release_history_shows_what_the_second_release_changed(
    client: TestClient, small_engine: Engine
) -> None:
    second_release(small_engine)
    with small_engine.connect() as conn:
        changes = release_diff(conn, FIRST_RELEASE, SECOND)
        releases = {r.name: r for r in queries.list_releases(conn)}
    expected: dict[str, Counter[str]] = {}
    for change in changes:
        if change.indicator != "internal_case_load":
            expected.setdefault(change.indicator, Counter())[change.change] += 1
    assert expected["unemployment_share"] == Counter(new=1, changed=1, removed=1)

    page = soup(client.get("/methoden"))
    history = {
        tr.th.get_text(): [td.get_text(strip=True) for td in tr.find_all("td")]
        for tr in page.select("table.releases tbody tr")
    }
    second = releases[SECOND]
    assert second.published_at is not None
    assert history[SECOND][:4] == [
        "veröffentlicht",
        formatting.date(second.created_at, "de"),
        formatting.date(second.published_at, "de"),
        "–",
    ]
    table = page.select_one("table.release-changes")
    assert SECOND in page.select_one("#aenderungen").get_text()
    shown = {
        tr.th.get_text(strip=True): [int(td.get_text()) for td in tr.find_all("td")]
        for tr in table.select("tbody tr")
    }
    names = {i.id: i.name for i in INDICATORS}
    assert shown == {
        names[code]: [found["new"], found["changed"], found["removed"]]
        for code, found in expected.items()
    }
    assert "Fallzahl (intern)" not in page.get_text()
    summary = page.select_one("#aenderungen").find_next("p").get_text()
    assert summary == "Gegenüber 2021-H2: 2 Werte neu, 1 geändert, 1 entfernt."


def test_first_release_counts_its_values(
    client: TestClient, small_engine: Engine
) -> None:
    second_release(small_engine)
    with small_engine.connect() as conn:
        first = read_observations(
            conn, ObservationQuery(as_of=FIRST_RELEASE, computed=False)
        )
    body = client.get(
        "/api/v1/pages/methoden", params={"datenstand": FIRST_RELEASE}
    ).json()
    assert body["changes"]["previous"] is None
    assert body["changes"]["new"] == len(first)
    assert body["changes"]["summary"] == f"Erstveröffentlichung: {len(first)} Werte"
    page = soup(client.get("/methoden", params={"datenstand": FIRST_RELEASE}))
    selected = page.select_one("table.releases tr.selected")
    assert selected.th.get_text() == FIRST_RELEASE
    assert page.select_one("table.release-changes tfoot td").get_text() == str(
        len(first)
    )


def test_release_states_in_german_and_no_draft_named_issue_11(
    client: TestClient, small_engine: Engine
) -> None:
    second_release(small_engine)
    with small_engine.begin() as conn:
        withdraw_release(conn, SECOND, "Fehler in der Quelle")
        draft_release(conn, "2022-H2")
    page = soup(client.get("/methoden"))
    status = {
        tr.th.get_text(): tr.find_all("td")[0].get_text()
        for tr in page.select("table.releases tbody tr")
    }
    assert status == {SECOND: "zurückgezogen", FIRST_RELEASE: "veröffentlicht"}
    assert "2022-H2" not in page.get_text()  # a draft is the administration's
    # The newest published release is the first again: its changes are shown.
    assert (
        "Erstveröffentlichung"
        in page.select_one("section[aria-labelledby=datenstaende]").get_text()
    )
    body = client.get("/api/v1/pages/methoden", params={"datenstand": SECOND}).json()
    assert body["changes"]["available"] is False
    assert any("Fehler in der Quelle" in r["note"] for r in body["releases"])


def test_unknown_release_is_404(client: TestClient) -> None:
    response = client.get("/methoden", params={"datenstand": "1999"})
    assert response.status_code == 404
    assert "1999" in soup(response).select_one("[role=alert]").get_text()
    problem = client.get("/api/v1/pages/methoden", params={"datenstand": "1999"})
    assert problem.status_code == 404
    assert problem.json()["type"].endswith("/unknown-release")


def test_large_data_points_to_the_command_line(
    client: TestClient, small_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    second_release(small_engine)
    monkeypatch.setattr(methods_release, "DIFF_VALUE_LIMIT", 3)
    body = client.get("/api/v1/pages/methoden").json()
    assert body["changes"]["available"] is False
    assert "release diff '2021-H2' '2022-H1'" in body["changes"]["note"]


def test_methods_json_twin_equals_the_page(client: TestClient) -> None:
    page = soup(client.get("/methoden"))
    body = client.get("/api/v1/pages/methoden").json()
    assert [e["indicator"]["id"] for t in body["catalogue"] for e in t["entries"]] == [
        a["id"].removeprefix("kennzahl-")
        for a in page.select("section[aria-labelledby=katalog] article h4")
    ]
    cells = [
        td.get_text(" ", strip=True)
        for td in page.select("table.availability tbody td")
    ]
    expected = []
    for row in (r for g in body["availability"]["groups"] for r in g["rows"]):
        for cell in row["cells"]:
            if cell is None:
                expected.append("– keine Werte")
            else:
                expected.append(
                    f"{cell['text']} {cell['areas_text']}"
                    + (", berechnet" if cell["computed"] else "")
                )
    assert cells == expected


def test_methods_page_in_english(client: TestClient) -> None:
    page = soup(client.get("/methoden", params={"lang": "en"}))
    assert page.html["lang"] == "en"
    assert page.h1.get_text() == "Methods & data"
    status = page.select_one("table.releases tbody td").get_text()
    assert status == "published"
    assert page.select_one("form.controls input[name=lang]")["value"] == "en"


def test_every_methods_text_has_an_english_translation() -> None:
    texts = german_texts(
        [
            "methods.html",
            "_methods_catalogue.html",
            "_methods_sources.html",
            "_methods_releases.html",
            "_methods_availability.html",
            "_methods_explanations.html",
        ],
        [
            "methods.py",
            "methods_catalogue.py",
            "methods_release.py",
            "methods_availability.py",
        ],
    )
    texts += list(methods_catalogue.KIND_WORDS.values())
    texts += list(methods_catalogue.POLARITY_WORDS.values())
    texts += list(methods_release.STATUS_WORDS.values())
    texts += [methods_catalogue.NOT_GIVEN]
    assert len(texts) > 50
    assert missing_translations(texts) == []


# --- the real demo ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def availability(page: BeautifulSoup) -> dict[tuple[str, str], dict[str, str]]:
    """(indicator, top area) → level label → cell text, from one table per area."""
    found = {}
    for table in page.select("table.availability"):
        area = table.caption.get_text().split(": ", 1)[1]
        levels = [th.get_text() for th in table.thead.find_all("th")[1:]]
        for tr in table.select("tbody tr"):
            cells = tr.find_all("td")
            found[(tr.th.get_text(strip=True), area)] = {
                level: td.get_text(" ", strip=True)
                for level, td in zip(levels, cells, strict=True)
            }
    return found


def periods_and_areas(
    engine: Engine, indicator: str, level: str
) -> tuple[list[str], set[str]]:
    with engine.connect() as conn:
        found = read_observations(
            conn,
            ObservationQuery(indicators=[indicator], level=level, computed=False),
            audience=Audience.PUBLIC,
        )
    periods = sorted({o.period for o in found})
    return periods, {o.area for o in found}


def test_demo_availability_matches_the_real_periods(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    found = availability(soup(demo.get("/methoden")))
    share = found[("Arbeitslose an der erwerbsfähigen Bevölkerung", "Region Hannover")]
    periods, areas = periods_and_areas(
        demo_sqlite, "unemployment_share", "municipality"
    )
    assert (periods[0], periods[-1], len(periods)) == ("2001", "2021", 21)
    towns = {a for a in areas if a.startswith("03241")}  # the table is Hannover's
    assert share["Gemeinde / Kommune"] == f"2001–2021 (21) {len(towns)} Gebiete"
    assert share["Region / Kreis"] == "2001–2021 (21) 1 Gebiet, berechnet"
    assert "Planungsraum" not in share  # Hannover's table has no such column

    mss = found[("Arbeitslosigkeit", "Berlin")]
    periods, areas = periods_and_areas(
        demo_sqlite, "mss_s1_unemployment", "planning_area"
    )
    assert periods == ["2020-12-31"]
    assert mss["Planungsraum"] == f"31.12.2020 {len(areas)} Gebiete"
    assert {text for level, text in mss.items() if level != "Planungsraum"} == {
        "– keine Werte"
    }


def test_demo_first_release_counts_every_public_value(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    with demo_sqlite.connect() as conn:
        release = queries.latest_published(conn)
        assert release is not None
        values = read_observations(
            conn, ObservationQuery(as_of=release.name, computed=False)
        )
    body = demo.get("/api/v1/pages/methoden").json()
    assert body["changes"]["new"] == len(values)
    assert body["changes"]["summary"] == (
        f"Erstveröffentlichung: {formatting.number(len(values), 0, 'de')} Werte"
    )
    groups = body["availability"]["groups"]
    assert [g["area"]["name"] for g in groups] == [
        "Berlin",
        "Hessen: Pilotkreise Regionales Sozialmonitoring",
        "Region Hannover",
    ]
    assert [c["code"] for c in groups[1]["levels"]] == [
        "state",
        "region",
        "municipality",
    ]
    assert [c["code"] for c in groups[2]["levels"]] == ["region", "municipality"]
    shown = {r["indicator"]["id"] for g in groups for r in g["rows"]}
    shown |= {i["id"] for i in body["availability"]["without_values"]}
    catalogue = {e["indicator"]["id"] for t in body["catalogue"] for e in t["entries"]}
    assert shown == catalogue and len(catalogue) == body["total"]
