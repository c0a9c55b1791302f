"""``sozialmonitor release``: list, publish, withdraw and compare releases."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import typer

from sozialmonitor.access.roles import Action
from sozialmonitor.analysis.digest_record import stored_digest
from sozialmonitor.analysis.release_digest import release_digest
from sozialmonitor.cli.caller import (
    TokenOption,
    UserOption,
    actor_of,
    authorised,
    reading,
    use_caller,
)
from sozialmonitor.cli.console import (
    AsJson,
    DbOption,
    ReadInternal,
    print_json,
    state,
    use_db,
    user_errors,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import ReleaseCheckError
from sozialmonitor.store import queries, writes
from sozialmonitor.store.publication import publish_checked, withdraw_published
from sozialmonitor.store.release_diff import release_diff as changes_between
from sozialmonitor.store.release_review import Finding, release_findings
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.pages.digest_text import (
    KIND_TITLES,
    figures_text,
    sentence,
    statement_url,
    wording_of,
)

release_app = typer.Typer(help="List, publish, withdraw and compare releases.")


@release_app.command("list")
def release_list(
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """All releases, oldest first, drafts too (internal on a server database)."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, _ = authorised(Action.READ_INTERNAL)
        with eng.connect() as conn:
            releases = queries.list_releases(conn)
    if as_json:
        print_json([r.to_dict() for r in releases])
        return
    if not releases:
        typer.echo("No releases yet. Import observations to start a draft.")
    for r in releases:
        when = f"{r.published_at:%Y-%m-%d %H:%M}" if r.published_at else ""
        typer.echo(f"{r.name}\t{r.status.value}\t{when}".rstrip())


def print_findings(findings: Sequence[Finding]) -> None:
    """The checks' report on standard error: one line a finding, errors first."""
    for f in sorted(findings, key=lambda f: not f.is_error):
        typer.echo(f"{f.severity.upper()}: {f.message} ({f.code})", err=True)


@contextmanager
def check_report(name: str, doing: str) -> Iterator[None]:
    """A draft the checks refuse: its report and what to do (exit 1), no traceback."""
    try:
        yield
    except ReleaseCheckError as exc:
        if state.debug:
            raise
        found: list[Finding] = [f for f in exc.findings if isinstance(f, Finding)]
        print_findings(found)
        errors = len(found)
        typer.echo(
            f"'{name}' was not {doing}: the checks found {errors} "
            f"error{'s' if errors != 1 else ''}; it stays a draft. Correct the data "
            "with a new import into the draft, then try again.",
            err=True,
        )
        raise typer.Exit(1) from None


@release_app.command("publish")
def release_publish(
    name: str,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Publish a draft after the checks of 'release validate': refused with their
    report when they find errors (warnings are printed and do not block)."""
    use_db(db)
    use_caller(user, token)
    with user_errors(), check_report(name, "published"):
        eng, caller = authorised(Action.PUBLISH)
        with eng.begin() as conn:
            rel, findings = publish_checked(
                conn, name, actor=actor_of(caller), address=caller.address
            )
    print_findings(findings)
    typer.echo(f"Published '{rel.name}' (release number {rel.sequence}).")


@release_app.command("validate")
def release_validate(
    name: str,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Check a draft and mark it as ready to publish: refused with the report when
    the checks find errors (an empty release, a share above its total, a negative
    count); warnings (large jumps, removed values) do not block."""
    use_db(db)
    use_caller(user, token)
    with user_errors(), check_report(name, "validated"):
        eng, caller = authorised(Action.PREPARE_RELEASE)
        with eng.begin() as conn:
            writes.validate_release(
                conn, name, actor=actor_of(caller), address=caller.address
            )
            rel = queries.get_release(conn, name)
            findings = release_findings(conn, rel)
    print_findings(findings)
    typer.echo(f"'{name}' is validated.")


@release_app.command("withdraw")
def release_withdraw(
    name: str,
    reason: Annotated[str, typer.Option(help="Why it is withdrawn.")] = "",
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Withdraw a published release; reads fall back to the earlier ones."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, caller = authorised(Action.WITHDRAW)
        with eng.begin() as conn:
            withdraw_published(
                conn, name, reason, actor=actor_of(caller), address=caller.address
            )
    typer.echo(f"Withdrawn '{name}'. Its values remain stored for 'as of' reads.")


@release_app.command("diff")
def release_diff(
    old: str,
    new: str,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """Values new, changed and removed from release OLD to release NEW (drafts too:
    internal on a server database)."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, _ = authorised(Action.READ_INTERNAL)
        with eng.connect() as conn:
            changes = changes_between(conn, old, new)
    if as_json:
        print_json([c.to_dict() for c in changes])
        return
    for c in changes:
        typer.echo(
            f"{c.change}\t{c.indicator}\t{c.area}\t{c.period}\t{c.old_value}\t{c.new_value}"
        )
    counts = {
        k: sum(c.change == k for c in changes) for k in ("new", "changed", "removed")
    }
    typer.echo(", ".join(f"{n} {k}" for k, n in counts.items()), err=True)


@release_app.command("digest")
def release_digest_command(
    release: Annotated[
        str | None,
        typer.Option(
            "--release", help="The release (default: the newest published one)."
        ),
    ] = None,
    internal: ReadInternal = False,
    english: Annotated[
        bool,
        typer.Option(help="Print the statements in English (default: German)."),
    ] = False,
    as_json: AsJson = False,
    db: DbOption = None,
    user: UserOption = None,
    token: TokenOption = None,
) -> None:
    """What a release brought ("Was hat sich verändert?"): significant changes,
    changes of counts, revisions, focus areas, trend reversals, new hot spots and
    unusual values, as the public sees them (with --internal: the
    administration). The public digest is the one stored when the release was
    published."""
    use_db(db)
    use_caller(user, token)
    with user_errors():
        eng, audience = reading(internal)
        if audience == Audience.PUBLIC:  # stored at publication
            digest = stored_digest(eng, release)
        with eng.connect() as conn:
            if audience != Audience.PUBLIC:
                digest = release_digest(conn, release, audience=audience)
            wording = wording_of(
                queries.list_indicators(conn, audience=audience.catalogue),
                queries.list_levels(conn),
            )
    if as_json:
        print_json(dataclasses.asdict(digest))
        return
    t = Translator(lang="en" if english else "de")
    typer.echo(f"{digest.release} ({digest.previous or '-'})")
    for section in digest.sections:
        typer.echo(f"\n{t(KIND_TITLES[section.kind])}")
        for s in section.statements:
            typer.echo(
                f"- {sentence(s, wording, t)} ({figures_text(s, t)})".replace(" ()", "")
            )
            typer.echo(f"  {statement_url(s, t.lang)}")
        if section.more:
            typer.echo(
                f"  {t.plural('und {n} weitere', 'und {n} weitere', section.more)}"
            )
    for note in digest.notes:
        typer.echo(note, err=True)
    typer.echo(f"{digest.seconds:.2f} s", err=True)
