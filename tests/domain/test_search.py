"""Indicator search in German: umlauts, word forms, compounds, stop words, ranking."""

from __future__ import annotations

import pytest

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.search import IndicatorSearch, SearchHit, normalise
from sozialmonitor.ingest.demo import DEMO_SETS, demo_folder
from sozialmonitor.ingest.indicators import validate_indicators

# A test catalogue: invented metadata, no figures.
CATALOGUE = (
    Indicator(
        id="care_dependent_rate",
        name="Pflegebedürftige je 1.000 Einwohner",
        short_name="Pflegebedürftige",
        unit="je 1.000 EW",
        kind="rate",
        topic="Gesundheit/Pflege",
        definition="Personen mit einem Pflegegrad nach SGB XI je 1.000 "
        "Einwohnerinnen und Einwohner.",
        numerator="Pflegebedürftige",
        denominator="Einwohnerinnen und Einwohner",
        source="Pflegestatistik",
        keywords="Pflege; Pflegegrad; SGB XI",
    ),
    Indicator(
        id="care_assistance_recipients",
        name="Empfänger von Hilfe zur Pflege",
        unit="Personen",
        kind="count",
        topic="Gesundheit/Pflege",
        definition="Pflegebedürftige Menschen, die Hilfe zur Pflege nach dem "
        "7. Kapitel SGB XII erhalten.",
        source="Sozialhilfestatistik",
        keywords="Sozialhilfe; SGB XII",
    ),
    Indicator(
        id="elderly_care_staff",
        name="Beschäftigte in der Altenpflege",
        unit="Personen",
        kind="count",
        topic="Gesundheit/Pflege",
        definition="Sozialversicherungspflichtig Beschäftigte in Heimen und "
        "ambulanten Diensten.",
        source="Beschäftigungsstatistik",
    ),
    Indicator(
        id="unemployment_share",
        name="Arbeitslose an der erwerbsfähigen Bevölkerung",
        short_name="Arbeitslosenanteil",
        unit="%",
        topic="Arbeit",
        definition="Arbeitslose je 100 Einwohnerinnen und Einwohner von 15 bis unter "
        "65 Jahren.",
        numerator="Arbeitslose",
        denominator="Einwohnerinnen und Einwohner von 15 bis unter 65 Jahren",
        source="Bundesagentur für Arbeit",
        keywords="Arbeitslosigkeit; Erwerbslose",
    ),
    Indicator(
        id="long_term_unemployment_share",
        name="Anteil Langzeitarbeitsloser",
        unit="%",
        topic="Arbeit",
        definition="Anteil der seit einem Jahr oder länger Gemeldeten an allen "
        "Gemeldeten.",
        source="Bundesagentur für Arbeit",
    ),
    Indicator(
        id="sgb2_share",
        name="SGB-II-Quote",
        unit="%",
        topic="Mindestsicherung",
        definition="Leistungsberechtigte nach dem SGB II je 100 Einwohnerinnen und "
        "Einwohner unter der Altersgrenze.",
        source="Grundsicherungsstatistik",
        keywords="Hartz IV; Bürgergeld",
    ),
    Indicator(
        id="childcare_under_3",
        name="Betreuungsquote unter 3-Jährige",
        unit="%",
        topic="Bildung",
        definition="Betreute Kinder unter 3 Jahren in Tageseinrichtungen je 100 "
        "Kinder dieses Alters.",
        source="Kinder- und Jugendhilfestatistik",
        keywords="Kita; Krippe",
    ),
    Indicator(
        id="foreigners_share",
        name="Ausländeranteil",
        unit="%",
        topic="Bevölkerung",
        definition="Anteil der Einwohnerinnen und Einwohner ohne deutsche "
        "Staatsangehörigkeit.",
        source="Melderegister",
    ),
    Indicator(
        id="physicians_rate",
        name="Ärztinnen und Ärzte je 100.000 Einwohner",
        unit="je 100.000 EW",
        kind="rate",
        multiplier=100_000,
        topic="Gesundheit",
        definition="Berufstätige Ärztinnen und Ärzte.",
        source="Ärztekammer",
    ),
)
CARE = {"care_dependent_rate", "care_assistance_recipients"}
UNEMPLOYMENT = {"unemployment_share", "long_term_unemployment_share"}


@pytest.fixture(scope="module")
def search() -> IndicatorSearch:
    return IndicatorSearch(CATALOGUE)


def ids(hits: list[SearchHit]) -> list[str]:
    return [hit.indicator.id for hit in hits]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pflegebedürftige", "pflegebeduerftige"),
        ("PFLEGEBEDÜRFTIGE", "pflegebeduerftige"),
        ("Pflegebeduerftige", "pflegebeduerftige"),
        ("A\u0308rzte", "aerzte"),  # decomposed umlaut, as some keyboards send it
        ("Straße ẞ", "strasse ss"),
        ("Café Ångström", "cafe angstroem"),
        ("SGB-II-Quote (unter 3-Jährige)", "sgb ii quote unter 3 jaehrige"),
        ("  Hartz   IV; Bürgergeld ", "hartz iv buergergeld"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize("query", ["pflegebedürftig", "Pflegebeduerftige", "Pflege"])
def test_care_queries_find_the_care_indicators(
    search: IndicatorSearch, query: str
) -> None:
    found = set(ids(search.find(query)))
    assert found >= CARE
    assert not found & UNEMPLOYMENT


def test_a_word_form_finds_the_indicator_named_in_another_form(
    search: IndicatorSearch,
) -> None:
    (first, second) = search.find("pflegebedürftig")
    # The name says "Pflegebedürftige", a definition "Pflegebedürftige Menschen".
    assert first.indicator.id == "care_dependent_rate"
    assert "name" in first.matched
    assert second.indicator.id == "care_assistance_recipients"
    assert second.matched == ("definition",)


def test_exact_stem_ranks_above_word_start_above_part_of_compound(
    search: IndicatorSearch,
) -> None:
    hits = search.find("Pflege")
    # "... Hilfe zur Pflege" (same word), "Pflegebedürftige ..." (start of a word),
    # "... Altenpflege" (part of a compound), all in the name.
    assert ids(hits)[:3] == [
        "care_assistance_recipients",
        "care_dependent_rate",
        "elderly_care_staff",
    ]
    assert hits[0].score > hits[1].score > hits[2].score


def test_name_match_ranks_above_definition_only_match(
    search: IndicatorSearch,
) -> None:
    hits = search.find("Pflegebedürftige")
    assert ids(hits) == ["care_dependent_rate", "care_assistance_recipients"]
    assert hits[0].score == 1.0
    assert hits[1].score < hits[0].score


def test_name_above_keywords_and_topic_above_definition() -> None:
    # Names chosen so that alphabetical order is the reverse of the expected one.
    search = IndicatorSearch(
        [
            Indicator(id="in_definition", name="Altersstruktur", unit="%",
                      definition="Auch ein Hinweis auf Armut."),
            Indicator(id="in_topic", name="Bedarfsgemeinschaften", unit="%",
                      topic="Armut"),
            Indicator(id="in_keywords", name="Transferquote", unit="%",
                      keywords="Armut; Mindestsicherung"),
            Indicator(id="in_name", name="Zahl der von Armut Betroffenen", unit="%"),
        ]
    )  # fmt: skip
    hits = search.find("armut")
    assert ids(hits) == ["in_name", "in_topic", "in_keywords", "in_definition"]
    assert [hit.matched for hit in hits] == [
        ("name", "short_name"),
        ("topic",),
        ("keywords",),
        ("definition",),
    ]
    # Keywords and topic count the same; the tie goes by name.
    assert hits[0].score > hits[1].score == hits[2].score > hits[3].score


def test_matched_lists_every_field_a_query_word_matched(
    search: IndicatorSearch,
) -> None:
    # A keyword ("Sozialhilfe") and the start of a word in the source
    # ("Sozialhilfestatistik").
    (hit,) = search.find("Sozialhilfe")
    assert hit.indicator.id == "care_assistance_recipients"
    assert hit.matched == ("keywords", "source")


def test_equal_scores_are_ordered_by_german_collation(
    search: IndicatorSearch,
) -> None:
    hits = search.find("Einwohner")
    # Both names contain "Einwohner": "Ärztinnen …" sorts with the A's, before
    # "Pflegebedürftige …" (plain code-point order would put Ä after P).
    assert hits[0].score == hits[1].score
    assert ids(hits)[:2] == ["physicians_rate", "care_dependent_rate"]


def test_keyword_finds_an_indicator_its_name_does_not_mention(
    search: IndicatorSearch,
) -> None:
    (hit,) = search.find("Bürgergeld")
    assert hit.indicator.id == "sgb2_share"
    assert hit.matched == ("keywords",)
    assert ids(search.find("Buergergeld")) == ["sgb2_share"]
    assert ids(search.find("Hartz IV")) == ["sgb2_share"]


@pytest.mark.parametrize("query", ["kita", "Kita", "KITA", "Kitas", "Krippe"])
def test_kita(search: IndicatorSearch, query: str) -> None:
    assert ids(search.find(query)) == ["childcare_under_3"]


def test_unemployment_and_compounds(search: IndicatorSearch) -> None:
    hits = search.find("Arbeitslose")
    # "Langzeitarbeitsloser" contains the query word inside a compound.
    assert ids(hits) == ["unemployment_share", "long_term_unemployment_share"]
    assert set(ids(search.find("Arbeitslosen"))) == UNEMPLOYMENT
    assert set(ids(search.find("Arbeitslosigkeit"))) == UNEMPLOYMENT


def test_every_query_word_must_match(search: IndicatorSearch) -> None:
    assert search.find("Arbeitslose Pflege") == []
    assert ids(search.find("Pflege SGB XII")) == ["care_assistance_recipients"]


@pytest.mark.parametrize("query", ["Ausländer", "Auslaender", "ausländeranteil"])
def test_umlauts_both_ways(search: IndicatorSearch, query: str) -> None:
    assert ids(search.find(query)) == ["foreigners_share"]


def test_umlaut_query_finds_text_written_with_ae_oe_ue() -> None:
    search = IndicatorSearch(
        [Indicator(id="pupils", name="Schueler je Klasse", unit="Personen")]
    )
    assert ids(search.find("Schüler")) == ["pupils"]
    assert ids(search.find("SCHUELER")) == ["pupils"]


def test_stop_words_are_ignored(search: IndicatorSearch) -> None:
    assert search.find("der Ausländer") == search.find("Ausländer")
    assert search.find("Empfänger von Hilfe zur Pflege") == search.find(
        "Empfänger Hilfe Pflege"
    )
    # "je" and "und" occur in almost every definition but find nothing on their own.
    assert search.find("je") == []


@pytest.mark.parametrize("query", ["", "   ", "?!", "der die das", "und in im je"])
def test_empty_query_finds_nothing(search: IndicatorSearch, query: str) -> None:
    assert search.find(query) == []


def test_unknown_word_finds_nothing(search: IndicatorSearch) -> None:
    assert search.find("Wohngeld") == []


def test_limit(search: IndicatorSearch) -> None:
    everything = search.find("Einwohner")
    assert len(everything) > 2
    assert search.find("Einwohner", limit=2) == everything[:2]
    assert search.find("Einwohner", limit=0) == []


def test_index_is_built_from_any_iterable() -> None:
    search = IndicatorSearch(ind for ind in CATALOGUE)
    assert ids(search.find("Kita")) == ["childcare_under_3"]
    assert IndicatorSearch([]).find("Kita") == []


@pytest.fixture(scope="module")
def demo_search() -> IndicatorSearch:
    indicators: list[Indicator] = []
    for name in DEMO_SETS:
        report, found = validate_indicators(demo_folder() / name / "indicators.yaml")
        assert report.is_valid, report.to_text()
        indicators += found
    return IndicatorSearch(indicators)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Bürgergeld", {"minimum_income_share", "mss_s3_transfer"}),
        ("Hartz IV", {"minimum_income_share", "mss_s3_transfer"}),
        ("Erwerbslose", {"unemployment_share", "mss_s1_unemployment"}),
        ("Arbeitslosenquote", {"unemployment_share"}),
        ("Benachteiligung", {"gisd_score"}),
        ("Kinderarmut", {"mss_s4_child_poverty"}),
        ("Altersarmut", {"mss_k03_old_age_poverty"}),
        ("Grundsicherung im Alter", {"mss_k03_old_age_poverty"}),
    ],
)
def test_demo_catalogue_keywords(
    demo_search: IndicatorSearch, query: str, expected: set[str]
) -> None:
    assert set(ids(demo_search.find(query))) >= expected
