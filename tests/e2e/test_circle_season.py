"""A circles season through the running bot: nudges and their buttons, leaving by button and by
`/coffee leave circle` (down to a merge), joining mid-season, and the closing vote."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.circle_season_blocks import (
    CARD_EVENT_TYPE,
    CLOSING_EVENT_TYPE,
    NUDGE_EVENT_TYPE,
)
from serendip.services.lifecycle import deliver, tick
from serendip.services.lifecycle.results import TickReport
from tests.conftest import SQLITE_ONLY
from tests.e2e.conftest import Sandbox
from tests.support.circles import SeasonRows, circle_of, members_of, start_season, state_of
from tests.support.rounds import set_up_program
from tests.support.wait import left_program


def _members(sb: Sandbox, conversation: str) -> set[str]:
    found = next(c for c in sb.slack.group_dms() if c.id == conversation)
    return set(found.members) - {sb.workspace.bot.id}


def _season(sb: Sandbox, circles: list[tuple[str, list[str]]], **when: Any) -> SeasonRows:
    db = sb.bot.container.db
    program_id = set_up_program(db, sb.slack)
    return start_season(db, sb.bot.container.publisher, program_id=program_id, circles=circles, **when)


def _tick(sb: Sandbox, now: datetime) -> TickReport:
    policy = deliver.DeliveryPolicy(sleep=lambda _: None)
    return tick.tick(sb.bot.container.db, sb.bot.container.workspaces, policy, now=now)


def _posts(sb: Sandbox, conversation: str, event_type: str) -> list[dict[str, Any]]:
    return [
        m
        for m in sb.slack.messages(conversation)
        if (m.get("metadata") or {}).get("event_type") == event_type
    ]


def _saw(sb: Sandbox, user: str, words: str, timeout: float = 15) -> None:
    sb.slack.wait_until(
        lambda _: any(words in f"{e.text} {e.blocks}" for e in sb.slack.ephemerals(user)), timeout
    )


def test_a_circle_answers_its_nudge_and_a_three_time_skipper_is_asked_whether_to_stay(
    sandbox: Sandbox,
) -> None:
    sb = sandbox
    people = sorted(sb.humans)
    rows = _season(sb, [("rust", people[:4])], first_due=utcnow() - timedelta(weeks=3), meetings=4)
    conversation = str(circle_of(sb.bot.container.db, rows.circles["rust"]).conversation_id)
    start = utcnow() - timedelta(weeks=3)
    for week in range(4):
        assert _tick(sb, start + timedelta(weeks=week, minutes=1)).nudges == 1
    nudges = _posts(sb, conversation, NUDGE_EVENT_TYPE)
    assert len(nudges) == 4 and f"<@{people[0]}> hosts this week." in str(nudges[0]["blocks"])
    first_id = str(nudges[0]["metadata"]["event_payload"]["meeting_id"])

    sb.driver.block_action(people[1], "circle_met", first_id, channel_id=conversation, message=nudges[0])
    sb.slack.wait_until(
        lambda _: (
            "You met" in str(next(m for m in sb.slack.messages(conversation) if m["ts"] == nudges[0]["ts"]))
        ),
        15,
    )
    updates = sb.slack.count("chat.update")
    sb.driver.block_action(people[2], "circle_met", first_id, channel_id=conversation, message=nudges[0])
    outsider = people[8]
    sb.driver.block_action(outsider, "circle_met", first_id, channel_id=conversation, message=nudges[0])
    _saw(sb, outsider, "Only the circle's members")
    sb.slack.wait_until(lambda _: sb.slack.count("chat.update") >= updates + 1, 15)
    assert sb.slack.count("chat.update") == updates + 1  # a second member's "We met" adds their name once

    for nudge in nudges[1:]:
        meeting = str(nudge["metadata"]["event_payload"]["meeting_id"])
        updates = sb.slack.count("chat.update")
        sb.driver.block_action(people[3], "circle_skipped", meeting, channel_id=conversation, message=nudge)
        sb.slack.wait_until(lambda _, seen=updates: sb.slack.count("chat.update") > seen, 15)
    _saw(sb, people[3], "skipped your `rust` circle three times")
    asked = next(e for e in sb.slack.ephemerals(people[3]) if "three times" in str(e.blocks))
    buttons = [b["action_id"] for b in asked.blocks[-1]["elements"]]  # type: ignore[index]
    assert buttons == ["circle_stay", "circle_leave"]
    sb.driver.block_action(
        people[3], "circle_stay", str(rows.circles["rust"]), channel_id=conversation, message=asked
    )
    _saw(sb, people[3], "Glad you're staying")
    assert state_of(sb.bot.container.db, rows.circles["rust"]) == "active"


def test_leaving_by_button_then_by_command_ends_in_a_merge_with_a_circle_of_the_same_topic(
    sandbox: Sandbox,
) -> None:
    sb = sandbox
    people = sorted(sb.humans)
    db = sb.bot.container.db
    rows = _season(sb, [("rust", people[:4]), ("rust#2", people[4:8])])
    first = circle_of(db, rows.circles["rust"])
    card = _posts(sb, str(first.conversation_id), CARD_EVENT_TYPE)[0]
    leave = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert leave["action_id"] == "circle_leave" and "confirm" in leave

    sb.driver.block_action(
        people[0], "circle_leave", leave["value"], channel_id=first.conversation_id, message=card
    )
    _saw(sb, people[0], "You left the `rust` circle")
    carried = sb.slack.wait_until(lambda _: circle_of(db, rows.circles["rust"]).state == "posted" or None, 15)
    assert carried
    second = circle_of(db, rows.circles["rust"])
    assert _members(sb, str(second.conversation_id)) == set(people[1:4])
    assert f"<@{people[0]}> left the circle" in str(
        sb.slack.messages(str(first.conversation_id))[-1]["blocks"]
    )

    typed = sb.driver.slash_command(people[1], "leave circle", channel_id=second.conversation_id)
    assert typed.status == 200
    _saw(sb, people[1], "merge with the `rust` circle", timeout=20)
    merged = sb.slack.wait_until(
        lambda _: next((i for i in [circle_of(db, rows.circles["rust#2"])] if i.state == "posted"), None), 20
    )
    assert members_of(db, merged.id) == {people[2], people[3], *people[4:8]}
    assert _members(sb, str(merged.conversation_id)) == {people[2], people[3], *people[4:8]}
    assert state_of(db, rows.circles["rust"]) == "replaced" and state_of(db, second.id) == "replaced"
    again = sb.driver.slash_command(people[1], "leave circle", channel_id=sb.channel)
    assert "not in a circle" in again.text


def test_someone_joining_mid_season_without_a_fitting_circle_is_told_they_join_next_season(
    sandbox: Sandbox,
) -> None:
    sb = sandbox
    people = sorted(sb.humans)
    _season(sb, [("rust", people[:4])])
    newcomer = people[10]
    sb.driver.member_left_channel(newcomer, sb.channel)
    left_program(sb.bot.container.db, sb.workspace.team.id, sb.channel, newcomer)
    sb.driver.member_joined_channel(newcomer, sb.channel)
    told = sb.slack.wait_until(
        lambda _: [
            m for m in sb.slack.dm_messages(newcomer) if "circles are already meeting" in str(m["blocks"])
        ],
        20,
    )
    assert len(told) == 1 and "next season" in str(told[0]["blocks"])


def test_the_season_closes_with_a_vote_and_a_kept_circle_is_told_it_keeps_going(sandbox: Sandbox) -> None:
    sb = sandbox
    people = sorted(sb.humans)
    ended = utcnow() - timedelta(minutes=1)
    rows = _season(sb, [("rust", people[:3])], first_due=ended - timedelta(weeks=4), ends_at=ended)
    conversation = str(circle_of(sb.bot.container.db, rows.circles["rust"]).conversation_id)
    assert _tick(sb, utcnow()).season_closings == 1
    [closing] = _posts(sb, conversation, CLOSING_EVENT_TYPE)
    value = str(rows.circles["rust"])
    sb.driver.block_action(people[0], "circle_vote_keep", value, channel_id=conversation, message=closing)
    sb.driver.block_action(people[1], "circle_vote_end", value, channel_id=conversation, message=closing)
    sb.slack.wait_until(  # a person changes their mind after seeing their vote taken
        lambda _: len([e for e in sb.slack.ephemerals(people[1]) if "Your vote" in e.text]) == 1, 15
    )
    sb.driver.block_action(people[1], "circle_vote_keep", value, channel_id=conversation, message=closing)
    _saw(sb, people[0], "*keep going*")
    _saw(sb, people[1], "You can change it")
    sb.slack.wait_until(
        lambda _: len([e for e in sb.slack.ephemerals(people[1]) if "Your vote" in e.text]) == 2, 15
    )
    assert _tick(sb, utcnow() + timedelta(days=3)).votes_settled == 1
    assert state_of(sb.bot.container.db, rows.circles["rust"]) == "kept"
    assert "keeps going" in str(sb.slack.messages(conversation)[-1]["blocks"])


@SQLITE_ONLY  # a text; the season itself is stored on both engines in this module
def test_admin_stats_of_a_circles_program_shows_its_circles(sandbox: Sandbox) -> None:
    sb = sandbox
    people = sorted(sb.humans)
    _season(sb, [("rust", people[:4]), ("go", people[4:8])])
    creator = next(u.id for u in sb.workspace.humans() if not u.deleted and not u.is_restricted)
    stats = sb.driver.slash_command(creator, "admin stats", channel_id=sb.channel)
    said = str(stats.answer_after("Crunching"))
    for expected in (
        "Circles formed",
        "2 in 1 season",
        "Placed on a topic they listed",
        "Meetings held per circle",
    ):
        assert expected in said, expected


@SQLITE_ONLY  # a text; the season itself is stored on both engines in this module
def test_coffee_status_names_the_members_circle_and_the_next_season(sandbox: Sandbox) -> None:
    sb = sandbox
    people = sorted(sb.humans)
    _season(sb, [("rust", people[:4])])
    status = str(sb.driver.slash_command(people[0], "", channel_id=sb.channel).json["blocks"][0])
    assert "in the `rust` circle" in status and "next season" in status
    assert "next round" not in status
    outside = str(sb.driver.slash_command(people[6], "", channel_id=sb.channel).json["blocks"][0])
    assert "circle`" not in outside and "next season" in outside
