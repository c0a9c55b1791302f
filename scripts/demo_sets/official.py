"""A demo set of German districts and their municipalities from official statistics
(INKAR, IRIS, Regionaldatenbank, GISD, BKG boundaries), read through the project's
own readers and shipped mappings (``sozialmonitor.ingest.official``).

Each export is read as ``sozialmonitor import official`` reads it and its mapping
applied (:func:`apply_mapping`: one long row per cell); the rows of the set's areas
are kept and written in the demo's format. The catalogue entries are the mappings'
declarations, or ``scripts/demo_mappings/indicators.yaml`` for what no mapping
declares. No value is invented: each is a source cell or, for a share computed here,
numerator / denominator x 100 with both written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from sozialmonitor.ingest.numbers import NumberStyle, parse_number
from sozialmonitor.ingest.official.apply import apply_mapping
from sozialmonitor.ingest.official.importer import mapping_for
from sozialmonitor.ingest.report import ValidationReport

from .common import (
    ZENSUS_NOTE,
    DemoSet,
    catalogue_entry,
    demo_entries,
    fmt,
    lookup,
    obs,
    short_name,
)

Series = dict[str, dict[str, str | None]]
"""area → period → value text (None: the source's sign for no value)."""

MUNICIPAL_FILES = {
    "unemployed": "A_Arbeitslosigkeit.xls",
    "working_age_population": "A_ErwerbsfaehigeBevoelkerung.xls",
}
DISTRICT_FILES = {
    # indicator id → (INKAR file, values of 2011 flagged as a break)
    "household_income_per_inhabitant": ("E_Haushaltseinkommen.xls", False),
    "gross_monthly_earnings": ("A_Bruttoverdienst.xls", False),
    "employees_at_residence": ("B_SVBeschaeftigte.xls", False),
    "employment_rate": ("A_BeschaeftigtenquoteKreis.xls", True),
    "debtor_rate": ("E_Schuldnerquote.xls", True),
    "school_leavers_without_qualification": (
        "B_SchulabgaengerohneAbschluss.xls",
        False,
    ),
    "employees_academic_share": ("B_BeschaeftigtemitakadAbschluss.xls", False),
    "employees_without_vocational_qualification_share": (
        "B_BeschaeftigteohneAbschluss.xls",
        False,
    ),
}
CATALOGUE_ORDER = [
    "unemployed",
    "working_age_population",
    "unemployment_share",
    "income_tax_per_inhabitant",
    "gisd_score",
    "population",
    *DISTRICT_FILES,
    "minimum_income_recipients",
    "minimum_income_share",
]
PARTS_TOLERANCE = Decimal("0.005")
"""A published share gets numerator and denominator only when they reproduce it."""


@dataclass(frozen=True, kw_only=True)
class District:
    code: str
    """5-digit Kreis key."""
    name: str = ""
    """The name shown (default: BEZ and GEN of VG250, e.g. ``Landkreis Fulda``)."""


@dataclass(frozen=True, kw_only=True)
class OfficialSpec:
    """Which areas a set holds."""

    name: str
    districts: tuple[District, ...]
    top: dict[str, str] | None = None
    """A top area above the districts (code, name, level), or None when the one
    district is the top area."""
    gisd_file: str
    """The GISD Gemeindeverband file of the districts' Land."""
    gisd_district_file: str | None = None
    """A GISD Kreis file: district scores too (None: municipalities only)."""
    checks: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """(indicator, area, period) → the value a source's documentation quotes."""


@cache
def mapped(
    path: Path, mapping: Path | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """An export through its mapping (the shipped one unless given): the long rows
    of every cell, and the mapping's declared catalogue entries."""
    table, rules = mapping_for(path, mapping)
    report = ValidationReport(path=path)
    long = apply_mapping(table, rules, report)
    if long is None:
        raise RuntimeError(report.to_text())
    declared = {d["id"]: catalogue_entry(d) for d in rules.indicators}
    return long, declared


def plain(raw: object, where: str) -> str | None:
    """A cell as plain number text, or None for a sign of no value."""
    if isinstance(raw, float):
        return fmt(raw)
    parsed = parse_number(str(raw), NumberStyle.GERMAN)
    if parsed.error is not None or parsed.flags:
        raise ValueError(f"{where}: {raw!r} is not a plain number ({parsed.error})")
    return None if parsed.empty or parsed.value is None else fmt(parsed.value)


def series(long: pd.DataFrame, indicator: str, codes: dict[str, str]) -> Series:
    """An output's values for the areas wanted: source key → area code."""
    rows = long[(long["indicator"] == indicator) & long["area"].isin(list(codes))]
    out: Series = {}
    for area, period, raw, line in rows[["area", "period", "value", "row"]].itertuples(
        index=False
    ):
        value = plain(raw, f"{indicator} {area} {period} (row {line})")
        out.setdefault(codes[area], {})[period] = value
    return out


def gvb_keys(municipalities: Iterable[str]) -> dict[str, str]:
    """9-digit Gemeindeverband key → AGS for municipalities that form their own
    Gemeindeverband (association digit 0: ``064330001`` → ``06433001``)."""
    return {ags[:5] + "0" + ags[5:]: ags for ags in municipalities}


def areas(shared: Path, spec: OfficialSpec) -> list[dict[str, Any]]:
    """The top area, the districts and all their municipalities, with VG5000
    boundaries in WGS84 and VG5000 / VG250 names."""
    folder = shared / "germany-vg5000"
    gem = gpd.read_file(folder / "VG5000_GEM.shp")
    krs = gpd.read_file(folder / "VG5000_KRS.shp")
    if gem.crs is None or gem.crs.to_epsg() != 31467:
        raise ValueError(f"VG5000_GEM: expected EPSG:31467, got {gem.crs}")
    codes = [d.code for d in spec.districts]
    gem = gem[gem["AGS"].str[:5].isin(codes)]
    krs = krs[krs["AGS"].isin(codes)]
    # GF 4 is "land with structure"; this VG5000 edition has GF 9 only (no
    # water/land split), so nothing is dropped -- but keep land parts if any exist.
    gem, krs = (f[f["GF"] == 4] if (f["GF"] == 4).any() else f for f in (gem, krs))
    if len(krs) != len(codes) or not gem["AGS"].is_unique:
        raise ValueError(f"VG5000: expected the districts {codes} once each")
    gem = gem.to_crs(4326).sort_values("AGS")
    krs = krs.to_crs(4326).set_index("AGS")
    vg250 = gpd.read_file(shared / "germany-inkar-gisd" / "vg250" / "VG250_KRS.dbf")
    vg250 = vg250[vg250["GF"] == 4].set_index("AGS")
    out: list[dict[str, Any]] = []
    if spec.top is not None:
        top = dict(spec.top)
        top["geometry"] = krs.geometry.union_all()
        out.append(top)
    for district in spec.districts:
        official = vg250.loc[district.code]
        if short_name(str(official["GEN"])) != short_name(
            str(krs.at[district.code, "GEN"])
        ):
            raise AssertionError(f"{district.code}: VG250 and VG5000 names differ")
        area = {
            "code": district.code,
            "name": district.name or f"{official['BEZ']} {official['GEN']}",
            "level": "region",
            "geometry": krs.at[district.code, "geometry"],
        }
        if spec.top is not None:
            area["parent"] = spec.top["code"]
        out.append(area)
    for _, row in gem.iterrows():
        out.append(
            {
                "code": row["AGS"],
                "name": row["GEN"],
                "level": "municipality",
                "parent": row["AGS"][:5],
                "geometry": row.geometry,
            }
        )
    return out


def build(shared: Path, spec: OfficialSpec) -> DemoSet:
    """The set's areas, catalogue and observations."""
    found = areas(shared, spec)
    towns = {a["code"]: a["name"] for a in found if a["level"] == "municipality"}
    districts = [d.code for d in spec.districts]
    inkar = shared / "germany-inkar-gisd" / "inkar"
    regional = shared / "germany-regionalstatistik-raw"
    entries = demo_entries()
    catalogue: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, str]] = []
    notes: list[str] = []
    same = {c: c for c in towns}
    same_districts = {c: c for c in districts}

    # --- municipal INKAR files, and the unemployment share from both ------------
    values: dict[str, Series] = {}
    for indicator, file in MUNICIPAL_FILES.items():
        long, declared = mapped(inkar / file)
        catalogue[indicator] = declared[indicator]
        values[indicator] = series(long, indicator, same)
        missing = sorted(set(towns) - set(values[indicator]))
        if missing:
            raise AssertionError(f"{file}: no row for {missing}")
        district_file = inkar / file.replace(".xls", "Kreis.xls")
        kreis = series(mapped(district_file)[0], indicator, same_districts)
        notes += sum_notes(indicator, values[indicator], kreis)
    for area, by_year in values["unemployed"].items():
        for year, value in by_year.items():
            if value is not None:
                rows.append(obs("unemployed", area, year, value))
    for area, by_year in values["working_age_population"].items():
        for year, value in by_year.items():
            if value is None:
                continue
            census = year == "2011"
            rows.append(
                obs(
                    "working_age_population",
                    area,
                    year,
                    value,
                    flags="break" if census else "",
                    note=ZENSUS_NOTE if census else "",
                )
            )
    catalogue["unemployment_share"] = entries["unemployment_share"]
    rows += shares(
        "unemployment_share",
        values["unemployed"],
        values["working_age_population"],
        break_2011=True,
    )

    # --- income tax per inhabitant: IRIS, checked against the INKAR workbook -----
    keys = gvb_keys(towns)
    iris, declared = mapped(inkar / "IRIS_Einkommenssteuer_Gemeindeverbaende_2022.csv")
    catalogue["income_tax_per_inhabitant"] = declared["income_tax_per_inhabitant"]
    income = series(iris, "income_tax_per_inhabitant", keys)
    workbook = series(
        mapped(inkar / "E_Einkommensteuer.xls")[0], "income_tax_per_inhabitant", keys
    )
    for area, by_year in workbook.items():
        for year, value in by_year.items():
            listed = income.get(area, {}).get(year)
            if (
                listed is not None
                and value is not None
                and Decimal(listed) != Decimal(value)
            ):
                raise AssertionError(
                    f"income tax {area} {year}: IRIS {listed} != {value}"
                )
    if set(income) != set(towns):
        raise AssertionError(f"IRIS: no row for {sorted(set(towns) - set(income))}")
    for area, by_year in income.items():
        for year, value in by_year.items():
            if value is not None:
                flags = "break" if year == "2011" else ""
                rows.append(
                    obs("income_tax_per_inhabitant", area, year, value, flags=flags)
                )

    # --- GISD (RKI): Gemeindeverband level, and districts where a file has them --
    catalogue["gisd_score"] = entries["gisd_score"]
    gisd = shared / "germany-inkar-gisd" / "gisd"
    rows += gisd_rows(gisd / spec.gisd_file, "gvb_id", keys, towns)
    if spec.gisd_district_file is not None:
        rows += gisd_rows(
            gisd / spec.gisd_district_file, "kreis_id", same_districts, {}
        )

    # --- population: Regionaldatenbank 12411-01-01-5 and VG250 EWZ --------------
    catalogue["population"] = entries["population"]
    long, _ = mapped(regional / "12411-01-01-5_00.csv")
    for area, by_date in series(long, "population", same).items():
        for date, value in sorted(by_date.items()):
            census = date.startswith("2011")
            note = "Regionaldatenbank 12411-01-01-5" + (
                f"; {ZENSUS_NOTE}" if census else ""
            )
            if value is None:
                note = (
                    "Regionaldatenbank 12411-01-01-5: '-' (kein Wert unter diesem "
                    f"Schlüssel am {date})"
                )
            rows.append(
                obs(
                    "population",
                    area,
                    date,
                    value,
                    flags="break" if census else "",
                    note=note,
                )
            )
    vg250 = gpd.read_file(shared / "germany-inkar-gisd" / "vg250" / "VG250_GEM.dbf")
    vg250 = vg250[vg250["AGS"].isin(list(towns)) & (vg250["GF"] == 4)]
    if set(vg250["AGS"]) != set(towns):
        raise AssertionError(
            f"VG250: no row for {sorted(set(towns) - set(vg250['AGS']))}"
        )
    for ags, ewz in zip(vg250["AGS"], vg250["EWZ"], strict=True):
        rows.append(
            obs(
                "population",
                ags,
                "2022-12-31",
                fmt(int(ewz)),
                note="BKG VG250-EW, Feld EWZ (Stand 31.12.2022)",
            )
        )

    # --- district-level INKAR files ---------------------------------------------
    district_values: dict[str, Series] = {}
    for indicator, (file, census_break) in DISTRICT_FILES.items():
        long, declared = mapped(inkar / file)
        catalogue[indicator] = declared[indicator]
        district_values[indicator] = series(long, indicator, same_districts)
        for area, by_year in district_values[indicator].items():
            for year, value in by_year.items():
                if indicator == "employment_rate" or value is None:
                    continue  # below, with its parts
                flags = "break" if census_break and year == "2011" else ""
                rows.append(obs(indicator, area, year, value, flags=flags))
    working_age = series(
        mapped(inkar / "A_ErwerbsfaehigeBevoelkerungKreis.xls")[0],
        "working_age_population",
        same_districts,
    )
    for area, by_year in district_values["employment_rate"].items():
        for year, value in by_year.items():
            if value is None:
                continue
            num = district_values["employees_at_residence"].get(area, {}).get(year)
            den = working_age.get(area, {}).get(year)
            parts = {}
            if value is not None and num and den:
                check = Decimal(num) / Decimal(den) * 100
                if abs(check - Decimal(value)) <= PARTS_TOLERANCE:
                    parts = {"numerator": num, "denominator": den}
                else:
                    notes.append(
                        f"employment_rate {area} {year}: published {value}, "
                        f"{num}/{den}x100 = {fmt(check, 3)} -> parts not written"
                    )
            flags = "break" if year == "2011" else ""
            rows.append(obs("employment_rate", area, year, value, flags=flags, **parts))

    # --- minimum income benefits (22811-01-01-4) and their share ----------------
    catalogue["minimum_income_recipients"] = entries["minimum_income_recipients"]
    catalogue["minimum_income_share"] = entries["minimum_income_share"]
    long, _ = mapped(regional / "22811-01-01-4_00.csv")
    recipients = series(long, "minimum_income_recipients", same_districts)
    long, _ = mapped(regional / "12411-01-01-4_00.csv")
    population = series(long, "population", same_districts)
    for area, by_date in recipients.items():
        for date, value in by_date.items():
            rows.append(obs("minimum_income_recipients", area, date, value))
    rows += shares(
        "minimum_income_share",
        recipients,
        {a: {d: population[a].get(d) for d in recipients[a]} for a in recipients},
        break_2011=True,
    )
    for (indicator, area, period), expected in spec.checks.items():
        if lookup(rows, indicator, area, period) != expected:
            raise AssertionError(f"{indicator} {area} {period}: expected {expected}")
    return DemoSet(
        name=spec.name,
        areas=found,
        catalogue=[catalogue[i] for i in CATALOGUE_ORDER],
        rows=rows,
        notes=notes,
    )


def shares(
    indicator: str, numerator: Series, denominator: Series, *, break_2011: bool
) -> list[dict[str, str]]:
    """numerator / denominator x 100 (three decimals) with both parts, where both
    are there in the same period."""
    out = []
    for area, by_period in numerator.items():
        for period, num in by_period.items():
            den = denominator.get(area, {}).get(period)
            if num is None or den is None:
                continue
            flags = "break" if break_2011 and period.startswith("2011") else ""
            share = Decimal(num) / Decimal(den) * 100
            out.append(
                obs(
                    indicator,
                    area,
                    period,
                    fmt(share, 3),
                    numerator=num,
                    denominator=den,
                    flags=flags,
                )
            )
    return out


def gisd_rows(
    path: Path, key: str, codes: dict[str, str], names: dict[str, str]
) -> list[dict[str, str]]:
    """GISD scores (five decimals as published) of the areas wanted; with
    ``names``, each area's GISD name must be its official name."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame[key].isin(list(codes))]
    if set(frame[key]) != set(codes):
        raise AssertionError(
            f"{path.name}: no rows for {sorted(set(codes) - set(frame[key]))}"
        )
    out = []
    for row in frame.itertuples(index=False):
        area = codes[getattr(row, key)]
        name = row[1]
        if names and not same_name(name, names[area]):
            raise AssertionError(
                f"{path.name}: {area} is {name!r}, not {names[area]!r}"
            )
        if row.gisd_score.strip() not in ("", "NA"):
            out.append(obs("gisd_score", area, row.year, fmt(row.gisd_score, 5)))
    return out


def same_name(found: str, official: str) -> bool:
    """Names agree up to the type suffix, spaces and punctuation
    (``Heuchelheim a. d. Lahn`` = ``Heuchelheim a.d. Lahn``)."""

    def bare(name: str) -> str:
        return re.sub(r"\W", "", short_name(name)).lower()

    return bare(found) == bare(official)


def sum_notes(indicator: str, towns: Series, districts: Series) -> list[str]:
    """Do the municipalities add up to the district file's value?"""
    notes = []
    for district, by_year in sorted(districts.items()):
        members = [s for code, s in towns.items() if code.startswith(district)]
        diffs: dict[str, Decimal] = {}
        for year, value in sorted(by_year.items()):
            if value is None or any(m.get(year) is None for m in members):
                continue
            total = sum(Decimal(m[year] or 0) for m in members)
            if total != Decimal(value):
                diffs[year] = total - Decimal(value)
        big = {y: d for y, d in diffs.items() if abs(d) > 100}
        small = max((abs(d) for d in diffs.values() if abs(d) <= 100), default=0)
        notes.append(
            f"{indicator} {district}: sum of {len(members)} municipalities = INKAR "
            "district value in all years"
            if not diffs
            else f"{indicator} {district}: sum of the {len(members)} municipalities "
            f"differs from the INKAR district file in {len(diffs)} years; by more "
            "than 100 in "
            + (", ".join(f"{y} ({fmt(d)})" for y, d in big.items()) or "none")
            + f"; otherwise by at most {fmt(small)}"
        )
    return notes
