"""The `/coffee` router's table: one route per parsed command, admin commands behind the guard."""

from __future__ import annotations

from typing import get_args

import pytest

from serendip.adapters.slack.coffee.router import ADMIN_FAILED, COMMAND_FAILED, ROUTES
from serendip.domain import commands as cmd
from serendip.domain.command_parser import parse_command

COMMAND_TYPES = set(get_args(cmd.Command))
ADMIN_TYPES = set(get_args(cmd.AdminCommand))
MEMBER_TYPES = COMMAND_TYPES - ADMIN_TYPES


def test_every_parsed_command_type_has_exactly_one_route() -> None:
    assert len(COMMAND_TYPES) == 27  # `leave circle` (LeaveCircle) made it 27
    assert set(ROUTES) == COMMAND_TYPES


@pytest.mark.parametrize("kind", sorted(ADMIN_TYPES, key=lambda t: t.__name__), ids=lambda t: t.__name__)
def test_every_admin_command_is_admin_only_and_named(kind: type) -> None:
    route = ROUTES[kind]
    assert route.admin_only
    assert route.name
    assert route.failure_event in (ADMIN_FAILED, COMMAND_FAILED)


@pytest.mark.parametrize("kind", sorted(MEMBER_TYPES, key=lambda t: t.__name__), ids=lambda t: t.__name__)
def test_a_member_command_is_not_admin_only(kind: type) -> None:
    route = ROUTES[kind]
    assert not route.admin_only
    assert route.name == ""
    assert route.failure_event == COMMAND_FAILED


def test_admin_route_names_are_the_words_typed_after_admin() -> None:
    typed = {
        "setup": "admin setup",
        "config": "admin config",
        "pause": "admin pause",
        "resume": "admin resume",
        "preview": "admin preview",
        "run": "admin run",
        "stats": "admin stats",
        "export": "admin export",
        "set": "admin set size 3",
        "admins": "admin admins add <@U123>",
    }
    for kind in ADMIN_TYPES:
        name = ROUTES[kind].name
        assert type(parse_command(typed[name])) is kind, name


def test_admin_names_are_distinct() -> None:
    names = [ROUTES[kind].name for kind in ADMIN_TYPES]
    assert len(names) == len(set(names))


def test_failures_keep_their_log_events() -> None:
    # setup, preview and run have always been logged as command.failed; the other admin commands as admin.failed.
    logged_as_commands = {kind for kind in ADMIN_TYPES if ROUTES[kind].failure_event == COMMAND_FAILED}
    assert logged_as_commands == {cmd.AdminSetup, cmd.AdminPreview, cmd.AdminRun}
