"""Forged events: a VALID signature around an event of hostile shape is dropped (200, or 400 where Bolt cannot read it), never an exception."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from serendip.services import uninstall
from tests.e2e.conftest import Sandbox
from tests.security.conftest import LoggedErrors
from tests.support.wait import eventually, left_program

HOSTILE_EVENTS: dict[str, dict[str, Any]] = {
    "joined_without_a_user": {"type": "member_joined_channel", "channel": "C0PROGRAM"},
    "joined_with_a_list_for_the_channel": {"type": "member_joined_channel", "user": "U1", "channel": [1]},
    "left_with_a_number_for_the_user": {"type": "member_left_channel", "user": 7, "channel": "C0PROGRAM"},
    "left_with_a_newline_in_the_user": {"type": "member_left_channel", "user": "U1\nERROR", "channel": "C1"},
    "home_opened_with_a_dict_for_the_user": {"type": "app_home_opened", "user": {"id": "U1"}, "tab": "home"},
    "user_change_with_a_string_for_the_user": {"type": "user_change", "user": "U1"},
    "user_change_with_a_list_profile": {"type": "user_change", "user": {"id": "U1", "profile": [1]}},
    "user_change_with_a_text_time_offset": {"type": "user_change", "user": {"id": "U1", "tz_offset": "abc"}},
    "user_change_with_a_numeric_e_mail": {
        "type": "user_change",
        "user": {"id": "U1", "profile": {"email": 5}},
    },
    "team_is_a_dict": {"type": "member_joined_channel", "user": "U1", "channel": "C1", "team": {"id": "T"}},
    "tokens_revoked_with_a_string_for_the_tokens": {"type": "tokens_revoked", "tokens": "all"},
    "tokens_revoked_with_a_number_for_a_bot": {"type": "tokens_revoked", "tokens": {"bot": [7]}},
    "tokens_revoked_with_a_newline_in_a_bot": {"type": "tokens_revoked", "tokens": {"bot": ["U1\nERROR"]}},
    "tokens_revoked_with_a_dict_for_the_bots": {"type": "tokens_revoked", "tokens": {"bot": {"U1": 1}}},
    "team_access_revoked_without_teams": {"type": "team_access_revoked"},
    "team_access_revoked_with_a_dict_for_the_teams": {"type": "team_access_revoked", "team_ids": {"T1": 1}},
    "team_access_revoked_with_a_newline_in_a_team": {
        "type": "team_access_revoked",
        "team_ids": ["T1\nERROR"],
    },
}


@pytest.mark.parametrize("event", HOSTILE_EVENTS.values(), ids=HOSTILE_EVENTS.keys())
def test_a_signed_event_with_hostile_fields_is_dropped_with_a_200_and_no_error(
    program: Sandbox, logged_errors: LoggedErrors, event: dict[str, Any]
) -> None:
    sb = program
    answer = sb.driver.event(event)
    assert answer.status in (200, 400)  # 400 where Bolt itself cannot read the envelope
    time.sleep(0.5)  # listeners run after the ack: give a failing one time to log
    assert logged_errors() == []


def test_a_well_formed_join_still_enrols_after_the_shape_check(program: Sandbox) -> None:
    sb = program
    newcomer = sb.humans[-1]
    sb.driver.member_left_channel(newcomer, sb.channel)
    left_program(sb.bot.container.db, sb.workspace.team.id, sb.channel, newcomer)
    welcomed = len(sb.slack.dm_messages(newcomer))
    sb.driver.member_joined_channel(newcomer, sb.channel)
    sb.slack.wait_until(lambda _: len(sb.slack.dm_messages(newcomer)) > welcomed, 20)


def test_an_uninstall_whose_envelope_names_no_valid_workspace_uninstalls_nothing(
    program: Sandbox, logged_errors: LoggedErrors, caplog: pytest.LogCaptureFixture
) -> None:
    sb = program
    envelope = sb.driver.payloads.event_callback({"type": "app_uninstalled"})
    envelope["team_id"] = "T1\nERROR"
    # Well-shaped (a malformed shape is dropped before any listener), hostile in value.
    envelope["authorizations"] = [
        {"team_id": "T1\nERROR", "enterprise_id": "E1 OR 1=1", "is_enterprise_install": False}
    ]
    with caplog.at_level(logging.WARNING):
        assert sb.driver.deliver_envelope(envelope).status == 200
        eventually(lambda: any("slack.revocation_without_scope" in r.getMessage() for r in caplog.records))
    assert logged_errors() == []
    assert uninstall.uninstalled_at(sb.bot.container.db, sb.workspace.team.id) is None


def test_no_hostile_revocation_event_uninstalled_the_workspace(program: Sandbox) -> None:
    for event in HOSTILE_EVENTS.values():
        program.driver.event(event)
    time.sleep(0.5)
    assert uninstall.uninstalled_at(program.bot.container.db, program.workspace.team.id) is None
