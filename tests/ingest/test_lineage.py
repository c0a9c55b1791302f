"""``import lineage``: correspondence tables of old and new areas (issue 12)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.lineage import import_lineage
from sozialmonitor.store import schema
from sozialmonitor.store.lineage import lineage_of
from sozialmonitor.store.writes import save_areas
from tests.cli_access import cli_env

CHANGE = dt.date(2021, 1, 1)
ENDED = dt.date(2020, 12, 31)
HEADER = "old_code,new_code,kind,valid_on,share,basis\n"


@pytest.fixture
def vintages(engine: Engine) -> Engine:
    """Two old municipalities merged into one, and an old one split in two."""
    old = {"A1": "Altdorf", "A2": "Bergdorf", "A3": "Großdorf"}
    new = {"N1": "Altbergdorf", "N2": "Großdorf-Nord", "N3": "Großdorf-Süd"}
    areas = [
        Area(code=c, name=n, level="municipality", valid_to=ENDED)
        for c, n in old.items()
    ] + [
        Area(code=c, name=n, level="municipality", valid_from=CHANGE)
        for c, n in new.items()
    ]
    with engine.begin() as conn:
        save_areas(conn, areas)
    return engine


def table(tmp_path: Path, rows: str, name: str = "lineage.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


GOOD = (
    "A1,N1,merged,2021-01-01,1,official\n"
    "A2,N1,merged,01.01.2021,1,\n"
    'A3,N2,geteilt,2021-01-01,"0,6",population\n'
    "A3,N3,split,2021-01-01,40 %,population\n"
)


def test_import_links_both_ways(vintages: Engine, tmp_path: Path) -> None:
    outcome = import_lineage(vintages, table(tmp_path, GOOD))
    assert outcome.report.findings == []
    assert outcome.rows_written == 4
    with vintages.connect() as conn:
        merged = lineage_of(conn, "N1")
        split = lineage_of(conn, "A3")
    assert merged.successors == ()
    assert [(x.predecessor, x.kind, x.share, x.basis) for x in merged.predecessors] == [
        ("A1", LineageKind.MERGED, 1.0, ShareBasis.OFFICIAL),
        ("A2", LineageKind.MERGED, 1.0, ShareBasis.OFFICIAL),
    ]
    assert split.successors == (
        AreaLink(
            predecessor="A3",
            successor="N2",
            kind=LineageKind.SPLIT,
            valid_on=CHANGE,
            share=0.6,
            basis=ShareBasis.POPULATION,
        ),
        AreaLink(
            predecessor="A3",
            successor="N3",
            kind=LineageKind.SPLIT,
            valid_on=CHANGE,
            share=0.4,
            basis=ShareBasis.POPULATION,
        ),
    )
    assert import_lineage(vintages, table(tmp_path, GOOD)).rows_written == 0


def stored_links(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(schema.area_lineage)))


@pytest.mark.parametrize(
    ("rows", "code", "message"),
    [
        (
            "A1,X9,merged,2021-01-01,,\n",
            "unknown-area-code",
            "'X9' is not a known area code. Import the areas of both boundary "
            "vintages first (sozialmonitor import areas).",
        ),
        (
            "A3,N2,split,2021-01-01,0.6,population\n"
            "A3,N3,split,2021-01-01,0.3,population\n",
            "shares-do-not-sum",
            "The shares of 'A3' (rows 2, 3) sum to 0.9, not 1: all of an old area "
            "goes somewhere. Correct the shares (±0.01 is allowed for rounding).",
        ),
        (
            "A3,N2,split,2021-01-01,0.6,population\nA3,N3,split,2021-01-01,,\n",
            "shares-do-not-sum",
            "'A3' has a share in some of its rows (2, 3) and none in others. Give "
            "the share of every successor or of none.",
        ),
        (
            "A1,N1,vereinigt,2021-01-01,,\n",
            "unknown-kind",
            "'vereinigt' is not a kind of change. Write one of merged, split, "
            "renamed, recoded.",
        ),
        (
            "A1,A1,renamed,2021-01-01,,\n",
            "self-link",
            "'A1' is its own successor. An area that kept its code is the same "
            "area: leave the row out.",
        ),
        (
            "A1,N1,merged,2021-01-01,,\nA1,N1,merged,2021-01-01,,\n",
            "duplicate-row",
            "'A1' → 'N1' appears twice (first in row 2). Keep one row per pair.",
        ),
        (
            "A1,N1,merged,2021-13-01,,\n",
            "invalid-date",
            "'2021-13-01' is not a date. Write the first day of the new area as "
            "2021-01-01 or 01.01.2021.",
        ),
        (
            "A1,N1,merged,2021-01-01,1.5,\n",
            "share-out-of-range",
            "The share 1.5 is outside 0–1 (0–100 %). Write the share of the old "
            "area that moved to the new one.",
        ),
        (
            "A1,N1,merged,2021-01-01,1,census\n",
            "unknown-basis",
            "'census' is not a basis of a share. Write one of population, area, "
            "official.",
        ),
    ],
)
def test_bad_tables_write_nothing(
    vintages: Engine, tmp_path: Path, rows: str, code: str, message: str
) -> None:
    good = import_lineage(vintages, table(tmp_path, GOOD, "good.csv"))
    assert good.rows_written == 4
    with pytest.raises(ImportValidationError) as caught:
        import_lineage(vintages, table(tmp_path, rows))
    (finding,) = caught.value.report.errors  # type: ignore[attr-defined]
    assert (finding.code, finding.message) == (code, message)
    assert stored_links(vintages) == 4


def test_missing_column_names_what_is_needed(vintages: Engine, tmp_path: Path) -> None:
    path = tmp_path / "lineage.csv"
    path.write_text("alt,neu\nA1,N1\n", encoding="utf-8")
    with pytest.raises(ImportValidationError) as caught:
        import_lineage(vintages, path)
    (finding,) = caught.value.report.errors  # type: ignore[attr-defined]
    assert finding.message.startswith(
        "Missing column(s): kind, valid_on. Found: alt, neu."
    )


def test_cli_prints_the_report_without_traceback(
    vintages: Engine, tmp_path: Path
) -> None:
    url = vintages.url.render_as_string(hide_password=False)
    path = table(tmp_path, "A1,X9,merged,2021-01-01,,\n")
    result = CliRunner().invoke(
        app, ["--db", url, "import", "lineage", str(path)], env=cli_env(url)
    )
    assert result.exit_code == 2
    assert "row 2, column 'new_code': 'X9' is not a known area code" in result.stderr
    assert "Traceback" not in result.output
    good = CliRunner().invoke(
        app,
        ["--db", url, "import", "lineage", str(table(tmp_path, GOOD))],
        env=cli_env(url),
    )
    assert good.exit_code == 0, good.output
    assert "lineage.csv: 4 new or changed." in good.stdout


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\x00\xff\xfe\x89PNG\r\n\x1a\n" * 50, "wrong-encoding"),
        ((HEADER + "A1,N1,merged,2021-01-01,1e400,\n").encode(), "not-a-number"),
        ((HEADER + "A1,N1,merged,2021-01-01,nan,\n").encode(), "not-a-number"),
        (
            (HEADER + "=cmd|' /C calc'!A0,N1,merged,2021-01-01,,\n").encode(),
            "unknown-area-code",
        ),
    ],
)
def test_hostile_tables_are_refused(
    vintages: Engine, tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "lineage.csv"
    path.write_bytes(content)
    with pytest.raises(ImportValidationError) as caught:
        import_lineage(vintages, path)
    codes = {f.code for f in caught.value.report.errors}  # type: ignore[attr-defined]
    assert code in codes
    assert stored_links(vintages) == 0
