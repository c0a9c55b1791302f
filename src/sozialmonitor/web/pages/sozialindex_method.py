"""The method of an index in plain words, written from its definition.

Nothing here is hand-written per index: indicators, weights, standardisation,
aggregation, class bounds, the combined matrix, the focus rule and who is left out
all come from the definition the stored results carry, so the text cannot drift
from what was computed.
"""

from __future__ import annotations

from sozialmonitor.analysis.index_categories import DIMENSION_WORDS, dimension_label
from sozialmonitor.analysis.index_definition import IndexDefinition
from sozialmonitor.analysis.index_parts import (
    IndexDimension,
    IndexIndicator,
    class_label,
)
from sozialmonitor.domain.indicator import Polarity
from sozialmonitor.web import formatting
from sozialmonitor.web.catalogue_text import record_text
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.pages.sozialindex_words import driver_label, reason_text


def _bound(value: float, t: Translator) -> str:
    return formatting.number(value, 1, t.lang)


def _indicator(ind: IndexIndicator, t: Translator) -> str:
    if ind.change_of:
        origin = t(
            "Veränderung von {indicator} über {n} Zeiträume",
            indicator=ind.change_of,
            n=ind.periods,
        )
    else:
        origin = t("Kennzahl {indicator}", indicator=ind.indicator)
    text = t(
        "{label} ({origin}, Gewicht {weight})",
        label=driver_label(ind, t, {}),
        origin=origin,
        weight=formatting.number(
            ind.weight, 0 if ind.weight.is_integer() else 2, t.lang
        ),
    )
    if ind.polarity is Polarity.HIGHER_IS_BETTER:
        text += " " + t("(ein hoher Wert ist günstig: sein z-Wert zählt umgekehrt)")
    return text


def class_bounds(dim: IndexDimension, t: Translator) -> str:
    """``hoch: unter −1,0; mittel: −1,0 bis 1,0; niedrig: über 1,0 bis 1,5; …``.

    A class declared with ``below`` ends before its bound (the next one starts at
    it); one declared with ``up_to`` includes it (the next one starts above it).
    """
    parts = []
    lower: float | None = None
    starts_above = False
    for cls in dim.classes:
        label = class_label(cls, t.lang)
        low = _bound(lower, t) if lower is not None else ""
        if cls.bound is None:
            parts.append(
                t("{label}: über {low}", label=label, low=low)
                if starts_above
                else t("{label}: ab {low}", label=label, low=low)
            )
            continue
        high = _bound(cls.bound, t)
        below = cls.below is not None
        if lower is None:
            text = (
                t("{label}: unter {high}", label=label, high=high)
                if below
                else t("{label}: bis {high}", label=label, high=high)
            )
        elif starts_above:
            text = (
                t(
                    "{label}: über {low} bis unter {high}",
                    label=label,
                    low=low,
                    high=high,
                )
                if below
                else t(
                    "{label}: über {low} bis {high}",
                    label=label,
                    low=low,
                    high=high,
                )
            )
        else:
            text = (
                t(
                    "{label}: {low} bis unter {high}",
                    label=label,
                    low=low,
                    high=high,
                )
                if below
                else t("{label}: {low} bis {high}", label=label, low=low, high=high)
            )
        parts.append(text)
        lower, starts_above = cls.bound, not below
    return "; ".join(parts)


def method_paragraphs(
    d: IndexDefinition, t: Translator, level_label: str, period: str
) -> tuple[str, ...]:
    """The method of ``d`` as paragraphs of plain text, for the results of
    ``period`` (the page's period, not the definition's reference period: the index
    is computed for each period with the same rules)."""
    found = [
        t(
            "Der Index wird für die Gebiete der Raumebene {level} zum Stichtag "
            "{period} berechnet.",
            level=level_label,
            period=formatting.period_label(period, t.lang),
        )
    ]
    for dim in d.dimensions.values():
        found.append(
            t(
                "{name}: {indicators}.",
                name=record_text(dim, "name", t.lang).text,
                indicators="; ".join(_indicator(i, t) for i in dim.indicators),
            )
        )
    standardisation = (
        t(
            "Jede Kennzahl wird standardisiert (z-Wert): ihre Abweichung vom "
            "Mittelwert der indexierten Gebiete, geteilt durch deren "
            "Standardabweichung; jedes Gebiet zählt gleich."
        )
        if d.standardisation == "zscore"
        else t(
            "Jede Kennzahl wird standardisiert (z-Wert): ihre Abweichung vom nach "
            "Einwohnerzahl gewichteten Mittelwert der indexierten Gebiete, geteilt "
            "durch die gewichtete Standardabweichung."
        )
    )
    aggregation = (
        t("Die gewichteten z-Werte einer Dimension werden addiert")
        if d.aggregation == "sum"
        else t(
            "Von den gewichteten z-Werten einer Dimension wird der Mittelwert gebildet"
        )
    )
    aggregation += (
        t("; diese Summe wird noch einmal standardisiert und ist der Index.")
        if d.standardise_index
        else t("; das ist der Index.")
    )
    found.append(f"{standardisation} {aggregation}")
    found.append(
        t(
            "Höhere Indexwerte bedeuten einen niedrigeren Status beziehungsweise eine "
            "ungünstigere Entwicklung."
        )
    )
    for dim_name, dim in d.dimensions.items():
        found.append(
            t(
                "Klassen des {name} ({word}): {bounds}.",
                name=record_text(dim, "name", t.lang).text,
                word=DIMENSION_WORDS[t.lang][dim_name],
                bounds=class_bounds(dim, t),
            )
        )
    if d.combined is not None and d.dynamics is not None:
        example = d.combined.render(
            d.status.classes[1], d.dynamics.classes[-1], lang=t.lang
        )
        found.append(
            t(
                "{name}: Status- und Dynamikklasse zusammen ergeben {n} Felder, "
                "z. B. {cell} = {label}.",
                name=record_text(d.combined, "name", t.lang).text,
                n=len(d.status.classes) * len(d.dynamics.classes),
                cell=example[0],
                label=example[2],
            )
        )
    reasons = [
        t(" oder ").join(
            dimension_label(dim_name, dim.find_class(code), t.lang)
            for code in d.focus_classes(dim_name)
        )
        for dim_name, dim in d.dimensions.items()
        if d.focus_classes(dim_name)
    ]
    found.append(
        t(
            "Gebiete mit besonderem Aufmerksamkeitsbedarf sind die Gebiete mit "
            "{reasons}. Zu jedem werden die {n} Kennzahlen mit den größten positiven "
            "z-Werten genannt: sie treiben die Einstufung.",
            reasons=t(" oder ").join(reasons),
            n=d.focus.drivers,
        )
    )
    left_out = []
    if d.min_population:
        left_out.append(
            t(
                "Gebiete mit weniger als {n} Einwohnerinnen und Einwohnern (Kennzahl "
                "{indicator}) werden nicht indexiert, weil ihre Anteile auf zu "
                "wenigen Personen beruhen",
                n=formatting.number(d.min_population, 0, t.lang),
                indicator=d.population,
            )
        )
    for area in d.excluded_areas:
        left_out.append(
            t(
                "{name} ({code}) ist ausgenommen: {reason}",
                name=area.name or area.code,
                code=area.code,
                reason=reason_text(area.reason, t),
            )
        )
    left_out.append(t("Gebiete ohne Wert einer der Kennzahlen bleiben ohne Klasse"))
    found.append("; ".join(left_out) + ".")
    if d.source:
        found.append(t("Methode: {source}.", source=d.source.rstrip(".")))
    return tuple(found)
