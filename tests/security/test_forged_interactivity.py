"""Forged interactivity: a VALID signature with hostile values is refused with a 200, never an exception."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from serendip.adapters.slack.listeners.intro_buttons import UNKNOWN_BUTTON
from serendip.adapters.slack.views.config_modal import BROKEN_FORM, CALLBACK_ID
from serendip_sandbox.driver import HttpResult
from tests.e2e.conftest import Sandbox
from tests.security.conftest import LoggedErrors

FORM = "application/x-www-form-urlencoded"
HOSTILE_VALUES = ["²", "1" * 40]


def _send(sb: Sandbox, payload: dict[str, Any]) -> tuple[HttpResult, float]:
    """POST a signed interactivity payload as Slack would; the answer and how long it took."""
    started = time.monotonic()
    answer = sb.driver.send_raw(urlencode({"payload": json.dumps(payload)}), FORM)
    return answer, time.monotonic() - started


def _intro(sb: Sandbox, index: int) -> tuple[str, dict[str, Any], list[str]]:
    """(group DM id, the intro message, its members) of the index-th intro."""
    conversation = sb.slack.group_dms()[index]
    members = [u for u in conversation.members if u != sb.workspace.bot.id]
    return conversation.id, sb.slack.messages(conversation.id)[0], members


def _intro_id(message: dict[str, Any]) -> str:
    return str(message["metadata"]["event_payload"]["intro_id"])


def _saw(sb: Sandbox, user: str, text: str) -> bool:
    return any(text in str(e) for e in sb.slack.ephemerals(user))


def test_a_config_modal_whose_private_metadata_is_a_list_is_refused_with_a_view_not_a_500(
    program: Sandbox, logged_errors: LoggedErrors
) -> None:
    sb = program
    payload = sb.driver.payloads._common("view_submission", sb.humans[0])
    payload.update(
        trigger_id="1.2.3",
        view={"id": "VFORGED", "type": "modal", "callback_id": CALLBACK_ID, "private_metadata": "[1]"},
    )
    answer, _ = _send(sb, payload)
    assert answer.status == 200
    assert isinstance(answer.body, dict) and answer.body["response_action"] == "update"
    assert BROKEN_FORM in json.dumps(answer.body)
    assert logged_errors() == []


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=["superscript_two", "forty_digits"])
@pytest.mark.parametrize(
    "action_id",
    [
        "intro_met",
        "ask_introduce",
        "ask_accept",
        "ask_decline",
        "circle_met",
        "circle_leave",
        "circle_vote_keep",
    ],
)
def test_a_message_button_carrying_a_superscript_two_or_40_digits_is_refused_at_once_without_an_exception(
    program: Sandbox, logged_errors: LoggedErrors, action_id: str, value: str
) -> None:
    sb = program
    conversation, intro, members = _intro(sb, 0)
    before = len(sb.slack.ephemerals(members[0]))
    payload = sb.driver.payloads.block_actions(
        members[0], action_id, value, channel_id=conversation, message=intro
    )
    answer, took = _send(sb, payload)
    assert answer.status == 200 and took < 3
    refusals = sb.slack.wait_for_ephemerals(members[0], before + 1)
    assert UNKNOWN_BUTTON in str(refusals[-1]) or "no longer available" in str(refusals[-1])
    assert logged_errors() == []


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=["superscript_two", "forty_digits"])
def test_a_home_pause_button_carrying_a_superscript_two_or_40_digits_changes_nothing_and_raises_nothing(
    program: Sandbox, logged_errors: LoggedErrors, value: str
) -> None:
    sb = program
    publishes = sb.slack.count("views.publish")
    answer, took = _send(sb, sb.driver.payloads.block_actions(sb.humans[2], "home_pause", value))
    assert answer.status == 200 and took < 3
    assert sb.slack.count("views.publish") == publishes  # nothing paused, so nothing to redraw
    assert logged_errors() == []


def test_a_forged_channel_and_ts_cannot_make_an_outcome_click_overwrite_another_intros_message(
    program: Sandbox, logged_errors: LoggedErrors
) -> None:
    sb = program
    _, own_intro, members = _intro(sb, 1)
    other_conversation, other_intro, _ = _intro(sb, 2)
    updates = sb.slack.count("chat.update")
    # A member of intro 1 clicks their own intro's button, in a payload naming intro 2's message.
    payload = sb.driver.payloads.block_actions(
        members[0], "intro_met", _intro_id(own_intro), channel_id=other_conversation, message=other_intro
    )
    answer, _ = _send(sb, payload)
    assert answer.status == 200
    time.sleep(1)  # the click is answered after the ack
    assert sb.slack.messages(other_conversation)[0]["blocks"] == other_intro["blocks"]
    assert sb.slack.count("chat.update") == updates
    assert logged_errors() == []


def test_an_outcome_click_updates_the_intros_stored_message_and_nothing_else(
    program: Sandbox, logged_errors: LoggedErrors
) -> None:
    sb = program
    conversation, intro, members = _intro(sb, 1)
    payload = sb.driver.payloads.block_actions(
        members[1], "intro_scheduled", _intro_id(intro), channel_id=conversation, message=intro
    )
    assert _send(sb, payload)[0].status == 200
    updated = sb.slack.wait_until(
        lambda _: next(
            (m for m in sb.slack.messages(conversation) if "intro_answers" in str(m.get("blocks"))), None
        ),
        10,
    )
    assert updated["ts"] == intro["ts"] and f"<@{members[1]}> :calendar: scheduled" in str(updated["blocks"])
    # The emulator logs a call just after acting on it: wait for the log too.
    updates = sb.slack.wait_until(lambda _: sb.slack.calls_to("chat.update"), 10)
    assert [c.params["channel"] for c in updates] == [conversation]
    assert logged_errors() == []


def test_an_outcome_click_from_someone_outside_the_intro_is_refused(
    program: Sandbox, logged_errors: LoggedErrors
) -> None:
    sb = program
    conversation, intro, members = _intro(sb, 3)
    outsider = next(u for u in sb.humans if u not in members)
    payload = sb.driver.payloads.block_actions(
        outsider, "intro_met", _intro_id(intro), channel_id=conversation, message=intro
    )
    assert _send(sb, payload)[0].status == 200
    sb.slack.wait_until(lambda _: _saw(sb, outsider, "Only the people introduced"), 10)
    assert sb.slack.messages(conversation)[0]["blocks"] == intro["blocks"]
    assert logged_errors() == []


@pytest.mark.parametrize("actions", [[], {}, "x"], ids=["empty_list", "object", "text"])
def test_a_block_actions_payload_whose_actions_are_not_a_list_of_actions_gets_a_200_not_a_500(
    program: Sandbox, logged_errors: LoggedErrors, actions: object
) -> None:
    sb = program
    payload = sb.driver.payloads.block_actions(sb.humans[2], "home_skip", "")
    payload["actions"] = actions
    answer, _ = _send(sb, payload)
    assert answer.status == 200
    assert logged_errors() == []


def test_a_profile_submission_whose_options_are_text_not_a_list_gets_no_exception(
    program: Sandbox, logged_errors: LoggedErrors
) -> None:
    sb = program
    payload = sb.driver.payloads._common("view_submission", sb.humans[4])
    values = {
        "expertise": {"profile_expertise": {"selected_options": "python"}},
        "blocked": {"blocked": {"selected_users": "U1"}},
        "work_start": {"work_start": {"selected_time": 9}},
    }
    payload.update(
        trigger_id="1.2.3",
        view={"id": "VFORGED", "type": "modal", "callback_id": "profile_modal", "state": {"values": values}},
    )
    answer, _ = _send(sb, payload)
    assert answer.status == 200
    assert logged_errors() == []


def test_an_unknown_payload_type_carrying_a_text_view_gets_a_200_and_no_error_log(
    program: Sandbox, logged_errors: LoggedErrors
) -> None:
    sb = program
    payload = sb.driver.payloads._common("forged_type", sb.humans[2])
    payload["view"] = "not a view"
    answer, _ = _send(sb, payload)
    assert answer.status == 200
    assert logged_errors() == []


@pytest.mark.parametrize(
    "fields",
    [
        {"authorizations": "x"},
        {"authorizations": [7]},
        {"authorizations": [{"is_enterprise_install": "maybe"}]},
        {"enterprise": ["E1"]},
        {"enterprise": {"id": 5}},
        {"is_enterprise_install": 3},
        {"enterprise_id": {"id": "E1"}},
    ],
    ids=["text", "number", "flag", "list", "number_id", "number_flag", "object_id"],
)
def test_a_signed_payload_with_hostile_installation_fields_is_dropped_without_a_5xx_or_error_log(
    program: Sandbox, logged_errors: LoggedErrors, fields: dict[str, Any]
) -> None:
    sb = program
    payload = sb.driver.payloads.block_actions(sb.humans[2], "home_skip", "")
    payload.update(fields)
    answer, _ = _send(sb, payload)
    # 400 where Bolt cannot even read the request's installation, else 200 and dropped by our check.
    assert answer.status in (200, 400)
    assert logged_errors() == []
