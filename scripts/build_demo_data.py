"""Build the demo data in ``src/sozialmonitor/demo/`` from real public data.

The script turns the original public files (INKAR exports of the BBSR, the GISD of
the Robert Koch-Institut, Regionaldatenbank tables of the statistical offices, BKG
boundaries, Berlin's LOR boundaries and the official results of Berlin's "Monitoring
Soziale Stadtentwicklung 2021") into the project's own input formats
(``docs/formats.md``):

    src/sozialmonitor/demo/ATTRIBUTION.md
    src/sozialmonitor/demo/{hannover,berlin}/areas.geojson
    src/sozialmonitor/demo/{hannover,berlin}/indicators.yaml
    src/sozialmonitor/demo/{hannover,berlin}/observations.csv

It needs the original public files, which are not part of the repository: a folder
laid out like ``../shared/data`` (one sub-folder per source, each with a SOURCE.md).
No number is invented: every value is copied from a source file or computed exactly
from two source values (a share = numerator / denominator x 100, with both written).
The script checks a few published facts and fails if parsing goes wrong.

Usage::

    .venv/bin/python scripts/build_demo_data.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import xlrd
import yaml
from shapely.geometry import mapping

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "src" / "sozialmonitor" / "demo"
DEFAULT_SHARED = REPO.parent / "shared" / "data"

REGION = "03241"
MUNICIPALITIES = [f"{REGION}{n:03d}" for n in range(1, 22)]
BERLIN = "11000000"
MSS_PERIOD = "2020-12-31"
WGS84_DECIMALS = 5
BERLIN_SIMPLIFY_M = 5.5
OBS_COLUMNS = [
    "indicator",
    "area",
    "period",
    "value",
    "numerator",
    "denominator",
    "flags",
    "note",
]

# --- attribution texts (used in indicators.yaml and ATTRIBUTION.md) -----------------
DL_DE = "dl-de/by-2-0"
INKAR_SOURCE = "BBSR, INKAR Ausgabe 2024 (Laufende Raumbeobachtung des BBSR)"
GISD_SOURCE = (
    "Robert Koch-Institut, German Index of Socioeconomic Deprivation (GISD), "
    "Release 2025, doi:10.5281/zenodo.14781119"
)
RS_SOURCE = (
    "Statistische Ämter des Bundes und der Länder, Regionaldatenbank Deutschland"
)
BKG_EW_SOURCE = "© GeoBasis-DE / BKG, VG250-EW (Stand 31.12.2022), Feld EWZ"
MSS_SOURCE = (
    "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin, "
    "Monitoring Soziale Stadtentwicklung 2021"
)
MSS_LICENCE = (
    "Abdruck mit genauer Quellenangabe gestattet (SenSBW); FIS-Broker-Export "
    "i. d. R. dl-de/by-2-0 (für diese Datensätze nicht geprüft)"
)
ZENSUS_NOTE = (
    "Zeitreihenbruch: ab 31.12.2011 Bevölkerungsfortschreibung auf Basis des "
    "Zensus 2011"
)


# ----------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------
def fmt(value: float | int | str | Decimal, places: int | None = None) -> str:
    """A number as plain decimal text: ``.`` as decimal point, no exponent, no
    thousands separator, no trailing zeros; rounded to ``places`` if given."""
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        number = Decimal(value.strip().replace(",", "."))
    else:
        number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def short_name(name: str) -> str:
    """The municipality name without INKAR's / GENESIS' type suffix."""
    return name.split(",")[0].strip()


def read_text(path: Path) -> str:
    """A text file as UTF-8 (with or without BOM), else Windows-1252."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


@dataclass
class InkarTable:
    """One INKAR export: values by key and year, plus its documentation."""

    title: str
    long_name: str
    source: str
    formula: str
    remarks: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def read_inkar(path: Path) -> InkarTable:
    """Read sheet ``Daten`` (two header rows) and ``Metadaten`` of an INKAR .xls."""
    with open(os.devnull, "w") as devnull:
        book = xlrd.open_workbook(str(path), logfile=devnull)
    meta = book.sheet_by_name("Metadaten")
    header = [str(v).strip() for v in meta.row_values(1)]
    doc = dict(zip(header, (str(v).strip() for v in meta.row_values(2)), strict=False))
    data = book.sheet_by_name("Daten")
    if [str(v) for v in data.row_values(0)[:3]] != [
        "Kennziffer",
        "Raumeinheit",
        "Aggregat",
    ]:
        raise ValueError(f"{path.name}: unexpected header {data.row_values(0)[:3]}")
    years = [str(v).strip() for v in data.row_values(1)[3:]]
    if not all(len(y) == 4 and y.isdigit() for y in years):
        raise ValueError(f"{path.name}: unexpected year row {years}")
    table = InkarTable(
        title=str(data.cell_value(0, 3)).strip(),
        long_name=doc.get("Langname", ""),
        source=doc.get("Quelle", ""),
        formula=doc.get("Berechnungsgrundlage", ""),
        remarks=" ".join(doc.get("Anmerkungen", "").split()),
    )
    for row in range(2, data.nrows):
        key = str(data.cell_value(row, 0)).strip()
        table.names[key] = str(data.cell_value(row, 1)).strip()
        series: dict[str, str] = {}
        for col, year in enumerate(years, start=3):
            cell = data.cell(row, col)
            if cell.ctype == xlrd.XL_CELL_NUMBER:
                series[year] = fmt(cell.value)
            elif str(cell.value).strip() not in ("", "-", "."):
                raise ValueError(f"{path.name}: {key} {year}: {cell.value!r}")
        table.values[key] = series
    return table


@dataclass
class GenesisTable:
    """A raw Regionaldatenbank CSV: combined column headers and data rows."""

    headers: list[str]
    rows: list[list[str]]


def read_genesis(path: Path) -> GenesisTable:
    """Read a GENESIS CSV export: the header lines are those whose first two cells
    are empty; data rows follow until the ``__________`` footer line."""
    lines = read_text(path).replace("\r\n", "\n").split("\n")
    header_lines: list[list[str]] = []
    rows: list[list[str]] = []
    for line in lines:
        if line.startswith("__________"):
            break
        cells = line.split(";")
        if len(cells) > 2 and cells[0] == "" and cells[1] == "":
            if rows:
                raise ValueError(f"{path.name}: header line after data: {line!r}")
            header_lines.append(cells)
        elif header_lines and line.strip():
            rows.append([c.strip() for c in cells])
    width = max(len(h) for h in header_lines)
    headers = [
        " | ".join(h[i].strip() for h in header_lines if i < len(h) and h[i].strip())
        for i in range(width)
    ]
    return GenesisTable(headers=headers, rows=rows)


def genesis_date(text: str) -> str:
    """``31.12.2015`` -> ``2015-12-31``."""
    day, month, year = text.strip().split(".")
    return f"{year}-{month}-{day}"


def genesis_value(text: str) -> str | None:
    """A GENESIS cell as number text, or None for the special signs."""
    text = text.strip()
    if text in ("-", ".", "x", "...", "/", "*", ""):
        return None
    return fmt(text)


# ----------------------------------------------------------------------------------
# Catalogue and observations
# ----------------------------------------------------------------------------------
def indicator(
    id_: str,
    name: str,
    *,
    unit: str,
    kind: str,
    topic: str,
    definition: str,
    source: str,
    licence: str,
    polarity: str = "neutral",
    decimals: int = 1,
    short: str = "",
    numerator: str = "",
    denominator: str = "",
    multiplier: float | None = None,
    update_cycle: str = "jährlich",
    keywords: Sequence[str] = (),
) -> dict[str, Any]:
    """One catalogue entry with all catalogue fields in the documented order."""
    defaults = {"share": 100, "rate": 1000}
    return {
        "id": id_,
        "name": name,
        "short_name": short or name,
        "unit": unit,
        "topic": topic,
        "definition": " ".join(definition.split()),
        "kind": kind,
        "numerator": numerator,
        "denominator": denominator,
        "multiplier": multiplier if multiplier is not None else defaults.get(kind, 1),
        "decimals": decimals,
        "polarity": polarity,
        "source": source,
        "licence": licence,
        "update_cycle": update_cycle,
        "visibility": "public",
        "min_count": 3,
        "first_period": "",
        "last_period": "",
        "keywords": list(keywords),
    }


def obs(
    indicator_id: str,
    area: str,
    period: str,
    value: str | None,
    *,
    numerator: str = "",
    denominator: str = "",
    flags: str = "",
    note: str = "",
) -> dict[str, str]:
    return {
        "indicator": indicator_id,
        "area": area,
        "period": period,
        "value": "" if value is None else value,
        "numerator": numerator,
        "denominator": denominator,
        "flags": flags,
        "note": note,
    }


def inkar_definition(table: InkarTable, *, remarks: bool = True) -> str:
    parts = [table.long_name.rstrip(".") + "."]
    if table.formula and len(table.formula) < 200:
        parts.append(f"Berechnung: {table.formula}.")
    if remarks and table.remarks:
        parts.append(table.remarks)
    parts.append(f"Quelle laut INKAR: {table.source}.")
    return " ".join(parts)


# Population is shared by both cities: one definition used in both catalogues.
POPULATION = indicator(
    "population",
    "Einwohnerinnen und Einwohner",
    short="Einwohner",
    unit="Personen",
    kind="count",
    topic="Bevölkerung",
    decimals=0,
    definition=(
        "Zahl der Einwohnerinnen und Einwohner zum Stichtag. Region Hannover: "
        "amtliche Bevölkerungsfortschreibung (Regionaldatenbank, Tabelle "
        "12411-01-01-5, 31.12.2008 bis 31.12.2015, Spalte Insgesamt) und BKG "
        "VG250-EW (Feld EWZ, 31.12.2022); ab 31.12.2011 auf Basis des Zensus 2011 "
        "(Werte zum 31.12.2011 mit Kennzeichen break). Berlin: Einwohnerinnen und "
        "Einwohner der Planungsräume am 31.12.2020 laut MSS 2021 (Melderegister). "
        "Die Quelle jedes Werts steht in der Anmerkung."
    ),
    source=f"{RS_SOURCE}; {BKG_EW_SOURCE}; {MSS_SOURCE}",
    licence=(
        f"{DL_DE} (Regionaldatenbank, BKG); MSS 2021: Abdruck mit genauer "
        "Quellenangabe gestattet"
    ),
    keywords=["Bevölkerung", "Einwohnerzahl", "EW", "Bevölkerungsstand"],
)


# ----------------------------------------------------------------------------------
# Region Hannover
# ----------------------------------------------------------------------------------
def hannover_areas(shared: Path) -> list[dict[str, Any]]:
    """The region and its 21 municipalities with VG5000 boundaries in WGS84."""
    folder = shared / "germany-vg5000"
    gem = gpd.read_file(folder / "VG5000_GEM.shp")
    krs = gpd.read_file(folder / "VG5000_KRS.shp")
    if gem.crs is None or gem.crs.to_epsg() != 31467:
        raise ValueError(f"VG5000_GEM: expected EPSG:31467, got {gem.crs}")
    gem = gem[gem["AGS"].isin(MUNICIPALITIES)]
    krs = krs[krs["AGS"] == REGION]
    # GF 4 is "land with structure"; this VG5000 edition has GF 9 only (no
    # water/land split), so nothing is dropped -- but keep land parts if any exist.
    gem, krs = (f[f["GF"] == 4] if (f["GF"] == 4).any() else f for f in (gem, krs))
    if sorted(gem["AGS"]) != MUNICIPALITIES or len(krs) != 1:
        raise ValueError("VG5000: expected 21 municipalities and one district")
    gem = gem.to_crs(4326).sort_values("AGS")
    krs = krs.to_crs(4326)
    areas = [
        {
            "code": REGION,
            "name": "Region Hannover",
            "level": "region",
            "geometry": krs.geometry.iloc[0],
        }
    ]
    for _, row in gem.iterrows():
        areas.append(
            {
                "code": row["AGS"],
                "name": row["GEN"],
                "level": "municipality",
                "parent": REGION,
                "geometry": row.geometry,
            }
        )
    return areas


def check_names(what: str, names: dict[str, str], official: dict[str, str]) -> None:
    """Fail unless every municipality's name in a source matches the official one."""
    for code, name in official.items():
        found = names.get(code)
        if found is None or short_name(found) != name:
            raise AssertionError(f"{what}: {code} is {found!r}, expected {name!r}")


def hannover(
    shared: Path, official: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[str]]:
    """Indicators and observations for Region Hannover; also consistency notes."""
    inkar_dir = shared / "germany-inkar-gisd" / "inkar"
    infos: list[str] = []
    cat: list[dict[str, Any]] = []
    rows: list[dict[str, str]] = []

    # --- municipal level: unemployed, working-age population, their share --------
    alo = read_inkar(inkar_dir / "A_Arbeitslosigkeit.xls")
    efb = read_inkar(inkar_dir / "A_ErwerbsfaehigeBevoelkerung.xls")
    check_names("INKAR Arbeitslose", alo.names, official)
    check_names("INKAR Erwerbsfähige", efb.names, official)
    cat.append(
        indicator(
            "unemployed",
            "Arbeitslose",
            unit="Personen",
            kind="count",
            topic="Arbeit",
            decimals=0,
            polarity="higher_is_worse",
            definition=inkar_definition(alo),
            source=f"{INKAR_SOURCE}; Arbeitsmarktstatistik der Bundesagentur für "
            "Arbeit",
            licence=DL_DE,
            keywords=[
                "Arbeitslosigkeit",
                "Erwerbslose",
                "Arbeitsmarkt",
                "SGB II",
                "SGB III",
                "Jahresdurchschnitt",
            ],
        )
    )
    cat.append(
        indicator(
            "working_age_population",
            "Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)",
            short="Erwerbsfähige (15–64)",
            unit="Personen",
            kind="count",
            topic="Bevölkerung",
            decimals=0,
            definition=inkar_definition(efb)
            + " Wert 2011 mit Kennzeichen break (Zensus 2011).",
            source=f"{INKAR_SOURCE}; Fortschreibung des Bevölkerungsstandes",
            licence=DL_DE,
            keywords=[
                "Bevölkerung im erwerbsfähigen Alter",
                "Erwerbsalter",
                "15 bis 64 Jahre",
            ],
        )
    )
    cat.append(
        indicator(
            "unemployment_share",
            "Arbeitslose an der erwerbsfähigen Bevölkerung",
            short="Arbeitslosenanteil",
            unit="%",
            kind="share",
            topic="Arbeit",
            decimals=1,
            polarity="higher_is_worse",
            numerator="Arbeitslose (Jahresdurchschnitt)",
            denominator="Erwerbsfähige Bevölkerung 15 bis unter 65 Jahre (31.12.)",
            definition=(
                "Arbeitslose im Jahresdurchschnitt je 100 Einwohnerinnen und Einwohner "
                "im Alter von 15 bis unter 65 Jahren am 31.12. desselben Jahres, in %. "
                "Für diese Demo exakt aus den INKAR-Werten 'Arbeitslose' und "
                "'Erwerbsfähige Bevölkerung (15 bis unter 65 Jahre)' berechnet (keine "
                "amtliche Arbeitslosenquote, deren Bezugsgröße sind die zivilen "
                "Erwerbspersonen). 2011 Zeitreihenbruch im Nenner (Zensus 2011)."
            ),
            source=INKAR_SOURCE + " (Zähler und Nenner); berechnet",
            licence=DL_DE,
            keywords=[
                "Arbeitslosigkeit",
                "Arbeitslosenquote",
                "Arbeitslosenanteil",
                "Erwerbslose",
                "Arbeitsmarkt",
                "SGB II",
                "SGB III",
            ],
        )
    )
    for code in MUNICIPALITIES:
        for year, value in alo.values[code].items():
            rows.append(obs("unemployed", code, year, value))
        for year, value in efb.values[code].items():
            flags = "break" if year == "2011" else ""
            note = ZENSUS_NOTE if year == "2011" else ""
            rows.append(
                obs("working_age_population", code, year, value, flags=flags, note=note)
            )
        for year in sorted(set(alo.values[code]) & set(efb.values[code])):
            num, den = alo.values[code][year], efb.values[code][year]
            share = Decimal(num) / Decimal(den) * 100
            flags = "break" if year == "2011" else ""
            rows.append(
                obs(
                    "unemployment_share",
                    code,
                    year,
                    fmt(share, 3),
                    numerator=num,
                    denominator=den,
                    flags=flags,
                )
            )

    # Information only: do the municipalities add up to the district file?
    alo_kreis = read_inkar(inkar_dir / "A_ArbeitslosigkeitKreis.xls").values[REGION]
    efb_kreis = read_inkar(inkar_dir / "A_ErwerbsfaehigeBevoelkerungKreis.xls")
    for label, muni, kreis in (
        ("unemployed", alo, alo_kreis),
        ("working_age_population", efb, efb_kreis.values[REGION]),
    ):
        diffs: dict[str, Decimal] = {}
        for year in sorted(set(kreis) & set(muni.values[MUNICIPALITIES[0]])):
            total = sum(Decimal(muni.values[c][year]) for c in MUNICIPALITIES)
            if total != Decimal(kreis[year]):
                diffs[year] = total - Decimal(kreis[year])
        big = {y: d for y, d in diffs.items() if abs(d) > 100}
        small = max((abs(d) for d in diffs.values() if abs(d) <= 100), default=0)
        infos.append(
            f"{label}: sum of 21 municipalities = INKAR district value in all years"
            if not diffs
            else f"{label}: sum of the 21 municipalities differs from the INKAR "
            f"district file in {len(diffs)} years; by more than 100 in "
            + ", ".join(f"{y} ({fmt(d)})" for y, d in big.items())
            + f"; otherwise by at most {fmt(small)}"
        )

    # --- income tax per inhabitant (IRIS csv, cross-checked with the INKAR .xls) ---
    est_xls = read_inkar(inkar_dir / "E_Einkommensteuer.xls")
    iris = pd.read_csv(
        inkar_dir / "IRIS_Einkommenssteuer_Gemeindeverbaende_2022.csv",
        sep=";",
        dtype=str,
        encoding="cp1252",
        skiprows=[1],
        keep_default_na=False,
    )
    iris_years = {
        col: ("19" if int(col[-2:]) > 50 else "20") + col[-2:]
        for col in iris.columns
        if col.startswith("q_einkst_bev")
    }
    iris = iris.set_index("gemeindeve22")
    est_names: dict[str, str] = {}
    income_tax: dict[str, dict[str, str]] = {}
    for code in MUNICIPALITIES:
        gvb = REGION + "0" + code[5:]  # 9-digit Gemeindeverband key, e.g. 032410001
        est_names[code] = str(iris.loc[gvb, "gemeindeve22name"])
        series = {
            year: fmt(iris.loc[gvb, col])
            for col, year in iris_years.items()
            if iris.loc[gvb, col].strip() not in ("", "-", ".")
        }
        for year, value in est_xls.values[gvb].items():
            if year in series and Decimal(series[year]) != Decimal(value):
                raise AssertionError(
                    f"income tax {code} {year}: IRIS {series[year]} != INKAR {value}"
                )
        income_tax[code] = series
    check_names("IRIS Einkommensteuer", est_names, official)
    check_names(
        "INKAR Einkommensteuer",
        {c: est_xls.names[REGION + "0" + c[5:]] for c in MUNICIPALITIES},
        official,
    )
    cat.append(
        indicator(
            "income_tax_per_inhabitant",
            "Gemeindeanteil an der Einkommensteuer je Einwohner",
            short="Einkommensteuer je EW",
            unit="EUR je EW",
            kind="mean",
            topic="Einkommen",
            decimals=0,
            polarity="higher_is_better",
            definition=inkar_definition(est_xls)
            + " Werte 1998–2022 aus der INKAR-Datei "
            "IRIS_Einkommenssteuer_Gemeindeverbaende_2022.csv; 1998–2019 mit "
            "E_Einkommensteuer.xls abgeglichen (identisch).",
            source=f"{INKAR_SOURCE}; Realsteuervergleich des Bundes und der Länder",
            licence=DL_DE,
            keywords=[
                "Einkommensteuer",
                "Steuerkraft",
                "Steuereinnahmen",
                "Gemeindefinanzen",
                "Einkommen",
            ],
        )
    )
    for code in MUNICIPALITIES:
        for year, value in income_tax[code].items():
            flags = "break" if year == "2011" else ""
            rows.append(
                obs("income_tax_per_inhabitant", code, year, value, flags=flags)
            )

    # --- GISD (Gemeindeverband level: one municipality each) -----------------------
    gisd = pd.read_csv(
        shared
        / "germany-inkar-gisd"
        / "gisd"
        / "GISD_Niedersachsen_Gemeindeverband.csv",
        dtype=str,
        keep_default_na=False,
    )
    gisd = gisd[gisd["gvb_id"].str.startswith(REGION + "0")]
    gisd_names: dict[str, str] = {}
    cat.append(
        indicator(
            "gisd_score",
            "German Index of Socioeconomic Deprivation (GISD)",
            short="GISD",
            unit="Index (0 bis 1)",
            kind="index",
            topic="Gesundheit",
            decimals=2,
            polarity="higher_is_worse",
            definition=(
                "Relativer Index regionaler sozioökonomischer Deprivation des Robert "
                "Koch-Instituts aus Indikatoren der Dimensionen Bildung, Beruf "
                "und Einkommen; 0 = geringste, 1 = höchste Deprivation. Werte auf "
                "Ebene der Gemeindeverbände (Schlüssel 0324100NN = Gemeinde "
                "03241NNN), fünf Nachkommastellen wie veröffentlicht."
            ),
            source=GISD_SOURCE,
            licence="CC BY 4.0",
            keywords=[
                "Deprivation",
                "Benachteiligung",
                "soziale Lage",
                "sozioökonomischer Status",
                "Sozialindex",
                "RKI",
                "Gesundheit",
            ],
        )
    )
    for _, row in gisd.iterrows():
        code = REGION + row["gvb_id"][6:]
        if code not in MUNICIPALITIES:
            raise AssertionError(f"GISD: unexpected id {row['gvb_id']}")
        gisd_names[code] = row["gvb_name"]
        if row["gisd_score"].strip() in ("", "NA"):
            continue
        rows.append(obs("gisd_score", code, row["year"], fmt(row["gisd_score"], 5)))
    check_names("GISD", gisd_names, official)

    # --- population: Regionaldatenbank 12411-01-01-5 and VG250 EWZ ----------------
    cat.append(POPULATION)
    pop = read_genesis(
        shared / "germany-regionalstatistik-raw" / "12411-01-01-5_00.csv"
    )
    columns = {
        genesis_date(h.split(" | ")[0]): i
        for i, h in enumerate(pop.headers)
        if h.endswith("| Insgesamt")
    }
    pop_rows = {r[0]: r for r in pop.rows}
    check_names("12411-01-01-5", {c: pop_rows[c][1] for c in MUNICIPALITIES}, official)
    for code in MUNICIPALITIES:
        for date, col in sorted(columns.items()):
            value = genesis_value(pop_rows[code][col])
            flags = "break" if date.startswith("2011") else ""
            note = "Regionaldatenbank 12411-01-01-5"
            if date.startswith("2011"):
                note += "; " + ZENSUS_NOTE
            if value is None:
                note = (
                    f"Regionaldatenbank 12411-01-01-5: '{pop_rows[code][col]}' "
                    f"(kein Wert unter diesem Schlüssel am {date})"
                )
            rows.append(obs("population", code, date, value, flags=flags, note=note))
    vg250 = gpd.read_file(shared / "germany-inkar-gisd" / "vg250" / "VG250_GEM.dbf")
    vg250 = vg250[vg250["AGS"].isin(MUNICIPALITIES) & (vg250["GF"] == 4)]
    check_names("VG250", dict(zip(vg250["AGS"], vg250["GEN"], strict=True)), official)
    for _, row in vg250.iterrows():
        rows.append(
            obs(
                "population",
                row["AGS"],
                "2022-12-31",
                fmt(int(row["EWZ"])),
                note="BKG VG250-EW, Feld EWZ (Stand 31.12.2022)",
            )
        )
    total_2015 = sum(
        Decimal(pop_rows[c][columns["2015-12-31"]]) for c in MUNICIPALITIES
    )
    region_2015 = pop_rows[REGION][columns["2015-12-31"]]
    infos.append(
        f"population 31.12.2015: sum of municipalities {fmt(total_2015)}, "
        f"district row {region_2015}"
    )

    # --- district level only (area 03241) ------------------------------------------
    def kreis(
        file: str,
        id_: str,
        name: str,
        *,
        unit: str,
        kind: str,
        topic: str,
        polarity: str,
        decimals: int,
        extra: str = "",
        remarks: bool = True,
        short: str = "",
        keywords: Sequence[str] = (),
        break_2011: bool = False,
    ) -> InkarTable:
        table = read_inkar(inkar_dir / file)
        if table.names.get(REGION) != "Region Hannover":
            raise AssertionError(f"{file}: {REGION} is {table.names.get(REGION)!r}")
        cat.append(
            indicator(
                id_,
                name,
                short=short,
                unit=unit,
                kind=kind,
                topic=topic,
                decimals=decimals,
                polarity=polarity,
                definition=inkar_definition(table, remarks=remarks)
                + " Nur für die Region insgesamt (Kreisebene) verfügbar."
                + (" " + extra if extra else ""),
                source=f"{INKAR_SOURCE}; {table.source.split('; ', 1)[-1]}",
                licence=DL_DE,
                keywords=keywords,
            )
        )
        if kind in ("share", "rate"):
            return table  # written by the caller (with numerator/denominator)
        for year, value in table.values[REGION].items():
            flags = "break" if break_2011 and year == "2011" else ""
            rows.append(obs(id_, REGION, year, value, flags=flags))
        return table

    kreis(
        "E_Haushaltseinkommen.xls",
        "household_income_per_inhabitant",
        "Verfügbares Einkommen der privaten Haushalte je Einwohner",
        short="Haushaltseinkommen je EW",
        unit="EUR je EW (monatlich)",
        kind="mean",
        topic="Einkommen",
        polarity="higher_is_better",
        decimals=0,
        remarks=False,
        extra=(
            "Die Größenordnung der Werte (2021: rund 1.930 EUR) entspricht einem "
            "Monatsbetrag. Die INKAR-Anmerkung zu diesem Indikator beschreibt "
            "irrtümlich den Median der Bruttoarbeitsentgelte und wurde nicht "
            "übernommen."
        ),
        keywords=[
            "Haushaltseinkommen",
            "verfügbares Einkommen",
            "Kaufkraft",
            "Wohlstand",
        ],
    )
    kreis(
        "A_Bruttoverdienst.xls",
        "gross_monthly_earnings",
        "Monatlicher Bruttoverdienst je Arbeitnehmer",
        short="Bruttoverdienst",
        unit="EUR",
        kind="mean",
        topic="Einkommen",
        polarity="higher_is_better",
        decimals=0,
        keywords=["Bruttolohn", "Lohn", "Gehalt", "Verdienst", "Arbeitnehmer"],
    )
    sv = kreis(
        "B_SVBeschaeftigte.xls",
        "employees_at_residence",
        "Sozialversicherungspflichtig Beschäftigte am Wohnort",
        short="SV-Beschäftigte (Wohnort)",
        unit="Personen",
        kind="count",
        topic="Arbeit",
        polarity="neutral",
        decimals=0,
        keywords=["Beschäftigung", "SV-Beschäftigte", "Erwerbstätigkeit", "Wohnort"],
    )
    shares: list[tuple[str, str, dict[str, Any]]] = [
        (
            "A_BeschaeftigtenquoteKreis.xls",
            "employment_rate",
            {
                "name": "Beschäftigtenquote",
                "unit": "%",
                "topic": "Arbeit",
                "polarity": "higher_is_better",
                "keywords": [
                    "Beschäftigung",
                    "Beschäftigungsquote",
                    "SV-Beschäftigte",
                    "Erwerbsbeteiligung",
                    "Erwerbstätigkeit",
                ],
                "break_2011": True,
            },
        ),
        (
            "E_Schuldnerquote.xls",
            "debtor_rate",
            {
                "name": "Schuldnerquote",
                "unit": "%",
                "topic": "Einkommen",
                "polarity": "higher_is_worse",
                "keywords": [
                    "Überschuldung",
                    "Verschuldung",
                    "Schulden",
                    "Schuldneratlas",
                    "Creditreform",
                ],
                "break_2011": True,
            },
        ),
        (
            "B_SchulabgaengerohneAbschluss.xls",
            "school_leavers_without_qualification",
            {
                "name": "Schulabgänger ohne Hauptschulabschluss",
                "short": "Schulabgänger ohne Abschluss",
                "unit": "%",
                "topic": "Bildung",
                "polarity": "higher_is_worse",
                "keywords": [
                    "Schulabschluss",
                    "Schulabbruch",
                    "Schulabbrecher",
                    "Bildungsarmut",
                    "Bildung",
                ],
            },
        ),
        (
            "B_BeschaeftigtemitakadAbschluss.xls",
            "employees_academic_share",
            {
                "name": "Beschäftigte am Wohnort mit akademischem Berufsabschluss",
                "short": "Beschäftigte mit akad. Abschluss",
                "unit": "%",
                "topic": "Bildung",
                "polarity": "higher_is_better",
                "keywords": [
                    "Qualifikation",
                    "Hochschulabschluss",
                    "Akademiker",
                    "Studium",
                    "KldB 2010",
                ],
            },
        ),
        (
            "B_BeschaeftigteohneAbschluss.xls",
            "employees_without_vocational_qualification_share",
            {
                "name": "Beschäftigte am Wohnort ohne Berufsabschluss",
                "short": "Beschäftigte ohne Berufsabschluss",
                "unit": "%",
                "topic": "Bildung",
                "polarity": "higher_is_worse",
                "keywords": [
                    "Qualifikation",
                    "Berufsausbildung",
                    "ohne Ausbildung",
                    "Geringqualifizierte",
                    "KldB 2010",
                ],
            },
        ),
    ]
    for file, id_, spec in shares:
        break_2011 = bool(spec.pop("break_2011", False))
        table = kreis(file, id_, kind="share", decimals=1, **spec)
        for year, value in table.values[REGION].items():
            flags = "break" if break_2011 and year == "2011" else ""
            num = den = ""
            if id_ == "employment_rate":
                # INKAR: SV-Beschäftigte am Wohnort (30.06.) / E 15-<65 (31.12.) x 100.
                # Write both parts only where they reproduce the published value.
                n = sv.values[REGION].get(year)
                d = efb_kreis.values[REGION].get(year)
                if n and d:
                    check = Decimal(n) / Decimal(d) * 100
                    if abs(check - Decimal(value)) <= Decimal("0.005"):
                        num, den = n, d
                    else:
                        infos.append(
                            f"employment_rate {year}: published {value}, "
                            f"{n}/{d}x100 = {fmt(check, 3)} -> parts not written"
                        )
            rows.append(
                obs(
                    id_,
                    REGION,
                    year,
                    value,
                    numerator=num,
                    denominator=den,
                    flags=flags,
                )
            )
    rate = next(c for c in cat if c["id"] == "employment_rate")
    rate["numerator"] = "Sozialversicherungspflichtig Beschäftigte am Wohnort (30.06.)"
    rate["denominator"] = "Einwohnerinnen und Einwohner 15 bis unter 65 Jahre (31.12.)"

    # --- minimum income benefits (22811-01-01-4) and their share -------------------
    mis = read_genesis(
        shared / "germany-regionalstatistik-raw" / "22811-01-01-4_00.csv"
    )
    total_col = next(
        i
        for i, h in enumerate(mis.headers)
        if h.startswith("Empfänger von sozialen Mindestsicherungsleistungen")
    )
    pop_kreis = read_genesis(
        shared / "germany-regionalstatistik-raw" / "12411-01-01-4_00.csv"
    )
    kreis_cols = {
        genesis_date(h.split(" | ")[0]): i
        for i, h in enumerate(pop_kreis.headers)
        if h.endswith("| Insgesamt")
    }
    kreis_pop = next(r for r in pop_kreis.rows if r[0] == REGION)
    cat.append(
        indicator(
            "minimum_income_recipients",
            "Empfängerinnen und Empfänger von sozialen Mindestsicherungsleistungen",
            short="Mindestsicherung (Personen)",
            unit="Personen",
            kind="count",
            topic="Mindestsicherung",
            decimals=0,
            polarity="higher_is_worse",
            definition=(
                "Empfängerinnen und Empfänger von Gesamtregelleistungen nach SGB II "
                "(Arbeitslosengeld II/Sozialgeld), Hilfe zum Lebensunterhalt "
                "außerhalb von Einrichtungen und Grundsicherung im Alter und bei "
                "Erwerbsminderung nach SGB XII sowie Regelleistungen nach dem "
                "Asylbewerberleistungsgesetz, Stichtag 31.12. (Regionaldatenbank, "
                "Tabelle 22811-01-01-4, Stand 10.10.2017). Nur für die Region "
                "insgesamt (Kreisebene) verfügbar."
            ),
            source=f"{RS_SOURCE}, Tabelle 22811-01-01-4",
            licence=DL_DE,
            keywords=[
                "Mindestsicherung",
                "SGB II",
                "SGB XII",
                "AsylbLG",
                "Bürgergeld",
                "Hartz IV",
                "Arbeitslosengeld II",
                "Grundsicherung",
                "Sozialhilfe",
                "Asylbewerberleistungen",
                "Transferleistungen",
                "Armut",
            ],
        )
    )
    cat.append(
        indicator(
            "minimum_income_share",
            "Mindestsicherungsquote",
            unit="%",
            kind="share",
            topic="Mindestsicherung",
            decimals=1,
            polarity="higher_is_worse",
            numerator="Empfängerinnen und Empfänger von Mindestsicherungsleistungen",
            denominator="Einwohnerinnen und Einwohner insgesamt",
            definition=(
                "Empfängerinnen und Empfänger sozialer Mindestsicherungsleistungen je "
                "100 Einwohnerinnen und Einwohner am 31.12., in %. Für diese Demo "
                "exakt berechnet aus den Tabellen 22811-01-01-4 (Zähler) und "
                "12411-01-01-4 (Nenner, Bevölkerungsstand der Region am selben "
                "Stichtag). Nur für die Region insgesamt (Kreisebene) verfügbar. "
                "2011 Zeitreihenbruch im Nenner (Zensus 2011)."
            ),
            source=f"{RS_SOURCE}, Tabellen 22811-01-01-4 und 12411-01-01-4; berechnet",
            licence=DL_DE,
            keywords=[
                "Mindestsicherung",
                "Armut",
                "SGB II",
                "SGB XII",
                "Bürgergeld",
                "Hartz IV",
                "Grundsicherung",
                "Sozialhilfe",
                "Transferleistungen",
            ],
        )
    )
    for row in mis.rows:
        if row[1] != REGION:
            continue
        date = genesis_date(row[0])
        recipients = genesis_value(row[total_col])
        flags = "break" if date.startswith("2011") else ""
        rows.append(obs("minimum_income_recipients", REGION, date, recipients))
        population = genesis_value(kreis_pop[kreis_cols[date]])
        if recipients is not None and population is not None:
            share = Decimal(recipients) / Decimal(population) * 100
            rows.append(
                obs(
                    "minimum_income_share",
                    REGION,
                    date,
                    fmt(share, 3),
                    numerator=recipients,
                    denominator=population,
                    flags=flags,
                )
            )
    return cat, rows, infos


# ----------------------------------------------------------------------------------
# Berlin
# ----------------------------------------------------------------------------------
def berlin_lor(shared: Path) -> pd.DataFrame:
    lor = pd.read_csv(
        shared / "berlin-mss-2021" / "LOR_2021.csv",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    lor.columns = [c.strip() for c in lor.columns]
    plr = lor["Planungsraum (Nummer)"]
    if not (
        plr.str.fullmatch(r"\d{8}").all()
        and plr.is_unique
        and (lor["Bezirksregion (Nummer)"] == plr.str[:6]).all()
        and (lor["Prognoseraum (Nummer)"] == plr.str[:4]).all()
        and len(lor) == 542
    ):
        raise AssertionError("LOR_2021.csv: unexpected key hierarchy")
    return lor


def berlin_areas(
    shared: Path, lor: pd.DataFrame, infos: list[str]
) -> list[dict[str, Any]]:
    """Berlin, boroughs, forecast areas, district regions and planning areas."""
    shp = gpd.read_file(shared / "berlin-lor-2021" / "lor_planungsraeume_2021.shp")
    if shp.crs is None or shp.crs.to_epsg() != 25833:
        raise ValueError(f"LOR shapefile: expected EPSG:25833, got {shp.crs}")
    if set(shp["PLR_ID"]) != set(lor["Planungsraum (Nummer)"]):
        raise AssertionError("LOR shapefile and LOR_2021.csv have different PLR_IDs")
    shp = shp.set_index("PLR_ID").loc[lor["Planungsraum (Nummer)"]]
    names = dict(
        zip(lor["Planungsraum (Nummer)"], lor["Planungsraum (Name)"], strict=True)
    )
    for plr, shp_name in shp["PLR_NAME"].items():
        if shp_name.strip() != names[str(plr)].strip():
            infos.append(
                f"PLR {plr}: '{names[str(plr)].strip()}' in LOR_2021.csv (used), "
                f"'{shp_name.strip()}' in the 2021 shapefile"
            )
    # Simplify the 542 polygons as one coverage (shared edges stay shared: no gaps,
    # no overlaps), in metres; the higher levels are unions of the simplified PLR.
    simple = pd.Series(
        shapely.coverage_simplify(shp.geometry.values, BERLIN_SIMPLIFY_M),
        index=shp.index,
    )

    def union(prefix_len: int) -> dict[str, Any]:
        groups: dict[str, list[Any]] = defaultdict(list)
        for code, geom in simple.items():
            groups[str(code)[:prefix_len]].append(geom)
        return {k: shapely.union_all(v) for k, v in groups.items()}

    unions = {2: union(2), 4: union(4), 6: union(6)}
    areas: list[dict[str, Any]] = [
        {
            "code": BERLIN,
            "name": "Berlin",
            "level": "municipality",
            "geometry": shapely.union_all(list(simple.values)),
        }
    ]
    boroughs = lor.groupby(lor["Planungsraum (Nummer)"].str[:2])["Bezirk"].unique()
    for code, names in boroughs.items():
        if len(names) != 1:
            raise AssertionError(f"borough {code}: several names {names}")
        areas.append(
            {
                "code": code,
                "name": names[0],
                "level": "district",
                "parent": BERLIN,
                "geometry": unions[2][code],
            }
        )
    for level, number, name, parent_len in (
        ("forecast_area", "Prognoseraum (Nummer)", "Prognoseraum (Name)", 2),
        ("district_region", "Bezirksregion (Nummer)", "Bezirksregion (Name)", 4),
        ("planning_area", "Planungsraum (Nummer)", "Planungsraum (Name)", 6),
    ):
        pairs = lor[[number, name]].drop_duplicates().sort_values(number)
        if not pairs[number].is_unique:
            raise AssertionError(f"{level}: a key has several names")
        for code, label in pairs.itertuples(index=False):
            geom = simple[code] if level == "planning_area" else unions[len(code)][code]
            areas.append(
                {
                    "code": code,
                    "name": label.strip(),
                    "level": level,
                    "parent": code[:parent_len],
                    "geometry": geom,
                }
            )
    # Reproject everything once (EPSG:25833 -> EPSG:4326).
    series = gpd.GeoSeries([a["geometry"] for a in areas], crs=25833).to_crs(4326)
    for area, geom in zip(areas, series.values, strict=True):
        area["geometry"] = geom
    return areas


MSS_INDEX = [
    # column, id, name, short, unit, kind, topic, definition, keywords
    (
        "S1",
        "mss_s1_unemployment",
        "Arbeitslosigkeit",
        "Arbeitslosigkeit (S1)",
        "%",
        "share",
        "Arbeit",
        "Status-Indikator S1: Anteil der Arbeitslosen nach SGB II an den "
        "Einwohnerinnen und Einwohnern im Alter von 15 bis unter 65 Jahren in %, "
        "31.12.2020.",
        ["Arbeitslose", "Erwerbslose", "SGB II", "Status-Indikator"],
    ),
    (
        "S3",
        "mss_s3_transfer",
        "Transferbezug",
        "Transferbezug (S3)",
        "%",
        "share",
        "Mindestsicherung",
        "Status-Indikator S3: Anteil der Empfängerinnen und Empfänger von "
        "Transferleistungen nach SGB II und SGB XII an den Einwohnerinnen und "
        "Einwohnern in %, 31.12.2020 (Abgrenzung im Einzelnen: MSS 2021, "
        "Indikatorenheft).",
        [
            "Transferleistungen",
            "SGB II",
            "SGB XII",
            "Bürgergeld",
            "Hartz IV",
            "Grundsicherung",
            "Sozialhilfe",
            "Armut",
            "Status-Indikator",
        ],
    ),
    (
        "S4",
        "mss_s4_child_poverty",
        "Kinderarmut",
        "Kinderarmut (S4)",
        "%",
        "share",
        "Mindestsicherung",
        "Status-Indikator S4: Anteil der Kinder und Jugendlichen unter 15 Jahren in "
        "Bedarfsgemeinschaften nach SGB II an den Einwohnerinnen und Einwohnern "
        "unter 15 Jahren in %, 31.12.2020.",
        [
            "Kinder in Bedarfsgemeinschaften",
            "SGB II",
            "Bürgergeld",
            "Hartz IV",
            "Armut",
            "Status-Indikator",
        ],
    ),
    (
        "D1",
        "mss_d1_unemployment_change",
        "Veränderung Arbeitslosigkeit",
        "Veränderung Arbeitslosigkeit (D1)",
        "Prozentpunkte",
        "index",
        "Arbeit",
        "Dynamik-Indikator D1: Veränderung des Anteils S1 (Arbeitslose nach SGB II "
        "an den 15- bis unter 65-Jährigen) vom 31.12.2018 zum 31.12.2020 in "
        "Prozentpunkten.",
        ["Arbeitslose", "Erwerbslose", "SGB II", "Entwicklung", "Dynamik-Indikator"],
    ),
    (
        "D3",
        "mss_d3_transfer_change",
        "Veränderung Transferbezug",
        "Veränderung Transferbezug (D3)",
        "Prozentpunkte",
        "index",
        "Mindestsicherung",
        "Dynamik-Indikator D3: Veränderung des Anteils S3 (Transferbezug) vom "
        "31.12.2018 zum 31.12.2020 in Prozentpunkten.",
        [
            "Transferleistungen",
            "SGB II",
            "SGB XII",
            "Bürgergeld",
            "Hartz IV",
            "Grundsicherung",
            "Sozialhilfe",
            "Armut",
            "Entwicklung",
            "Dynamik-Indikator",
        ],
    ),
    (
        "D4",
        "mss_d4_child_poverty_change",
        "Veränderung Kinderarmut",
        "Veränderung Kinderarmut (D4)",
        "Prozentpunkte",
        "index",
        "Mindestsicherung",
        "Dynamik-Indikator D4: Veränderung des Anteils S4 (Kinder unter 15 Jahren "
        "in Bedarfsgemeinschaften nach SGB II) vom 31.12.2018 zum 31.12.2020 in "
        "Prozentpunkten.",
        [
            "Kinder in Bedarfsgemeinschaften",
            "SGB II",
            "Bürgergeld",
            "Hartz IV",
            "Armut",
            "Entwicklung",
            "Dynamik-Indikator",
        ],
    ),
]

MSS_CONTEXT = [
    # number, id, name, unit, kind, topic, polarity, definition, keywords
    (
        "01",
        "mss_k01_youth_unemployment",
        "Jugendarbeitslosigkeit",
        "%",
        "share",
        "Arbeit",
        "higher_is_worse",
        "Anteil der Arbeitslosen unter 25 Jahren an den Einwohnerinnen und "
        "Einwohnern im Alter von 15 bis unter 25 Jahren in %.",
        [
            "Arbeitslosigkeit",
            "Arbeitslose unter 25 Jahren",
            "Jugendliche",
            "junge Erwachsene",
        ],
    ),
    (
        "02",
        "mss_k02_single_parents",
        "Alleinerziehende Haushalte",
        "%",
        "share",
        "Bevölkerung",
        "neutral",
        "Anteil der Haushalte von Alleinerziehenden an den Haushalten mit Kindern "
        "in %.",
        ["Alleinerziehende", "Einelternfamilien", "Familien", "Haushalte mit Kindern"],
    ),
    (
        "03",
        "mss_k03_old_age_poverty",
        "Altersarmut",
        "%",
        "share",
        "Mindestsicherung",
        "higher_is_worse",
        "Anteil der Empfängerinnen und Empfänger von Grundsicherung im Alter (SGB "
        "XII, 4. Kapitel, außerhalb von Einrichtungen) ab 65 Jahren an den "
        "Einwohnerinnen und Einwohnern ab 65 Jahren in %.",
        [
            "Grundsicherung im Alter",
            "SGB XII",
            "Armut",
            "Seniorinnen und Senioren",
            "ältere Menschen",
        ],
    ),
    (
        "04",
        "mss_k04_children_migration_background",
        "Kinder und Jugendliche mit Migrationshintergrund",
        "%",
        "share",
        "Bevölkerung",
        "neutral",
        "Anteil der unter 18-Jährigen mit Migrationshintergrund an den unter "
        "18-Jährigen in %.",
        ["Migration", "Zuwanderung", "Minderjährige"],
    ),
    (
        "05",
        "mss_k05_migration_background",
        "Einwohnerinnen und Einwohner mit Migrationshintergrund",
        "%",
        "share",
        "Bevölkerung",
        "neutral",
        "Anteil der Einwohnerinnen und Einwohner mit Migrationshintergrund an allen "
        "Einwohnerinnen und Einwohnern in %.",
        ["Migration", "Zuwanderung", "Migrantinnen und Migranten"],
    ),
    (
        "16",
        "mss_k16_foreigners",
        "Ausländerinnen und Ausländer",
        "%",
        "share",
        "Bevölkerung",
        "neutral",
        "Anteil der Ausländerinnen und Ausländer an den Einwohnerinnen und "
        "Einwohnern in %.",
        [
            "Ausländeranteil",
            "Staatsangehörigkeit",
            "nichtdeutsche Bevölkerung",
            "Migration",
        ],
    ),
    (
        "06",
        "mss_k06_foreigners_change",
        "Veränderung Ausländeranteil",
        "Prozentpunkte",
        "index",
        "Bevölkerung",
        "neutral",
        "Veränderung des Anteils der Ausländerinnen und Ausländer an den "
        "Einwohnerinnen und Einwohnern (K 16) vom 31.12.2018 zum 31.12.2020 in "
        "Prozentpunkten.",
        [
            "Ausländerinnen und Ausländer",
            "Staatsangehörigkeit",
            "Migration",
            "Entwicklung",
        ],
    ),
    (
        "17",
        "mss_k17_non_eu_foreigners",
        "Nicht-EU-Ausländerinnen und -Ausländer",
        "%",
        "share",
        "Bevölkerung",
        "neutral",
        "Anteil der Nicht-EU-Ausländerinnen und Nicht-EU-Ausländer an den "
        "Ausländerinnen und Ausländern in %.",
        ["Drittstaatsangehörige", "Drittstaaten", "Staatsangehörigkeit", "Migration"],
    ),
    (
        "07",
        "mss_k07_foreign_transfer_recipients",
        "Ausländische Transferbeziehende (SGB II)",
        "%",
        "share",
        "Mindestsicherung",
        "higher_is_worse",
        "Anteil ausländischer Empfängerinnen und Empfänger von Leistungen nach SGB "
        "II in % (Bezugsgröße laut MSS 2021, Indikatorenheft).",
        [
            "Ausländerinnen und Ausländer",
            "Transferbezug",
            "Bürgergeld",
            "Hartz IV",
            "Migration",
        ],
    ),
    (
        "09",
        "mss_k09_simple_residential_area",
        "Einwohnerinnen und Einwohner in einfacher Wohnlage",
        "%",
        "share",
        "Wohnen",
        "higher_is_worse",
        "Anteil der Einwohnerinnen und Einwohner in einfacher Wohnlage "
        "(einschließlich Lärmbelastung durch Straßenverkehr) an allen Einwohnerinnen "
        "und Einwohnern in %.",
        ["Wohnlage", "Lärm", "Verkehrslärm", "Wohnqualität"],
    ),
    (
        "10",
        "mss_k10_residence_over_5_years",
        "Wohndauer über fünf Jahre",
        "%",
        "share",
        "Wohnen",
        "neutral",
        "Anteil der Einwohnerinnen und Einwohner mit einer Wohndauer von über fünf "
        "Jahren an derselben Adresse in %.",
        ["Sesshaftigkeit", "Fluktuation", "Umzüge", "Nachbarschaft"],
    ),
    (
        "11",
        "mss_k11_migration_volume",
        "Wanderungsvolumen",
        "je 100 EW und Jahr",
        "rate",
        "Bevölkerung",
        "neutral",
        "Durchschnittliches Wanderungsvolumen (Zuzüge plus Fortzüge je 100 "
        "Einwohnerinnen und Einwohner) pro Jahr, 31.12.2018 bis 31.12.2020.",
        ["Zuzüge", "Fortzüge", "Umzüge", "Fluktuation", "Mobilität"],
    ),
    (
        "12",
        "mss_k12_migration_balance",
        "Wanderungssaldo",
        "je 100 EW und Jahr",
        "rate",
        "Bevölkerung",
        "neutral",
        "Durchschnittlicher Wanderungssaldo (Zuzüge minus Fortzüge je 100 "
        "Einwohnerinnen und Einwohner) pro Jahr, 31.12.2018 bis 31.12.2020.",
        ["Zuzüge", "Fortzüge", "Nettowanderung", "Umzüge"],
    ),
    (
        "13",
        "mss_k13_migration_balance_under6",
        "Wanderungssaldo von Kindern unter 6 Jahren",
        "je 100 EW unter 6 J. und Jahr",
        "rate",
        "Bevölkerung",
        "neutral",
        "Durchschnittlicher Wanderungssaldo der unter 6-Jährigen (Zuzüge minus "
        "Fortzüge je 100 Einwohnerinnen und Einwohner unter 6 Jahren) pro Jahr, "
        "31.12.2018 bis 31.12.2020.",
        ["Kinder", "Familien", "Zuzüge", "Fortzüge"],
    ),
]


def berlin(
    shared: Path, lor: pd.DataFrame
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[str]]:
    folder = shared / "berlin-mss-2021"
    infos: list[str] = []

    def fis(name: str) -> pd.DataFrame:
        frame = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
        if set(frame["ZEIT"]) != {"202012"} or len(frame) != 542:
            raise AssertionError(f"{name}: expected 542 rows for ZEIT 202012")
        return frame.set_index("PLR_ID")

    index_ind = fis("fisbroker_mss_2021_index_indikatoren.csv")
    indices = fis("fisbroker_mss_2021_indizes.csv")
    context = fis("fisbroker_mss_2021_kontext_indikatoren.csv")
    zvalues = pd.read_csv(
        folder / "mss_2021_index-indikatoren_z-werte_plr.csv",
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    ).set_index("PLR-ID")
    table41 = pd.read_csv(
        folder / "mss_2021_kontext-indikatoren_anteile_plr.csv",
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    ).set_index("PLR-ID")
    plrs = list(lor["Planungsraum (Nummer)"])
    for frame in (index_ind, indices, context, zvalues, table41):
        if sorted(frame.index) != sorted(plrs):
            raise AssertionError("MSS tables do not cover the 542 PLR of LOR_2021")

    lor_names = dict(
        zip(lor["Planungsraum (Nummer)"], lor["Planungsraum (Name)"], strict=True)
    )
    for plr in plrs:
        if zvalues.at[plr, "PLR-Name"].strip() != lor_names[plr].strip():
            infos.append(
                f"PLR {plr}: '{zvalues.at[plr, 'PLR-Name'].strip()}' in MSS table 3, "
                f"'{lor_names[plr].strip()}' in LOR_2021.csv (used)"
            )

    cat: list[dict[str, Any]] = [POPULATION]
    rows: list[dict[str, str]] = []
    keywords = ["MSS", "Monitoring Soziale Stadtentwicklung", "Planungsraum"]

    def missing(text: str) -> bool:
        return text.strip() in ("", "-9999")

    # Inhabitants 31.12.2020 (table 3 has all 542; FIS-Broker has one empty EW).
    ew_col = "EW 31.12.2020"
    for plr in plrs:
        value = zvalues.at[plr, ew_col]
        fis_ew = index_ind.at[plr, "EW"]
        if not missing(fis_ew) and fis_ew != value:
            raise AssertionError(f"EW {plr}: table 3 {value} != FIS-Broker {fis_ew}")
        if not missing(value):
            rows.append(
                obs(
                    "population",
                    plr,
                    MSS_PERIOD,
                    fmt(value),
                    note="MSS 2021, Tabelle 3 (EW 31.12.2020)",
                )
            )

    # Index indicators S1, S3, S4, D1, D3, D4 (raw values from FIS-Broker).
    for col, id_, name, short, unit, kind, topic, definition, own in MSS_INDEX:
        cat.append(
            indicator(
                id_,
                name,
                short=short,
                unit=unit,
                kind=kind,
                topic=topic,
                decimals=2,
                polarity="higher_is_worse",
                definition=definition
                + " Planungsräume mit weniger als 300 Einwohnerinnen und Einwohnern "
                "sowie ein Ausreißer sind nicht berechnet (kein Wert).",
                source=MSS_SOURCE + " (FIS-Broker, s_IndexInd_MSS2021_homogen)",
                licence=MSS_LICENCE,
                update_cycle="zweijährlich",
                keywords=[*keywords, *own],
            )
        )
        for plr in plrs:
            value = index_ind.at[plr, col]
            if not missing(value):
                rows.append(obs(id_, plr, MSS_PERIOD, fmt(value)))

    # Status and dynamics index (SI_V / DI_V hold class names, so take the index
    # values from table 3).
    for label in ("SI_V", "DI_V"):
        if pd.to_numeric(indices[label], errors="coerce").notna().any():
            raise AssertionError(f"{label} unexpectedly numeric")
    for column, id_, name, definition, own in (
        (
            "Status-Index (standardisierte Statussumme)",
            "mss_status_index",
            "Status-Index",
            "Standardisierte Summe der z-Werte der Status-Indikatoren S1, S3 und S4 "
            "(31.12.2020). Klassen: unter -1 hoch, -1 bis +1 mittel, über +1 bis +1,5 "
            "niedrig, über +1,5 sehr niedrig. Höhere Werte = niedrigerer sozialer "
            "Status.",
            ["soziale Lage", "Benachteiligung", "Sozialstatus"],
        ),
        (
            "Dynamik-Index (standardisierte Dynamik-summe)",
            "mss_dynamics_index",
            "Dynamik-Index",
            "Standardisierte Summe der z-Werte der Dynamik-Indikatoren D1, D3 und D4 "
            "(31.12.2018 bis 31.12.2020). Klassen: unter -1 positiv, -1 bis +1 stabil, "
            "über +1 negativ. Höhere Werte = ungünstigere Entwicklung.",
            ["soziale Lage", "Entwicklung", "Veränderung"],
        ),
    ):
        cat.append(
            indicator(
                id_,
                name,
                unit="Index",
                kind="index",
                topic="Teilhabe",
                decimals=2,
                polarity="higher_is_worse",
                definition=definition
                + " Werte mit zwei Nachkommastellen laut MSS 2021, Tabelle 3; 6 "
                "Planungsräume ohne Zuordnung (kein Wert).",
                source=MSS_SOURCE + " (Tabelle 3)",
                licence=MSS_LICENCE,
                update_cycle="zweijährlich",
                keywords=[
                    *keywords,
                    "Sozialindex",
                    "Gesamtindex Soziale Ungleichheit",
                    *own,
                ],
            )
        )
        for plr in plrs:
            value = zvalues.at[plr, column]
            if not missing(value):
                rows.append(obs(id_, plr, MSS_PERIOD, fmt(value)))

    # Check: the table-3 status index reproduces FIS-Broker's official classes
    # (except values of exactly +-1.00, where the unrounded value decides).
    disagree = []
    for plr in plrs:
        value = zvalues.at[plr, "Status-Index (standardisierte Statussumme)"]
        if missing(value):
            continue
        x = Decimal(value)
        cls = (
            "hoch"
            if x < -1
            else "mittel"
            if x <= 1
            else "niedrig"
            if x <= Decimal("1.5")
            else "sehr niedrig"
        )
        if cls != indices.at[plr, "SI_V"] and abs(x) != 1:
            disagree.append(plr)
    if disagree:
        raise AssertionError(f"status classes disagree with SI_V: {disagree}")

    # Context indicators K01 ... K17 (raw values from FIS-Broker; K08/K14/K15 exist
    # only for the old 447 PLR and are empty here).
    for number, id_, name, unit, kind, topic, polarity, definition, own in MSS_CONTEXT:
        col = f"KI_{number}"
        cat.append(
            indicator(
                id_,
                name,
                short=f"{name} (K{number})",
                unit=unit,
                kind=kind,
                topic=topic,
                decimals=2,
                polarity=polarity,
                multiplier=100 if kind == "rate" else None,
                definition=f"Kontextindikator K {number}: {definition} Stand "
                "31.12.2020; zwei Nachkommastellen wie veröffentlicht. Planungsräume "
                "mit weniger als 300 Einwohnerinnen und Einwohnern sowie ein Ausreißer "
                "sind nicht berechnet (kein Wert).",
                source=MSS_SOURCE + " (FIS-Broker, s_KontextInd_MSS2021_homogen)",
                licence=MSS_LICENCE,
                update_cycle="zweijährlich",
                keywords=[*keywords, *own],
            )
        )
        skipped = []
        for plr in plrs:
            value = context.at[plr, col]
            if missing(value):
                continue
            published = table41.at[plr, f"K{number}"]
            if missing(published):
                # Table 4.1 leaves it empty while FIS-Broker has a value: write no row.
                skipped.append(f"{plr} (FIS-Broker {value})")
                continue
            if abs(Decimal(value) - Decimal(published)) > Decimal("0.005"):
                raise AssertionError(f"{col} {plr}: {value} != table 4.1 {published}")
            rows.append(obs(id_, plr, MSS_PERIOD, fmt(value)))
        if skipped:
            infos.append(
                f"{id_}: no row where table 4.1 is empty but FIS-Broker has a value: "
                + ", ".join(skipped)
            )
    return cat, rows, infos


# ----------------------------------------------------------------------------------
# Writers and checks
# ----------------------------------------------------------------------------------
def round_coords(geom: Any) -> Any:
    """GeoJSON geometry with coordinates rounded to WGS84_DECIMALS, kept valid."""
    if geom is None or geom.is_empty:
        return None
    snapped = shapely.set_precision(geom, 10**-WGS84_DECIMALS)
    # RFC 7946: exterior rings counterclockwise, holes clockwise.
    data = mapping(shapely.orient_polygons(snapped))

    def walk(coords: Any) -> Any:
        if isinstance(coords[0], (int, float)):
            return [round(float(c), WGS84_DECIMALS) for c in coords]
        return [walk(c) for c in coords]

    return {"type": data["type"], "coordinates": walk(data["coordinates"])}


def write_geojson(path: Path, areas: Iterable[dict[str, Any]]) -> None:
    lines = []
    for area in areas:
        props = {k: area[k] for k in ("code", "name", "level", "parent") if k in area}
        feature = {
            "type": "Feature",
            "properties": props,
            "geometry": round_coords(area["geometry"]),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_yaml(path: Path, catalogue: list[dict[str, Any]]) -> None:
    text = yaml.safe_dump(
        catalogue, allow_unicode=True, sort_keys=False, width=88, indent=2
    )
    path.write_text(text, encoding="utf-8")


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    rows = sorted(rows, key=lambda r: (r["indicator"], r["area"], r["period"]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=OBS_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def check_city(
    city: str,
    folder: Path,
    catalogue: list[dict[str, Any]],
    rows: list[dict[str, str]],
) -> None:
    """Re-read the written files and check them against each other."""
    areas = gpd.read_file(folder / "areas.geojson")
    if areas.crs is None or areas.crs.to_epsg() != 4326:
        raise AssertionError(f"{city}: areas not in EPSG:4326")
    if not areas["code"].is_unique:
        raise AssertionError(f"{city}: duplicate area codes")
    if not areas.geometry.is_valid.all():
        raise AssertionError(f"{city}: invalid geometries")
    codes = set(areas["code"])
    parents = areas["parent"].dropna() if "parent" in areas else pd.Series([])
    orphans = sorted(set(parents) - codes)
    if orphans:
        raise AssertionError(f"{city}: parents not in file: {orphans}")
    roots = areas[areas["parent"].isna()] if "parent" in areas else areas
    if len(roots) != 1:
        raise AssertionError(f"{city}: expected one root, got {list(roots['code'])}")
    ids = [c["id"] for c in catalogue]
    if len(ids) != len(set(ids)):
        raise AssertionError(f"{city}: duplicate indicator ids")
    loaded = yaml.safe_load((folder / "indicators.yaml").read_text(encoding="utf-8"))
    if loaded != catalogue:
        raise AssertionError(f"{city}: indicators.yaml does not round-trip")
    frame = pd.read_csv(folder / "observations.csv", dtype=str, keep_default_na=False)
    if list(frame.columns) != OBS_COLUMNS or len(frame) != len(rows):
        raise AssertionError(f"{city}: observations.csv columns or length differ")
    if frame.duplicated(["indicator", "area", "period"]).any():
        raise AssertionError(f"{city}: duplicate observation keys")
    if not set(frame["area"]) <= codes:
        raise AssertionError(f"{city}: unknown areas {set(frame['area']) - codes}")
    if not set(frame["indicator"]) <= set(ids):
        raise AssertionError(f"{city}: unknown indicators")
    raw = (folder / "observations.csv").read_bytes()
    if raw.startswith(b"\xef\xbb\xbf") or b"\r" in raw:
        raise AssertionError(f"{city}: BOM or CR in observations.csv")
    for col in ("value", "numerator", "denominator"):
        bad = frame[col][
            (frame[col] != "") & ~frame[col].str.fullmatch(r"-?\d+(\.\d+)?")
        ]
        if len(bad):
            raise AssertionError(f"{city}: bad numbers in {col}: {list(bad[:5])}")
    kinds = {c["id"]: c["kind"] for c in catalogue}
    for row in frame.itertuples():
        if row.numerator and row.denominator and kinds[row.indicator] == "share":
            expected = Decimal(row.numerator) / Decimal(row.denominator) * 100
            if abs(expected - Decimal(row.value)) > Decimal("0.0051"):
                raise AssertionError(f"{city}: value != parts in {row}")


def lookup(rows: list[dict[str, str]], ind: str, area: str, period: str) -> str | None:
    for row in rows:
        if (row["indicator"], row["area"], row["period"]) == (ind, area, period):
            return row["value"]
    return None


def summary(
    city: str, areas: list[dict[str, Any]], cat: list[dict[str, Any]], rows: list[dict]
) -> list[str]:
    levels = Counter(a["level"] for a in areas)
    out = [
        f"== {city}: {len(areas)} areas ({dict(levels)}), {len(cat)} indicators, "
        f"{len(rows)} observations"
    ]
    by_ind: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_ind[row["indicator"]].append(row)
    for c in cat:
        own = by_ind.get(c["id"], [])
        periods = sorted({r["period"] for r in own})
        values = sum(1 for r in own if r["value"] != "")
        span = f"{periods[0]} … {periods[-1]}" if periods else "-"
        out.append(
            f"  {c['id']:<50} {c['kind']:<6} {c['unit']:<30} {span:<25} "
            f"{len(periods):>2} periods {values:>5} values"
        )
    return out


def attribution(extra: list[str]) -> str:
    lines = [
        "# Demo data: sources, licences, derivation",
        "",
        "The files in this folder are derived from real public data. No value was",
        "invented: every value is copied from a source file or computed exactly from",
        "two source values (then numerator and denominator are written as well).",
        "They are rebuilt from the original files with",
        "",
        "```",
        ".venv/bin/python scripts/build_demo_data.py --shared PATH/TO/shared/data",
        "```",
        "",
        "(the original files are not part of the repository; each source folder has a",
        "SOURCE.md naming where it was copied from).",
        "",
        "## Region Hannover (`hannover/`)",
        "",
        "| data | publisher | licence | used for |",
        "|---|---|---|---|",
        "| VG5000 (Stand 01.01.2021), `VG5000_GEM`, `VG5000_KRS` | © GeoBasis-DE / "
        "BKG 2021 | dl-de/by-2-0 | boundaries of the region and its 21 municipalities;"
        " names (`GEN`) |",
        "| INKAR, Ausgabe 2024 (`A_Arbeitslosigkeit.xls`, `A_ErwerbsfaehigeBevoelkerung"
        ".xls`, `E_Einkommensteuer.xls`, `IRIS_Einkommenssteuer_Gemeindeverbaende_2022"
        ".csv`, Kreis files) | Bundesinstitut für Bau-, Stadt- und Raumforschung "
        "(BBSR) im BBR, Bonn | dl-de/by-2-0 | municipal and district indicators |",
        "| GISD, Release 2025 | Robert Koch-Institut (Michalski N, Soliman LO, Reis M, "
        "Tetzlaff F, Nowossadeck E, Hoebel J), doi:10.5281/zenodo.14781119 | CC BY 4.0 "
        "| `gisd_score` |",
        "| Regionaldatenbank, Tabellen 12411-01-01-5, 12411-01-01-4, 22811-01-01-4 "
        "(Stand 10.10.2017) | © Statistische Ämter des Bundes und der Länder, "
        "Deutschland, 2017 | dl-de/by-2-0 | `population` 2008–2015, "
        "`minimum_income_*` |",
        "| VG250-EW (Stand 31.12.2022), `VG250_GEM.dbf`, field `EWZ` | © GeoBasis-DE / "
        "BKG | dl-de/by-2-0 | `population` 31.12.2022 |",
        "",
        "The INKAR, GISD and VG250 files were taken unchanged from the Robert "
        "Koch-Institut's public GISD repository (github.com/robert-koch-institut/"
        "German_Index_of_Socioeconomic_Deprivation_GISD, CC BY 4.0); the "
        "Regionaldatenbank tables from github.com/datenguide/genesapi-data (data "
        "dl-de/by-2-0); VG5000 from github.com/Praesklepios/geoGermany.",
        "",
        "Derivation:",
        "",
        "- Areas: `VG5000_KRS` (03241) and `VG5000_GEM` (03241001–03241021), "
        "reprojected from Gauss-Krüger zone 3 (EPSG:31467) to WGS84 (EPSG:4326), "
        "coordinates snapped to 5 decimals. This VG5000 edition has GF 9 only (no "
        "separate water/land parts), so no part was removed.",
        "- INKAR values are copied as published (sheet `Daten`); definitions come from "
        "sheet `Metadaten`. Municipal files: unemployed 1998–2021, working-age "
        "population 2001–2021, income tax per inhabitant (Gemeindeverband keys "
        "0324100NN = AGS 03241NNN) 1998–2022. The other INKAR files are district-level "
        "only and are written for the region 03241 alone.",
        "- `unemployment_share` = unemployed / working-age population × 100 (both "
        "INKAR, same year), with numerator and denominator written. "
        "`minimum_income_share` = recipients (22811-01-01-4) / population of the "
        "region (12411-01-01-4) × 100 on the same date. `employment_rate` is INKAR's "
        "published value; its numerator (SV-Beschäftigte am Wohnort, "
        "`B_SVBeschaeftigte.xls`) and denominator (population 15–<65, "
        "`A_ErwerbsfaehigeBevoelkerungKreis.xls`) are written where they reproduce it.",
        "- GISD ids 032410001…032410021 map to AGS 03241001…03241021 (names checked).",
        "- Values at 31.12.2011 (and INKAR values for 2011 that depend on the "
        "population) carry the flag `break` (Zensus 2011).",
        "- The region 03241 has no values for indicators given per municipality (the "
        "software computes them from the municipalities).",
        "",
        "## Berlin (`berlin/`)",
        "",
        "| data | publisher | licence | used for |",
        "|---|---|---|---|",
        "| LOR Planungsräume 01.01.2021 (`lor_planungsraeume_2021.shp`) and LOR key "
        "list (`LOR_2021.csv`) | Amt für Statistik Berlin-Brandenburg / "
        "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin | CC BY 3.0 DE "
        "(attribution: Amt für Statistik Berlin-Brandenburg) | areas, hierarchy, "
        "boundaries |",
        "| Monitoring Soziale Stadtentwicklung 2021: tables 3 and 4.1 and the "
        "FIS-Broker WFS layers `s_IndexInd_MSS2021_homogen`, "
        "`s_Indizes_MSS2021_homogen`, `s_KontextInd_MSS2021_homogen` | "
        "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin | reprint "
        "permitted with exact attribution of publisher and data sources; FIS-Broker "
        "geodata are generally dl-de/by-2-0 (not verified for these layers) | all "
        "Berlin indicators |",
        "",
        "Copied from github.com/Lucky-0ne/geodata_berlin (shapefile), "
        "github.com/jascha-je/Data-Visualization (tables 3, 4.1, LOR list) and "
        "github.com/tesch-ch/berlin_PLR_data (FIS-Broker exports).",
        "",
        "Derivation:",
        "",
        "- Areas: Berlin (11000000, level municipality), 12 boroughs (01–12), 58 "
        "Prognoseräume (4 digits), 143 Bezirksregionen (6 digits) and 542 "
        "Planungsräume (8 digits) with names from `LOR_2021.csv`. The 542 polygons "
        "(EPSG:25833) were simplified together as one coverage "
        f"(`shapely.coverage_simplify`, tolerance {BERLIN_SIMPLIFY_M:g} m, shared "
        "edges stay shared), the higher levels are unions of the simplified planning "
        "areas, then everything was reprojected to WGS84 and snapped to 5 decimals.",
        "- Values (period 2020-12-31, the MSS 2021 reference date): S1, S3, S4, "
        "D1, D3, D4 and K01…K17 as in the FIS-Broker exports (K08, K14, K15 exist "
        "only for the old 447 planning areas); the status and dynamics index from "
        "table 3 (FIS-Broker's SI_V/DI_V hold class names); inhabitants (EW "
        "31.12.2020) from table 3. `-9999`/empty = not computed: no row. The 6 "
        "planning areas left out of the index (5 with fewer than 300 inhabitants, "
        "10100205 as outlier) have no index or context rows.",
        "- No numerators or denominators: the MSS publishes shares only.",
        "",
        "## Caveats",
        "",
        "- Hannover 03241001 has `-` for 31.12.2008 in table 12411-01-01-5 (no value "
        "under that key): written as a row with an empty value and a note.",
        "- `population` mixes concepts: official population (Fortschreibung) for "
        "Hannover, register-based inhabitants (MSS) for Berlin; the note of each "
        "value names its source.",
        "- The INKAR `Metadaten` remark for `Haushaltseinkommen` describes median "
        "gross earnings (a copy error in the export); it was not used.",
        "- `unemployment_share` is not the official unemployment rate (whose "
        "denominator is the civilian labour force).",
        "- In `LOR_2021.csv` 12 planning areas carry `Stand der Daten` 01.12.2021 "
        "instead of 01.01.2021; 03400831 Pankower Tor has an empty `EW` in the "
        "FIS-Broker export and 0 in table 3 (0 written).",
        "- GISD scores are relative (0 = least, 1 = most deprived) and are not "
        "aggregated to the region.",
        "",
        "## Notes from the build",
        "",
    ]
    lines += [f"- {line}" for line in extra]
    return "\n".join(lines) + "\n"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help=f"folder with the original public files (default {DEFAULT_SHARED})",
    )
    args = parser.parse_args(argv)
    shared: Path = args.shared.resolve()
    if not (shared / "germany-inkar-gisd").is_dir():
        parser.error(f"{shared} does not hold the original public files")

    # --- build --------------------------------------------------------------------
    h_areas = hannover_areas(shared)
    official = {a["code"]: a["name"] for a in h_areas if a["level"] == "municipality"}
    h_cat, h_rows, h_info = hannover(shared, official)
    lor = berlin_lor(shared)
    area_info: list[str] = []
    b_areas = berlin_areas(shared, lor, area_info)
    b_cat, b_rows, b_info = berlin(shared, lor)
    b_info = area_info + b_info

    # --- facts from the SOURCE.md files: fail if parsing went wrong ---------------
    assert lookup(h_rows, "unemployed", "03241002", "1998") == "1429"
    assert lookup(h_rows, "population", "03241002", "2015-12-31") == "33608"
    assert lookup(h_rows, "population", "03241001", "2008-12-31") == ""
    assert lookup(h_rows, "minimum_income_recipients", REGION, "2015-12-31") == "149906"
    assert len(official) == 21 and official["03241001"] == "Hannover"
    assert not any(
        r["area"] == REGION
        for r in h_rows
        if r["indicator"]
        in {
            "unemployed",
            "working_age_population",
            "unemployment_share",
            "income_tax_per_inhabitant",
            "gisd_score",
            "population",
        }
    ), "region values for a municipal indicator"
    levels = Counter(a["level"] for a in b_areas)
    assert levels == {
        "municipality": 1,
        "district": 12,
        "forecast_area": 58,
        "district_region": 143,
        "planning_area": 542,
    }, levels
    assert sum(r["indicator"] == "mss_status_index" for r in b_rows) == 536
    assert lookup(b_rows, "mss_status_index", "10100205", MSS_PERIOD) is None
    assert lookup(b_rows, "mss_s1_unemployment", "01100101", MSS_PERIOD) == "4.22594"
    borough = {a["code"]: a["name"] for a in b_areas if a["level"] == "district"}
    assert borough["01"] == "Mitte" and borough["12"] == "Reinickendorf", borough
    h_pop = next(c for c in h_cat if c["id"] == "population")
    b_pop = next(c for c in b_cat if c["id"] == "population")
    assert h_pop == b_pop, "population must be defined identically in both cities"

    # --- write ----------------------------------------------------------------------
    if DEMO.exists():
        shutil.rmtree(DEMO)
    for city, areas, cat, rows in (
        ("hannover", h_areas, h_cat, h_rows),
        ("berlin", b_areas, b_cat, b_rows),
    ):
        folder = DEMO / city
        folder.mkdir(parents=True)
        write_geojson(folder / "areas.geojson", areas)
        write_yaml(folder / "indicators.yaml", cat)
        write_csv(folder / "observations.csv", rows)
        check_city(city, folder, cat, rows)
    infos = h_info + b_info
    (DEMO / "ATTRIBUTION.md").write_text(attribution(infos), encoding="utf-8")

    # --- summary --------------------------------------------------------------------
    report = summary("Region Hannover", h_areas, h_cat, h_rows)
    report += summary("Berlin", b_areas, b_cat, b_rows)
    report.append("== Notes")
    report += [f"  {line}" for line in infos]
    report.append("== Files")
    for path in sorted(DEMO.rglob("*")):
        if path.is_file():
            report.append(f"  {path.relative_to(REPO)}  {path.stat().st_size:,} bytes")
    total = dir_size(DEMO)
    report.append(f"  total {total:,} bytes")
    print("\n".join(report))
    if total > 5_000_000:
        print("error: demo data larger than 5 MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
