"""A whole season through the running bot, on the scheduler's clock: formed by `admin run`, circle
intros, nudges with hosts in turn, a member leaving by the intro's button, a merge after
`/coffee leave circle`, the season's natural end with its closing vote, the vote's result, and the
next season formed by the schedule. Every figure is recounted from the emulator's raw messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from serendip.adapters.db.models import Intro, IntroMember, Member, Program, Round
from serendip.adapters.slack.views.circle_season_blocks import CLOSING_EVENT_TYPE, NUDGE_EVENT_TYPE
from serendip.services.lifecycle import deliver, tick
from serendip.services.lifecycle.results import TickReport
from tests.e2e.conftest import Sandbox, running_sandbox
from tests.support.admin_run import admin_run, set_up
from tests.support.rounds import intro_posts

TOPICS = ("python", "hiring")


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    with running_sandbox(database_url, people=16, departments=4, seed=21) as sb:
        yield sb


def _tick(sb: Sandbox, now: datetime) -> TickReport:
    policy = deliver.DeliveryPolicy(sleep=lambda _: None)
    return tick.tick(sb.bot.container.db, sb.bot.container.workspaces, policy, now=now)


def _posts(sb: Sandbox, event_type: str) -> list[dict[str, Any]]:
    """Messages of one metadata event type in every group DM, each with its conversation id."""
    return [
        {**m, "channel": c.id}
        for c in sb.slack.group_dms()
        for m in sb.slack.messages(c.id)
        if (m.get("metadata") or {}).get("event_type") == event_type
    ]


def _dm_members(sb: Sandbox, conversation: str) -> set[str]:
    dm = next(c for c in sb.slack.group_dms() if c.id == conversation)
    return {u for u in dm.members if u != sb.workspace.bot.id}


def _circles(sb: Sandbox, round_id: int) -> dict[int, tuple[str, str | None, str | None, set[str]]]:
    """Circle intros of a season: id -> (topic, state, conversation, Slack ids), read from raw rows."""
    # One statement, so one snapshot: on PostgreSQL two reads could see a circle formed between them.
    with sb.bot.container.db.transaction() as session:
        rows = session.execute(
            select(Intro.id, Intro.topic, Intro.circle_state, Intro.conversation_id, Member.slack_id)
            .outerjoin(IntroMember, IntroMember.intro_id == Intro.id)
            .outerjoin(Member, Member.id == IntroMember.member_id)
            .where(Intro.round_id == round_id)
        ).all()
    out: dict[int, tuple[str, str | None, str | None, set[str]]] = {}
    for intro_id, topic, state, conversation, slack_id in rows:
        circle = out.setdefault(intro_id, (str(topic), state, conversation, set[str]()))
        if slack_id is not None:
            circle[3].add(slack_id)
    return out


def _host(nudge: dict[str, Any]) -> str:
    text = str(nudge["blocks"])
    start = text.index("<@") + 2
    return text[start : text.index(">", start)]


def test_a_whole_season_runs_from_formation_to_the_next_season(sandbox: Sandbox) -> None:
    sb = sandbox
    owner = set_up(sb)
    for i, user in enumerate(sorted(sb.humans)):
        sb.driver.slash_command(user, f"interests add {TOPICS[i % 2]}", channel_id=sb.channel)
    assert "circles" in sb.driver.slash_command(owner, "admin set kind circles", channel_id=sb.channel).text
    assert "Season started" in admin_run(sb, owner).wait_for_responses(1, 60)[0]["text"]
    db = sb.bot.container.db
    with db.transaction() as session:
        season = session.scalars(select(Round)).one()
        season_id, started, ends = season.id, season.scheduled_for, season.season_ends_at
    assert ends is not None and ends - started == timedelta(weeks=12)

    # Formation: every circle on a topic all its members listed, nobody twice, intros delivered once.
    circles = _circles(sb, season_id)
    placed = [p for _, _, _, members in circles.values() for p in members]
    assert len(placed) == len(set(placed)) == len(sb.humans)
    listed = {u: TOPICS[i % 2] for i, u in enumerate(sorted(sb.humans))}
    assert all(listed[p] == topic for topic, _, _, members in circles.values() for p in members)
    sb.slack.wait_until(lambda _: len(intro_posts(sb.slack)) == len(circles), 60)
    assert set(intro_posts(sb.slack).values()) == {1}
    circles = _circles(sb, season_id)  # now with their group DMs

    # Nudges, two weeks running: one per circle each week, and the host changes.
    first = _tick(sb, started + timedelta(minutes=1))
    assert first.nudges == len(circles)
    second = _tick(sb, started + timedelta(weeks=1, minutes=1))
    assert second.nudges == len(circles)
    by_dm: dict[str, list[str]] = {}
    for nudge in _posts(sb, NUDGE_EVENT_TYPE):
        by_dm.setdefault(nudge["channel"], []).append(_host(nudge))
    assert len(by_dm) == len(circles)
    for conversation, hosts in by_dm.items():
        assert len(hosts) == 2 and hosts[0] != hosts[1] and set(hosts) <= _dm_members(sb, conversation)

    # A member leaves by the intro's button: the rest carry on in a new group DM.
    python = sorted((i for i, c in circles.items() if c[0] == "python"), key=lambda i: -len(circles[i][3]))
    assert len(python) >= 2, "two python circles, so one can merge into the other"
    leaving_from, merge_into = python[0], python[1]
    conversation = str(circles[leaving_from][2])
    card = next(m for m in sb.slack.messages(conversation) if "Leave this circle" in str(m.get("blocks")))
    leaver = sorted(circles[leaving_from][3])[0]
    sb.driver.block_action(leaver, "circle_leave", str(leaving_from), channel_id=conversation, message=card)
    sb.slack.wait_until(lambda _: any("You left the" in e.text for e in sb.slack.ephemerals(leaver)), 20)
    _tick(sb, started + timedelta(weeks=1, minutes=2))  # delivers the new group DM if not yet posted
    carried = sb.slack.wait_until(
        lambda _: next(
            (
                c
                for i, c in _circles(sb, season_id).items()
                if i not in circles and c[0] == "python" and c[2] is not None
            ),
            None,
        ),
        20,
    )
    rest = circles[leaving_from][3] - {leaver}
    assert carried[3] == rest and _dm_members(sb, str(carried[2])) == rest

    # Leaving by command until fewer than three are left: the rest merge into the other python circle.
    while len(rest) >= 3:
        someone = sorted(rest)[0]
        answer = sb.driver.slash_command(someone, "leave circle", channel_id=sb.channel)
        assert answer.status == 200
        sb.slack.wait_until(lambda _, who=someone: sb.slack.ephemerals(who), 20)
        rest = rest - {someone}
        _tick(sb, started + timedelta(weeks=1, minutes=3))
    merged = sb.slack.wait_until(
        lambda _: next(
            (
                c
                for c in _circles(sb, season_id).values()
                if c[3] == circles[merge_into][3] | rest and c[2] is not None and c[1] == "active"
            ),
            None,
        ),
        20,
    )
    assert _dm_members(sb, str(merged[2])) == circles[merge_into][3] | rest
    active = [c for c in _circles(sb, season_id).values() if c[1] == "active"]
    in_active = [p for c in active for p in c[3]]
    assert len(in_active) == len(set(in_active))  # still nobody in two circles

    # The season ends on its own: one closing message per active circle, then the vote.
    closing = _tick(sb, ends + timedelta(minutes=1))
    assert closing.season_closings == len(active)
    closings = _posts(sb, CLOSING_EVENT_TYPE)
    assert len(closings) == len(active) and len({m["channel"] for m in closings}) == len(active)
    kept_dm, ended_dm = closings[0], closings[1]
    kept_intro = next(i for i, c in _circles(sb, season_id).items() if c[2] == kept_dm["channel"])
    ended_intro = next(i for i, c in _circles(sb, season_id).items() if c[2] == ended_dm["channel"])
    for voter in sorted(_dm_members(sb, kept_dm["channel"])):
        sb.driver.block_action(
            voter, "circle_vote_keep", str(kept_intro), channel_id=kept_dm["channel"], message=kept_dm
        )
        sb.slack.wait_until(
            lambda _, who=voter: any("Your vote" in e.text for e in sb.slack.ephemerals(who)), 20
        )
    ender = sorted(_dm_members(sb, ended_dm["channel"]))[0]
    sb.driver.block_action(
        ender, "circle_vote_end", str(ended_intro), channel_id=ended_dm["channel"], message=ended_dm
    )
    sb.slack.wait_until(lambda _: any("Your vote" in e.text for e in sb.slack.ephemerals(ender)), 20)

    # The vote closes three days later: majority keeps, a lone "end" (or no votes) ends.
    settled = _tick(sb, ends + timedelta(days=3, minutes=1))
    assert settled.votes_settled == len(active)
    states = {i: c[1] for i, c in _circles(sb, season_id).items()}
    assert states[kept_intro] == "kept" and states[ended_intro] == "ended"
    assert not [i for i, s in states.items() if s in ("active", "voting")]

    # The next season forms on the schedule, with fresh circles and new group DMs.
    with db.transaction() as session:
        program = session.scalars(select(Program)).one()
        next_run = program.next_run_at
    assert next_run is not None and next_run >= ends + timedelta(days=3)
    report = _tick(sb, next_run + timedelta(minutes=1))
    assert len(report.started) == 1
    new_season = report.started[0]
    fresh = _circles(sb, new_season)
    assert fresh and all(c[1] == "active" for c in fresh.values())
    sb.slack.wait_until(lambda _: all(c[2] is not None for c in _circles(sb, new_season).values()), 60)
    # Each new circle meets in the group DM of exactly its members (Slack gives a set of people
    # one group DM, so a set that met last season meets in that same DM again).
    for _topic, _state, conversation, members in _circles(sb, new_season).values():
        assert _dm_members(sb, str(conversation)) == members
