"""The area profile's type: where the portal has a typology configured
(:class:`~sozialmonitor.web.typology_setting.TypologySetting`), an area of its level
is named with its type, as ``sozialmonitor stats typology`` computes it for the same
indicators, level and k — the same service function, through the read gate, kept
per data version.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.analysis.service.typology import TypologyReport, typology_level
from sozialmonitor.domain.area import Area
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.typology_setting import TypologySetting

METHOD_TEXT = (
    "Gebietstypen aus {names} ({period}): Ward-Clustering der z-Werte aller {n} "
    "Gebiete der Ebene {level} mit Werten aller Kennzahlen, {k} Typen."
)
"""How the types are made, in one sentence (translated: ``translations/en``)."""


@dataclass(frozen=True, kw_only=True)
class AreaTypeInfo:
    """An area's type in the configured typology."""

    number: int | None
    """The type (1 … k); None when the area could not be typed."""
    heading: str
    """``Typ 2 von 4``, or why there is none."""
    description: str
    """What sets the type apart (German catalogue words, as the command writes)."""
    method: str
    """Indicators, level, period and method in one sentence."""


def typology_report(
    conn: Connection, snap: Snapshot, setting: TypologySetting
) -> TypologyReport | None:
    """The configured typology at the snapshot's data version (None when the
    setting names an indicator or level the data do not have: logged, not shown)."""

    def compute() -> TypologyReport | None:
        try:
            return typology_level(
                conn,
                indicators=setting.indicators,
                level=setting.level,
                k=setting.k,
                audience=snap.audience,
            )
        except SozialmonitorError as error:
            logging.getLogger(__name__).warning(
                "The typology of the area profiles is not shown: %s", error.message
            )
            return None

    found: TypologyReport | None = snap.remember(("area-typology", setting), compute)
    return found


def area_type(
    conn: Connection,
    snap: Snapshot,
    area: Area,
    setting: TypologySetting | None,
    t: Translator,
) -> AreaTypeInfo | None:
    """The area's type, or None (no typology, or the area is of another level)."""
    if setting is None or area.level != setting.level:
        return None
    report = typology_report(conn, snap, setting)
    if report is None or area.code not in {a.code for a in report.areas}:
        return None
    typology = report.typology
    names = ", ".join(i.short_name for i in report.indicators)
    method = t(
        METHOD_TEXT,
        names=names,
        period=formatting.period_label(report.period, t.lang) if report.period else "",
        n=formatting.number(sum(len(f.areas) for f in typology.types), 0, t.lang),
        level=t(report.level.label),
        k=typology.k,
    )
    number = typology.type_of(area.code)
    if number is None:
        return AreaTypeInfo(
            number=None,
            heading=t("Nicht eingeordnet: es fehlt ein Wert einer der Kennzahlen."),
            description="",
            method=method,
        )
    found = next(f for f in typology.types if f.number == number)
    return AreaTypeInfo(
        number=number,
        heading=t("Typ {n} von {k}", n=number, k=typology.k),
        description=report.description(found),
        method=method,
    )
