"""DCAT-AP.de metadata of the public catalogue, as GovData harvests it: the catalogue,
a dataset per public indicator with its distributions (the indicator page, its CSV
download and the API's JSON), licence URI and attribution, temporal and spatial
coverage; as Turtle or JSON-LD.

Only public indicators of a published release are described, read through the
same gate as every page (``store.queries``). Addresses are built from the
configured base URL, never from a request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD
from sqlalchemy import Connection, Engine, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.period import parse_period
from sozialmonitor.opendata.datapackage import published_release
from sozialmonitor.opendata.licences import licence_of
from sozialmonitor.store import queries, schema

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCIES = {
    "jährlich": "ANNUAL",
    "zweijährlich": "BIENNIAL",
    "halbjährlich": "ANNUAL_2",
    "vierteljährlich": "QUARTERLY",
    "quartalsweise": "QUARTERLY",
    "monatlich": "MONTHLY",
}
"""The catalogue's update cycle → the EU frequency vocabulary (other words: left
out, as DCAT-AP.de wants an IRI there)."""
GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level/"
_KEYS = {
    2: ("stateKey", "state"),
    5: ("districtKey", "administrativeDistrict"),
    8: ("municipalityKey", "municipality"),
}
"""Length of an official key (AGS) → its DCAT-AP.de geocoding kind and level."""

DcatFormat = Literal["turtle", "json-ld"]


@dataclass(frozen=True, kw_only=True)
class Publisher:
    name: str
    """Who publishes the portal (the county's social planning office)."""
    contributor_id: str = ""
    """GovData's ``dcatde:contributorID`` IRI of the publishing body, if it has one."""


def dcat_graph(
    engine: Engine, *, base_url: str, publisher: Publisher, release: str | None = None
) -> Graph:
    """The DCAT-AP.de graph of the public catalogue as of ``release`` (default: the
    newest published one)."""
    base = base_url.rstrip("/")
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("dcatde", DCATDE)
    graph.bind("foaf", FOAF)
    with engine.connect() as conn:
        rel = published_release(conn, release)
        indicators = queries.list_indicators(conn, audience=Audience.PUBLIC)
        coverage = _coverage(conn, rel.name, indicators)
        tops = [a.code for a in queries.list_areas(conn) if a.parent is None]
    agent = URIRef(f"{base}/#publisher")
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, RdfLiteral(publisher.name)))
    catalog = URIRef(f"{base}/#catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add(
        (
            catalog,
            DCTERMS.title,
            RdfLiteral(f"{publisher.name}: Sozialmonitoring", lang="de"),
        )
    )
    graph.add(
        (
            catalog,
            DCTERMS.description,
            RdfLiteral(
                "Kennzahlen des Sozialmonitorings je Gebiet und Zeitraum, "
                f"Datenstand {rel.name}.",
                lang="de",
            ),
        )
    )
    graph.add((catalog, DCTERMS.publisher, agent))
    graph.add((catalog, FOAF.homepage, URIRef(f"{base}/")))
    graph.add((catalog, DCTERMS.language, _concept(graph, "language", "DEU")))
    if rel.published_at is not None:
        graph.add((catalog, DCTERMS.modified, _date(rel.published_at.date())))
    for indicator in indicators:
        dataset = _dataset(graph, base, indicator, agent, publisher, coverage, tops)
        graph.add((catalog, DCAT.dataset, dataset))
    return graph


def dcat_document(graph: Graph, fmt: DcatFormat) -> str:
    return graph.serialize(format=fmt)


def _dataset(
    graph: Graph,
    base: str,
    indicator: Indicator,
    agent: URIRef,
    publisher: Publisher,
    coverage: dict[str, tuple[str, str]],
    tops: list[str],
) -> URIRef:
    page = f"{base}/indikator/{quote(indicator.id, safe='')}"
    dataset = URIRef(page)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, RdfLiteral(indicator.id)))
    graph.add((dataset, DCTERMS.title, RdfLiteral(indicator.name, lang="de")))
    if indicator.name_en:
        graph.add((dataset, DCTERMS.title, RdfLiteral(indicator.name_en, lang="en")))
    description = indicator.definition or f"{indicator.name} ({indicator.unit})"
    graph.add((dataset, DCTERMS.description, RdfLiteral(description, lang="de")))
    graph.add((dataset, DCTERMS.publisher, agent))
    if publisher.contributor_id:
        graph.add((dataset, DCATDE.contributorID, URIRef(publisher.contributor_id)))
    graph.add((dataset, DCAT.theme, _concept(graph, "data-theme", "SOCI")))
    graph.add((dataset, DCAT.landingPage, URIRef(page)))
    for word in (indicator.topic, *indicator.keywords):
        if word:
            graph.add((dataset, DCAT.keyword, RdfLiteral(word, lang="de")))
    frequency = FREQUENCIES.get(indicator.update_cycle.strip().lower())
    if frequency is not None:
        graph.add(
            (
                dataset,
                DCTERMS.accrualPeriodicity,
                _concept(graph, "frequency", frequency),
            )
        )
    if indicator.id in coverage:
        first, last = coverage[indicator.id]
        period = BNode()
        graph.add((dataset, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, _date(parse_period(first).start)))
        graph.add((period, DCAT.endDate, _date(parse_period(last).end)))
    for code in tops:
        kind = _KEYS.get(len(code)) if code.isdigit() else None
        if kind is not None:
            graph.add(
                (
                    dataset,
                    DCATDE.politicalGeocodingLevelURI,
                    URIRef(GEOCODING_LEVEL + kind[1]),
                )
            )
            graph.add(
                (dataset, DCTERMS.spatial, URIRef(f"{GEOCODING}{kind[0]}/{code}"))
            )
    licence = licence_of(indicator.licence)
    for suffix, media, file_type, title in (
        ("/download.csv", "text/csv", "CSV", "CSV (Komma, Dezimalpunkt)"),
        ("", "text/html", "HTML", "Kennzahlseite mit Karte, Diagramm und Tabelle"),
    ):
        url = URIRef(page + suffix)
        distribution = URIRef(f"{page}#{file_type.lower()}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, RdfLiteral(title, lang="de")))
        graph.add((distribution, DCAT.accessURL, url))
        if suffix:
            graph.add((distribution, DCAT.downloadURL, url))
        graph.add(
            (
                distribution,
                DCAT.mediaType,
                URIRef(f"https://www.iana.org/assignments/media-types/{media}"),
            )
        )
        graph.add(
            (distribution, DCTERMS.format, _concept(graph, "file-type", file_type))
        )
        graph.add((distribution, DCTERMS.license, URIRef(licence.uri)))
        if licence.attribution:
            graph.add(
                (
                    distribution,
                    DCATDE.licenseAttributionByText,
                    RdfLiteral(_attribution(indicator), lang="de"),
                )
            )
    return dataset


def _attribution(indicator: Indicator) -> str:
    parts = [p for p in (indicator.source, indicator.licence) if p]
    return "; ".join(parts) or indicator.name


def _coverage(
    conn: Connection, release: str, indicators: list[Indicator]
) -> dict[str, tuple[str, str]]:
    """Indicator id → its first and last period with a value as of ``release``: per
    key the newest row of the releases the public read gate sees as of it (a
    withdrawn one is not among them), keys whose newest row removes the value
    (a tombstone) left out."""
    o, rel = schema.observation, schema.release
    priorities = queries.release_priorities(
        conn, as_of=release, audience=Audience.PUBLIC
    )
    newest = (
        func.row_number()
        .over(
            partition_by=(o.c.indicator_id, o.c.area_id, o.c.period),
            order_by=rel.c.sequence.desc(),
        )
        .label("newest")
    )
    ranked = (
        select(o.c.indicator_id, o.c.period, o.c.flags, newest)
        .join(rel, rel.c.id == o.c.release_id)
        .where(o.c.release_id.in_(list(priorities)))
        .subquery()
    )
    ind = schema.indicator
    rows = conn.execute(
        select(ind.c.code, func.min(ranked.c.period), func.max(ranked.c.period))
        .join(ranked, ranked.c.indicator_id == ind.c.id)
        .where(
            ranked.c.newest == 1,
            ranked.c.flags.op("&")(int(Flag.REMOVED)) == 0,
        )
        .group_by(ind.c.code)
    )
    wanted = {i.id for i in indicators}
    return {code: (first, last) for code, first, last in rows if code in wanted}


def _concept(graph: Graph, table: str, code: str) -> URIRef:
    """An entry of an EU authority table (file types, themes, languages,
    frequencies), with the table it belongs to: a harvester that cannot load the
    table still sees which vocabulary the value is from."""
    concept = URIRef(f"{EU}{table}/{code}")
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.inScheme, URIRef(EU + table)))
    return concept


def _date(day: dt.date) -> RdfLiteral:
    return RdfLiteral(day.isoformat(), datatype=XSD.date)
