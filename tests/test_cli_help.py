"""The help of every command: in German with ``--lang de`` or a German locale, in
English otherwise, and without Typer's placeholders (``<str>``, ``{file}``) — issue
16."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperOption
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.cli.entry import chosen_language, commands, help_texts
from sozialmonitor.cli.help_de import GERMAN, key
from sozialmonitor.cli.usage_de import DETAILS, MESSAGES, german_detail, german_message

ROOT = Path(__file__).parent.parent
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


USAGE_ERRORS = [
    # (arguments, the German message, the English one)
    (
        ["releese"],
        "Unbekannter Befehl 'releese'. Gemeint: 'release'?",
        "No such command",
    ),
    (["release"], "Der Befehl fehlt.", "Missing command."),
    (["release", "diff", "a"], "Das Argument 'NEW' fehlt.", "Missing argument 'NEW'."),
    (["release", "diff", "a", "b", "c"], "Zu viele Argumente: c", "unexpected extra"),
    (["stats", "compare"], "Die Option '--indicator' fehlt.", "Missing option"),
    (["init", "--bogus"], "Unbekannte Option: --bogus", "No such option: --bogus"),
    (["--bogus", "init"], "Unbekannte Option: --bogus", "No such option: --bogus"),
    (
        ["export", "--indicator", "x", "--format", "pdf"],
        "Ungültiger Wert für '--format': 'pdf' ist nicht möglich; möglich sind "
        "'csv', 'csv-de', 'xlsx'.",
        "Invalid value for '--format'",
    ),
    (
        ["stats", "classes", "--indicator", "x", "--level", "m", "--k", "abc"],
        "Ungültiger Wert für '--k': Eine ganze Zahl wird erwartet.",
        "Invalid value for '--k'",
    ),
    (
        ["export", "--indicator"],
        "Die Option '--indicator' braucht einen Wert.",
        "requires an argument",
    ),
    (
        ["export", "--indicator", "x", "--internal=yes"],
        "Die Option '--internal' nimmt keinen Wert.",
        "does not take a value",
    ),
]


def _one_line(text: str) -> str:
    """The output without the error box's frame and line breaks."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.mark.parametrize(
    ("args", "german", "english"), USAGE_ERRORS, ids=lambda a: str(a)[:30]
)
def test_usage_errors_are_german_with_lang_de_or_a_german_locale_issue_16(
    args: list[str], german: str, english: str
) -> None:
    runner = CliRunner()
    for result in (
        runner.invoke(app, ["--lang", "de", *args], env=ENGLISH_ENV),
        runner.invoke(app, args, env=GERMAN_ENV),
    ):
        assert result.exit_code == 2, result.output
        shown = _one_line(result.output)
        assert german in shown
        for word in ("Usage", "Missing", "No such", "Invalid", "Error", "Try '"):
            assert word not in shown, shown
        if "Aufruf" in shown:
            assert "Hilfe: '" in shown and " --help'" in shown
    english_run = runner.invoke(app, args, env=ENGLISH_ENV)
    assert english_run.exit_code == 2
    assert english in _one_line(english_run.output)
    assert "Fehler" not in english_run.output and "Aufruf" not in english_run.output


def test_the_german_usage_line_names_options_and_commands_in_german() -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["--lang", "de", "release", "diff", "a"], env=ENGLISH_ENV
    )
    assert "release diff [OPTIONEN] OLD NEW" in result.output
    result = runner.invoke(app, ["release", "--help"], env=GERMAN_ENV)
    assert "Aufruf: root release [OPTIONEN] BEFEHL [ARGUMENTE]..." in (result.output)
    assert "Usage" not in result.output
    again = runner.invoke(app, ["release", "--help"], env=ENGLISH_ENV)
    assert "Usage: root release [OPTIONS] COMMAND [ARGS]..." in again.output


@pytest.mark.parametrize(
    ("table", "english"),
    [
        (
            MESSAGES,
            [
                "Missing option '--format'. Choose from:\n\tcsv,\n\txlsx",
                "Missing argument 'FILE'.",
                "Missing parameter: file",
                "No such option: --bogus (Possible options: --user)",
                "No such option: --bogus",
                "No such command 'releese'. Did you mean 'release'?",
                "No such command 'x'.",
                "Missing command.",
                "Got unexpected extra argument(s) (c d)",
                "Option '--indicator' requires an argument.",
                "Option '--pair' requires 2 arguments.",
                "Option '--internal' does not take a value.",
                "Argument 'pair' takes 2 values.",
                "Invalid value for '--k': x",
                "Invalid value: x",
            ],
        ),
        (
            DETAILS,
            [
                "Value error, 'pdf' is not one of 'csv', 'xlsx'.",
                "Input should be a valid integer, unable to parse string as an integer",
                "Input should be a valid number, unable to parse string as a number",
                "Input should be a valid date or datetime, invalid character",
                "Input should be a valid boolean, unable to interpret input",
                "Input should be greater than or equal to 1",
                "Input should be less than or equal to 10",
                "File 'a.csv' does not exist.",
                "Directory 'out' is a file.",
                "File 'out' is a directory.",
                "File 'a.csv' is not readable.",
                "Path 'out' is not writable.",
                "Value 'x' is not a valid Path.",
            ],
        ),
    ],
    ids=["messages", "details"],
)
def test_every_known_message_has_its_german_text(
    table: tuple[tuple[re.Pattern[str], str], ...], english: list[str]
) -> None:
    """Each pattern of the table translates an example, and no English is left."""
    translate = german_message if table is MESSAGES else german_detail
    used = set()
    for text in english:
        german = translate(text)
        assert german != text, text
        for word in ("Missing", "No such", "Invalid", "Input", "should", "does"):
            assert word not in german, (text, german)
        used |= {i for i, (p, _) in enumerate(table) if p.fullmatch(text)}
    assert used == set(range(len(table))), "a pattern without an example"
    assert german_message("Something new.") == "Something new."  # left as it is


def test_typer_is_the_version_whose_private_click_is_read() -> None:
    """``cli/usage_de.py`` and ``cli/entry.py`` read Typer internals (its own copy
    of Click in ``typer._click``; ``type_descriptor`` and ``display_type`` of its
    parameters). Another Typer version may move them or change its messages:
    check them (see ``cli/usage_de.py``), then widen this pin with the one in
    pyproject.toml."""
    assert version("typer").startswith("0.29."), version("typer")
    pin = re.search(r'"typer([^"]*)"', (ROOT / "pyproject.toml").read_text("utf-8"))
    assert pin is not None and pin.group(1) == ">=0.29,<0.30"
