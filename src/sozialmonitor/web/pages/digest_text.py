"""The digest's statements in plain words (German, or English with ``?lang=en``).

Every sentence is made from the statement's own fields: its area, indicator,
periods and values, formatted as the portal formats them. Nothing else goes in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sozialmonitor.analysis.digest_statement import Statement, StatementKind
from sozialmonitor.analysis.index_categories import stored_definition
from sozialmonitor.domain.area import AreaLevel
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.web import formatting
from sozialmonitor.web.catalogue_text import catalogue_text, english_or_german
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.reading import in_area
from sozialmonitor.web.urls import href

KIND_TITLES: dict[StatementKind, str] = {
    StatementKind.CHANGE: "Signifikante Veränderungen gegenüber der Vorperiode",
    StatementKind.DIFFERENCE: "Veränderungen von Anzahlen gegenüber der Vorperiode "
    "(ohne Signifikanztest)",
    StatementKind.REVISION: "Berichtigte Werte gegenüber dem vorigen Datenstand",
    StatementKind.FOCUS: "Neue und nicht mehr bestehende Fokusgebiete",
    StatementKind.TREND_REVERSAL: "Trendwenden",
    StatementKind.HOT_SPOT: "Neue Hot Spots",
    StatementKind.OUTLIER: "Werte außerhalb des üblichen Bereichs",
}
TESTS: dict[str, str] = {
    "two_proportions_z": "Vergleich zweier Anteile (z-Test)",
    "poisson_conditional_exact": "Vergleich zweier Fallzahlen (Poisson-Test)",
    "difference": "Differenz, ohne Signifikanztest",
    "mann_kendall": "Mann-Kendall-Test",
    "local_moran": "lokaler Moran-Test (LISA)",
    "tukey_fences": "Tukey-Zäune (1,5 × Interquartilsabstand)",
}
P_FLOOR = 0.001


@dataclass(frozen=True, kw_only=True)
class Wording:
    """What the sentences need besides the statement: the indicators (for names,
    units and decimals) and the level labels."""

    indicators: Mapping[str, Indicator]
    levels: Mapping[str, str]
    """Level code → German label."""
    index_names: Mapping[str, tuple[str, str]]
    """Index id → (German name, English name)."""


def wording_of(indicators: Iterable[Indicator], levels: Iterable[AreaLevel]) -> Wording:
    """The wording of the catalogue the reader sees."""
    found = tuple(indicators)
    names = {}
    for indicator in found:
        definition = stored_definition(indicator)
        if definition is not None:
            names[definition.id] = (definition.name, definition.name_en)
    return Wording(
        indicators={i.id: i for i in found},
        levels={level.code: level.label for level in levels},
        index_names=names,
    )


def statement_url(statement: Statement, lang: Language) -> str:
    """The view the statement links to, in ``lang``."""
    return href(statement.link.path, lang, **dict(statement.link.params))


def figures_text(statement: Statement, t: Translator) -> str:
    """The test and its numbers: ``Mann-Kendall-Test · z = 2,10 · p = 0,036``."""
    f, lang = statement.figures, t.lang
    parts = [t(TESTS[f.test])] if f.test else []
    if f.statistic is not None and f.test != "local_moran":
        parts.append(f"z = {formatting.number(f.statistic, 2, lang)}")
    if f.statistic is not None and f.test == "local_moran":
        parts.append(f"I = {formatting.number(f.statistic, 2, lang)}")
    if f.p_value is not None:
        parts.append(p_text(f.p_value, lang))
    return " · ".join(parts)


def p_text(p: float, lang: Language) -> str:
    """``p < 0,001`` or ``p = 0,012``."""
    if p < P_FLOOR:
        return f"p < {formatting.number(P_FLOOR, 3, lang)}"
    return f"p = {formatting.number(p, 3, lang)}"


def sentence(statement: Statement, wording: Wording, t: Translator) -> str:
    """The statement in plain words."""
    return _SENTENCES[statement.kind](statement, wording, t)


def _common(s: Statement, w: Wording, t: Translator) -> dict[str, str]:
    f, lang = s.figures, t.lang
    indicator = w.indicators.get(s.indicator)
    name = (
        catalogue_text(indicator, "name", lang).text if indicator else s.indicator_name
    )
    area = s.areas[0].name if s.areas else ""
    found: dict[str, str] = {
        "area": area,
        "in_area": capitalised(in_area(area, lang)),
        "name": f"„{name}“" if lang == "de" else f"“{name}”",
        "period": formatting.period_label(f.period, lang),
        "base_period": formatting.period_label(f.base_period, lang)
        if f.base_period
        else "",
    }
    if indicator is not None:
        for key in ("value", "base_value", "lower", "upper"):
            number = getattr(f, key)
            found[key] = (
                formatting.with_unit(number, indicator, lang)
                if number is not None
                else ""
            )
    return found


def _change(s: Statement, w: Wording, t: Translator) -> str:
    text = (
        "{in_area} ist {name} von {base_period} auf {period} signifikant gestiegen: "
        "von {base_value} auf {value}."
        if s.direction == "up"
        else "{in_area} ist {name} von {base_period} auf {period} signifikant "
        "gesunken: von {base_value} auf {value}."
    )
    return t(text, **_common(s, w, t))


def _difference(s: Statement, w: Wording, t: Translator) -> str:
    values = _common(s, w, t)
    indicator = w.indicators.get(s.indicator)
    f = s.figures
    if indicator is not None and f.value is not None and f.base_value is not None:
        values["difference"] = formatting.with_unit(
            abs(f.value - f.base_value), indicator, t.lang
        )
    else:
        values["difference"] = ""
    text = (
        "{in_area} ist {name} von {base_period} auf {period} um {difference} "
        "gestiegen: von {base_value} auf {value}."
        if s.direction == "up"
        else "{in_area} ist {name} von {base_period} auf {period} um {difference} "
        "gesunken: von {base_value} auf {value}."
    )
    return t(text, **values)


def capitalised(phrase: str) -> str:
    """A phrase at the start of a sentence: ``im Landkreis Gießen`` → ``Im …``."""
    return phrase[:1].upper() + phrase[1:]


def _revision(s: Statement, w: Wording, t: Translator) -> str:
    return t(
        "{in_area} wurde {name} für {period} berichtigt: jetzt {value}, im "
        "Datenstand {base_release} {base_value}.",
        base_release=s.figures.base_release or "",
        **_common(s, w, t),
    )


def _focus(s: Statement, w: Wording, t: Translator) -> str:
    f = s.figures
    german, english = w.index_names.get(f.index or "", (f.index_name or "", ""))
    values = _common(s, w, t)
    values["index"] = english_or_german(german, english, t.lang).text
    values["reasons"] = ", ".join(t(r) for r in f.reasons)
    if s.direction == "into":
        return t(
            "{area} ist im {index} für {period} ein Fokusgebiet ({reasons}); für "
            "{base_period} war es keines.",
            **values,
        )
    return t(
        "{area} ist im {index} für {period} kein Fokusgebiet mehr; für "
        "{base_period} war es eines ({reasons}).",
        **values,
    )


def _reversal(s: Statement, w: Wording, t: Translator) -> str:
    values = _common(s, w, t)
    values["first_period"] = formatting.period_label(
        s.figures.first_period or "", t.lang
    )
    now = s.figures.reasons[0] if s.figures.reasons else ""
    was_up = s.direction == "up"
    if now in ("increasing", "decreasing"):  # the opposite direction now
        text = (
            "{in_area} stieg {name} von {first_period} bis {base_period} "
            "signifikant; mit {period} ({value}) fällt die Reihe nun signifikant."
            if was_up
            else "{in_area} fiel {name} von {first_period} bis {base_period} "
            "signifikant; mit {period} ({value}) steigt die Reihe nun signifikant."
        )
    else:
        text = (
            "{in_area} stieg {name} von {first_period} bis {base_period} "
            "signifikant; mit {period} ({value}) ist der Anstieg nicht mehr "
            "signifikant."
            if was_up
            else "{in_area} fiel {name} von {first_period} bis {base_period} "
            "signifikant; mit {period} ({value}) ist der Rückgang nicht mehr "
            "signifikant."
        )
    return t(text, **values)


def _hot_spot(s: Statement, w: Wording, t: Translator) -> str:
    return t(
        "{area} gehört bei {name} für {period} ({value}) zu einem Hot Spot "
        "(hoch-hoch: ein hoher Wert unter Nachbarn mit hohen Werten); für "
        "{base_period} nicht.",
        **_common(s, w, t),
    )


def _outlier(s: Statement, w: Wording, t: Translator) -> str:
    values = _common(s, w, t)
    level = w.levels.get(s.figures.level or "", s.figures.level or "")
    values["level"] = t(level)
    text = (
        "{in_area} liegt {name} für {period} mit {value} über dem üblichen Bereich "
        "der Raumebene {level} (obere Grenze {upper})."
        if s.direction == "above"
        else "{in_area} liegt {name} für {period} mit {value} unter dem üblichen "
        "Bereich der Raumebene {level} (untere Grenze {lower})."
    )
    return t(text, **values)


_SENTENCES: dict[StatementKind, Callable[[Statement, Wording, Translator], str]] = {
    StatementKind.CHANGE: _change,
    StatementKind.DIFFERENCE: _difference,
    StatementKind.REVISION: _revision,
    StatementKind.FOCUS: _focus,
    StatementKind.TREND_REVERSAL: _reversal,
    StatementKind.HOT_SPOT: _hot_spot,
    StatementKind.OUTLIER: _outlier,
}
