"""The help of every command: in German with ``--lang de`` or a German locale, in
English otherwise, and without Typer's placeholders (``<str>``, ``{file}``) — issue
16."""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.core import TyperOption
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.cli.entry import chosen_language, commands, help_texts
from sozialmonitor.cli.help_de import GERMAN, key

ENGLISH_ENV = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
GERMAN_ENV = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "de_DE.UTF-8"}
PLACEHOLDER = re.compile(r"<[a-z][a-z_\[\]|.,-]*>|\{[a-z_]+\}")
PATHS = [path for path, _ in commands(typer.main.get_command(app))]


def test_every_command_and_option_has_a_german_help_text() -> None:
    missing = []
    for path, command in commands(typer.main.get_command(app)):
        if not command.help:
            missing.append(f"'{path}' has no help at all")
        for param in command.params:
            if isinstance(param, TyperOption) and not param.help:
                missing.append(f"'{path} {param.opts[0]}' has no help at all")
        missing += [
            f"'{path}': {text!r}"
            for text in help_texts(command)
            if key(text) not in GERMAN
        ]
    assert not missing, "no German help (add it to cli/help_de.py):\n" + "\n".join(
        missing
    )


def test_the_catalogue_holds_no_text_that_is_no_longer_used() -> None:
    used = {
        key(text)
        for _, command in commands(typer.main.get_command(app))
        for text in help_texts(command)
    }
    assert sorted(set(GERMAN) - used) == []


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "sozialmonitor")
def test_the_help_of_every_command_in_both_languages_issue_16(path: str) -> None:
    runner = CliRunner()
    args = [*path.split(), "--help"]
    english = runner.invoke(app, args, env=ENGLISH_ENV)
    german = runner.invoke(app, ["--lang", "de", *args], env=ENGLISH_ENV)
    by_locale = runner.invoke(app, args, env=GERMAN_ENV)
    assert english.exit_code == german.exit_code == by_locale.exit_code == 0
    assert german.output == by_locale.output
    command = dict(commands(typer.main.get_command(app)))[path]
    assert command.help is not None
    first_words = " ".join(key(command.help).split()[:3])
    german_words = " ".join(GERMAN[key(command.help)].split()[:3])
    assert first_words in " ".join(english.output.split())
    assert german_words in " ".join(german.output.split())
    assert "Optionen" in german.output and "Options" in english.output
    for output in (english.output, german.output):
        assert not PLACEHOLDER.findall(output), PLACEHOLDER.findall(output)


def test_arguments_and_values_have_plain_names() -> None:
    result = CliRunner().invoke(app, ["release", "diff", "--help"], env=ENGLISH_ENV)
    assert "release diff [OPTIONS] OLD NEW" in result.output
    result = CliRunner().invoke(app, ["export", "--help"], env=ENGLISH_ENV)
    assert re.search(r"--format\s+\[csv\|csv-de\|xlsx\]", result.output)
    assert re.search(r"--indicator\s+TEXT", result.output)


@pytest.mark.parametrize(
    ("args", "environ", "language"),
    [
        (["--lang", "de", "init"], {}, "de"),
        (["--lang=de", "init"], {"LANG": "C.UTF-8"}, "de"),
        (["--lang", "en", "init"], {"LANG": "de_DE.UTF-8"}, "en"),
        (["init"], {"LANG": "de_DE.UTF-8"}, "de"),
        (["init"], {"LC_ALL": "en_GB.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),
        (["init"], {"LC_MESSAGES": "de_AT.UTF-8", "LANG": "C"}, "de"),
        (["init"], {}, "en"),
    ],
)
def test_the_language_comes_from_lang_then_the_locale(
    args: list[str], environ: dict[str, str], language: str
) -> None:
    assert chosen_language(args, environ) == language


def test_german_help_leaves_the_next_run_english() -> None:
    runner = CliRunner()
    runner.invoke(app, ["--lang", "de", "init", "--help"], env=ENGLISH_ENV)
    again = runner.invoke(app, ["init", "--help"], env=ENGLISH_ENV)
    assert "Options" in again.output and "Optionen" not in again.output
