"""Every command of the README's and docs/first-steps.md's examples runs as written
against the shipped example files (issue 16), and the outputs they show are what the
commands print; the example files equal a rebuild from the demo data."""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from sozialmonitor.cli import app

ROOT = Path(__file__).parent.parent
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "first-steps.md")
EXAMPLE_DB = "sqlite:///kreis.db"
PREFIX = f".venv/bin/sozialmonitor --db {EXAMPLE_DB} "
NOT_RUN = {"serve": "serves until stopped"}
"""Commands shown but not run here, and why."""
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
    """The ``sh`` blocks of ``text`` that run ``sozialmonitor`` on the example
    database: their commands, and the ``text`` block right after one (what it
    prints), if any."""
    found: list[tuple[list[str], str | None]] = []
    fences = list(FENCE.finditer(text))
    for i, fence in enumerate(fences):
        lines = fence.group(2).splitlines()
        if fence.group(1) != "sh" or not lines[0].startswith(PREFIX):
            continue
        assert all(line.startswith(PREFIX) for line in lines), lines
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


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_example_command_runs_as_written_issue_16(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = examples(document.read_text(encoding="utf-8"))
    assert blocks, f"no example commands found in {document.name}"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
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


def test_the_broken_example_and_its_report_are_shown_issue_16() -> None:
    for document in DOCUMENTS:
        blocks = examples(document.read_text(encoding="utf-8"))
        reports = [
            shown for lines, shown in blocks if "fehlerhaft" in lines[-1] and shown
        ]
        assert reports, f"{document.name} shows no report of the broken file"
        assert reports[0].startswith("ERROR: werte-2021-fehlerhaft.csv, row ")
