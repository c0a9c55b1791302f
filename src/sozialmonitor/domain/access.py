"""Who reads: the public, or the signed-in administration (within an area scope)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class Audience:
    """Decides what the read gate lets through.

    ``Audience.PUBLIC``: published releases, public indicators, public area levels,
    small counts suppressed. ``Audience.INTERNAL``: also internal indicators and
    levels, true values marked confidential, and drafts or withdrawn releases when
    asked for. ``Audience.within(code)``: the internal view for one area and the
    areas below it, the public view everywhere else (a municipality's staff see
    their own block values, not the others').

    Examples
    --------
    >>> Audience.PUBLIC.internal, Audience.INTERNAL.internal
    (False, True)
    >>> staff = Audience.within("03241001")
    >>> staff.internal, staff.scope, staff == Audience.within("03241001")
    (True, '03241001', True)
    >>> str(Audience.PUBLIC), str(staff)
    ('public', 'internal:03241001')
    """

    internal: bool
    scope: str | None = None
    """The area code whose subtree the internal view covers; None: all areas."""

    PUBLIC: ClassVar[Audience]
    INTERNAL: ClassVar[Audience]

    @classmethod
    def within(cls, scope: str | None) -> Audience:
        """The internal view for the area ``scope`` and below (everywhere if None)."""
        return cls.INTERNAL if scope is None else cls(internal=True, scope=scope)

    @property
    def scoped(self) -> bool:
        return self.internal and self.scope is not None

    @property
    def catalogue(self) -> Audience:
        """Whose catalogue this audience reads: an internal reader's scope limits
        values, not which indicators, levels and releases exist."""
        return Audience.INTERNAL if self.internal else Audience.PUBLIC

    def __str__(self) -> str:
        if not self.internal:
            return "public"
        return "internal" if self.scope is None else f"internal:{self.scope}"


Audience.PUBLIC = Audience(internal=False)
Audience.INTERNAL = Audience(internal=True)
