"""The English catalogue texts of the demo (``name_en``, ``short_name_en``,
``unit_en``, ``topic_en``): translations of the German names, units and topics,
added to each entry after its German fields. Definitions stay German (the English
pages say so)."""

from __future__ import annotations

from typing import Any

TOPICS = {
    "Bevölkerung": "Population",
    "Arbeit": "Employment",
    "Einkommen": "Income",
    "Gesundheit": "Health",
    "Bildung": "Education",
    "Mindestsicherung": "Minimum income benefits",
    "Wohnen": "Housing",
    "Teilhabe": "Participation",
}
"""German topic → English topic."""
UNITS = {
    "Personen": "persons",
    "%": "%",
    "Prozentpunkte": "percentage points",
    "Index": "index",
    "Index (0 bis 1)": "index (0 to 1)",
    "EUR": "EUR",
    "EUR je EW": "EUR per inhabitant",
    "EUR je EW (monatlich)": "EUR per inhabitant (monthly)",
    "je 100 EW und Jahr": "per 100 inhabitants and year",
    "je 100 EW unter 6 J. und Jahr": "per 100 inhabitants under 6 and year",
}
"""German unit → English unit."""
NAMES: dict[str, tuple[str, str]] = {
    "population": ("Inhabitants", "Inhabitants"),
    "unemployed": ("Unemployed persons", "Unemployed"),
    "working_age_population": (
        "Working-age population (15 to under 65 years)",
        "Working age (15–64)",
    ),
    "unemployment_share": (
        "Unemployed as a share of the working-age population",
        "Unemployment share",
    ),
    "income_tax_per_inhabitant": (
        "Municipal share of income tax per inhabitant",
        "Income tax per inhabitant",
    ),
    "gisd_score": ("German Index of Socioeconomic Deprivation (GISD)", "GISD"),
    "household_income_per_inhabitant": (
        "Disposable income of private households per inhabitant",
        "Household income per inhabitant",
    ),
    "gross_monthly_earnings": ("Gross monthly earnings per employee", "Gross earnings"),
    "employees_at_residence": (
        "Employees subject to social insurance contributions at place of residence",
        "Employees (place of residence)",
    ),
    "employment_rate": ("Employment rate", "Employment rate"),
    "debtor_rate": ("Over-indebtedness rate", "Over-indebtedness rate"),
    "school_leavers_without_qualification": (
        "School leavers without a lower secondary school certificate",
        "School leavers without certificate",
    ),
    "employees_academic_share": (
        "Employees at place of residence with an academic degree",
        "Employees with academic degree",
    ),
    "employees_without_vocational_qualification_share": (
        "Employees at place of residence without a vocational qualification",
        "Employees without vocational qualification",
    ),
    "minimum_income_recipients": (
        "Recipients of minimum income benefits",
        "Minimum income benefits (persons)",
    ),
    "minimum_income_share": ("Minimum income benefit rate", "Minimum income rate"),
    "mss_s1_unemployment": ("Unemployment", "Unemployment (S1)"),
    "mss_s3_transfer": ("Receipt of transfer benefits", "Transfer benefits (S3)"),
    "mss_s4_child_poverty": ("Child poverty", "Child poverty (S4)"),
    "mss_d1_unemployment_change": (
        "Change in unemployment",
        "Change in unemployment (D1)",
    ),
    "mss_d3_transfer_change": (
        "Change in the receipt of transfer benefits",
        "Change in transfer benefits (D3)",
    ),
    "mss_d4_child_poverty_change": (
        "Change in child poverty",
        "Change in child poverty (D4)",
    ),
    "mss_status_index": ("Status index", "Status index"),
    "mss_dynamics_index": ("Dynamics index", "Dynamics index"),
    "mss_k01_youth_unemployment": ("Youth unemployment", "Youth unemployment (K01)"),
    "mss_k02_single_parents": (
        "Single-parent households",
        "Single-parent households (K02)",
    ),
    "mss_k03_old_age_poverty": ("Old-age poverty", "Old-age poverty (K03)"),
    "mss_k04_children_migration_background": (
        "Children and young people with a migration background",
        "Children and young people with a migration background (K04)",
    ),
    "mss_k05_migration_background": (
        "Inhabitants with a migration background",
        "Inhabitants with a migration background (K05)",
    ),
    "mss_k16_foreigners": ("Foreign nationals", "Foreign nationals (K16)"),
    "mss_k06_foreigners_change": (
        "Change in the share of foreign nationals",
        "Change in the share of foreign nationals (K06)",
    ),
    "mss_k17_non_eu_foreigners": (
        "Non-EU foreign nationals",
        "Non-EU foreign nationals (K17)",
    ),
    "mss_k07_foreign_transfer_recipients": (
        "Foreign recipients of transfer benefits (SGB II)",
        "Foreign recipients of transfer benefits (SGB II) (K07)",
    ),
    "mss_k09_simple_residential_area": (
        "Inhabitants in simple residential locations",
        "Inhabitants in simple residential locations (K09)",
    ),
    "mss_k10_residence_over_5_years": (
        "Residence of more than five years",
        "Residence of more than five years (K10)",
    ),
    "mss_k11_migration_volume": ("Migration volume", "Migration volume (K11)"),
    "mss_k12_migration_balance": ("Net migration", "Net migration (K12)"),
    "mss_k13_migration_balance_under6": (
        "Net migration of children under 6",
        "Net migration of children under 6 (K13)",
    ),
}
"""Indicator id → (English name, English short name)."""


def english(entry: dict[str, Any]) -> dict[str, str]:
    """The English fields of a catalogue entry, those known (none for an
    indicator not in ``NAMES``)."""
    found: dict[str, str] = {}
    if entry["id"] in NAMES:
        found["name_en"], found["short_name_en"] = NAMES[entry["id"]]
    if entry.get("unit") in UNITS:
        found["unit_en"] = UNITS[entry["unit"]]
    if entry.get("topic") in TOPICS:
        found["topic_en"] = TOPICS[entry["topic"]]
    return found
