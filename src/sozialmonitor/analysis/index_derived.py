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

from sozialmonitor.analysis.index_definition import IndexDefinition
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


def derived_columns(
    definition: IndexDefinition, sources: dict[str, Indicator] | None = None
) -> list[DerivedColumn]:
    """The derived indicators an index stores, with the result columns they hold.

    Ids are ``<index id>.<what>``: ``mss.status_index``, ``mss.status_class``,
    ``mss.z_s1`` …; the dot keeps them apart from stored indicators such as the
    officially published ``mss_status_index``.
    """
    sources = sources or {}
    public = all(s.visibility is Visibility.PUBLIC for s in sources.values())
    licences = sorted({s.licence for s in sources.values() if s.licence})
    trace = (
        f"Berechnet von Sozialmonitor nach der Indexdefinition '{definition.id}' "
        f"(SHA-256 {definition.digest}); Eingangsindikatoren: "
        f"{', '.join(definition.source_indicators)}.\n\n"
        f"Indexdefinition:\n\n{definition.text}"
    )

    def make(
        suffix: str, name: str, unit: str, explain: str, **extra: object
    ) -> Indicator:
        data: dict[str, object] = {
            "id": f"{definition.id}.{suffix}",
            "name": f"{name} ({definition.name})",
            "short_name": name,
            "unit": unit,
            "topic": definition.topic,
            "definition": "\n\n".join(
                part for part in (explain, definition.description, trace) if part
            ),
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
            origin = (
                f"Veränderung von {ind.change_of} über {ind.periods} Zeitraum/Zeiträume"
                if ind.change_of
                else f"Indikator {ind.indicator}"
            )
            found.append(
                DerivedColumn(
                    indicator=make(
                        f"z_{ind.key}",
                        f"z-Wert {ind.label}",
                        "z-Wert",
                        f"Standardisierter Wert ({definition.standardisation}) von "
                        f"{origin}, Gewicht {ind.weight:g}, {ind.polarity.value}.",
                    ),
                    column=f"z_{ind.key}",
                )
            )
        found.append(
            DerivedColumn(
                indicator=make(
                    f"{dim_name}_sum",
                    f"{dim.name}: Summe",
                    "z-Wert",
                    f"{definition.aggregation} der gewichteten z-Werte: "
                    + ", ".join(i.label for i in dim.indicators)
                    + ".",
                ),
                column=f"{dim_name}_sum",
            )
        )
        found.append(
            DerivedColumn(
                indicator=make(
                    f"{dim_name}_index",
                    dim.name,
                    "Index",
                    f"{dim.name}: "
                    + (
                        "die Summe erneut standardisiert."
                        if definition.standardise_index
                        else "die Summe selbst."
                    ),
                ),
                column=f"{dim_name}_index",
            )
        )
        bounds = "; ".join(
            f"{c.code} = {c.label}"
            + (
                f" (< {_german(c.below)})"
                if c.below is not None
                else f" (≤ {_german(c.up_to)})"
                if c.up_to is not None
                else " (übrige)"
            )
            for c in dim.classes
        )
        found.append(
            DerivedColumn(
                indicator=make(
                    f"{dim_name}_class",
                    f"{dim.name}: Klasse",
                    "Klasse",
                    f"Klasse des {dim.name}: {bounds}. Die Anmerkung nennt die "
                    "Klasse in Worten.",
                    decimals=0,
                ),
                column=f"{dim_name}_class",
                note_column=f"{dim_name}_label",
            )
        )
    if definition.combined is not None:
        found.append(
            DerivedColumn(
                indicator=make(
                    "cell",
                    definition.combined.name,
                    "Klasse",
                    f"Feld der Matrix aus Status- und Dynamikklasse als Zahl "
                    f"({definition.combined.code}); die Anmerkung nennt das Feld "
                    f"({definition.combined.cell}) in Worten.",
                    decimals=0,
                    polarity=Polarity.NEUTRAL,
                ),
                column="cell_code",
                note_column="cell_note",
            )
        )
    return found


def _german(number: float) -> str:
    """``-1,5`` for -1.5: a bound as the portal writes it."""
    return f"{number:g}".replace(".", ",")


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
