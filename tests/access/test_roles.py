"""The roles' order and what each may do."""

from __future__ import annotations

from sozialmonitor.access.roles import (
    ACCOUNT_ROLES,
    PERMISSIONS,
    Action,
    Role,
    may,
    needs_second_factor,
)


def test_roles_are_ordered_and_each_may_what_the_lower_may() -> None:
    order = [Role.ANONYMOUS, *ACCOUNT_ROLES]
    assert order == sorted(order)
    for lower, higher in zip(order, order[1:], strict=False):
        assert lower < higher
        assert PERMISSIONS[lower] < PERMISSIONS[higher]


def test_what_the_issue_gives_each_role() -> None:
    assert not may(Role.ANONYMOUS, Action.READ_INTERNAL)
    assert may(Role.READER, Action.READ_INTERNAL)
    assert not may(Role.READER, Action.IMPORT)
    assert may(Role.EDITOR, Action.IMPORT)
    assert may(Role.EDITOR, Action.PREPARE_RELEASE)
    assert not may(Role.EDITOR, Action.PUBLISH)
    assert may(Role.PUBLISHER, Action.PUBLISH) and may(Role.PUBLISHER, Action.WITHDRAW)
    assert not may(Role.PUBLISHER, Action.MANAGE_USERS)
    assert PERMISSIONS[Role.ADMINISTRATOR] == frozenset(Action)


def test_every_account_role_needs_a_second_factor() -> None:
    assert not needs_second_factor(Role.ANONYMOUS)
    assert all(needs_second_factor(r) for r in ACCOUNT_ROLES)
