"""Every command of the README's and docs/first-steps.md's examples runs as written
against the shipped example files (issue 16), and the outputs they show are what the
commands print; the example files equal a rebuild from the demo data. The commands
on the demo database run on a copy of the session's demo database."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import sqlite3
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app

ROOT = Path(__file__).parent.parent
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "first-steps.md")
PREFIX = re.compile(r"\.venv/bin/sozialmonitor --db sqlite:///(?P<file>[\w.-]+\.db) ")
"""An example command: the installed ``sozialmonitor`` on a database file in the
checkout's folder."""
DEMO_DB = "sozialmonitor-demo.db"
"""The database ``scripts/demo.sh`` (``sozialmonitor demo``) builds."""
NOT_RUN = {"serve": "serves until stopped"}
"""Commands shown but not run here, and why."""
RUN_ELSEWHERE = {
    "bash scripts/demo.sh": "installs what is missing and serves until stopped; "
    "the demo database it builds is the session's demo database",
    "bash scripts/test.sh": "the whole test run (CI: .ci/run)",
    ".venv/bin/python -m pytest tests/browser --browser": "the browser tests, "
    "run by scripts/test.sh",
}
"""Command blocks of the README that are not examples run here: their first
words, and what runs them."""
FAILS = {"examples/werte-2021-fehlerhaft.csv": 2}
"""Commands expected to fail (a file named in them), with their exit status."""
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_examples", ROOT / "scripts" / "build_examples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def examples(text: str) -> list[tuple[list[str], str | None]]:
    """The ``sh`` blocks of ``text`` that run ``sozialmonitor`` on a database
    file: their commands, and the ``text`` block right after one (what it
    prints), if any."""
    found: list[tuple[list[str], str | None]] = []
    fences = list(FENCE.finditer(text))
    for i, fence in enumerate(fences):
        lines = fence.group(2).splitlines()
        if fence.group(1) != "sh" or not PREFIX.match(lines[0]):
            continue
        assert all(PREFIX.match(line) for line in lines), lines
        shown = None
        after = fences[i + 1] if i + 1 < len(fences) else None
        if (
            after is not None
            and after.group(1) == "text"
            and not text[fence.end() : after.start()].strip()
        ):
            shown = after.group(2)
        found.append((lines, shown))
    return found


def test_the_example_files_equal_a_rebuild() -> None:
    assert _builder().differences(ROOT / "examples") == []


def _copy_database(engine: Engine, target: Path) -> None:
    """A consistent copy of the SQLite database behind ``engine``."""
    source = engine.url.database
    assert source is not None
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    sqlite3.connect(target).close()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_example_command_runs_as_written_issue_16(
    document: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    blocks = examples(document.read_text(encoding="utf-8"))
    assert blocks, f"no example commands found in {document.name}"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    if any(DEMO_DB in lines[0] for lines, _ in blocks):
        _copy_database(request.getfixturevalue("demo_sqlite"), tmp_path / DEMO_DB)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOZIALMONITOR_DB", raising=False)
    runner = CliRunner()
    skipped = []
    for lines, shown in blocks:
        printed = []
        for line in lines:
            args = shlex.split(line.removeprefix(".venv/bin/sozialmonitor "))
            if args[2] in NOT_RUN:
                skipped.append(args[2])
                continue
            expected = next((code for f, code in FAILS.items() if f in args), 0)
            result = runner.invoke(app, args)
            assert result.exit_code == expected, (line, result.output)
            assert "Traceback" not in result.output
            printed.append(result.output)
        if shown is not None:
            assert "".join(printed) == shown, (
                f"{document.name} shows another output than the commands print:\n"
                + "".join(printed)
            )
    assert set(skipped) <= set(NOT_RUN)
    assert (tmp_path / "kreis.db").is_file()  # ran here, not in the checkout


def test_every_command_block_of_the_readme_is_run_issue_16() -> None:
    """Each ``sh``/``bash`` block is an example run above or one that
    ``RUN_ELSEWHERE`` names; none is written so that it cannot run as is."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    run = {"\n".join(lines) for lines, _ in examples(text)}
    for fence in FENCE.finditer(text):
        if fence.group(1) not in ("sh", "bash"):
            continue
        block = fence.group(2).rstrip("\n")
        assert fence.group(1) == "sh", f"a bash block is not run:\n{block}"
        if block in run:
            continue
        for line in block.splitlines():
            assert any(line.startswith(words) for words in RUN_ELSEWHERE), (
                f"the README's command is not run by a test:\n{line}"
            )


def test_the_index_and_boundary_examples_are_among_them_issue_16() -> None:
    commands = [
        line
        for lines, _ in examples((ROOT / "README.md").read_text(encoding="utf-8"))
        for line in lines
    ]
    for words in (
        f"sqlite:///{DEMO_DB} index show mss",
        f"sqlite:///{DEMO_DB} index compute mss",
        "import areas examples/vg5000/VG5000_KRS.shp --code-field AGS",
        "import areas examples/vg5000/VG5000_GEM.shp --code-field AGS",
    ):
        assert any(words in line for line in commands), words


def test_the_broken_example_and_its_report_are_shown_issue_16() -> None:
    for document in DOCUMENTS:
        blocks = examples(document.read_text(encoding="utf-8"))
        reports = [
            shown for lines, shown in blocks if "fehlerhaft" in lines[-1] and shown
        ]
        assert reports, f"{document.name} shows no report of the broken file"
        assert reports[0].startswith("ERROR: werte-2021-fehlerhaft.csv, row ")
