"""On Enterprise Grid, an org-wide install keys people and programs by the org; anything else by team."""

from __future__ import annotations

from typing import Any

import pytest

from serendip.adapters.slack.context import asker, org_wide_enterprise
from serendip.adapters.slack.gateway import to_directory_user

COMMAND = {"team_id": "T1", "user_id": "W1", "channel_id": "C1", "enterprise_id": "E1"}


def test_a_command_through_an_org_wide_install_is_scoped_to_the_enterprise() -> None:
    assert asker({**COMMAND, "is_enterprise_install": "true"}).team_id == "E1"


def test_a_command_through_a_workspace_install_in_a_grid_org_is_scoped_to_its_team() -> None:
    assert asker({**COMMAND, "is_enterprise_install": "false"}).team_id == "T1"
    assert asker(COMMAND).team_id == "T1"


def test_an_event_is_scoped_by_its_first_authorization() -> None:
    body: dict[str, Any] = {
        "team_id": "T2",
        "enterprise_id": "E1",
        "authorizations": [{"enterprise_id": "E1", "team_id": None, "is_enterprise_install": True}],
        "event": {"type": "member_joined_channel", "user": "W2", "channel": "C9", "team": "T2"},
    }
    assert asker(body).team_id == "E1"
    body["authorizations"][0]["is_enterprise_install"] = False
    assert asker(body).team_id == "T2"


def test_a_button_click_through_an_org_wide_install_is_scoped_to_the_enterprise() -> None:
    body = {
        "type": "block_actions",
        "team": {"id": "T1", "enterprise_id": "E1"},
        "enterprise": {"id": "E1", "name": "Org"},
        "is_enterprise_install": True,
        "user": {"id": "W3", "team_id": "T2"},
        "trigger_id": "1.2",
    }
    who = asker(body)
    assert (who.team_id, who.user_id, who.trigger_id) == ("E1", "W3", "1.2")


@pytest.mark.parametrize(
    "hostile",
    [
        {"authorizations": "x", "is_enterprise_install": True, "enterprise": ["E1"]},
        {"authorizations": [None], "enterprise_id": "E1"},
        {"is_enterprise_install": "yes", "enterprise_id": "E1"},
        {"is_enterprise_install": True, "enterprise_id": 7},
    ],
)
def test_hostile_enterprise_fields_never_make_an_org_scope(hostile: dict[str, Any]) -> None:
    assert org_wide_enterprise({"team_id": "T1", **hostile}) == ""


def _grid_user(user_id: str, enterprise_id: str, org_user_id: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "team_id": "T2",
        "name": "ana",
        "profile": {"real_name": "Ana"},
        "enterprise_user": {"id": org_user_id, "enterprise_id": enterprise_id, "teams": ["T1", "T2"]},
    }


def test_an_org_member_is_keyed_by_the_org_and_their_org_wide_id() -> None:
    user = to_directory_user(_grid_user("U0LOCAL", "E1", "W0GLOBAL"), "E1")
    assert (user.team_id, user.id) == ("E1", "W0GLOBAL")


def test_someone_of_another_org_keeps_their_own_team_and_id() -> None:
    user = to_directory_user(_grid_user("U0LOCAL", "E2", "W0GLOBAL"), "E1")
    assert (user.team_id, user.id) == ("T2", "U0LOCAL")


def test_without_an_org_wide_install_a_grid_user_is_keyed_by_their_team() -> None:
    user = to_directory_user(_grid_user("W0GLOBAL", "E1", "W0GLOBAL"))
    assert (user.team_id, user.id) == ("T2", "W0GLOBAL")
