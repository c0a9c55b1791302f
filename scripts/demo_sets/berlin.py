"""Berlin: the Monitoring Soziale Stadtentwicklung (MSS) 2021 on the LOR 2021
planning areas. The MSS tables are no official statistics export, so this set
reads them itself (pandas) instead of through a mapping."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from .common import DemoSet, demo_entries, fmt, lookup, obs
from .english import english

NAME = "berlin"
BERLIN = "11000000"
MSS_PERIOD = "2020-12-31"
BERLIN_SIMPLIFY_M = 5.5
MSS_SOURCE = (
    "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen Berlin, "
    "Monitoring Soziale Stadtentwicklung 2021"
)
MSS_LICENCE = (
    "Abdruck mit genauer Quellenangabe gestattet (SenSBW); FIS-Broker-Export "
    "i. d. R. dl-de/by-2-0 (für diese Datensätze nicht geprüft)"
)


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
    change_of: str = "",
    change_base: str = "",
) -> dict[str, Any]:
    """One catalogue entry with all catalogue fields in the documented order."""
    defaults = {"share": 100, "rate": 1000}
    links = {"change_of": change_of, "change_base": change_base} if change_of else {}
    entry = {
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
        **links,
        "keywords": list(keywords),
    }
    return entry | english(entry)


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
                    **(
                        {"valid_from": PLANNING_AREAS_FROM}
                        if level == "planning_area"
                        else {}
                    ),
                    "geometry": geom,
                }
            )
    # Reproject everything once (EPSG:25833 -> EPSG:4326).
    series = gpd.GeoSeries([a["geometry"] for a in areas], crs=25833).to_crs(4326)
    for area, geom in zip(areas, series.values, strict=True):
        area["geometry"] = geom
    return areas


PLANNING_AREAS_FROM = "2020-12-31"
"""First day of the 542 planning areas in the data: the MSS 2021 values of
31.12.2020 are published on them, and a period's values belong to the areas valid
on its last day (officially they begin on 01.01.2021; see berlin_until_2020.py,
whose 447 areas end on 30.12.2020)."""

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

CHANGE_OF = {
    "mss_d1_unemployment_change": "mss_s1_unemployment",
    "mss_d3_transfer_change": "mss_s3_transfer",
    "mss_d4_child_poverty_change": "mss_s4_child_poverty",
}
"""The dynamics indicators and the status indicator each is the change of (the
disclosure control hides a change wherever its share is hidden at either date)."""
CHANGE_BASE = "2018-12-31"
"""The date the MSS 2021 dynamics indicators are measured from."""

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

    cat: list[dict[str, Any]] = [demo_entries()["population"]]
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
                change_of=CHANGE_OF.get(id_, ""),
                change_base=CHANGE_BASE if id_ in CHANGE_OF else "",
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


def build(shared: Path) -> DemoSet:
    lor = berlin_lor(shared)
    notes: list[str] = []
    areas = berlin_areas(shared, lor, notes)
    catalogue, rows, more = berlin(shared, lor)
    levels = {a["level"]: 0 for a in areas}
    for area in areas:
        levels[area["level"]] += 1
    # Facts of the sources: fail if reading goes wrong.
    assert levels == {
        "municipality": 1,
        "district": 12,
        "forecast_area": 58,
        "district_region": 143,
        "planning_area": 542,
    }, levels
    assert sum(r["indicator"] == "mss_status_index" for r in rows) == 536
    assert lookup(rows, "mss_status_index", "10100205", MSS_PERIOD) is None
    assert lookup(rows, "mss_s1_unemployment", "01100101", MSS_PERIOD) == "4.22594"
    borough = {a["code"]: a["name"] for a in areas if a["level"] == "district"}
    assert borough["01"] == "Mitte" and borough["12"] == "Reinickendorf", borough
    return DemoSet(
        name=NAME, areas=areas, catalogue=catalogue, rows=rows, notes=notes + more
    )
