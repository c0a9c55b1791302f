"""Report templates: Markdown with Jinja blocks and a front matter of title, kind
and parameters, shipped in ``reports/templates/``.

A template is trusted, shipped code (a user-supplied template is not in scope): its
Jinja blocks call the live elements of :mod:`sozialmonitor.reports.elements`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from sozialmonitor.errors import SozialmonitorError

PARAMETERS = ("area", "topic", "other")
"""What a template may ask for: an area code (``--area``/``--parent``), a topic
(``--topic``) and a second area to compare with (``--other``)."""
FRONT_MATTER = "---"
KIND_LABELS = {
    "social-report": "Sozialbericht",
    "focus-report": "Fokusbericht",
    "profile": "Gebietsprofil",
    "comparison": "Gebietsvergleich",
}
"""The German name of each kind of report (GLOSSARY)."""


class UnknownTemplateError(SozialmonitorError):
    code = "unknown-report-template"


class ReportParameterError(SozialmonitorError):
    code = "report-parameter"


@dataclass(frozen=True, kw_only=True)
class ReportTemplate:
    """A shipped report template."""

    name: str
    """The file name without ``.md``: what ``report render`` and ``/berichte/…``
    call it."""
    title: str
    """The report's title (German; a Jinja expression may fill in the area)."""
    title_en: str
    kind: str
    """``social-report``, ``focus-report``, ``profile`` or ``comparison``."""
    description: str
    description_en: str
    parameters: tuple[str, ...]
    """Required parameters, from :data:`PARAMETERS`."""
    file_stem: str
    """The output file name per area: ``gebietsprofil-{code}``."""
    body: str
    """The Markdown with Jinja blocks."""

    @property
    def kind_label(self) -> str:
        """What the portal calls the kind: ``Gebietsprofil``, ``Sozialbericht`` …"""
        return KIND_LABELS.get(self.kind, self.kind)

    def text(self, field: str, lang: str) -> str:
        """``title`` or ``description`` in ``lang`` (German where no English)."""
        english = getattr(self, f"{field}_en")
        return english if lang == "en" and english else str(getattr(self, field))


def _parse(name: str, source: str) -> ReportTemplate:
    head, sep, body = source.removeprefix(FRONT_MATTER + "\n").partition(
        "\n" + FRONT_MATTER + "\n"
    )
    if not source.startswith(FRONT_MATTER + "\n") or not sep:
        raise UnknownTemplateError(
            f"The report template '{name}' has no front matter between '---' lines."
        )
    meta: dict[str, Any] = yaml.safe_load(head) or {}
    parameters = tuple(meta.get("parameters") or ())
    unknown = [p for p in parameters if p not in PARAMETERS]
    if unknown:
        raise UnknownTemplateError(
            f"The report template '{name}' asks for unknown parameters: "
            f"{', '.join(unknown)}. Known: {', '.join(PARAMETERS)}."
        )
    return ReportTemplate(
        name=name,
        title=str(meta["title"]),
        title_en=str(meta.get("title_en", "")),
        kind=str(meta["kind"]),
        description=str(meta.get("description", "")),
        description_en=str(meta.get("description_en", "")),
        parameters=parameters,
        file_stem=str(meta.get("file_stem", name)),
        body=body,
    )


def _folder() -> Any:
    return resources.files("sozialmonitor.reports").joinpath("templates")


def list_templates() -> list[ReportTemplate]:
    """The shipped templates, by name."""
    found = [
        _parse(entry.name.removesuffix(".md"), entry.read_text(encoding="utf-8"))
        for entry in _folder().iterdir()
        if entry.name.endswith(".md")
    ]
    return sorted(found, key=lambda t: t.name)


def load_template(name: str) -> ReportTemplate:
    """The shipped template called ``name``.

    Raises
    ------
    UnknownTemplateError
        For a name no shipped template has (the message lists them).
    """
    for template in list_templates():
        if template.name == name:
            return template
    known = ", ".join(t.name for t in list_templates())
    raise UnknownTemplateError(
        f"There is no report template '{name}'. Templates: {known} "
        "(see 'sozialmonitor report list')."
    )
