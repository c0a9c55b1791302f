"""``sozialmonitor report``: the list of templates, one report per municipality
with --parent, the PDF of one area, drafts only with --internal, and clear
messages instead of tracebacks (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from sqlalchemy import Engine

from tests.fixtures import TOWNS
from tests.reports.conftest import DRAFT
from tests.test_cli import run


@pytest.fixture
def report_url(report_engine: Engine) -> str:
    return report_engine.url.render_as_string(hide_password=False)


def test_report_list_names_the_templates(report_url: str) -> None:
    code, out, _ = run(report_url, "report", "list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()[1:]]
    assert "gebietsprofil" in names


def test_parent_makes_one_profile_per_municipality(
    demo_sqlite: Engine, tmp_path: Path
) -> None:
    url = demo_sqlite.url.render_as_string(hide_password=False)
    folder = tmp_path / "profile"
    code, _, err = run(
        url, "report", "render", "gebietsprofil", "--parent", "03241",
        "--format", "html", "--output", str(folder),
    )  # fmt: skip
    assert code == 0, err
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 21
    assert files[0] == "gebietsprofil-03241001.html"
    assert f"Wrote 21 reports to {folder}." in err
    laatzen = (folder / "gebietsprofil-03241009.html").read_text(encoding="utf-8")
    assert "<h1>Gebietsprofil Laatzen</h1>" in laatzen


def test_render_one_pdf(report_url: str, tmp_path: Path) -> None:
    target = tmp_path / "laatzen.pdf"
    code, _, err = run(
        report_url, "report", "render", "gebietsprofil", "--area", TOWNS[0],
        "--output", str(target),
    )  # fmt: skip
    assert code == 0, err
    reader = pypdf.PdfReader(target)
    assert "Gebietsprofil Gemeinde 001" in reader.pages[0].extract_text()


def test_a_draft_needs_internal(report_url: str, tmp_path: Path) -> None:
    target = tmp_path / "draft.html"
    args = ("report", "render", "gebietsprofil", "--area", TOWNS[0], "--release",
            DRAFT, "--format", "html", "--output", str(target))  # fmt: skip
    code, _, err = run(report_url, *args)
    assert code == 1 and "no published release named '2022-H2'" in err
    assert not target.exists()
    code, _, err = run(report_url, *args, "--internal")
    assert code == 0, err
    assert "Entwurf" in target.read_text(encoding="utf-8")


def test_render_a_comparison(report_url: str, tmp_path: Path) -> None:
    target = tmp_path / "vergleich.html"
    code, _, err = run(
        report_url, "report", "render", "gebietsvergleich", "--area", TOWNS[0],
        "--other", TOWNS[1], "--format", "html", "--output", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert "Gebietsvergleich Gemeinde 001 und Gemeinde 002" in target.read_text(
        encoding="utf-8"
    )
    code, _, err = run(
        report_url, "report", "render", "gebietsvergleich", "--area", TOWNS[0],
        "--format", "html", "--output", str(target),
    )  # fmt: skip
    assert code == 1 and "needs --other" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nichts", "--area", TOWNS[0]), "There is no report template 'nichts'"),
        ((), "needs --area or --parent"),
        (("--area", "99999"), "99999"),
        (("--parent", TOWNS[0]), f"The area {TOWNS[0]} has no areas below it"),
        (("--area", TOWNS[0], "--parent", "03241"), "not both"),
    ],
)
def test_mistakes_get_a_message_and_write_nothing(
    report_url: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    target = tmp_path / "out"
    command = ["report", "render"]
    if not args or args[0].startswith("--"):
        command.append("gebietsprofil")
    code, out, err = run(
        report_url, *command, *args, "--format", "html", "--output", str(target)
    )
    assert code == 1
    assert message in err and "Traceback" not in err + out
    assert not target.exists()
