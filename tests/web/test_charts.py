"""Charts: Vega-Lite specs, compilation to Vega, server-side export, sparklines and
the vendored JavaScript they rely on."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import re
import shutil
import struct
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vl_convert

from sozialmonitor.web import charts
from sozialmonitor.web.charts import (
    AreaChange,
    Series,
    change_spec,
    compile_to_vega,
    export_chart,
    sparkline_svg,
    time_series_spec,
)
from sozialmonitor.web.security import content_security_policy

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src/sozialmonitor/web/static"
VENDOR_README = STATIC / "vendor/README.md"
VEGA_JS = STATIC / "vendor/vega-6.4.0.min.js"
INTERPRETER_JS = STATIC / "vendor/vega-interpreter-2.3.2.js"
AXE_JS = ROOT / "tests/browser/vendor/axe-core-4.14.1.min.js"
CHART_JS = STATIC / "js/chart.js"
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

LINDEN = Series("Linden-Süd", [("2019", 1234.5), ("2020", None), ("2021", 1510.25)])
MITTE = Series("Mitte", [("2019", 980.0), ("2020", 1001.0), ("2021", 1200.0)])


def german_spec(*series: Series) -> dict[str, Any]:
    return time_series_spec(
        title="Bedarfsgemeinschaften",
        unit="je 1.000 EW",
        series=list(series) or [LINDEN, MITTE],
        lang="de",
        decimals=1,
    )


def svg_texts(svg: bytes | str) -> list[str]:
    """The text of every <text> element of a (well-formed) SVG document."""
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


# --- Vega-Lite specs ---------------------------------------------------------------


def test_time_series_has_one_series_per_area_told_apart_without_colour() -> None:
    spec = german_spec()
    rows = spec["data"]["values"]
    assert [(r["area"], r["period"], r["value"]) for r in rows] == [
        ("Linden-Süd", "2019", 1234.5),
        ("Linden-Süd", "2020", None),
        ("Linden-Süd", "2021", 1510.25),
        ("Mitte", "2019", 980.0),
        ("Mitte", "2020", 1001.0),
        ("Mitte", "2021", 1200.0),
    ]
    colour = spec["encoding"]["color"]
    line, points = spec["layer"]
    shape = points["encoding"]["shape"]
    dash = line["encoding"]["strokeDash"]
    for channel in (colour, shape, dash):
        assert channel["field"] == "area"
        assert channel["scale"]["domain"] == ["Linden-Süd", "Mitte"]
    ranges = [channel["scale"]["range"] for channel in (colour, shape, dash)]
    assert all(len(r) == 2 and r[0] != r[1] for r in ranges)
    assert colour["scale"]["range"] == list(charts.PALETTE[:2])
    assert line["mark"]["type"] == "line" and points["mark"]["type"] == "point"


def test_time_series_speaks_german_with_a_german_locale() -> None:
    spec = german_spec()
    assert spec["title"]["text"] == "Bedarfsgemeinschaften"
    assert spec["encoding"]["x"]["title"] == "Zeitraum"
    assert spec["encoding"]["y"]["title"] == "Wert (je 1.000 EW)"
    assert spec["encoding"]["color"]["title"] == "Gebiet"
    assert spec["encoding"]["y"]["axis"]["format"] == ",.1f"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "."
    tooltip = spec["layer"][1]["encoding"]["tooltip"]
    assert [t["title"] for t in tooltip] == ["Gebiet", "Zeitraum", "Wert (je 1.000 EW)"]
    assert tooltip[2]["format"] == ",.1f"


def test_time_series_in_english() -> None:
    spec = time_series_spec(
        title="SGB II rate", unit="%", series=[MITTE], lang="en", decimals=2
    )
    assert spec["encoding"]["x"]["title"] == "Period"
    assert spec["encoding"]["y"]["title"] == "Value (%)"
    assert spec["encoding"]["y"]["axis"]["format"] == ",.2f"
    assert spec["config"]["locale"]["number"]["decimal"] == "."


def test_periods_are_ordinal_labels_in_the_order_given() -> None:
    later = Series("A", [("2022-H1", 1.0), ("2021-H2", 2.0), ("2023-H1", 3.0)])
    # B has a period A lacks, between two that A has.
    between = Series("B", [("2022-H1", 1.0), ("2022-H2", 2.0), ("2023-H1", 3.0)])
    spec = german_spec(later, between)
    assert spec["encoding"]["x"]["type"] == "ordinal"
    assert spec["encoding"]["x"]["sort"] == ["2022-H1", "2021-H2", "2022-H2", "2023-H1"]


def test_non_finite_values_are_gaps_and_the_spec_is_strict_json() -> None:
    spec = german_spec(Series("A", [("2020", float("nan")), ("2021", float("inf"))]))
    assert [r["value"] for r in spec["data"]["values"]] == [None, None]
    json.dumps(spec, allow_nan=False)


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([], "1 to 8 areas, not 0"),
        ([Series(f"Gebiet {i}", [("2020", 1.0)]) for i in range(9)], "not 9"),
        ([MITTE, MITTE], "repeated: Mitte"),
    ],
)
def test_time_series_refuses_what_it_cannot_show(
    series: list[Series], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        time_series_spec(title="T", unit="", series=series, lang="de", decimals=0)


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="not 'fr'"):
        time_series_spec(title="T", unit="", series=[MITTE], lang="fr", decimals=0)


def test_change_chart_is_sorted_diverging_and_leaves_out_missing_changes() -> None:
    spec = change_spec(
        title="SGB-II-Quote",
        unit="Prozentpunkte",
        changes=[
            AreaChange("Mitte", -1.5),
            AreaChange("Bult", None),
            AreaChange("Linden-Süd", 2.25),
            AreaChange("Zoo", 0.0),
        ],
        base_period="2015",
        period="2021",
        lang="de",
        decimals=1,
    )
    assert spec["data"]["values"] == [
        {"area": "Linden-Süd", "change": 2.25, "label": "+2,3"},
        {"area": "Zoo", "change": 0.0, "label": "±0,0"},
        {"area": "Mitte", "change": -1.5, "label": "−1,5"},
    ]
    bars, labels, zero = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["y"]["sort"] == ["Linden-Süd", "Zoo", "Mitte"]
    x = spec["encoding"]["x"]
    assert x["title"] == "Veränderung 2015–2021 (Prozentpunkte)"
    assert x["axis"]["format"] == "+,.1f"
    low, high = x["scale"]["domain"]
    assert low < -1.5 and high > 2.25
    assert labels["encoding"]["text"] == {"field": "label", "type": "nominal"}
    assert zero["mark"]["type"] == "rule" and zero["encoding"]["x"] == {"datum": 0}


def test_locale_tables_are_the_ones_vl_convert_publishes() -> None:
    assert vl_convert.get_format_locale("de-DE") == charts.NUMBER_LOCALES["de"]
    assert vl_convert.get_time_format_locale("de-DE") == charts.TIME_LOCALES["de"]
    assert vl_convert.get_format_locale("en-GB") == charts.NUMBER_LOCALES["en"]
    assert vl_convert.get_time_format_locale("en-GB") == charts.TIME_LOCALES["en"]


# --- compiled Vega -----------------------------------------------------------------


def test_compile_to_vega_returns_vega_with_the_data_and_the_locale() -> None:
    vega = compile_to_vega(german_spec(), "de")
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/v")
    values = [row for data in vega["data"] for row in data.get("values", [])]
    assert {"area": "Mitte", "period": "2021", "value": 1200.0} in values
    assert vega["config"]["locale"]["number"] == charts.NUMBER_LOCALES["de"]
    # The compiled spec alone (no locale passed to the renderer) writes German.
    texts = svg_texts(vl_convert.vega_to_svg(vega))
    assert {"0,0", "1.000,0"} <= set(texts)
    assert "Wert (je 1.000 EW)" in texts


def test_compile_to_vega_in_english_and_leaves_the_spec_alone() -> None:
    spec = german_spec()
    before = json.dumps(spec)
    vega = compile_to_vega(spec, "en")
    assert json.dumps(spec) == before
    texts = svg_texts(vl_convert.vega_to_svg(vega))
    assert {"0.0", "1,000.0"} <= set(texts)


# --- export ------------------------------------------------------------------------


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_png_export_is_a_png_at_twice_the_size() -> None:
    spec = german_spec()
    meta = {"title": "T", "source": "S", "date": "Stand: 31.12.2021", "lang": "de"}
    png = export_chart(spec, fmt="png", **meta)
    svg = export_chart(spec, fmt="svg", **meta)
    assert png.startswith(PNG_SIGNATURE)
    root = ET.fromstring(svg)
    assert png_size(png) == (
        int(root.attrib["width"]) * charts.PNG_SCALE,
        int(root.attrib["height"]) * charts.PNG_SCALE,
    )


def test_svg_export_burns_in_title_source_and_date() -> None:
    svg = export_chart(
        german_spec(),
        fmt="svg",
        title="Bedarfsgemeinschaften in Hannover",
        source="Landeshauptstadt Hannover <Statistik>",
        date="Stand: 31.12.2021",
        lang="de",
    )
    texts = svg_texts(svg)
    assert "Bedarfsgemeinschaften in Hannover" in texts
    assert "Quelle: Landeshauptstadt Hannover <Statistik>Stand: 31.12.2021" in texts
    assert "1.200,0" in texts
    assert "Gebiet" in texts  # the legend is still there


def test_english_export_says_source() -> None:
    svg = export_chart(
        german_spec(), fmt="svg", title="T", source="City", date="As of", lang="en"
    )
    assert "Source: CityAs of" in svg_texts(svg)


def test_export_fetches_nothing() -> None:
    spec = german_spec()
    spec["data"] = {"url": "https://example.org/data.csv"}
    with pytest.raises(ValueError, match="not allowed"):
        export_chart(spec, fmt="svg", title="T", source="S", date="D", lang="de")


def test_export_refuses_other_formats() -> None:
    with pytest.raises(ValueError, match="not 'pdf'"):
        export_chart(
            german_spec(),
            fmt="pdf",  # type: ignore[arg-type]
            title="T",
            source="S",
            date="D",
            lang="de",
        )


# --- sparklines --------------------------------------------------------------------


def test_sparkline_breaks_at_gaps_and_marks_the_last_value() -> None:
    svg = sparkline_svg([1.0, 2.0, None, 3.0, 4.0, None], label="SGB-II-Quote")
    root = ET.fromstring(svg)
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "SGB-II-Quote"
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.attrib["points"].split()) for line in lines] == [2, 2]
    last_point = lines[1].attrib["points"].split()[-1]
    (dot,) = root.findall(f"{SVG}circle[@class='sparkline-last']")
    assert f"{dot.attrib['cx']},{dot.attrib['cy']}" == last_point
    # Highest value at the top, lowest at the bottom.
    first_y = float(lines[0].attrib["points"].split()[0].split(",")[1])
    assert float(dot.attrib["cy"]) < first_y


def test_sparkline_escapes_the_label() -> None:
    svg = sparkline_svg([1.0], label='<script>"x" & y')
    assert "<script>" not in svg
    assert ET.fromstring(svg).attrib["aria-label"] == '<script>"x" & y'
    assert svg.__html__() == str(svg)


def test_sparkline_without_values_is_an_empty_labelled_image() -> None:
    root = ET.fromstring(sparkline_svg([None, None], label="keine Werte"))
    assert root.attrib["aria-label"] == "keine Werte"
    assert list(root) == []


# --- vendored JavaScript -----------------------------------------------------------


def vendor_rows() -> list[dict[str, str]]:
    """The vendor README's table as dicts; code spans unwrapped."""
    lines = [
        line
        for line in VENDOR_README.read_text(encoding="utf-8").splitlines()
        if line.startswith("|")
    ]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(
            zip(
                header,
                (c.strip() for c in line.strip("|").split("|")),
                strict=True,
            )
        )
        for line in lines[2:]
    ]


def test_vendored_files_match_the_sha256_in_the_vendor_readme() -> None:
    rows = {row["package"]: row for row in vendor_rows()}
    assert set(rows) == {"vega", "vega-interpreter", "axe-core"}
    assert rows["vega"]["version"] == "6.4.0"
    assert rows["vega-interpreter"]["version"] == "2.3.2"
    assert rows["axe-core"]["version"] == "4.14.1"
    for row in rows.values():
        path = ROOT / row["file"].strip("`")
        expected = row["sha256"].strip("`")
        assert re.fullmatch(r"[0-9a-f]{64}", expected)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == expected, path
        assert row["version"] in path.name
    assert {row["file"].strip("`") for row in rows.values()} == {
        str(VEGA_JS.relative_to(ROOT)),
        str(INTERPRETER_JS.relative_to(ROOT)),
        str(AXE_JS.relative_to(ROOT)),
    }


def test_vendored_files_carry_their_licences() -> None:
    vega_licence = VEGA_JS.with_name("vega-6.4.0.LICENSE").read_text(encoding="utf-8")
    assert "Redistribution and use in source and binary forms" in vega_licence
    axe_licence = AXE_JS.with_name("axe-core-4.14.1.LICENSE.txt")
    assert "Mozilla Public License" in axe_licence.read_text(encoding="utf-8")
    interpreter_licence = INTERPRETER_JS.with_name("vega-interpreter-2.3.2.LICENSE")
    assert "Redistribution and use in source and binary forms" in (
        interpreter_licence.read_text(encoding="utf-8")
    )
    rows = {row["package"]: row for row in vendor_rows()}
    assert rows["vega"]["licence"].startswith("BSD-3-Clause")
    assert rows["vega-interpreter"]["licence"].startswith("BSD-3-Clause")
    assert rows["axe-core"]["licence"].startswith("MPL-2.0")


def test_vega_names_no_server_of_its_own() -> None:
    """vega fetches only what a spec asks for (ours carry data inline): no font,
    CDN or other address is built in, apart from XML namespace names."""
    text = VEGA_JS.read_text(encoding="utf-8")
    addresses = set(
        re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s\"'`)]*", text)
    )
    assert {a for a in addresses if not a.startswith("http://www.w3.org/")} == set()


def test_chart_script_is_small_and_plain() -> None:
    source = CHART_JS.read_bytes()
    assert len(source) < 3 * 1024
    text = source.decode("utf-8")
    # ES2017: no optional chaining or nullish coalescing, no modules.
    assert "?." not in text and "??" not in text and "import " not in text
    # vega's CSP mode: expressions as ASTs, evaluated by vega-interpreter.
    assert "new vega.View(vega.parse(spec, null, {ast: true})" in text
    assert "expr: vega.expressionInterpreter" in text


def test_interpreter_script_needs_no_eval() -> None:
    """The vendored interpreter is a plain script (no module syntax) that builds no
    code from text."""
    text = INTERPRETER_JS.read_text(encoding="utf-8")
    assert "new Function" not in text and "eval(" not in text
    assert not re.search(r"^\s*(import|export)\b", text, flags=re.MULTILINE)
    assert "vega.expressionInterpreter = expression;" in text


# --- chart.js in a real browser ----------------------------------------------------


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the files with the portal's Content-Security-Policy, so the charts are
    drawn under the same rules as on the portal's pages."""

    def log_message(self, *args: object) -> None:  # noqa: ARG002 - no access log
        return

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", content_security_policy())
        super().end_headers()


@pytest.fixture(scope="module")
def chart_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A page with two compiled charts and their tables, served on a free port."""
    site = tmp_path_factory.mktemp("charts")
    shutil.copy(VEGA_JS, site / VEGA_JS.name)
    shutil.copy(INTERPRETER_JS, site / INTERPRETER_JS.name)
    shutil.copy(CHART_JS, site / "chart.js")
    shutil.copy(AXE_JS, site / "axe.js")
    change = change_spec(
        title="Veränderung",
        unit="Prozentpunkte",
        changes=[AreaChange("Mitte", -1.5), AreaChange("Linden-Süd", 2.25)],
        base_period="2015",
        period="2021",
        lang="de",
        decimals=1,
    )
    figures = ""
    for chart_id, spec in (("zeitreihe", german_spec()), ("veraenderung", change)):
        data = json.dumps(compile_to_vega(spec, "de")).replace("<", "\\u003c")
        figures += (
            f'<figure><div id="{chart_id}" class="chart" role="img" '
            f'aria-label="Diagramm {chart_id}"></div>'
            f'<script type="application/json" class="vega-spec" '
            f'data-target="{chart_id}">{data}</script>'
            "<table><caption>Tabelle</caption><tr><th>Gebiet</th><th>Wert</th></tr>"
            "<tr><td>Mitte</td><td>1.200,0</td></tr></table></figure>"
        )
    page = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        "<title>Diagramme</title></head><body><main><h1>Diagramme</h1>"
        f"{figures}</main>"
        f'<script src="{VEGA_JS.name}"></script>'
        f'<script src="{INTERPRETER_JS.name}"></script><script src="chart.js"></script>'
        "</body></html>"
    )
    (site / "index.html").write_text(page, encoding="utf-8")
    (site / "ohne-vega.html").write_text(
        page.replace(f'<script src="{VEGA_JS.name}"></script>', ""), encoding="utf-8"
    )
    (site / "favicon.ico").write_bytes(b"")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.browser
def test_chart_script_draws_accessible_german_charts(
    chart_site: str, browser: Any
) -> None:
    page = browser.new_page()
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A blocked script, style or eval is reported on the console.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" else None
        ),
    )
    page.goto(chart_site + "/index.html")
    page.wait_for_selector("#zeitreihe svg")
    page.wait_for_selector("#veraenderung svg")
    labels = page.eval_on_selector_all(
        "#zeitreihe .role-axis-label text", "nodes => nodes.map(n => n.textContent)"
    )
    assert {"0,0", "1.000,0"} <= set(labels)
    assert page.locator("#zeitreihe .mark-symbol.role-mark path").count() == 5
    page.locator("#zeitreihe .mark-symbol.role-mark path").first.hover()
    assert "Wert (je 1.000 EW): 1.234,5" in (
        page.get_attribute("#zeitreihe", "title") or ""
    )
    page.add_script_tag(url=chart_site + "/axe.js")
    violations = page.evaluate(
        "axe.run(document).then(r => r.violations.map(v => v.id))"
    )
    assert violations == []
    assert problems == []
    assert all(url.startswith(chart_site) for url in requested), requested

    # Without vega the page keeps its tables and nothing breaks.
    page.goto(chart_site + "/ohne-vega.html")
    page.wait_for_load_state("load")
    assert page.locator("svg").count() == 0
    assert page.locator("table").count() == 2
    assert problems == []
    page.close()
