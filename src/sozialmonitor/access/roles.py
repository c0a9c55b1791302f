"""Roles and what each may do: the one place that says so.

Roles are ordered; each role may do everything the roles below it may, and more:
anonymous < reader < editor < publisher < administrator.

Examples
--------
>>> may(Role.EDITOR, Action.IMPORT), may(Role.EDITOR, Action.PUBLISH)
(True, False)
>>> Role.PUBLISHER > Role.EDITOR
True
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """Something a role may be allowed to do."""

    READ_PUBLIC = "read-public"
    """Read what the portal shows everyone."""
    READ_INTERNAL = "read-internal"
    """Read internal indicators and drafts (within the account's area scope)."""
    IMPORT = "import"
    """Import areas, indicators and observations into a draft."""
    EDIT_METADATA = "edit-metadata"
    """Change the indicator catalogue, levels and texts."""
    PREPARE_RELEASE = "prepare-release"
    """Take a draft release up to 'validated' (ready to publish)."""
    PUBLISH = "publish"
    """Publish a release."""
    WITHDRAW = "withdraw"
    """Withdraw a published release."""
    MANAGE_USERS = "manage-users"
    """Create, change and disable accounts and their roles and tokens."""
    MANAGE_SETTINGS = "manage-settings"
    """Change the portal's settings."""
    READ_AUDIT = "read-audit"
    """Read the audit log."""


class Role(StrEnum):
    """Who someone is to the portal; compared by rank (``<``, ``>=``)."""

    ANONYMOUS = "anonymous"
    READER = "reader"
    EDITOR = "editor"
    PUBLISHER = "publisher"
    ADMINISTRATOR = "administrator"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def __lt__(self, other: str) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: str) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: str) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: str) -> bool:
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank >= other.rank


_ORDER = (Role.ANONYMOUS, Role.READER, Role.EDITOR, Role.PUBLISHER, Role.ADMINISTRATOR)

ACCOUNT_ROLES = _ORDER[1:]
"""The roles an account can have (anonymous is the absence of one)."""

_ADDED: dict[Role, frozenset[Action]] = {
    Role.ANONYMOUS: frozenset({Action.READ_PUBLIC}),
    Role.READER: frozenset({Action.READ_INTERNAL}),
    Role.EDITOR: frozenset(
        {Action.IMPORT, Action.EDIT_METADATA, Action.PREPARE_RELEASE}
    ),
    Role.PUBLISHER: frozenset({Action.PUBLISH, Action.WITHDRAW}),
    Role.ADMINISTRATOR: frozenset(
        {Action.MANAGE_USERS, Action.MANAGE_SETTINGS, Action.READ_AUDIT}
    ),
}
"""What each role adds to the role below it."""

PERMISSIONS: dict[Role, frozenset[Action]] = {
    role: frozenset().union(*(_ADDED[r] for r in _ORDER[: i + 1]))
    for i, role in enumerate(_ORDER)
}
"""Everything each role may do."""


def may(role: Role, action: Action) -> bool:
    """Whether ``role`` may do ``action``."""
    return action in PERMISSIONS[role]


def needs_second_factor(role: Role) -> bool:
    """Every role above anonymous signs in with a second factor."""
    return role > Role.ANONYMOUS
