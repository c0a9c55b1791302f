"""Issue 11: a corpus of hostile files (bombs, encodings, garbage, extremes, broken
geometry, formulas) imports with no traceback and no write, each file in under 30 s
and under 1 GB of memory, each with a message that names the file and what is wrong.

The corpus is generated from code (seeded) and imported in a child process through
the functions the CLI calls, so that its peak memory is its own; a sample goes through
the CLI itself.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import save_indicators
from tests.cli_access import cli_env, without_access
from tests.fixtures import make_demo_db
from tests.ingest.conftest import EXTRA_INDICATORS
from tests.ingest.content import snapshot
from tests.ingest.hostile import (
    MEMORY_LIMIT_BYTES,
    TIME_LIMIT_S,
    Hostile,
    build_corpus,
    dump_cases,
)

ROOT = Path(__file__).parents[2]
ADDRESS_SPACE_GUARD = 6 << 30
"""Address space the child may reserve: a guard for the machine, far above the
1 GB of resident memory the test asserts."""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Hostile]]:
    folder = tmp_path_factory.mktemp("hostile")
    return folder, build_corpus(folder)


def _database(folder: Path) -> Engine:
    engine = connect(f"sqlite:///{folder / 'corpus.db'}")
    init_database(engine)
    make_demo_db(engine)
    with engine.begin() as conn:
        save_indicators(conn, EXTRA_INDICATORS)
    return engine


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_GUARD, ADDRESS_SPACE_GUARD))


def test_corpus_is_large_and_varied(corpus: tuple[Path, list[Hostile]]) -> None:
    _, cases = corpus
    assert len(cases) >= 300
    assert len({c.name for c in cases}) == len(cases)
    kinds = Counter(c.importer for c in cases)
    assert min(kinds.values()) >= 80, kinds
    suffixes = {Path(c.name).suffix for c in cases}
    assert {".csv", ".xlsx", ".yaml", ".geojson", ".gpkg", ".shp", ".zip"} <= suffixes


def test_every_hostile_file_is_refused_with_a_message(
    corpus: tuple[Path, list[Hostile]], tmp_path: Path
) -> None:
    folder, cases = corpus
    engine = _database(tmp_path)
    before = snapshot(engine)
    cases_file, results_file = tmp_path / "cases.json", tmp_path / "results.json"
    dump_cases(cases, cases_file)
    url = engine.url.render_as_string(hide_password=False)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.ingest.hostile",
            url,
            str(folder),
            str(cases_file),
            str(results_file),
        ],  # fmt: skip
        cwd=ROOT,
        check=True,
        timeout=600,
        preexec_fn=_guard,  # noqa: PLW1509 - only sets a limit, no threads yet
    )
    outcome = json.loads(results_file.read_text(encoding="utf-8"))
    slowest = max(outcome["results"], key=lambda r: r["seconds"])
    print(  # shown with -s: what the corpus costs
        f"{len(cases)} files; slowest {slowest['name']} {slowest['seconds']:.2f} s; "
        f"peak memory {outcome['peak_rss_bytes'] / 2**20:.0f} MiB"
    )
    problems = []
    for case, result in zip(cases, outcome["results"], strict=True):
        assert result["name"] == case.name
        problem = _problem(case, result)
        if problem:
            problems.append(f"{case.name}: {problem}")
    assert not problems, "\n".join(problems)
    assert snapshot(engine) == before  # 0 writes
    assert outcome["peak_rss_bytes"] < MEMORY_LIMIT_BYTES


def _problem(case: Hostile, result: dict[str, object]) -> str | None:
    """What is wrong with the outcome of one file, or None."""
    if result["exception"] != "ImportValidationError":
        return f"{result['exception']}: {str(result.get('message'))[-1500:]}"
    if float(result["seconds"]) > TIME_LIMIT_S:  # type: ignore[arg-type]
        return f"took {result['seconds']:.1f} s"
    message = str(result["message"])
    if case.name not in message:
        return f"the message does not name the file: {message[:300]}"
    if len(message) > 20_000:
        return f"a message of {len(message):,} characters"
    findings = [f for f in result["findings"] if f["severity"] == "error"]  # type: ignore[attr-defined]
    found = [f for f in findings if f["code"] in case.codes]
    if not found:
        codes = sorted({f["code"] for f in findings})
        return f"expected one of {case.codes}, got {codes}: {message[:400]}"
    if case.row is not None and case.row not in {f["row"] for f in found}:
        return f"expected row {case.row}: {message[:400]}"
    if case.column is not None and case.column not in {f["column"] for f in found}:
        return f"expected column {case.column!r}: {message[:400]}"
    if any(len(f["message"]) > 2_000 or len(f["value"] or "") > 200 for f in findings):
        return "a finding quotes too much"
    return None


CLI_SAMPLE = (
    "obs_value_00_0.csv",
    "obs_cols_1e6.csv",
    "obs_zip_bomb.xlsx",
    "obs_nul.csv",
    "cat_laughs.yaml",
    "cat_deep_flow.yaml",
    "cat_min_count_0.yaml",
    "geo_unclosed_1.geojson",
    "geo_latlon_as_utm.geojson",
    "geo_zip_bomb.zip",
)


@pytest.mark.parametrize("name", CLI_SAMPLE)
def test_cli_prints_the_message_without_a_traceback(
    corpus: tuple[Path, list[Hostile]], ingest_engine: Engine, name: str
) -> None:
    folder, cases = corpus
    (case,) = [c for c in cases if c.name == name]
    before = snapshot(ingest_engine)
    url = ingest_engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(
        app,
        ["--db", url, "import", case.importer, str(folder / name)],
        env=cli_env(url),
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stdout + result.stderr
    assert f"ERROR: {name}" in result.stderr
    assert "Nothing was written; correct the file and import it again." in result.stderr
    assert without_access(snapshot(ingest_engine)) == without_access(before)
