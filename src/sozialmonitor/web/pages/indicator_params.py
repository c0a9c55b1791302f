"""The indicator page's state: German query parameters, checked, with defaults.

Every view of an indicator is a permalink: ``raum`` (top-level area), ``ebene``
(level), ``zeitraum`` (period), ``klassen`` (map classes), ``ansicht`` (tab),
``gebiete`` (extra areas of the chart, repeatable), ``von``/``bis`` (the periods of the
change view), ``sortierung`` and ``seite`` (the table), ``gebietsstand`` (the chart on
today's areas or as it was). A value that does not fit the
indicator gives a plain message and the default, never an error page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.web import charts, formatting
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.pages.boundary_state import parse_state
from sozialmonitor.web.snapshot import Scope, Snapshot

TABS: dict[str, str] = {
    "karte": "Karte",
    "diagramm": "Zeitreihe",
    "tabelle": "Tabelle",
    "veraenderung": "Veränderung",
    "hotspots": "Hot Spots",
}
"""``ansicht`` value → tab label."""
DEFAULT_TAB = "karte"
SCHEMES: dict[str, tuple[str, str]] = {
    "quantile": ("quantiles", "Quantile (gleich viele Gebiete je Klasse)"),
    "natuerliche-brueche": ("natural_breaks", "Natürliche Unterbrechungen (Jenks)"),
    "gleiche-intervalle": ("equal_interval", "Gleiche Intervalle"),
}
"""``klassen`` value → (scheme of ``analysis.classify``, label)."""
DEFAULT_SCHEME = "quantile"
SORTS: dict[str, str] = {
    "wert-ab": "Wert, absteigend",
    "wert-auf": "Wert, aufsteigend",
    "name": "Name (A–Z)",
}
DEFAULT_SORT = "wert-ab"
PAGE_SIZE = 50
"""Rows per table page."""
MAX_EXTRA_AREAS = charts.MAX_AREAS - 1
"""Areas a user may add to the chart beside the top area."""
CHANGE_STEPS = 5
"""The change view compares with the period this many steps back by default."""
SHOWN_INPUT = 40
"""Characters of a wrong value repeated in a message."""

Query = Mapping[str, Sequence[str]]
"""Parameter name → its values (``gebiete`` may repeat)."""


@dataclass(frozen=True, kw_only=True)
class View:
    """What the page shows, every value checked against the data."""

    indicator: str
    """Indicator id."""
    raum: str | None
    """Code of the top-level area (None: the indicator has no values yet)."""
    ebene: str | None
    """Level code."""
    zeitraum: str | None
    """Period code shown on map and table."""
    klassen: str
    """``quantile``, ``natuerliche-brueche`` or ``gleiche-intervalle``."""
    ansicht: str
    """``karte``, ``diagramm``, ``tabelle``, ``veraenderung`` or ``hotspots``."""
    gebiete: tuple[str, ...]
    """Extra areas of the chart."""
    von: str | None
    """First period of the change view."""
    bis: str | None
    """Last period of the change view."""
    sortierung: str
    """``wert-ab``, ``wert-auf`` or ``name``."""
    seite: int
    """Table page, from 1."""
    periods: tuple[str, ...] = ()
    """All periods of the level, oldest first."""
    gebietsstand: str | None = None
    """The chart's ``heute`` or ``damals``; None: the default (see
    :mod:`boundary_state`)."""

    @property
    def scheme(self) -> str:
        """The ``analysis.classify`` scheme of ``klassen``."""
        return SCHEMES[self.klassen][0]

    def params(self, **changes: object) -> dict[str, object]:
        """Query parameters of this view (or of one with ``changes``), for a link.

        The page and sort order are left out while they are the defaults.
        """
        view = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        return {
            "raum": view.raum,
            "ebene": view.ebene,
            "zeitraum": view.zeitraum,
            "klassen": view.klassen,
            "ansicht": view.ansicht,
            "gebiete": list(view.gebiete),
            "von": view.von,
            "bis": view.bis,
            "sortierung": None if view.sortierung == DEFAULT_SORT else view.sortierung,
            "seite": None if view.seite == 1 else view.seite,
            "gebietsstand": view.gebietsstand,
        }


def _first(query: Query, name: str) -> str | None:
    values = query.get(name) or ()
    value = values[0].strip() if values else ""
    return value or None


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_INPUT else value[: SHOWN_INPUT - 1] + "…"


def default_level(snap: Snapshot, scope: Scope) -> str:
    """The smallest level of the scope that has several areas (else the smallest)."""
    levels = scope.levels
    several = [lvl for lvl in levels if len(snap.areas_in(scope.root.code, lvl)) > 1]
    return (several or levels)[-1]


def areas_named(snap: Snapshot, root: str, name: str) -> list[Area]:
    """The areas under a top-level area with this name (German collation, so
    "Hannover" finds "hannover"); only used when a name was typed."""
    wanted = german_key(name)
    return [
        a
        for a in snap.areas.values()
        if snap.root_of.get(a.code) == root and german_key(a.name) == wanted
    ]


def level_label(snap: Snapshot, code: str, t: Translator) -> str:
    found = snap.level_by_code.get(code)
    return t(found.label) if found else code


def parse_view(
    snap: Snapshot, indicator: Indicator, query: Query, t: Translator
) -> tuple[View, tuple[str, ...]]:
    """The view a query asks for, and a message for each value that does not fit.

    Parameters
    ----------
    snap : Snapshot
        The catalogue.
    indicator : Indicator
        The page's indicator.
    query : mapping
        The request's parameters.
    t : Translator
        Writes the messages in the page's language.

    Returns
    -------
    tuple
        The checked :class:`View` and the messages (empty when all was fine).
    """
    messages: list[str] = []
    lang = t.lang

    def wrong(text: str, **values: object) -> None:
        messages.append(t(text, **values))

    klassen = _first(query, "klassen") or DEFAULT_SCHEME
    if klassen not in SCHEMES:
        wrong(
            "Die Klasseneinteilung „{value}“ gibt es nicht; gezeigt wird {label}.",
            value=_shown(klassen),
            label=t(SCHEMES[DEFAULT_SCHEME][1]),
        )
        klassen = DEFAULT_SCHEME
    ansicht = _first(query, "ansicht") or DEFAULT_TAB
    if ansicht not in TABS:
        wrong(
            "Die Ansicht „{value}“ gibt es nicht; gezeigt wird die Karte.",
            value=_shown(ansicht),
        )
        ansicht = DEFAULT_TAB
    sortierung = _first(query, "sortierung") or DEFAULT_SORT
    if sortierung not in SORTS:
        wrong(
            "Die Sortierung „{value}“ gibt es nicht; sortiert wird nach {label}.",
            value=_shown(sortierung),
            label=t(SORTS[DEFAULT_SORT]),
        )
        sortierung = DEFAULT_SORT
    raw_page = _first(query, "seite") or "1"
    seite = int(raw_page) if raw_page.isdigit() and len(raw_page) < 7 else 0
    if seite < 1:
        wrong(
            "Die Seite „{value}“ gibt es nicht; gezeigt wird Seite 1.",
            value=_shown(raw_page),
        )
        seite = 1

    asked_state = _first(query, "gebietsstand")
    gebietsstand = parse_state(asked_state)
    if asked_state is not None and gebietsstand is None:
        wrong(
            "Den Gebietsstand „{value}“ gibt es nicht; gezeigt wird die "
            "Voreinstellung.",
            value=_shown(asked_state),
        )

    scopes = snap.scopes_for(indicator)
    empty = View(
        indicator=indicator.id,
        raum=None,
        ebene=None,
        zeitraum=None,
        klassen=klassen,
        ansicht=ansicht,
        gebiete=(),
        von=None,
        bis=None,
        sortierung=sortierung,
        seite=seite,
        gebietsstand=gebietsstand,
    )
    if not scopes:
        return empty, tuple(messages)

    raum = _first(query, "raum")
    scope = next((s for s in scopes if s.root.code == raum), None)
    if scope is None:
        scope = scopes[0]
        if raum is not None:
            wrong(
                "Für das Gebiet „{value}“ gibt es bei dieser Kennzahl keine Werte; "
                "gezeigt wird {name}.",
                value=_shown(raum),
                name=scope.root.name,
            )
    root = scope.root

    ebene = _first(query, "ebene")
    if ebene not in scope.periods_by_level:
        chosen = default_level(snap, scope)
        if ebene is not None:
            wrong(
                "Die Raumebene „{value}“ gibt es für {root} bei dieser Kennzahl "
                "nicht; gezeigt wird {level}.",
                value=_shown(level_label(snap, ebene, t)),
                root=root.name,
                level=level_label(snap, chosen, t),
            )
        ebene = chosen
    periods = scope.periods_by_level[ebene]
    level_text = level_label(snap, ebene, t)

    def period(name: str, default: str, text: str) -> str:
        value = _first(query, name)
        if value is None or value in periods:
            return value or default
        wrong(
            text,
            value=_shown(value),
            level=level_text,
            period=formatting.period_label(default, lang),
        )
        return default

    zeitraum = period(
        "zeitraum",
        periods[-1],
        "Für „{value}“ gibt es auf der Ebene {level} keine Werte; "
        "gezeigt wird {period}.",
    )
    von = period(
        "von",
        periods[max(0, len(periods) - 1 - CHANGE_STEPS)],
        "Für „{value}“ gibt es auf der Ebene {level} keine Werte; "
        "die Veränderung beginnt {period}.",
    )
    bis = period(
        "bis",
        periods[-1],
        "Für „{value}“ gibt es auf der Ebene {level} keine Werte; "
        "die Veränderung endet {period}.",
    )
    if periods.index(von) > periods.index(bis):
        wrong("„Von“ lag nach „bis“; die beiden Zeiträume wurden getauscht.")
        von, bis = bis, von

    gebiete: list[str] = []
    for given in (c.strip() for c in query.get("gebiete") or () if c.strip()):
        code = given
        if code not in snap.areas:  # a name typed into the form
            found = areas_named(snap, root.code, given)
            if len(found) > 1:
                wrong(
                    "„{value}“ passt auf mehrere Gebiete: {areas}. Bitte den "
                    "Gebietsschlüssel angeben.",
                    value=_shown(given),
                    areas=", ".join(f"{a.name} ({a.code})" for a in found[:5]),
                )
                continue
            code = found[0].code if found else given
        if code == root.code or code in gebiete:
            continue
        if snap.root_of.get(code) != root.code:
            wrong(
                "Das Gebiet „{value}“ liegt nicht in {root} und fehlt im Diagramm.",
                value=_shown(code),
                root=root.name,
            )
        elif len(gebiete) == MAX_EXTRA_AREAS:
            wrong(
                "Ein Diagramm zeigt höchstens {n} Gebiete; weitere wurden weggelassen.",
                n=MAX_EXTRA_AREAS + 1,
            )
            break
        else:
            gebiete.append(code)

    return (
        replace(
            empty,
            raum=root.code,
            ebene=ebene,
            zeitraum=zeitraum,
            gebiete=tuple(gebiete),
            von=von,
            bis=bis,
            periods=periods,
        ),
        tuple(messages),
    )
