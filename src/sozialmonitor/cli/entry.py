"""The root command's class: the help's language and plain names, and one message
(not a traceback) when the database cannot be used.

``sozialmonitor --lang de …`` or a German locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG`` = ``de_DE.UTF-8``) shows every command's help in German, from the catalogue
in ``cli.help_de``; otherwise the English written in the commands. Either way the
help names values the usual way (``NAME``, ``TEXT``, ``[csv|xlsx]``) instead of
Typer's ``<str>`` and ``{name}``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

import typer
import typer.rich_utils
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from sozialmonitor.cli.console import state
from sozialmonitor.cli.help_de import GERMAN, GERMAN_HEADINGS, HELP_OPTION_DE, key
from sozialmonitor.cli.usage_de import german_usage_errors, in_german_usage
from sozialmonitor.config import setting

Command = TyperCommand | TyperGroup
"""A command of the tree (Typer brings its own copy of Click)."""


class Language(StrEnum):
    """The languages of the help."""

    DE = "de"
    EN = "en"


LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Where the language comes from without ``--lang``, in POSIX order."""


def chosen_language(args: Sequence[str], environ: Mapping[str, str]) -> str:
    """``de`` or ``en``: ``--lang`` on the command line, else the locale."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "de" if args[i + 1].lower().startswith("de") else "en"
        if arg.startswith("--lang="):
            return "de" if arg[len("--lang=") :].lower().startswith("de") else "en"
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "de" if value.lower().startswith("de") else "en"
    return "en"


class _Argument(TyperArgument):
    """An argument shown as ``NAME`` (``[NAME]`` when optional), without a type."""

    def display_type_rich(self, ctx: typer.Context) -> str | None:  # noqa: ARG002
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


def commands(root: Command) -> Iterator[tuple[str, Command]]:
    """Every command of the tree with its path (``release publish``; the root
    is ``""``)."""
    stack: list[tuple[str, Command]] = [("", root)]
    while stack:
        path, command = stack.pop(0)
        yield path, command
        subcommands = getattr(command, "commands", {})
        for name, sub in subcommands.items():
            stack.append((f"{path} {name}".strip(), sub))


def help_texts(command: Command) -> Iterator[str]:
    """The texts of ``command``'s help that a catalogue translates."""
    if command.help:
        yield command.help
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield text


def plain_names(root: Command) -> None:
    """Show values as ``NAME``/``TEXT`` and flags without a type in every help."""
    for _, command in commands(root):
        ctx = typer.Context(command)
        help_option = command.get_help_option(ctx)
        for param in [*command.params, *([help_option] if help_option else [])]:
            if isinstance(param, TyperArgument):
                param.__class__ = _Argument
                param.metavar = param.metavar or (param.name or "value").upper()
            elif isinstance(param, TyperOption):
                if param.is_flag or param.count:
                    param.metavar = ""
                elif param.metavar is None:
                    param.metavar = _value_name(param, ctx)


VALUE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH"}
"""Typer's type labels and the usual names of their values."""


def _value_name(param: TyperOption, ctx: typer.Context) -> str:
    desc = param.type_descriptor
    if desc.is_choice:
        names = (str(getattr(c, "value", c)) for c in desc.choices or ())
        return "[" + "|".join(names) + "]"
    label = param.display_type(ctx).strip("<>")
    if label.startswith("list[") and label.endswith("]"):
        label = label[len("list[") : -1]
    return VALUE_NAMES.get(label, label.upper())


def in_german(root: Command) -> None:
    """Replace every help text by its German one from ``cli.help_de``, and the
    usage line by its German one (``cli.usage_de``)."""
    for _, command in commands(root):
        in_german_usage(command)
        if command.help:
            command.help = GERMAN.get(key(command.help), command.help)
        command.short_help = None  # taken from the (German) help
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                param.help = GERMAN.get(key(text), text)  # type: ignore[attr-defined]
        help_option = command.get_help_option(typer.Context(command))
        if help_option is not None:
            help_option.help = HELP_OPTION_DE


@contextmanager
def german_headings() -> Iterator[None]:
    """The help's headings in German, for one run (Typer keeps them in globals)."""
    before = {name: getattr(typer.rich_utils, name) for name in GERMAN_HEADINGS}
    for name, text in GERMAN_HEADINGS.items():
        setattr(typer.rich_utils, name, text)
    try:
        yield
    finally:
        for name, text in before.items():
            setattr(typer.rich_utils, name, text)


def database_problem(exc: DatabaseError) -> str:
    """What to tell the user when the database cannot be used."""
    try:
        url = make_url(setting("db", state.db)).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        url = "(see --db)"
    orig = getattr(exc, "orig", None) or exc
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    lower = detail.lower()
    if "database is locked" in lower or "database table is locked" in lower:
        todo = (
            "Another program (an import, a backup, a SQLite tool) is writing to it. "
            "Wait until it has finished, then run the command again."
        )
    elif "file is not a database" in lower:
        todo = (
            "The file is not a Sozialmonitor database (or it is damaged). Check --db: "
            "sqlite:///FILE names the database file 'sozialmonitor init' creates."
        )
    elif "unable to open database file" in lower:
        todo = "Check that the file's folder exists and that you may write in it."
    else:
        todo = (
            "Check --db (host, port, user, password, database name) and that the "
            "database server is running."
        )
    return (
        f"Cannot use the database {url}: {detail}. {todo} "
        "Run with --debug (before the command) for the details."
    )


def file_problem(exc: OSError) -> str:
    """What to tell the user when a file named on the command line cannot be used."""
    if isinstance(exc, FileNotFoundError):
        todo = "Check the path: the file, or the folder to write it in, must exist."
    elif isinstance(exc, PermissionError):
        todo = "Check that you may read the file, or write in its folder."
    elif isinstance(exc, IsADirectoryError):
        todo = "That is a folder; name a file."
    else:
        todo = "Check the path and the disk."
    return (
        f"Cannot use the file {exc.filename}: {exc.strerror or exc}. {todo} "
        "Run with --debug (before the command) for the details."
    )


class RootGroup(TyperGroup):
    """The ``sozialmonitor`` command (see the module's description)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        plain_names(self)
        self.german = False
        """Whether this run speaks German (``--lang de`` or the locale)."""

    def main(self, args: Sequence[str] | None = None, **extra: Any) -> Any:
        given = list(args) if args is not None else None
        language = chosen_language(sys.argv[1:] if given is None else given, os.environ)
        if language != "de":
            return super().main(given, **extra)
        self.german = True
        in_german(self)
        with german_headings():
            return super().main(given, **extra)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: typer.Context | None = None,
        **extra: Any,
    ) -> typer.Context:
        if not self.german:
            return super().make_context(info_name, args, parent, **extra)
        with german_usage_errors():  # the root's own options
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: typer.Context) -> Any:
        if not self.german:
            return self._invoke(ctx)
        with german_usage_errors():  # the commands' names, options and arguments
            return self._invoke(ctx)

    def _invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, DatabaseError) as exc:
            if state.debug or type(exc) not in (OperationalError, DatabaseError):
                raise
            typer.echo(database_problem(exc), err=True)
            raise typer.Exit(1) from None
        except OSError as exc:
            if state.debug or not exc.filename:
                raise
            typer.echo(file_problem(exc), err=True)
            raise typer.Exit(1) from None
