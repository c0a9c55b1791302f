"""Was hat sich verändert? (``/veraenderungen``): the release digest as a page and its
JSON twin. The statements come from ``analysis.release_digest`` through the read
gate for the visitor's audience; the sentences from ``digest_text``. A digest is
kept with the snapshot (one data version) per release.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine

from sozialmonitor.analysis.digest_places import HOT_SPOT_MAX_AREAS
from sozialmonitor.analysis.digest_record import stored_digest
from sozialmonitor.analysis.digest_statement import (
    MAX_PER_KIND,
    Statement,
    StatementKind,
)
from sozialmonitor.analysis.digest_values import FENCE_FACTOR, OUTLIER_MIN_AREAS
from sozialmonitor.analysis.release_digest import Digest, release_digest
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.errors import UnknownReleaseError
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages.digest_text import (
    KIND_TITLES,
    figures_text,
    sentence,
    statement_url,
    wording_of,
)
from sozialmonitor.web.snapshot import Snapshot

router = APIRouter()

PATH = "/veraenderungen"
TITLE = "Was hat sich verändert?"


@dataclass(frozen=True, kw_only=True)
class DigestItem:
    sentence: str
    url: str
    """The figure the sentence rests on (indicator view, index page)."""
    figures: str
    """The test and its numbers, in words."""
    statement: Statement
    """The statement with its figures as numbers."""


@dataclass(frozen=True, kw_only=True)
class DigestSection:
    kind: str
    title: str
    items: tuple[DigestItem, ...]
    more: str
    """``und 28 weitere`` (empty when all are shown)."""
    empty: str
    """Why there is nothing (none found, or not looked for)."""


@dataclass(frozen=True, kw_only=True)
class DigestPage:
    release: str
    previous: str
    """The published release before it ("" if none)."""
    lead: str
    releases: tuple[Option, ...]
    """The published releases to choose from, newest first."""
    sections: tuple[DigestSection, ...]
    method: tuple[str, ...]
    """How the statements are found, in plain words."""
    message: str = ""
    """Why no digest is shown (an unknown release, none published)."""


def digest_of(engine: Engine, snap: Snapshot, release: str | None) -> Digest:
    """The digest of ``release`` (None: the newest published) for the snapshot's
    audience: the public one as stored at publication (``digest_record``; read
    each time, so a pattern changed since is noticed), any other computed on
    demand and kept per snapshot (data version)."""
    if snap.audience == Audience.PUBLIC:
        return stored_digest(engine, release)

    def make() -> Digest:
        with engine.connect() as conn:
            return release_digest(conn, release, audience=snap.audience)

    return snap.remember(("release-digest", release), make)


def digest_page(
    request: Request, snap: Snapshot, lang: Language, datenstand: str
) -> DigestPage:
    t = Translator(lang=lang)
    published = sorted(
        (
            r
            for r in snap.releases
            if r.status is ReleaseStatus.PUBLISHED and r.sequence is not None
        ),
        key=lambda r: r.sequence or 0,
        reverse=True,
    )
    wanted = datenstand.strip() or None
    if snap.release is not None and wanted == snap.release.name:
        wanted = None  # the newest: the digest kept for it
    try:
        digest = digest_of(request.app.state.engine, snap, wanted)
    except UnknownReleaseError:
        message = (
            t(
                "Einen veröffentlichten Datenstand „{name}“ gibt es nicht. Wählen Sie "
                "einen aus der Liste.",
                name=datenstand,
            )
            if wanted
            else t("Es ist noch kein Datenstand veröffentlicht.")
        )
        return DigestPage(
            release="",
            previous="",
            lead="",
            releases=_options(published, None),
            sections=(),
            method=method_text(t),
            message=message,
        )
    wording = wording_of(snap.indicators, snap.levels)
    sections = []
    for section in digest.sections:
        if section.kind is StatementKind.REVISION and not section.checked:
            empty = t(
                "Nicht geprüft: es gibt keinen früheren veröffentlichten Datenstand."
            )
        else:
            empty = t("Keine gefunden.")
        sections.append(
            DigestSection(
                kind=section.kind.value,
                title=t(KIND_TITLES[section.kind]),
                items=tuple(
                    DigestItem(
                        sentence=sentence(s, wording, t),
                        url=statement_url(s, lang),
                        figures=figures_text(s, t),
                        statement=s,
                    )
                    for s in section.statements
                ),
                more=t.plural("und {n} weitere", "und {n} weitere", section.more)
                if section.more
                else "",
                empty=empty,
            )
        )
    lead = (
        t(
            "Was der Datenstand {release} gegenüber dem Datenstand {previous} und "
            "der jeweiligen Vorperiode gebracht hat – gefunden von der Statistik, "
            "jede Aussage mit ihrer Grafik verknüpft.",
            release=digest.release,
            previous=digest.previous,
        )
        if digest.previous
        else t(
            "Was der Datenstand {release} gegenüber der jeweiligen Vorperiode "
            "gebracht hat – gefunden von der Statistik, jede Aussage mit ihrer "
            "Grafik verknüpft. Einen früheren veröffentlichten Datenstand gibt es "
            "nicht.",
            release=digest.release,
        )
    )
    return DigestPage(
        release=digest.release,
        previous=digest.previous or "",
        lead=lead,
        releases=_options(published, digest.release),
        sections=tuple(sections),
        method=method_text(t),
    )


def _options(published: list[Release], chosen: str | None) -> tuple[Option, ...]:
    return tuple(
        Option(value=r.name, label=r.name, selected=r.name == chosen) for r in published
    )


def method_text(t: Translator) -> tuple[str, ...]:
    """How the digest finds its statements (the page's last section)."""
    return (
        t(
            "Veränderungen: Für die neueste Periode, die der Datenstand bringt, wird "
            "jeder Wert mit dem der Vorperiode verglichen. Anteile mit Zähler und "
            "Nenner prüft ein z-Test für zwei Anteile, Raten mit Zähler und Nenner "
            "ein bedingter Test für zwei Poisson-Fallzahlen; signifikant heißt "
            "p < 0,05. Werte mit Zeitreihenbruch, Mittelwerte, Mediane und "
            "Fallzahlen unter der Mindestfallzahl werden nicht geprüft. Anzahlen "
            "(etwa Einwohner) werden nicht auf Signifikanz geprüft, sondern mit "
            "ihrer Differenz genannt, die größte relative Veränderung zuerst: eine "
            "Anzahl ist eine Vollerhebung, keine Stichprobe."
        ),
        t(
            "Berichtigte Werte: Werte, die der vorige veröffentlichte Datenstand für "
            "dieselbe Periode schon hatte und die jetzt anders sind."
        ),
        t(
            "Fokusgebiete: die Regel des Sozialindex (seine Fokusklassen), "
            "angewandt auf die gespeicherten Klassen der neuesten Periode und auf die "
            "des vorigen Datenstands (ohne ihn: der Vorperiode); genannt werden "
            "Gebiete mit einer Klasse in beiden."
        ),
        t(
            "Trendwenden: Die Zeitreihe bis zur Vorperiode hatte einen signifikanten "
            "Trend (Mann-Kendall-Test, p < 0,05, mindestens fünf Werte); mit dem "
            "neuen Wert hat sie keinen mehr oder den entgegengesetzten."
        ),
        t(
            "Neue Hot Spots: Gebiete in einem Hoch-hoch-Cluster (lokaler Moran-Test, "
            "Nachbarschaft über gemeinsame Grenzpunkte, 999 Permutationen, "
            "p ≤ 0,05), die es in der Vorperiode nicht waren; nur für Raumebenen mit "
            "höchstens {n} Gebieten.",
            n=formatting.number(HOT_SPOT_MAX_AREAS, 0, t.lang),
        ),
        t(
            "Werte außerhalb des üblichen Bereichs: Werte unter dem unteren oder über "
            "dem oberen Tukey-Zaun ihrer Raumebene und Periode, das heißt mehr als "
            "das {factor}-Fache des Interquartilsabstands unter dem ersten oder über "
            "dem dritten Quartil; nur bei mindestens {n} Gebieten mit Wert.",
            factor=formatting.number(FENCE_FACTOR, 1, t.lang),
            n=OUTLIER_MIN_AREAS,
        ),
        t(
            "Je Art werden höchstens {n} Aussagen gezeigt, die deutlichsten zuerst. "
            "Jede Aussage beruht nur auf Werten, die Sie sehen dürfen; geheim "
            "gehaltene Werte gehen nicht ein.",
            n=MAX_PER_KIND,
        ),
    )


def _page(request: Request, datenstand: str) -> tuple[Snapshot, DigestPage]:
    snap = current_snapshot(request)
    return snap, digest_page(request, snap, request_language(request), datenstand)


@router.get(PATH, response_class=HTMLResponse, include_in_schema=False)
def digest_html(request: Request, datenstand: str = "") -> HTMLResponse:
    t = Translator(lang=request_language(request))
    snap, page = _page(request, datenstand)
    frame = frame_for(request, snap, title=t(TITLE), crumbs=((t("Start"), "/"),))
    response = render(request, "digest.html", frame=frame, page=page)
    if page.message and datenstand.strip():
        response.status_code = 404
    return response


@router.get(f"/api/v1/pages{PATH}", tags=["pages"], response_model=None)
def digest_json(request: Request, datenstand: str = "") -> Response:
    """The release digest as JSON (same parameter as ``/veraenderungen``)."""
    snap = current_snapshot(request)
    wanted = datenstand.strip() or None
    digest_of(request.app.state.engine, snap, wanted)  # unknown: the 404 problem
    return json_response(
        digest_page(request, snap, request_language(request), datenstand)
    )
