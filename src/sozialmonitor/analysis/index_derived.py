"""An index's results as derived indicators in a draft release.

``compute_and_store`` reads the inputs as of the draft (``index_inputs``), computes
the index and stores the results as derived indicators of kind ``index``
(``<id>.status_index``, ``<id>.status_class``, ``<id>.z_<key>`` …) in the draft.
The definition travels with them: its full YAML text and SHA-256 are in each derived
indicator's ``definition``, and the note of every stored value names the definition's
SHA-256, so a published class can be traced to the exact definition that produced it
even after the definition changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine

from sozialmonitor.analysis.index_categories import APPENDIX_MARK
from sozialmonitor.analysis.index_definition import (
    IndexDefinition,
    IndexDimension,
    IndexIndicator,
)
from sozialmonitor.analysis.index_inputs import read_and_compute
from sozialmonitor.analysis.index_result import IndexResult
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import (
    Indicator,
    IndicatorKind,
    Polarity,
    Visibility,
)
from sozialmonitor.domain.release import Release
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    save_indicators,
    store_observations,
)

DIGEST_SHOWN = 12
"""Hex digits of the definition's SHA-256 written into each value's note."""


@dataclass(frozen=True, kw_only=True)
class DerivedColumn:
    """One derived indicator and the result column it stores."""

    indicator: Indicator
    column: str
    """Column of ``IndexResult.areas``."""
    note_column: str | None = None
    """Column whose text goes into each value's note (class labels)."""


ENGLISH_UNITS = {"z-Wert": "z-score", "Index": "index", "Klasse": "class"}
"""The units of derived indicators in English."""


@dataclass(frozen=True, kw_only=True)
class Text:
    """A derived indicator's name and explanation in German and, where the
    definition has the English texts of its parts, in English ("" otherwise)."""

    name: str
    explain: str
    name_en: str = ""
    explain_en: str = ""


def english(*parts: str) -> bool:
    """Whether every English part a text is made of is given."""
    return all(parts)


def derived_columns(
    definition: IndexDefinition, sources: dict[str, Indicator] | None = None
) -> list[DerivedColumn]:
    """The derived indicators an index stores, with the result columns they hold.

    Ids are ``<index id>.<what>``: ``mss.status_index``, ``mss.status_class``,
    ``mss.z_s1`` …; the dot keeps them apart from stored indicators such as the
    officially published ``mss_status_index``. Their English texts (``name_en`` …
    ``definition_en``) are written from the definition's English texts (``name_en``,
    ``description_en``, ``topic_en``, each dimension's ``name_en`` and each
    indicator's ``label_en``); a text whose English parts are missing stays German
    only, and the English pages say so.
    """
    sources = sources or {}
    public = all(s.visibility is Visibility.PUBLIC for s in sources.values())
    licences = sorted({s.licence for s in sources.values() if s.licence})
    inputs = ", ".join(definition.source_indicators)
    trace = (
        f"Berechnet von Sozialmonitor nach der Indexdefinition '{definition.id}' "
        f"(SHA-256 {definition.digest}); Eingangsindikatoren: {inputs}."
        f"{APPENDIX_MARK}{definition.text}"
    )
    trace_en = (
        f"Computed by Sozialmonitor from the index definition '{definition.id}' "
        f"(SHA-256 {definition.digest}); input indicators: {inputs}."
    )

    def make(suffix: str, text: Text, unit: str, **extra: object) -> Indicator:
        name_en = (
            f"{text.name_en} ({definition.name_en})"
            if english(text.name_en, definition.name_en)
            else ""
        )
        data: dict[str, object] = {
            "id": f"{definition.id}.{suffix}",
            "name": f"{text.name} ({definition.name})",
            "short_name": text.name,
            "unit": unit,
            "topic": definition.topic,
            "definition": "\n\n".join(
                part for part in (text.explain, definition.description, trace) if part
            ),
            "name_en": name_en,
            "short_name_en": text.name_en if name_en else "",
            "unit_en": ENGLISH_UNITS[unit],
            "topic_en": definition.topic_en,
            "definition_en": "\n\n".join(
                (text.explain_en, definition.description_en, trace_en)
            )
            if english(text.explain_en, definition.description_en)
            else "",
            "kind": IndicatorKind.INDEX,
            "multiplier": 1.0,
            "decimals": 2,
            "polarity": Polarity.HIGHER_IS_WORSE,
            "source": f"Sozialmonitor, Index '{definition.id}'; Methode: "
            f"{definition.source or definition.name}",
            "licence": "; ".join(licences),
            "visibility": Visibility.PUBLIC if public else Visibility.INTERNAL,
            "keywords": ("Sozialindex", definition.id),
        }
        data.update(extra)
        return Indicator.model_validate(data)

    found: list[DerivedColumn] = []
    for dim_name, dim in definition.dimensions.items():
        for ind in dim.indicators:
            found.append(
                DerivedColumn(
                    indicator=make(f"z_{ind.key}", _z_text(definition, ind), "z-Wert"),
                    column=f"z_{ind.key}",
                )
            )
        labels = ", ".join(i.label for i in dim.indicators)
        labels_en = ", ".join(i.label_en for i in dim.indicators)
        all_en = english(dim.name_en, *(i.label_en for i in dim.indicators))
        found.append(
            DerivedColumn(
                indicator=make(
                    f"{dim_name}_sum",
                    Text(
                        name=f"{dim.name}: Summe",
                        explain=f"{definition.aggregation} der gewichteten "
                        f"z-Werte: {labels}.",
                        name_en=f"{dim.name_en}: sum" if all_en else "",
                        explain_en=f"{definition.aggregation} of the weighted "
                        f"z-scores: {labels_en}."
                        if all_en
                        else "",
                    ),
                    "z-Wert",
                ),
                column=f"{dim_name}_sum",
            )
        )
        again = definition.standardise_index
        found.append(
            DerivedColumn(
                indicator=make(
                    f"{dim_name}_index",
                    Text(
                        name=dim.name,
                        explain=f"{dim.name}: "
                        + (
                            "die Summe erneut standardisiert."
                            if again
                            else "die Summe selbst."
                        ),
                        name_en=dim.name_en,
                        explain_en=f"{dim.name_en}: "
                        + (
                            "the sum, standardised again."
                            if again
                            else "the sum itself."
                        )
                        if dim.name_en
                        else "",
                    ),
                    "Index",
                ),
                column=f"{dim_name}_index",
            )
        )
        found.append(
            DerivedColumn(
                indicator=make(
                    f"{dim_name}_class",
                    Text(
                        name=f"{dim.name}: Klasse",
                        explain=f"Klasse des {dim.name}: {_bounds(dim, 'de')}. Die "
                        "Anmerkung nennt die Klasse in Worten.",
                        name_en=f"{dim.name_en}: class" if dim.name_en else "",
                        explain_en=f"Class of the {dim.name_en}: "
                        f"{_bounds(dim, 'en')}. The note names the class in words "
                        "(the official German label)."
                        if dim.name_en
                        else "",
                    ),
                    "Klasse",
                    decimals=0,
                ),
                column=f"{dim_name}_class",
                note_column=f"{dim_name}_label",
            )
        )
    if definition.combined is not None:
        combined = definition.combined
        found.append(
            DerivedColumn(
                indicator=make(
                    "cell",
                    Text(
                        name=combined.name,
                        explain=f"Feld der Matrix aus Status- und Dynamikklasse als "
                        f"Zahl ({combined.code}); die Anmerkung nennt das Feld "
                        f"({combined.cell}) in Worten.",
                        name_en=combined.name_en,
                        explain_en=f"Cell of the matrix of status and dynamics class "
                        f"as a number ({combined.code}); the note names the cell "
                        f"({combined.cell}) in words (the official German label)."
                        if combined.name_en
                        else "",
                    ),
                    "Klasse",
                    decimals=0,
                    polarity=Polarity.NEUTRAL,
                ),
                column="cell_code",
                note_column="cell_note",
            )
        )
    return found


def _z_text(definition: IndexDefinition, ind: IndexIndicator) -> Text:
    """Name and explanation of an index indicator's z-score."""
    if ind.change_of:
        origin = (
            f"Veränderung von {ind.change_of} über {ind.periods} Zeitraum/Zeiträume"
        )
        origin_en = f"the change of {ind.change_of} over {ind.periods} period(s)"
    else:
        origin = f"Indikator {ind.indicator}"
        origin_en = f"indicator {ind.indicator}"
    return Text(
        name=f"z-Wert {ind.label}",
        explain=f"Standardisierter Wert ({definition.standardisation}) von {origin}, "
        f"Gewicht {ind.weight:g}, {ind.polarity.value}.",
        name_en=f"z-score {ind.label_en}" if ind.label_en else "",
        explain_en=f"Standardised value ({definition.standardisation}) of "
        f"{origin_en}, weight {ind.weight:g}, {ind.polarity.value}."
        if ind.label_en
        else "",
    )


def _bounds(dim: IndexDimension, lang: str) -> str:
    """``1 = hoch (< -1); 2 = mittel (≤ 1); …``: a dimension's classes with their
    bounds, as the portal writes numbers in ``lang`` (the labels are official)."""

    def number(value: float) -> str:
        written = f"{value:g}"
        return written.replace(".", ",") if lang == "de" else written

    rest = " (übrige)" if lang == "de" else " (the rest)"
    return "; ".join(
        f"{c.code} = {c.label}"
        + (
            f" (< {number(c.below)})"
            if c.below is not None
            else f" (≤ {number(c.up_to)})"
            if c.up_to is not None
            else rest
        )
        for c in dim.classes
    )


def result_frame(
    conn: Connection, result: IndexResult, columns: list[DerivedColumn]
) -> pd.DataFrame:
    """Rows for ``store_observations``: every area of the level in every derived
    indicator; areas left out have no value and the reason as note."""
    areas = result.areas.copy()
    if "cell" in areas:
        areas["cell_note"] = [
            f"{c} ({label})" if c else ""
            for c, label in zip(areas["cell"], areas["cell_label"], strict=True)
        ]
    definition = result.definition
    trace = (
        f"Indexdefinition {definition.id} (SHA-256 {definition.digest[:DIGEST_SHOWN]})"
    )
    area_ids = {code: queries.area_id(conn, code) for code in areas.index}
    rows = []
    for derived in columns:
        ind_id = queries.indicator_id(conn, derived.indicator.id)
        for code, row in areas.iterrows():
            value = row[derived.column] if row["included"] else None
            if value is not None and pd.isna(value):
                value = None
            if not row["included"]:
                text = str(row["reason"])
            elif derived.note_column:
                text = str(row[derived.note_column])
            else:
                text = ""
            rows.append(
                {
                    "indicator_id": ind_id,
                    "area_id": area_ids[str(code)],
                    "period": result.period,
                    "value": None if value is None else float(value),
                    "numerator": None,
                    "denominator": None,
                    "flags": 0,
                    "note": f"{text} · {trace}" if text else trace,
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True, kw_only=True)
class StoredIndex:
    """What ``compute_and_store`` did."""

    result: IndexResult
    release: Release
    indicators: tuple[str, ...]
    """Ids of the derived indicators."""
    rows_written: int


def store_index(
    conn: Connection,
    result: IndexResult,
    release: Release,
    sources: dict[str, Indicator] | None = None,
) -> StoredIndex:
    """Store a computed index as derived indicators in an editable release."""
    columns = derived_columns(result.definition, sources)
    save_indicators(conn, [c.indicator for c in columns])
    written = store_observations(conn, release, result_frame(conn, result, columns))
    return StoredIndex(
        result=result,
        release=release,
        indicators=tuple(c.indicator.id for c in columns),
        rows_written=written,
    )


def compute_and_store(
    engine: Engine,
    definition: IndexDefinition,
    *,
    period: str | None = None,
    release: str | None = None,
) -> StoredIndex:
    """Compute an index from the data as of the draft ``release`` (published values
    plus the draft's own) and store it there, in one transaction.

    When every input indicator is public, so are the derived indicators: then the
    cells hidden from the public are left out as gaps (those the stored patterns of
    the published releases hide, and those the draft's publication will hide), so
    that no published z-score, sum or class is derived from them.

    ``release`` is created as a draft if new; default: the newest draft, else a new
    one (as for imports).
    """
    with engine.begin() as conn:
        draft = draft_release(conn, release)
        sources = queries.visible_indicators(
            conn, Audience.INTERNAL, definition.source_indicators
        )
        # Derived from public inputs only, the results are public indicators: then
        # they are computed from the cells the public may see (issue 11).
        public = all(s.visibility is Visibility.PUBLIC for s in sources.values())
        result, inputs = read_and_compute(
            conn,
            definition,
            period=period,
            as_of=draft.name,
            audience=Audience.INTERNAL,
            public_cells=public,
        )
        return store_index(conn, result, draft, inputs.sources)
