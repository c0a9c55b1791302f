"""What a new user stumbles over in the portal (issue 16): number defaults,
singular and plural, one missing-benchmark note, one name for the area page and
the German CSV."""

from __future__ import annotations

import csv
import io
import re
import string
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.store.writes import save_indicators
from sozialmonitor.web import i18n
from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages import area as area_page
from sozialmonitor.web.pages.release_page import FINDING_TEXTS
from tests.fixtures import COUNTS, TOWNS
from tests.web.expected import html, rows
from tests.web.test_indicator_page import rich_engine  # noqa: F401 (a fixture)
from tests.web.test_translations import PLURAL

WEB = Path(i18n.__file__).parent


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


# --- number defaults --------------------------------------------------------------


def test_a_count_has_no_decimals_and_a_share_one_issue_16(client: TestClient) -> None:
    # The small database's catalogue gives no decimals: the kind decides.
    town = TOWNS[0]
    body = client.get(f"/api/v1/pages/gebiet/{town}").json()
    found = rows(body)
    numerator, population = COUNTS[(town, "2021")]
    count, share = found["population"], found["unemployment_share"]
    assert count["figure"]["text"] == "301.000\u202fPersonen"
    assert share["figure"]["text"] == "7,0\u202f%"
    # the twin keeps the full value; only the text is rounded
    assert count["figure"]["value"] == population
    assert share["figure"]["value"] == pytest.approx(numerator / population * 100)
    page = html(client.get(f"/gebiet/{town}"))
    cells = {
        group.select_one("th[scope=row] a").get_text(): group.select_one(
            "td.value"
        ).get_text(strip=True)
        for group in page.select("tbody.indicator")
    }
    assert cells["Einwohner"].startswith("301.000")
    assert "301.000,0" not in page.get_text()
    assert cells["Arbeitslosenanteil"].startswith("7,0")


# --- one name for the area page ---------------------------------------------------


def test_the_area_page_has_one_name_issue_16(client: TestClient) -> None:
    other_names = ("Sozialstrukturprofil", "Social structure profile")
    texts = [
        *WEB.joinpath("templates").rglob("*.html"),
        *WEB.joinpath("translations").rglob("*.yaml"),
        *WEB.rglob("*.py"),
    ]
    assert len(texts) > 50
    for path in texts:
        content = path.read_text(encoding="utf-8")
        for name in other_names:
            assert name not in content, f"{path.name} calls the area page {name!r}"
    municipality = html(client.get(f"/gebiet/{TOWNS[0]}"))
    region = html(client.get("/gebiet/03241"))
    assert municipality.select_one("h1").get_text().startswith("Gebietsprofil ")
    assert region.select_one("h1").get_text().startswith("Gebietsprofil ")
    assert municipality.title.get_text().startswith("Gebietsprofil ")
    english = html(client.get(f"/gebiet/{TOWNS[0]}?lang=en"))
    assert english.select_one("h1").get_text().startswith("Area profile ")


# --- singular and plural ----------------------------------------------------------


def plural_pairs() -> list[tuple[str, str]]:
    """Every (singular, plural) pair the templates and the page code use."""
    found = set()
    for path in [*WEB.rglob("*.html"), *WEB.rglob("*.py")]:
        found |= set(PLURAL.findall(path.read_text(encoding="utf-8")))
    found |= set(FINDING_TEXTS.values())  # the release checks' findings
    found |= {area_page.NO_BENCHMARK_FOR, area_page.BENCHMARK_ONLY_FOR}
    return sorted(found)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de", ["0 Kennzahlen", "1 Kennzahl", "2 Kennzahlen", "1.234 Kennzahlen"]),
        ("en", ["0 indicators", "1 indicator", "2 indicators", "1,234 indicators"]),
    ],
)
def test_plural_forms_for_zero_one_two_issue_16(
    lang: i18n.Language, expected: list[str]
) -> None:
    t = i18n.Translator(lang=lang)
    found = [t.plural("{n} Kennzahl", "{n} Kennzahlen", n) for n in (0, 1, 2, 1234)]
    assert found == expected
    assert not t.missing


def test_every_plural_text_has_both_forms_in_both_languages_issue_16() -> None:
    pairs = plural_pairs()
    assert len(pairs) >= 15, pairs
    for lang in i18n.LANGUAGES:
        t = i18n.Translator(lang=lang)
        for one, many in pairs:
            if one == many:
                continue  # a text without a count
            values = {
                name: name.upper()
                for text in (one, many)
                for _, name, _, _ in string.Formatter().parse(text)
                if name and name != "n"
            }
            texts = [t.plural(one, many, n, **values) for n in (0, 1, 2)]
            assert texts[0] != texts[1] and texts[0].replace("0", "2") == texts[2]
            assert texts[1].startswith(("1 ", "… ", "und 1", "and 1")) or (
                " 1 " in texts[1]
            ), texts[1]
        assert not t.missing, sorted(t.missing)


ONE_IN_THE_PLURAL = re.compile(r"(?<![\d.,])1 (Kennzahlen|indicators|Gebiete|areas)")


def test_no_count_text_says_one_in_the_plural_issue_16(demo: TestClient) -> None:
    # "1 Kennzahlen": the topic with one indicator on the start page and search
    start = html(demo.get("/"))
    assert not ONE_IN_THE_PLURAL.search(start.get_text())
    metas = [p.get_text() for p in start.select("section.card p.meta")]
    assert "1 Kennzahl" in metas
    english = html(demo.get("/?lang=en")).get_text()
    assert "1 indicator" in english and not ONE_IN_THE_PLURAL.search(english)
    found = html(demo.get("/suche?q=GISD")).get_text()
    assert "Gefunden: 1 Kennzahl" in found
    assert not ONE_IN_THE_PLURAL.search(found)


# --- start-page topic cards --------------------------------------------------------


def test_every_topic_card_says_what_it_holds_issue_16(demo: TestClient) -> None:
    page = html(demo.get("/"))
    cards = page.select("div.topics section.card")
    assert len(cards) >= 5
    for card in cards:
        title = card.select_one("h3").get_text(strip=True)
        figures = card.select("ul.figures li")
        named = card.select("p:not(.meta) a")
        assert figures or named, f"the card {title!r} holds nothing but its title"
        assert not card.select("ul.figures:empty")
    health = next(c for c in cards if c.select_one("h3").get_text() == "Gesundheit")
    assert [a.get_text() for a in health.select("p:not(.meta) a")] == ["GISD"]
    assert health.select_one("p:not(.meta) a")["href"] == "/indikator/gisd_score"


def test_a_topic_without_values_has_no_card_issue_16(small_engine: Engine) -> None:
    with small_engine.begin() as conn:
        save_indicators(
            conn, [Indicator(id="rent", name="Mietbelastung", unit="%", topic="Wohnen")]
        )
    page = html(TestClient(create_app(small_engine)).get("/"))
    titles = [h.get_text() for h in page.select("div.topics section.card h3")]
    assert titles and "Wohnen" not in titles


# --- one missing-benchmark note ---------------------------------------------------

PLANNING_AREA = "01100101"
"""Stülerstraße, a Berlin planning area of the demo: Berlin has a value of one of
its 35 indicators (Einwohner)."""


def test_a_missing_benchmark_is_said_once_issue_16(demo: TestClient) -> None:
    page = html(demo.get(f"/gebiet/{PLANNING_AREA}"))
    text = page.get_text(" ")
    readings = [r.get_text() for r in page.select("tr.reading")]
    assert len(readings) > 30
    assert not any("Vergleichswert" in r for r in readings)
    notes = page.select("p.missing-benchmark")
    assert len(notes) == 1
    assert text.count("Vergleichswert") == 1
    assert notes[0].get_text() == (
        "Einen Vergleichswert in Berlin gibt es nur bei 1 Kennzahl: Einwohner."
    )
    body = demo.get(f"/api/v1/pages/gebiet/{PLANNING_AREA}").json()
    lacking = body["missing_benchmark_indicators"]
    assert len(lacking) == len(set(lacking)) == len(readings) - 1
    assert "population" not in lacking
    assert {
        r["indicator"] for r in rows(body).values() if r["result"] == "no_benchmark"
    } == set(lacking)


def test_the_note_for_every_row_is_translated_issue_16() -> None:
    english = i18n.Translator(lang="en")
    assert english(area_page.NO_BENCHMARK_AT_ALL, benchmark="in Berlin") == (
        "There is no comparison value in Berlin for any indicator of this area profile."
    )
    assert not english.missing


def test_no_note_where_the_benchmark_has_every_value_issue_16(
    client: TestClient,
) -> None:
    # the region has values of both indicators: no note at all
    body = client.get(f"/api/v1/pages/gebiet/{TOWNS[0]}").json()
    assert body["missing_benchmark"] == ""
    assert body["missing_benchmark_indicators"] == []


# --- CSV für Excel (deutsch) --------------------------------------------------------

TABLE_2021 = "/indikator/{id}/download.csv?ansicht=tabelle&zeitraum=2021"


def german_rows(content: bytes) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of a German CSV (up to the blank line) and the lines after it."""
    assert content.startswith(b"\xef\xbb\xbf")
    table, _, after = content.decode("utf-8-sig").partition("\r\n\r\n")
    reader = csv.DictReader(io.StringIO(table), delimiter=";")
    return list(reader), after.splitlines()


def test_german_csv_has_german_headers_and_figures_as_shown_issue_16(
    rich_engine: Engine,  # noqa: F811 (the fixture imported above)
) -> None:
    client = TestClient(create_app(rich_engine))
    url = TABLE_2021.format(id="unemployment_share")
    found, after = german_rows(client.get(url + "&format=csv-de").content)
    assert list(found[0]) == [
        "Kennzahl",
        "Gebietsschlüssel",
        "Gebiet",
        "Zeitraum",
        "Rang",
        "Wert",
        "Zähler",
        "Nenner",
        "Abstand zu Region Hannover",
        "Zeichen",
        "Anmerkung",
        "Quelle",
        "Lizenz",
        "Datenstand",
    ]
    by_code = {r["Gebietsschlüssel"]: r for r in found}
    town, provisional, secret = (by_code[c] for c in TOWNS)
    assert town["Kennzahl"] == "Arbeitslosenanteil"
    assert (town["Wert"], town["Zähler"], town["Nenner"]) == ("7,0", "21000", "301000")
    assert (provisional["Wert"], provisional["Zeichen"]) == ("5,5", "p")
    assert (secret["Wert"], secret["Zeichen"]) == (".", ".")
    assert secret["Zähler"] == secret["Nenner"] == ""
    assert after[0].startswith("Zeichen: . = geheim zu halten oder unsicher, ")
    # the machine CSV: English headers, full precision, an empty hidden value
    machine = list(csv.DictReader(io.StringIO(client.get(url).text)))
    assert list(machine[0])[:6] == ["indicator", "area", "area_name", "period"] + [
        "rank",
        "value",
    ]
    values = {r["area"]: r for r in machine}
    assert float(values[TOWNS[0]]["value"]) == 21_000 / 301_000 * 100
    assert values[TOWNS[2]]["value"] == "" and values[TOWNS[2]]["flags"] == (
        "suppressed"
    )
    assert "Zeichen" not in client.get(url).text


def test_german_csv_of_a_count_has_no_decimals_issue_16(client: TestClient) -> None:
    url = TABLE_2021.format(id="population")
    found, _ = german_rows(client.get(url + "&format=csv-de").content)
    assert {r["Gebietsschlüssel"]: r["Wert"] for r in found} == {
        TOWNS[0]: "301000",
        TOWNS[1]: "20100",
        TOWNS[2]: "–",  # no value for 2021: the page's sign
    }
