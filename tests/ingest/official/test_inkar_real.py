"""The real INKAR exports in /work/shared/data, each imported through its shipped
mapping into a fresh SQLite database: every value equals the file's cell, read here
independently (xlrd for the workbooks, the csv module for the CSV exports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import xlrd
import yaml
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.mapping import MAPPINGS
from sozialmonitor.ingest.official.period import year_range
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import save_areas
from tests.ingest.content import stored
from tests.ingest.official.exports import shared_data

RTOL = 1e-12
DATA = shared_data()
pytestmark = pytest.mark.skipif(
    not DATA.is_dir(),
    reason=f"the real exports are not here ({DATA}); set SOZIALMONITOR_SHARED_DATA",
)
LEVELS = {2: "state", 5: "region", 8: "municipality", 9: "municipality"}
INKAR = "germany-inkar-gisd/inkar"
SAMPLE = "official-exports-sample"
# file, table name the file is recognised as
FILES = [
    (f"{INKAR}/A_Arbeitslosigkeit.xls", "inkar-arbeitslose"),
    (f"{INKAR}/A_ArbeitslosigkeitKreis.xls", "inkar-arbeitslose"),
    (f"{INKAR}/A_BeschaeftigtenquoteKreis.xls", "inkar-beschaeftigtenquote"),
    (f"{INKAR}/A_Bruttoverdienst.xls", "inkar-bruttoverdienst"),
    (
        f"{INKAR}/A_ErwerbsfaehigeBevoelkerung.xls",
        "inkar-erwerbsfaehige-bevoelkerung-15-bis-unter-65-jahre",
    ),
    (
        f"{INKAR}/A_ErwerbsfaehigeBevoelkerungKreis.xls",
        "inkar-erwerbsfaehige-bevoelkerung-15-bis-unter-65-jahre",
    ),
    (
        f"{INKAR}/B_BeschaeftigtemitakadAbschluss.xls",
        "inkar-beschaeftigte-am-wo-mit-akademischen-abschluss",
    ),
    (
        f"{INKAR}/B_BeschaeftigteohneAbschluss.xls",
        "inkar-beschaeftigte-am-wo-ohne-berufsabschluss",
    ),
    (
        f"{INKAR}/B_SVBeschaeftigte.xls",
        "inkar-sozialversicherungspflichtig-beschaeftigte-am-wohnort",
    ),
    (
        f"{INKAR}/B_SchulabgaengerohneAbschluss.xls",
        "inkar-schulabgaenger-ohne-abschluss",
    ),
    (f"{INKAR}/E_Einkommensteuer.xls", "inkar-einkommensteuer"),
    (f"{INKAR}/E_Haushaltseinkommen.xls", "inkar-haushaltseinkommen"),
    (f"{INKAR}/E_Schuldnerquote.xls", "inkar-schuldnerquote"),
    (f"{SAMPLE}/inkar_kreise_sozialstruktur_crlf.csv", "inkar-8551e76caa"),
    (f"{SAMPLE}/inkar_kreise_gesundheit_pflege_2017.csv", "inkar-de009271f4"),
]


def _grid(path: Path) -> list[list[object]]:
    """Every row of the file: of the sheet 'Daten' (cells as xlrd gives them) or of
    the CSV (text)."""
    if path.suffix == ".xls":
        book = xlrd.open_workbook(str(path), logfile=io.StringIO())
        sheet = book.sheet_by_name("Daten")
        return [sheet.row_values(r) for r in range(sheet.nrows)]
    text = path.read_bytes().decode("utf-8-sig")
    return [row for row in csv.reader(text.splitlines(), delimiter=";") if row]


def _number(cell: object) -> float | None:
    """A cell as a number (German text: thousands dots, decimal comma), None for
    an empty one."""
    if isinstance(cell, float):
        return cell
    text = str(cell).strip()
    if not text:
        return None
    return float(text.replace(".", "").replace(",", "."))


def _expected(
    path: Path, mapping: dict[str, object]
) -> dict[tuple[str, str, str], float]:
    """(indicator, area, year) → the file's cell, for the columns the mapping names."""
    rows = _grid(path)
    names, years = rows[0], rows[1]
    wanted = {
        o["value"]["columns"][0]: o["indicator"]  # type: ignore[index]
        for o in mapping["outputs"]  # type: ignore[attr-defined]
    }
    out: dict[tuple[str, str, str], float] = {}
    for row in rows[2:]:
        key = str(row[0])
        for j in range(3, len(names)):
            indicator = wanted.get(str(names[j]).strip())
            value = _number(row[j]) if j < len(row) else None
            if indicator is not None and value is not None:
                span = year_range(str(years[j]))  # a range: its end year
                year = str(span[1]) if span else str(years[j])
                out[(indicator, key, year)] = value
    return out


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Engine]:
    engine = connect(f"sqlite:///{tmp_path / 'inkar.db'}")
    init_database(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(("name", "table"), FILES)
def test_every_value_equals_its_cell(fresh: Engine, name: str, table: str) -> None:
    path = DATA / name
    rows = _grid(path)
    areas = {str(r[0]): str(r[1]) for r in rows[2:]}
    with fresh.begin() as conn:
        save_areas(
            conn,
            [Area(code=k, name=n, level=LEVELS[len(k)]) for k, n in areas.items()],
        )
    mapping = yaml.safe_load((MAPPINGS / f"{table}.yaml").read_text())
    expected = _expected(path, mapping)
    assert len(expected) > 1000
    outcome = import_official(fresh, path)
    assert outcome.report.is_valid
    found = stored(fresh)
    assert set(found) == set(expected)
    for key, value in expected.items():
        assert found[key]["value"] == pytest.approx(value, rel=RTOL, abs=0), key
        assert found[key]["flags"] == 0, key
    if name.endswith("A_Arbeitslosigkeit.xls"):
        assert found[("unemployed", "03241002", "1998")]["value"] == 1429  # SOURCE.md


def test_the_iris_export_equals_its_cells(fresh: Engine) -> None:
    path = DATA / INKAR / "IRIS_Einkommenssteuer_Gemeindeverbaende_2022.csv"
    text = path.read_bytes().decode("latin-1")
    rows = [r for r in csv.reader(text.splitlines(), delimiter=";") if r]
    years = [label.rsplit(" ", 1)[1] for label in rows[1][2:]]
    with fresh.begin() as conn:
        save_areas(
            conn, [Area(code=r[0], name=r[1], level="municipality") for r in rows[2:]]
        )
    assert import_official(fresh, path).report.is_valid
    expected = {
        ("income_tax_per_inhabitant", r[0], year): float(cell.replace(",", "."))
        for r in rows[2:]
        for year, cell in zip(years, r[2:], strict=True)
        if cell.strip()
    }
    assert len(expected) > 100_000
    found = stored(fresh)
    assert set(found) == set(expected)
    for key, value in expected.items():
        assert found[key]["value"] == pytest.approx(value, rel=RTOL, abs=0), key
    assert found[("income_tax_per_inhabitant", "010010000", "1998")]["value"] == 297.44
