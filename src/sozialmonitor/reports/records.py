"""The report elements of findings and recommendations: the
qualitative records as the report's audience may see them
(:func:`sozialmonitor.store.qualitative.read_records`, the same gate as the
pages)."""

from __future__ import annotations

from markupsafe import Markup

from sozialmonitor.domain.qualitative import QualitativeRecord, RecordKind, label
from sozialmonitor.reports.elements import Elements
from sozialmonitor.store.qualitative import RecordFilter, read_records
from sozialmonitor.web import formatting
from sozialmonitor.web.site.markdown import render_markdown


def _records(
    elements: Elements,
    kind: RecordKind,
    area: str | None,
    topic: str | None,
    within: str | None = None,
) -> list[QualitativeRecord]:
    """The records of ``kind`` linked to ``area`` (exactly), filed under ``topic``,
    and (``within``) linked to no area or to one in or below that area."""
    source = elements.source
    topic_name = next(
        (
            t.name
            for t in source.snap.topics
            if topic is not None and topic in (t.slug, t.name)
        ),
        topic,
    )
    found = read_records(
        source.conn,
        audience=source.audience,
        where=RecordFilter(kind=kind, area=area, topic=topic_name),
    )
    if within is None:
        return found
    snap = source.snap

    def inside(code: str) -> bool:
        return code == within or any(a.code == within for a in snap.ancestors(code))

    return [
        r
        for r in found
        if not r.areas or any(c in snap.areas and inside(c) for c in r.areas)
    ]


def _record_source(elements: Elements, record: QualitativeRecord) -> str:
    """``Fokusgruppe Fachkräfte Jugendhilfe, 12.03.2024, 9 Teilnehmende``."""
    t, found = elements.t, record.source
    if found is None:
        return ""
    parts = [" ".join(p for p in (t(label(found.kind)), found.group) if p)]
    if found.date is not None:
        parts.append(formatting.date(found.date, t.lang))
    if found.participants is not None:
        parts.append(
            t.plural("{n} Teilnehmende", "{n} Teilnehmende", found.participants)
        )
    return ", ".join(parts)


def findings(
    elements: Elements,
    area: str | None = None,
    topic: str | None = None,
    within: str | None = None,
) -> Markup:
    """The findings about an area or a topic (or in an area and below it), each
    with its source."""
    t = elements.t
    records = _records(elements, RecordKind.FINDING, area, topic, within)
    if not records:
        return elements.gap(t("Zu diesem Thema sind keine Ergebnisse erfasst."))
    items = Markup("").join(
        Markup(
            '<li class="record{internal}" id="{code}"><p class="record-title">'
            '<strong>{title}</strong>{mark}</p>{text}<p class="record-source">'
            "{source}</p></li>"
        ).format(
            internal=" internal" if r.internal else "",
            code=r.code,
            title=r.title,
            mark=Markup(' <span class="badge">{}</span>').format(t("intern"))
            if r.internal
            else "",
            text=render_markdown(r.text),
            source=_record_source(elements, r),
        )
        for r in records
    )
    return Markup('<ul class="report-records">{}</ul>').format(items)


def recommendations(
    elements: Elements,
    area: str | None = None,
    topic: str | None = None,
    within: str | None = None,
) -> Markup:
    """The recommendations about an area or a topic (or in an area and below it)
    as a table with their addressee, the unit in charge and their current
    status."""
    t = elements.t
    records = _records(elements, RecordKind.RECOMMENDATION, area, topic, within)
    if not records:
        return elements.gap(
            t("Zu diesem Thema sind keine Handlungsempfehlungen erfasst.")
        )
    rows = Markup("").join(
        Markup(
            '<tr id="{code}"><th scope="row">{title}{mark}</th><td>{addressee}</td>'
            "<td>{unit}</td><td>{status}</td></tr>"
        ).format(
            code=r.code,
            title=r.title,
            mark=Markup(' <span class="badge">{}</span>').format(t("intern"))
            if r.internal
            else "",
            addressee=t(label(r.addressee)) if r.addressee else "",
            unit=r.responsible_unit,
            status=t(label(r.status)) if r.status else "",
        )
        for r in records
    )
    return Markup(
        '<figure class="report-table"><div class="table-scroll" role="region" '
        'tabindex="0" aria-label="{caption}"><table><caption><span class="number">'
        "{number}:</span> {caption}</caption><thead><tr>"
        '<th scope="col">{what}</th><th scope="col">{addressee}</th>'
        '<th scope="col">{unit}</th><th scope="col">{status}</th></tr></thead>'
        "<tbody>{rows}</tbody></table></div>"
        '<p class="source-line">{source}</p></figure>'
    ).format(
        number=elements.next_number("table"),
        caption=t("Handlungsempfehlungen und ihr Stand"),
        what=t("Handlungsempfehlung"),
        addressee=t("Adressat"),
        unit=t("Zuständig"),
        status=t("Status"),
        rows=rows,
        source=t("Quelle: Handlungsempfehlungen des Sozialmonitors"),
    )
