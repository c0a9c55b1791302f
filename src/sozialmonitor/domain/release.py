"""Releases (Datenstände): every observation belongs to one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sozialmonitor.domain.indicator import plain_text
from sozialmonitor.errors import InvalidReleaseNameError


class ReleaseStatus(StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


EDITABLE = (ReleaseStatus.DRAFT, ReleaseStatus.VALIDATED)
"""States in which imports may still add to a release."""

MAX_NAME_CHARS = 100
"""Longest release name (the ``release.name`` column)."""
PATH_UNSAFE = "/\\"
"""Characters a release name may not contain: its page's address
(``/verwaltung/veroeffentlichungen/NAME``) would end at a ``/`` (and browsers read
a ``\\`` as one)."""


def check_release_name(name: str) -> str:
    """``name`` when it can name a new release: 1 to ``MAX_NAME_CHARS`` characters
    of plain text on one line (``domain.indicator.plain_text``), none of
    ``PATH_UNSAFE``, not dots only (``..`` in an address means the folder above).

    Releases named before this rule keep their names; the portal quotes them in
    its links.

    Raises
    ------
    InvalidReleaseNameError
        Naming the name, what is wrong and what to do.

    Examples
    --------
    >>> check_release_name("2022-H1")
    '2022-H1'
    >>> check_release_name("2021/22")
    Traceback (most recent call last):
    ...
    sozialmonitor.errors.InvalidReleaseNameError: The release name '2021/22' \
contains '/', which cannot be part of the address of the release's page. Choose a \
name without / and \\, for example '2021-22'.
    """
    if not name or len(name) > MAX_NAME_CHARS:
        raise InvalidReleaseNameError(
            f"The release name {name[:MAX_NAME_CHARS]!r} is empty or longer than "
            f"{MAX_NAME_CHARS} characters. Choose a name such as 2022-H1."
        )
    try:
        plain_text(name)
    except ValueError as exc:
        raise InvalidReleaseNameError(
            f"The release name {name!r} cannot be used: {exc}."
        ) from None
    if any(c in "\t\n\r" for c in name):
        raise InvalidReleaseNameError(
            f"The release name {name!r} contains a tab or a line break. Write it on "
            "one line, such as 2022-H1."
        )
    if unsafe := next((c for c in name if c in PATH_UNSAFE), None):
        suggestion = "".join("-" if c in PATH_UNSAFE else c for c in name)
        raise InvalidReleaseNameError(
            f"The release name '{name}' contains '{unsafe}', which cannot be part "
            "of the address of the release's page. Choose a name without / and \\, "
            f"for example '{suggestion}'."
        )
    if not name.strip("."):
        raise InvalidReleaseNameError(
            f"The release name '{name}' consists of dots only, which an address "
            "reads as a folder. Choose a name such as 2022-H1."
        )
    return name


@dataclass(frozen=True, kw_only=True)
class Release:
    """A version of the data: drafted, validated, published, maybe withdrawn."""

    id: int
    """Database id."""
    name: str
    """Unique name, e.g. ``2022-H1``."""
    status: ReleaseStatus
    """Where it is in its life."""
    created_at: dt.datetime
    """When it was drafted."""
    published_at: dt.datetime | None = None
    """When it was published."""
    withdrawn_at: dt.datetime | None = None
    """When it was withdrawn."""
    sequence: int | None = None
    """Publication order (1, 2, …); None until published."""
    note: str = ""
    """What the release contains or why it was withdrawn."""

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status.value,
            "created_at": self.created_at.isoformat(),
            "published_at": self.published_at.isoformat()
            if self.published_at
            else None,
            "withdrawn_at": self.withdrawn_at.isoformat()
            if self.withdrawn_at
            else None,
            "sequence": self.sequence,
            "note": self.note,
        }


@dataclass(frozen=True, kw_only=True)
class ReleaseChange:
    """One line of the difference between two releases."""

    change: str
    """``new``, ``changed`` or ``removed``."""
    indicator: str
    area: str
    period: str
    old_value: float | None
    new_value: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "change": self.change,
            "indicator": self.indicator,
            "area": self.area,
            "period": self.period,
            "old_value": self.old_value,
            "new_value": self.new_value,
        }
