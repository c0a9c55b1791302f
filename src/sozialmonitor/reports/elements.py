"""The live elements of a report: tables, charts and maps of one release.

Each element returns HTML: the figure or table, its caption (numbered) and the
source line ``Quelle: … · Datenstand: <release>`` under it. Every value cell carries
``data-indicator``, ``data-area`` and ``data-period``, so that a test (or a reader's
script) can check it against the database. Where the release has no value, the
element says so in words.

The figures reuse the portal's: values and signs from
:func:`sozialmonitor.web.figure.figure`, charts from the Vega-Lite specs of
:mod:`sozialmonitor.web.charts` rendered to SVG, maps from
:mod:`sozialmonitor.web.svgmap`, trends from the test of the trend markers.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from sozialmonitor.analysis.classify import classify
from sozialmonitor.analysis.service.trend import series_trend
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.reports.source import ReportSource, Series
from sozialmonitor.store import queries
from sozialmonitor.web import formatting
from sozialmonitor.web.charts import spec as chart_spec
from sozialmonitor.web.charts.export import chart_svg
from sozialmonitor.web.figure import figure, series_points, sparkline
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.maplegend import build_legend, legend_html
from sozialmonitor.web.pages.trend_marker import TREND_METHOD, marker, trend_note
from sozialmonitor.web.reading import in_area
from sozialmonitor.web.svgmap import MapArea, choropleth_svg
from sozialmonitor.web.values import repeats_only_child, shown_value

MAP_CLASSES = 5
"""Classes of a report's maps (quantiles, fewer for few areas)."""
CHART_AREAS = 3
"""Lines of a report's trend chart at most (the area, its parent, the region)."""


@dataclass(frozen=True, kw_only=True)
class AreaInfo:
    """An area as a template's text names it."""

    code: str
    name: str
    level: str
    level_label: str
    parent: str
    """Code of the parent area (empty: none)."""
    in_phrase: str
    """``in Laatzen``, ``in der Region Hannover``."""


@dataclass(frozen=True, kw_only=True)
class TopicInfo:
    name: str
    slug: str
    indicators: tuple[str, ...]


def image(svg: str, alt: str, css_class: str) -> Markup:
    """An SVG as an ``<img>`` with a text alternative: the same element in the web
    report (the CSP allows ``data:`` images) and in the tagged PDF (a figure with
    its alternative text)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup(
        '<img class="{}" alt="{}" src="data:image/svg+xml;base64,{}">'
    ).format(css_class, alt, data)


class Elements:
    """The functions a report template calls, bound to one report's reads."""

    def __init__(self, source: ReportSource) -> None:
        self.source = source
        self.t = Translator(lang=source.lang)
        self._numbers = {"figure": 0, "table": 0}

    # --- what the text names ----------------------------------------------------

    @property
    def release(self) -> str:
        return self.source.release.name

    def area(self, code: str) -> AreaInfo:
        """The area with this code (``UnknownAreaError`` for none)."""
        snap = self.source.snap
        found = snap.area(code)
        level = snap.level_by_code.get(found.level)
        return AreaInfo(
            code=found.code,
            name=found.name,
            level=found.level,
            level_label=self.t(level.label) if level else found.level,
            parent=found.parent or "",
            in_phrase=in_area(found.name, self.source.lang),
        )

    def children(self, code: str) -> list[AreaInfo]:
        """The areas directly below, by name; those that ended are left out."""
        snap = self.source.snap
        found = [
            snap.areas[c]
            for c in snap.children.get(code, ())
            if snap.areas[c].valid_to is None
        ]
        return [self.area(a.code) for a in sorted(found, key=_name_key)]

    def topics(self, only: str | None = None) -> list[TopicInfo]:
        """The topics in the site's order (``only``: one topic, by slug or name)."""
        arranged = self.source.site.order.arrange(self.source.snap.topics)
        return [
            TopicInfo(
                name=self._topic_name(topic.name, topic.name_en),
                slug=topic.slug,
                indicators=tuple(i.id for i in topic.indicators),
            )
            for topic in arranged
            if only is None or only in (topic.slug, topic.name)
        ]

    def _topic_name(self, german: str, english: str) -> str:
        return english if self.source.lang == "en" and english else german

    def indicator(self, indicator_id: str) -> Indicator:
        return self.source.snap.indicator(indicator_id)

    def name_of(self, indicator: Indicator) -> str:
        return indicator.text_in("short_name", self.source.lang)[0]

    # --- parts of every element -------------------------------------------------

    def next_number(self, kind: str) -> str:
        self._numbers[kind] += 1
        word = self.t("Abbildung") if kind == "figure" else self.t("Tabelle")
        return f"{word} {self._numbers[kind]}"

    def source_line(self, indicators: Iterable[Indicator]) -> Markup:
        """``Quelle: … · Datenstand: Demo 2021``."""
        sources = list(dict.fromkeys(i.source for i in indicators if i.source))
        text = self.t(
            "Quelle: {sources} · Datenstand: {release}",
            sources="; ".join(sources) or self.t("keine Angabe"),
            release=self.release,
        )
        return Markup('<p class="source-line">{}</p>').format(text)

    def gap(self, text: str) -> Markup:
        """A statement that the release has no data for something."""
        return Markup('<p class="report-gap">{}</p>').format(text)

    def _cell(self, obs: Observation | None, indicator: Indicator, code: str) -> Markup:
        period = obs.period if obs is not None else ""
        shown = figure(obs, indicator, self.source.lang, area=code, period=period)
        return Markup(
            '<td class="num" data-indicator="{}" data-area="{}" data-period="{}">'
            "{}</td>"
        ).format(indicator.id, code, period, shown.text)

    def _benchmarks(self, code: str) -> list[Area]:
        """The parent and the region (or the site's compare area) the profile
        compares with, nearest first, without repeats."""
        snap = self.source.snap
        ancestors = snap.ancestors(code)
        if not ancestors:
            return []
        chosen = next(
            (a for a in ancestors if a.code == self.source.site.compare_area), None
        )
        top = chosen or ancestors[-1]
        return list({a.code: a for a in (ancestors[0], top)}.values())

    def _latest(self, series: Series) -> Observation | None:
        if not series:
            return None
        return series[max(series, key=period_order)]

    def _benchmark_value(
        self, indicator: str, code: str, period: str
    ) -> Observation | None:
        obs = self.source.series(indicator, code).get(period)
        if obs is None or repeats_only_child(self.source.snap, obs):
            return None
        return obs

    # --- key figures --------------------------------------------------------------

    def key_figures(self, code: str, topic: str) -> Markup:
        """The table of one topic's key figures of an area: its latest value, the
        parent's and the region's of the same period, the series and its trend."""
        area = self.area(code)
        benchmarks = self._benchmarks(code)
        self.source.values([code, *(b.code for b in benchmarks)])
        topics = self.topics(only=topic)
        rows = []
        used: list[Indicator] = []
        for indicator_id in topics[0].indicators if topics else ():
            indicator = self.indicator(indicator_id)
            series = self.source.series(indicator_id, code)
            obs = self._latest(series)
            if obs is None:
                continue
            used.append(indicator)
            cells = [self._cell(obs, indicator, code)]
            for bench in benchmarks:
                other = self._benchmark_value(indicator_id, bench.code, obs.period)
                cells.append(self._cell(other, indicator, bench.code))
            points = series_points(series, ())
            trend = series_trend(
                indicator, series.values(), method=TREND_METHOD, with_logit=False
            )
            mark = marker(trend.direction, trend.periods, self.t)
            rows.append(
                Markup(
                    '<tr><th scope="row">{name}<span class="unit">{unit}</span></th>'
                    '<td>{period}</td>{cells}<td class="trend">{line}'
                    '<span class="trend-text"><span aria-hidden="true">{symbol}'
                    "</span> {text}</span></td></tr>"
                ).format(
                    name=self.name_of(indicator),
                    unit=formatting.unit(indicator, self.source.lang),
                    period=formatting.period_label(obs.period, self.source.lang),
                    cells=Markup("").join(cells),
                    line=sparkline(points, self.name_of(indicator), self.source.lang),
                    symbol=mark.symbol,
                    text=mark.text,
                )
            )
        name = topics[0].name if topics else topic
        if not rows:
            return self.gap(
                self.t(
                    "Der Datenstand {release} enthält für {area} keine Werte im "
                    "Themenfeld {topic}.",
                    release=self.release,
                    area=area.name,
                    topic=name,
                )
            )
        heads = [area.name, *(b.name for b in benchmarks)]
        caption = self.t("Kennzahlen {topic} {area}", topic=name, area=area.in_phrase)
        header = Markup("").join(
            Markup('<th scope="col" class="num">{}</th>').format(h) for h in heads
        )
        return Markup(
            '<figure class="report-table"><div class="table-scroll" role="region" '
            'tabindex="0" aria-label="{caption}"><table><caption><span class="number">'
            "{number}:</span> {caption}</caption><thead><tr>"
            '<th scope="col">{indicator}</th><th scope="col">{period}</th>{header}'
            '<th scope="col">{trend}</th></tr></thead><tbody>{rows}</tbody></table>'
            "</div>{source}</figure>"
        ).format(
            number=self.next_number("table"),
            caption=caption,
            indicator=self.t("Kennzahl"),
            period=self.t("Zeitraum"),
            header=header,
            trend=self.t("Verlauf und Trend"),
            rows=Markup("").join(rows),
            source=self.source_line(used),
        )

    def comparison_table(self, code: str, other: str, topic: str) -> Markup:
        """One topic's key figures of two areas side by side: each indicator in
        the newest period both have (else each area's newest), with its trend."""
        first, second = self.area(code), self.area(other)
        values = self.source.values([code, other])
        topics = self.topics(only=topic)
        rows = []
        used: list[Indicator] = []
        for indicator_id in topics[0].indicators if topics else ():
            indicator = self.indicator(indicator_id)
            a = values[code].get(indicator_id, {})
            b = values[other].get(indicator_id, {})
            if not a and not b:
                continue
            used.append(indicator)
            common = set(a) & set(b)
            period = max(common or {*a, *b}, key=period_order)
            marks = []
            for series in (a, b):
                trend = series_trend(
                    indicator, series.values(), method=TREND_METHOD, with_logit=False
                )
                marks.append(marker(trend.direction, trend.periods, self.t))
            rows.append(
                Markup(
                    '<tr><th scope="row">{name}<span class="unit">{unit}</span></th>'
                    "<td>{period}</td>{a}{b}<td>{trend_a}</td><td>{trend_b}</td></tr>"
                ).format(
                    name=self.name_of(indicator),
                    unit=formatting.unit(indicator, self.source.lang),
                    period=formatting.period_label(period, self.source.lang),
                    a=self._cell(a.get(period), indicator, code),
                    b=self._cell(b.get(period), indicator, other),
                    trend_a=f"{marks[0].symbol} {marks[0].text}",
                    trend_b=f"{marks[1].symbol} {marks[1].text}",
                )
            )
        name = topics[0].name if topics else topic
        if not rows:
            return self.gap(
                self.t(
                    "Der Datenstand {release} enthält für {area} keine Werte im "
                    "Themenfeld {topic}.",
                    release=self.release,
                    area=f"{first.name}, {second.name}",
                    topic=name,
                )
            )
        caption = self.t(
            "{topic}: {first} und {second}",
            topic=name,
            first=first.name,
            second=second.name,
        )
        return Markup(
            '<figure class="report-table"><div class="table-scroll" role="region" '
            'tabindex="0" aria-label="{caption}"><table><caption><span class="number">'
            "{number}:</span> {caption}</caption><thead><tr>"
            '<th scope="col">{indicator}</th><th scope="col">{period}</th>'
            '<th scope="col" class="num">{first}</th>'
            '<th scope="col" class="num">{second}</th>'
            '<th scope="col">{trend_first}</th><th scope="col">{trend_second}</th>'
            "</tr></thead><tbody>{rows}</tbody></table></div>{source}</figure>"
        ).format(
            caption=caption,
            number=self.next_number("table"),
            indicator=self.t("Kennzahl"),
            period=self.t("Zeitraum"),
            first=first.name,
            second=second.name,
            trend_first=self.t("Trend {area}", area=first.name),
            trend_second=self.t("Trend {area}", area=second.name),
            rows=Markup("").join(rows),
            source=self.source_line(used),
        )

    def trend_note(self) -> Markup:
        """The trend test's method, named once."""
        return Markup('<p class="report-note">{}</p>').format(trend_note(self.t))

    def has_values(self, code: str, topic: str) -> bool:
        """Whether the release has a value of the topic for the area."""
        found = self.source.values([code])[code]
        return any(found.get(i) for t in self.topics(only=topic) for i in t.indicators)

    def missing_topics(self, code: str) -> Markup:
        """The topics the release has no value of for the area, named once."""
        area = self.area(code)
        missing = [t.name for t in self.topics() if not self.has_values(code, t.slug)]
        if not missing:
            return Markup("")
        return self.gap(
            self.t(
                "Keine Werte für {area} im Datenstand {release}: {topics}.",
                area=area.name,
                release=self.release,
                topics=", ".join(missing),
            )
        )

    def with_benchmarks(self, code: str) -> list[str]:
        """The area and the areas it is compared with (parent, region)."""
        return [code, *(a.code for a in self._benchmarks(code))]

    def has_data(self, code: str, indicator_id: str) -> bool:
        """Whether the release has a value of the indicator for the area or for an
        area directly below it."""
        codes = [code, *(c.code for c in self.children(code))]
        return any(v.get(indicator_id) for v in self.source.values(codes).values())

    # --- one indicator --------------------------------------------------------------

    def trend_chart(self, indicator_id: str, codes: Sequence[str]) -> Markup:
        """A line chart of one indicator in up to :data:`CHART_AREAS` areas."""
        indicator = self.indicator(indicator_id)
        lang = self.source.lang
        values = self.source.values(codes[:CHART_AREAS])
        series = [
            chart_spec.Series(
                self.source.snap.area(code).name,
                [
                    (formatting.period_label(p, lang), shown_value(o))
                    for p, o in sorted(found.items(), key=lambda i: period_order(i[0]))
                ],
            )
            for code, by_indicator in values.items()
            if (found := by_indicator.get(indicator_id))
        ]
        name = self.name_of(indicator)
        if not series:
            return self.gap(
                self.t(
                    "Der Datenstand {release} enthält keine Werte zu {indicator}.",
                    release=self.release,
                    indicator=name,
                )
            )
        spec = chart_spec.time_series_spec(
            title=name,
            unit=formatting.unit(indicator, lang),
            series=series,
            lang=lang,
            decimals=indicator.decimals,
        )
        caption = self.t(
            "{indicator}: Zeitreihe {areas}",
            indicator=name,
            areas=", ".join(s.area_name for s in series),
        )
        return self.figure(
            image(chart_svg(spec, lang=lang), caption, "report-chart"),
            caption,
            [indicator],
        )

    def figure(
        self,
        content: Markup,
        caption: str,
        indicators: Iterable[Indicator],
        source: str = "",
    ) -> Markup:
        """A numbered figure with its caption and source line (the indicators'
        sources, or ``source`` as written)."""
        return Markup(
            '<figure class="report-figure">{content}<figcaption>'
            '<span class="number">{number}:</span> {caption}</figcaption>'
            "{source}</figure>"
        ).format(
            content=content,
            number=self.next_number("figure"),
            caption=caption,
            source=Markup('<p class="source-line">{}</p>').format(source)
            if source
            else self.source_line(indicators),
        )

    def _children_values(
        self, indicator_id: str, parent: str
    ) -> tuple[str | None, list[tuple[AreaInfo, Observation | None]]]:
        """The latest period any child area has a value in, and each child's value
        of that period."""
        kids = self.children(parent)
        values = self.source.values(k.code for k in kids)
        periods = {p for v in values.values() for p in v.get(indicator_id, {})}
        if not periods:
            return None, []
        period = max(periods, key=period_order)
        return period, [
            (k, values[k.code].get(indicator_id, {}).get(period)) for k in kids
        ]

    def indicator_table(self, indicator_id: str, parent: str) -> Markup:
        """One indicator in every area below ``parent``, highest value first."""
        indicator = self.indicator(indicator_id)
        area = self.area(parent)
        name = self.name_of(indicator)
        period, rows = self._children_values(indicator_id, parent)
        if period is None:
            return self.gap(
                self.t(
                    "Der Datenstand {release} enthält keine Werte zu {indicator} "
                    "für die Gebiete {area}.",
                    release=self.release,
                    indicator=name,
                    area=area.in_phrase,
                )
            )
        ordered = sorted(
            rows,
            key=lambda r: (
                shown_value(r[1]) is None,
                -(shown_value(r[1]) or 0.0),
                german_key(r[0].name),
            ),
        )
        body = Markup("").join(
            Markup('<tr><th scope="row">{}</th>{}</tr>').format(
                info.name, self._cell(obs, indicator, info.code)
            )
            for info, obs in ordered
        )
        own = self._benchmark_value(indicator_id, parent, period)
        foot = Markup('<tfoot><tr><th scope="row">{}</th>{}</tr></tfoot>').format(
            area.name, self._cell(own, indicator, parent)
        )
        caption = self.t(
            "{indicator} {period} nach Gebiet {area}",
            indicator=name,
            period=formatting.period_label(period, self.source.lang),
            area=area.in_phrase,
        )
        return Markup(
            '<figure class="report-table"><div class="table-scroll" role="region" '
            'tabindex="0" aria-label="{caption}"><table><caption><span class="number">'
            "{number}:</span> {caption}</caption><thead><tr>"
            '<th scope="col">{area}</th><th scope="col" class="num">{value}</th>'
            "</tr></thead><tbody>{body}</tbody>{foot}</table></div>{source}</figure>"
        ).format(
            number=self.next_number("table"),
            caption=caption,
            area=self.t("Gebiet"),
            value=formatting.unit(indicator, self.source.lang) or self.t("Wert"),
            body=body,
            foot=foot,
            source=self.source_line([indicator]),
        )

    def indicator_map(self, indicator_id: str, parent: str) -> Markup:
        """A choropleth of one indicator in the areas below ``parent``."""
        indicator = self.indicator(indicator_id)
        area = self.area(parent)
        name = self.name_of(indicator)
        period, rows = self._children_values(indicator_id, parent)
        shapes = {
            a.code: a.geometry
            for a in queries.list_areas(
                self.source.conn, parent=parent, with_geometry=True
            )
        }
        if period is None or not any(shapes.get(info.code) for info, _ in rows):
            return self.gap(
                self.t(
                    "Für {indicator} {area} gibt es im Datenstand {release} keine "
                    "Karte (keine Werte oder keine Gebietsgrenzen).",
                    indicator=name,
                    area=area.in_phrase,
                    release=self.release,
                )
            )
        values = [shown_value(obs) for _, obs in rows]
        known = sum(v is not None for v in values)
        classes = classify(
            values,
            "quantiles",
            k=max(1, min(MAP_CLASSES, known)),
            decimals=indicator.decimals,
            unit=formatting.unit(indicator, self.source.lang),
        )
        lang = self.source.lang
        areas = [
            MapArea(
                code=info.code,
                name=info.name,
                geometry=shapes.get(info.code),
                label=f"{info.name}: {figure(obs, indicator, lang, area=info.code, period=period).text}",  # noqa: E501
                class_index=found,
            )
            for (info, obs), found in zip(rows, classes.classes, strict=True)
        ]
        caption = self.t(
            "{indicator} {period} {area}",
            indicator=name,
            period=formatting.period_label(period, lang),
            area=area.in_phrase,
        )
        svg = choropleth_svg(
            areas,
            k=classes.k,
            title=caption,
            cache_key=f"report:{self.source.snap.token}:{parent}",
            interactive=False,
        )
        legend = legend_html(build_legend(areas, class_labels=classes.labels))
        content = Markup('<div class="report-map">{}{}</div>').format(
            image(svg, caption, "report-map-image"),
            # maplegend builds the legend from escaped labels
            Markup(legend),  # nosec B704
        )
        return self.figure(content, caption, [indicator])

    def extremes(self, indicator_id: str, parent: str) -> Markup:
        """A statement of the highest and lowest value among the areas below
        ``parent`` (a hot-spot sentence, from the same values as the table)."""
        indicator = self.indicator(indicator_id)
        period, rows = self._children_values(indicator_id, parent)
        known = [(info, obs) for info, obs in rows if shown_value(obs) is not None]
        if period is None or len(known) < 2:
            return Markup("")
        high = max(known, key=lambda r: (shown_value(r[1]), german_key(r[0].name)))
        low = min(known, key=lambda r: (shown_value(r[1]), german_key(r[0].name)))
        lang = self.source.lang
        text = self.t(
            "{indicator} {period}: am höchsten {high} ({high_value}), am niedrigsten "
            "{low} ({low_value}).",
            indicator=self.name_of(indicator),
            period=formatting.period_label(period, lang),
            high=high[0].name,
            high_value=formatting.with_unit(shown_value(high[1]), indicator, lang),
            low=low[0].name,
            low_value=formatting.with_unit(shown_value(low[1]), indicator, lang),
        )
        return Markup('<p class="report-statement">{}</p>').format(text)


def _name_key(area: Area) -> tuple[str, str]:
    return german_key(area.name), area.code
