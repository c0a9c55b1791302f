"""Reports as files: one HTML file or PDF per area, all made before any is
written, each written under a temporary name and then renamed, so that a failure
leaves no file of the run behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.reports.document import report_document
from sozialmonitor.reports.making import make_reports
from sozialmonitor.reports.pdf import pdf_bytes
from sozialmonitor.reports.template import load_template
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.site import Site

FORMATS = ("html", "pdf")


def file_name(stem: str, code: str | None, fmt: str) -> str:
    """``gebietsprofil-03241009.pdf``.

    Examples
    --------
    >>> file_name("gebietsprofil-{code}", "03241009", "pdf")
    'gebietsprofil-03241009.pdf'
    >>> file_name("sozialbericht", None, "html")
    'sozialbericht.html'
    """
    return f"{stem.replace('{code}', code or '').rstrip('-')}.{fmt}"


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".report-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_reports(
    engine: Engine,
    name: str,
    *,
    areas: Sequence[str | None],
    folder: Path | None,
    output: Path | None,
    topic: str | None,
    release: str | None,
    audience: Audience,
    other: str | None = None,
    lang: Language,
    site: Site,
    fmt: str,
) -> list[Path]:
    """Make the reports and write them: to ``output`` (one report), or into
    ``folder`` named by the template's file stem and the area code.

    Raises
    ------
    SozialmonitorError
        For an unknown format or a folder or file that cannot be written (and
        everything :func:`make_reports` raises).
    """
    if fmt not in FORMATS:
        raise SozialmonitorError(f"A report is written as html or pdf, not '{fmt}'.")
    template = load_template(name)
    made: list[tuple[Path, bytes]] = []
    for report in make_reports(
        engine,
        name,
        areas=areas,
        topic=topic,
        other=other,
        release=release,
        audience=audience,
        lang=lang,
        site=site,
    ):
        html = report_document(report, site)
        data = (
            html.encode("utf-8")
            if fmt == "html"
            else pdf_bytes(html, made=report.made_at)
        )
        target = (
            folder / file_name(template.file_stem, report.area, fmt)
            if folder is not None
            else output
        )
        assert target is not None  # noqa: S101 (the caller gives one of the two)
        made.append((target, data))
    try:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        for target, data in made:
            _atomic_write(target, data)
    except OSError as exc:
        raise SozialmonitorError(
            f"Cannot write the report to {exc.filename or folder or output}: "
            f"{exc.strerror}. Choose a folder you may write to."
        ) from exc
    return [target for target, _ in made]
