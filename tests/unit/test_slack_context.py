"""Who is asking is read the same way from every kind of Slack payload."""

from __future__ import annotations

from serendip.adapters.slack.context import Asker, asker


def test_a_slash_command_names_team_user_channel_and_trigger() -> None:
    body = {"team_id": "T1", "user_id": "U1", "channel_id": "C1", "trigger_id": "tr", "text": "join"}
    assert asker(body) == Asker("T1", "U1", "C1", "tr")


def test_a_button_click_takes_the_users_own_team_before_the_payloads_team() -> None:
    body = {
        "user": {"id": "U2", "team_id": "T2"},
        "team": {"id": "T9"},
        "channel": {"id": "G1"},
        "trigger_id": "tr2",
    }
    assert asker(body) == Asker("T2", "U2", "G1", "tr2")


def test_a_modal_submission_falls_back_to_the_payloads_team() -> None:
    assert asker({"user": {"id": "U3"}, "team": {"id": "T3"}}) == Asker("T3", "U3")


def test_a_message_button_reads_the_channel_from_the_container() -> None:
    body = {"user": {"id": "U4", "team_id": "T4"}, "container": {"channel_id": "D4"}}
    assert asker(body).channel_id == "D4"


def test_an_event_names_the_user_and_channel_of_the_event() -> None:
    body = {"team_id": "T5", "event": {"type": "member_joined_channel", "user": "U5", "channel": "C5"}}
    assert asker(body) == Asker("T5", "U5", "C5")


def test_hostile_shapes_give_empty_strings_not_exceptions() -> None:
    assert asker({"user": {"id": ["U"]}, "team": "T"}) == Asker("", "")
    assert asker({"team_id": 7, "user_id": None}) == Asker("", "")
