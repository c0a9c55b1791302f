"""Words of the index computation in the page's language: why an area has no
class, and the labels of the indicators that drive a focus area's classification.

The computation writes German (``analysis.indices``: "nicht indexiert (< 300 EW)",
the definition's labels); the stored results keep it so. An English page shows the
known reasons in English (:func:`reason_text`) and each driver by its English label
(the definition's ``label_en``, else the stored indicator's English name, migration
0011). A reason a definition words itself (an excluded area's ``reason``) is data
and stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sozialmonitor.analysis.index_parts import DEFAULT_EXCLUSION_REASON, IndexIndicator
from sozialmonitor.analysis.indices import MISSING_POPULATION
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Translator

TOO_SMALL = re.compile(r"^nicht indexiert \(< ([\d.]+) EW\)$")
"""``analysis.indices.too_small``'s text (the threshold grouped the German way)."""
MISSING_VALUES = re.compile(r"^nicht indexiert \(fehlende Werte: (.+)\)$")
"""``analysis.indices._missing_values``'s text, naming the keys of the columns."""
FIXED = (MISSING_POPULATION, DEFAULT_EXCLUSION_REASON, "nicht ausgewiesen")
"""Reasons the computation or the read gate words the same every time."""


def reason_text(reason: str, t: Translator) -> str:
    """Why an area has no class, in the translator's language.

    Examples
    --------
    >>> en = Translator(lang="en")
    >>> reason_text("nicht indexiert (< 1.000 EW)", en)
    'not indexed (< 1,000 inhabitants)'
    >>> reason_text("nicht indexiert (fehlende Werte: s1, d2)", en)
    'not indexed (missing values: s1, d2)'
    >>> reason_text("Ausreißer", en), reason_text("Ausreißer", Translator(lang="de"))
    ('outlier', 'Ausreißer')
    >>> reason_text("Kaserne (keine Wohnbevölkerung)", en)
    'Kaserne (keine Wohnbevölkerung)'
    """
    if t.lang == "de" or not reason:
        return reason
    if found := TOO_SMALL.match(reason):
        threshold = int(found.group(1).replace(".", ""))
        return t(
            "nicht indexiert (< {n} EW)",
            n=formatting.number(threshold, 0, t.lang),
        )
    if found := MISSING_VALUES.match(reason):
        return t("nicht indexiert (fehlende Werte: {keys})", keys=found.group(1))
    if reason in FIXED:
        return t(reason)
    return reason


def english_names(indicators: Mapping[str, Indicator]) -> dict[str, str]:
    """Stored indicator id → its English short name (else name), where it has one."""
    return {
        key: i.short_name_en or i.name_en
        for key, i in indicators.items()
        if i.short_name_en or i.name_en
    }


def driver_label(
    indicator: IndexIndicator, t: Translator, names: Mapping[str, str]
) -> str:
    """The label of an index indicator in the translator's language: in English
    the definition's ``label_en``, else the English name of the stored indicator it
    reads (``names``: id → English name), else its German label.

    Examples
    --------
    >>> from sozialmonitor.analysis.index_parts import IndexIndicator
    >>> s1 = IndexIndicator(key="s1", label="S1 Arbeitslosigkeit", indicator="u")
    >>> en = Translator(lang="en")
    >>> driver_label(s1, en, {"u": "Unemployment share"})
    'Unemployment share'
    >>> driver_label(s1, en, {}), driver_label(s1, Translator(lang="de"), {})
    ('S1 Arbeitslosigkeit', 'S1 Arbeitslosigkeit')
    """
    if t.lang == "de":
        return indicator.label
    if indicator.label_en:
        return indicator.label_en
    name = names.get(indicator.source)
    if name is None:
        return indicator.label
    return name if indicator.indicator else t("Veränderung: {name}", name=name)
