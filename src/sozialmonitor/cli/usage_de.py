"""The usage line and the usage errors of the command line in German (issue 16).

Typer 0.29 brings its own copy of Click (``typer._click``) without Click's gettext
catalogue: its messages ("Usage:", "Missing option", "No such option", "Invalid
value for …") are English f-strings. Under ``--lang de`` or a German locale the
root command (``cli.entry.RootGroup``) turns every usage error into one with the
German text of its message (``german_message``) and shows the usage line as
"Aufruf: sozialmonitor … [OPTIONEN]" (``in_german_usage``).

This reads Typer's private ``typer._click`` (the exception raised and the help
formatter), because Typer exports neither. ``tests/test_cli_help.py`` fails
loudly when another Typer version is installed or a message is no longer
translated: check the messages in ``typer/_click/exceptions.py``,
``typer/_click/parser.py``, ``typer/_click/core.py``, ``typer/core.py`` and the
pydantic messages of ``typer/_param_types.py``, then widen the pin in
pyproject.toml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer._click.exceptions import UsageError
from typer._click.formatting import HelpFormatter

USAGE_PREFIX = "Aufruf: "
OPTIONS_METAVAR = "[OPTIONEN]"
SUBCOMMAND_METAVAR = "BEFEHL [ARGUMENTE]..."


def _table(*pairs: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p, re.DOTALL), german) for p, german in pairs)


MESSAGES = _table(
    (
        r"Missing (?P<kind>option|argument|parameter) (?P<name>.+?)\. "
        r"Choose from:(?P<choices>.*)",
        "{kind} {name} fehlt. Möglich sind:{choices}",
    ),
    (
        r"Missing (?P<kind>option|argument|parameter) (?P<name>.+?)\.",
        "{kind} {name} fehlt.",
    ),
    (r"Missing parameter: (?P<name>.+)", "Die Angabe '{name}' fehlt."),
    (
        r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
        "Unbekannte Option: {name} (ähnlich: {options})",
    ),
    (r"No such option: (?P<name>\S+)", "Unbekannte Option: {name}"),
    (
        r"No such command (?P<name>.+?)\. Did you mean (?P<options>.+)\?",
        "Unbekannter Befehl {name}. Gemeint: {options}?",
    ),
    (r"No such command (?P<name>.+)\.", "Unbekannter Befehl {name}."),
    (r"Missing command\.", "Der Befehl fehlt."),
    (
        r"Got unexpected extra argument(?:s|\(s\))? \((?P<extra>.*)\)",
        "Zu viele Argumente: {extra}",
    ),
    (
        r"Option (?P<name>\S+) requires an argument\.",
        "Die Option {name} braucht einen Wert.",
    ),
    (
        r"Option (?P<name>\S+) requires (?P<n>\d+) arguments\.",
        "Die Option {name} braucht {n} Werte.",
    ),
    (
        r"Option (?P<name>\S+) does not take a value\.",
        "Die Option {name} nimmt keinen Wert.",
    ),
    (
        r"Argument (?P<name>\S+) takes (?P<n>\d+) values\.",
        "Das Argument {name} braucht {n} Werte.",
    ),
    (
        r"Invalid value for (?P<name>.+?): (?P<detail>.*)",
        "Ungültiger Wert für {name}: {detail}",
    ),
    (r"Invalid value: (?P<detail>.*)", "Ungültiger Wert: {detail}"),
)
"""Click's and Typer's usage errors, as ``format_message()`` gives them → German."""

KINDS = {"option": "Die Option", "argument": "Das Argument", "parameter": "Die Angabe"}

DETAILS = _table(
    (
        r"(?:Value error, )?(?P<value>'.*') is not one of (?P<choices>.*)\.",
        "{value} ist nicht möglich; möglich sind {choices}.",
    ),
    (r"Input should be a valid integer.*", "Eine ganze Zahl wird erwartet."),
    (r"Input should be a valid number.*", "Eine Zahl wird erwartet."),
    (r"Input should be a valid date.*", "Ein Datum (JJJJ-MM-TT) wird erwartet."),
    (r"Input should be a valid boolean.*", "true oder false wird erwartet."),
    (
        r"Input should be greater than or equal to (?P<n>\S+)",
        "Der Wert muss mindestens {n} sein.",
    ),
    (
        r"Input should be less than or equal to (?P<n>\S+)",
        "Der Wert darf höchstens {n} sein.",
    ),
    (
        r"(?P<kind>File|Directory|Path) (?P<path>'.*') does not exist\.",
        "{kind} {path} gibt es nicht.",
    ),
    (
        r"(?P<kind>File|Directory|Path) (?P<path>'.*') is a file\.",
        "{kind} {path} ist eine Datei.",
    ),
    (
        r"(?P<kind>File|Directory|Path) (?P<path>'.*') is a directory\.",
        "{kind} {path} ist ein Ordner.",
    ),
    (
        r"(?P<kind>File|Directory|Path) (?P<path>'.*') is not readable\.",
        "{kind} {path} ist nicht lesbar.",
    ),
    (
        r"(?P<kind>File|Directory|Path) (?P<path>'.*') is not writable\.",
        "{kind} {path} ist nicht schreibbar.",
    ),
    (
        r"Value (?P<value>.+) is not a valid (?P<type>\S+)\.",
        "{value} ist kein gültiger Wert ({type}).",
    ),
)
"""What follows "Invalid value for …:" (Typer's checks, pydantic's) → German."""

PATH_KINDS = {"File": "Die Datei", "Directory": "Der Ordner", "Path": "Der Pfad"}


def _translate(
    message: str, table: tuple[tuple[re.Pattern[str], str], ...]
) -> str | None:
    for pattern, german in table:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        parts = found.groupdict(default="")
        if "kind" in parts:
            parts["kind"] = KINDS.get(parts["kind"]) or PATH_KINDS[parts["kind"]]
        if "detail" in parts:
            parts["detail"] = german_detail(parts["detail"])
        return german.format(**parts)
    return None


def german_detail(detail: str) -> str:
    """The German of a parameter check's message (English when unknown)."""
    return _translate(detail, DETAILS) or detail


def german_message(message: str) -> str:
    """The German of a usage error's message (English when unknown)."""
    return _translate(message, MESSAGES) or message


@contextmanager
def german_usage_errors() -> Iterator[None]:
    """Raise every usage error inside as one with its German message (same
    context, so the same usage line, and the same exit status)."""
    try:
        yield
    except UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # shows the help, no message
            raise
        german = UsageError(german_message(exc.format_message()), exc.ctx)
        german.exit_code = exc.exit_code
        raise german from None


class GermanFormatter(HelpFormatter):
    """The help formatter whose usage line begins with "Aufruf:"."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)


class GermanContext(typer.Context):
    """A context that formats its usage line with ``GermanFormatter``."""

    formatter_class = GermanFormatter


def in_german_usage(command: Any) -> None:
    """Show ``command``'s usage line in German: "Aufruf: … [OPTIONEN] BEFEHL …"."""
    command.context_class = GermanContext
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = OPTIONS_METAVAR
    if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
        command.subcommand_metavar = SUBCOMMAND_METAVAR
