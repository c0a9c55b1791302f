"""The report elements of the Sozialindex: an area's position in each stored
index, and an index's map with its focus areas, from the results stored in the
report's release (:func:`sozialmonitor.web.pages.sozialindex_data.read_results`
with ``as_of``)."""

from __future__ import annotations

from markupsafe import Markup

from sozialmonitor.reports.elements import Elements, image
from sozialmonitor.store import queries
from sozialmonitor.web import formatting
from sozialmonitor.web.pages import sozialindex_data as results
from sozialmonitor.web.pages.sozialindex_map import linked_map, map_categories


def _source(elements: Elements) -> str:
    return elements.t(
        "Quelle: Sozialmonitor, Sozialindex · Datenstand: {release}",
        release=elements.release,
    )


def index_position(elements: Elements, code: str) -> Markup:
    """Where the area stands in each stored Sozialindex of its level, from the
    values of the report's release."""
    source, t = elements.source, elements.t
    snap = source.snap
    area = snap.area(code)
    found = results.area_positions(
        snap, area, source.values([code])[code], lambda _i, _p: "", source.lang
    )
    if not found:
        return elements.gap(
            t(
                "{area} ist im Datenstand {release} in keinem Sozialindex ausgewiesen.",
                area=area.name,
                release=elements.release,
            )
        )
    items = Markup("").join(
        Markup("<li>{name} {period}: {cell}{text}</li>").format(
            name=p.name.text,
            period=formatting.period_label(p.period, source.lang),
            cell=f"{p.cell} – " if p.cell else "",
            text=t(p.text),
        )
        for p in found
    )
    return Markup(
        '<div class="report-index"><ul>{}</ul><p class="source-line">{}</p></div>'
    ).format(items, _source(elements))


def index_maps(elements: Elements, code: str) -> Markup:
    """Each stored index of the area's top-level area: its map of the newest
    period the release has, the areas per class and the focus areas with the
    indicators that drive them."""
    source, t = elements.source, elements.t
    snap = source.snap
    root = snap.root_of.get(code, code)
    parts = []
    for stored in results.stored_indices(snap).values():
        if stored.scope.root.code != root:
            continue
        d = stored.definition
        found = None
        for period in reversed(stored.periods):
            candidate = results.read_results(
                source.conn, snap, stored, period, as_of=elements.release
            )
            if candidate.included.any():
                found = candidate
                break
        if found is None:
            continue
        name = results.results_name(d, source.lang).text
        caption = t(
            "{index} {period}",
            index=name,
            period=formatting.period_label(found.period, source.lang),
        )
        shapes = {
            a.code: a.geometry
            for a in queries.list_areas(source.conn, level=d.level, with_geometry=True)
        }
        svg = linked_map(
            stored,
            found,
            shapes,
            caption,
            f"report-index:{snap.token}:{d.id}",
            source.lang,
        )
        drawn = found.cell if d.dynamics is not None else found.status_class
        counts = {c: int((drawn == c).sum()) for c in {int(v) for v in drawn if v == v}}
        legend = Markup("").join(
            Markup(
                '<li><svg class="swatch" width="16" height="16" aria-hidden="true">'
                '<rect width="16" height="16" fill="{}" stroke="#767676"/></svg>'
                "{} {}: {}</li>"
            ).format(
                c.colour,
                c.symbol,
                c.label,
                t.plural("{n} Gebiet", "{n} Gebiete", counts.get(c.code, 0)),
            )
            for c in map_categories(d)
        )
        content = Markup('<div class="report-map">{}<ul>{}</ul></div>').format(
            image(svg, caption, "report-map-image"), legend
        )
        parts.append(elements.figure(content, caption, [], _source(elements)))
        parts.append(_focus_table(elements, found, name))
    if not parts:
        return elements.gap(
            t(
                "Der Datenstand {release} enthält keinen Sozialindex für {area}.",
                release=elements.release,
                area=snap.area(root).name,
            )
        )
    return Markup("").join(parts)


def _focus_table(elements: Elements, found: results.PeriodResults, name: str) -> Markup:
    t = elements.t
    if not found.focus:
        return elements.gap(t("Der Index weist keine Fokusgebiete aus."))
    rows = Markup("").join(
        Markup(
            '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>'
        ).format(
            f.name,
            f.cell or "",
            ", ".join(f.reasons),
            ", ".join(d.label for d in f.drivers),
        )
        for f in found.focus
    )
    return Markup(
        '<figure class="report-table"><div class="table-scroll" role="region" '
        'tabindex="0" aria-label="{caption}"><table><caption><span class="number">'
        "{number}:</span> {caption}</caption><thead><tr>"
        '<th scope="col">{area}</th><th scope="col">{cell}</th>'
        '<th scope="col">{why}</th><th scope="col">{drivers}</th></tr></thead>'
        "<tbody>{rows}</tbody></table></div>"
        '<p class="source-line">{source}</p></figure>'
    ).format(
        number=elements.next_number("table"),
        caption=t("Fokusgebiete: {index}", index=name),
        area=t("Gebiet"),
        cell=t("Zelle"),
        why=t("Warum"),
        drivers=t("Treibende Kennzahlen"),
        rows=rows,
        source=_source(elements),
    )
