"""The DCAT-AP.de document passes the published shapes (vendored in tests/data) and
names every public indicator, and no internal one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib import namespace as ns
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.opendata.dcat import Publisher, dcat_document, dcat_graph
from sozialmonitor.opendata.licences import licence_of
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    remove_observations,
)
from tests.fixtures import FIRST_RELEASE, TOWNS

SHAPES = Path(__file__).resolve().parents[1] / "data" / "dcat-ap-de"
SHAPE_FILES = (
    "dcat-ap-SHACL.ttl",
    "dcat-ap-SHACL-DE.ttl",
    "dcat-ap-spec-german-additions.ttl",
    "dcat-ap-de-deprecated.ttl",
    "dcat-ap-de-controlledvocabularies.ttl",
    "dcat-ap-de-imports.ttl",
)
BASE = "https://sozialmonitor.example.org"
PUBLISHER = Publisher(
    name="Region Hannover",
    contributor_id="http://dcat-ap.de/def/contributors/regionHannover",
)


@pytest.fixture(scope="module")
def shapes() -> tuple[Graph, Graph]:
    shape_graph, vocabularies = Graph(), Graph()
    for name in SHAPE_FILES:
        shape_graph.parse(SHAPES / name)
    for path in sorted((SHAPES / "vocabularies").iterdir()):
        vocabularies.parse(path)
    return shape_graph, vocabularies


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_the_demo_catalogue_passes_the_dcat_ap_de_shapes(
    demo_sqlite: Engine, shapes: tuple[Graph, Graph], fmt: str
) -> None:
    document = dcat_document(
        dcat_graph(demo_sqlite, base_url=BASE, publisher=PUBLISHER),
        fmt,  # type: ignore[arg-type]
    )
    data = Graph().parse(data=document, format=fmt)
    conforms, _, text = validate(
        data,
        shacl_graph=shapes[0],
        ont_graph=shapes[1],
        inference="none",
        allow_warnings=True,
    )
    assert conforms, text

    with demo_sqlite.connect() as conn:
        public = queries.list_indicators(conn, audience=Audience.PUBLIC)
        everything = queries.list_indicators(conn, audience=Audience.INTERNAL)
    datasets = set(data.subjects(ns.RDF.type, ns.DCAT.Dataset))
    identifiers = {str(data.value(d, ns.DCTERMS.identifier)) for d in datasets}
    assert identifiers == {i.id for i in public}
    internal = {i.id for i in everything} - identifiers
    assert not any(f"/indikator/{code}" in document for code in internal)


def test_a_dataset_has_licence_coverage_and_a_download(demo_sqlite: Engine) -> None:
    graph = dcat_graph(demo_sqlite, base_url=BASE, publisher=PUBLISHER)
    with demo_sqlite.connect() as conn:
        indicator = queries.get_indicator(conn, "minimum_income_share")
    dataset = URIRef(f"{BASE}/indikator/minimum_income_share")
    assert (dataset, ns.RDF.type, ns.DCAT.Dataset) in graph
    licences = {
        graph.value(d, ns.DCTERMS.license)
        for d in graph.objects(dataset, ns.DCAT.distribution)
    }
    assert licences == {URIRef(licence_of(indicator.licence).uri)}
    downloads = {
        str(u)
        for d in graph.objects(dataset, ns.DCAT.distribution)
        for u in graph.objects(d, ns.DCAT.downloadURL)
    }
    assert downloads == {f"{BASE}/indikator/minimum_income_share/download.csv"}
    temporal = graph.value(dataset, ns.DCTERMS.temporal)
    assert graph.value(temporal, ns.DCAT.startDate) is not None
    assert graph.value(temporal, ns.DCAT.endDate) is not None


def test_the_temporal_coverage_is_what_the_public_can_read(
    small_engine: Engine,
) -> None:
    """A later release that removes a period's values shortens the coverage as of
    that release; as of the earlier release the period is still covered."""
    with small_engine.begin() as conn:
        release = draft_release(conn, "2022-H1")
        population = queries.indicator_id(conn, "population")
        remove_observations(
            conn,
            release,
            [(population, queries.area_id(conn, town), "2021") for town in TOWNS[:2]],
        )
        publish_release(conn, "2022-H1")

    def end_of_population(release: str | None) -> str:
        graph = dcat_graph(
            small_engine, base_url=BASE, publisher=PUBLISHER, release=release
        )
        temporal = graph.value(
            URIRef(f"{BASE}/indikator/population"), ns.DCTERMS.temporal
        )
        return str(graph.value(temporal, ns.DCAT.endDate))

    assert end_of_population(None) == "2020-12-31"
    assert end_of_population(FIRST_RELEASE) == "2021-12-31"
