"""A circle's meeting nudges: posted once when due, with a rotating host, even when a post's outcome
is unknown; never for a circle that is not active."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.services.lifecycle import circle_changes, circle_nudges
from serendip.services.lifecycle.circle_nudges import NUDGE_LEASE
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.circles import SeasonRows, circle_of, meetings_of, nudges, start_season, texts_in
from tests.support.rounds import publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=7)) as emulator:
        yield emulator


def _people(slack: SlackEmulator) -> list[str]:
    return sorted(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)


def _season(
    database: Database, slack: SlackEmulator, *sizes: int, first_due: datetime | None = None
) -> tuple[SeasonRows, list[str]]:
    people = _people(slack)
    program_id = set_up_program(database, slack)
    circles, at = [], 0
    for number, size in enumerate(sizes):
        circles.append((f"topic-{number}", people[at : at + size]))
        at += size
    rows = start_season(
        database, publisher_for(slack), program_id=program_id, circles=circles, first_due=first_due
    )
    return rows, people


def _after(days: float) -> datetime:
    return utcnow() + timedelta(days=days, minutes=1)


def _due_already() -> datetime:
    """A first meeting that fell due just now: real time, as the lease and the history search use."""
    return utcnow() - timedelta(minutes=1)


def _send(database: Database, publisher: SlackIntroPublisher, now: datetime) -> int:
    return circle_nudges.send_due_nudges(database, lambda _: publisher, now)


def test_a_due_meeting_is_nudged_once_naming_its_host_and_a_prompt_about_the_topic(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people = _season(database, slack, 4)
    publisher = publisher_for(slack)
    assert _send(database, publisher, utcnow()) == 0  # not due yet
    assert _send(database, publisher, _after(1)) == 1
    assert _send(database, publisher, _after(1) + NUDGE_LEASE * 2) == 0
    first = meetings_of(database, rows.circles["topic-0"])[0]
    assert dict(nudges(slack)) == {first.id: 1}
    intro = circle_of(database, rows.circles["topic-0"])
    assert intro.conversation_id is not None
    said = texts_in(slack, intro.conversation_id)[-1]
    assert f"<@{people[0]}> hosts this week." in said and "`topic-0`" in said
    assert first.message_ts is not None and first.post_started_at is not None


def test_each_meeting_gets_its_own_nudge_and_the_hosts_rotate(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people = _season(database, slack, 3)
    publisher = publisher_for(slack)
    for week in range(3):
        assert _send(database, publisher, _after(1 + 7 * week)) == 1
    conversation = circle_of(database, rows.circles["topic-0"]).conversation_id
    assert conversation is not None
    hosts = [t for t in texts_in(slack, conversation) if "hosts this week" in t]
    assert [f"<@{p}> hosts this week." in h for p, h in zip(people[:3], hosts, strict=True)] == [True] * 3
    assert set(nudges(slack).values()) == {1} and len(nudges(slack)) == 3


def test_a_nudge_that_landed_without_an_answer_is_found_and_not_posted_again(
    database: Database, slack: SlackEmulator
) -> None:
    rows, _ = _season(database, slack, 4, first_due=_due_already())
    publisher = publisher_for(slack)
    slack.inject("chat.postMessage", ambiguous_rate=1.0)  # posted, then a 500: the outcome is unknown
    assert _send(database, publisher, utcnow()) == 0
    slack.clear_faults()
    first = meetings_of(database, rows.circles["topic-0"])[0]
    assert first.message_ts is None and first.post_started_at is not None
    assert _send(database, publisher, utcnow()) == 0  # still being posted: left alone
    assert _send(database, publisher, utcnow() + NUDGE_LEASE) == 1
    assert dict(nudges(slack)) == {first.id: 1}
    assert meetings_of(database, rows.circles["topic-0"])[0].message_ts is not None


def test_a_nudge_that_never_landed_is_posted_once_after_the_lease(
    database: Database, slack: SlackEmulator
) -> None:
    rows, _ = _season(database, slack, 4, first_due=_due_already())
    publisher = publisher_for(slack)
    slack.inject("chat.postMessage", error_rate=1.0)  # a 500 without posting
    assert _send(database, publisher, utcnow()) == 0
    slack.clear_faults()
    assert nudges(slack) == {}
    assert _send(database, publisher, utcnow() + NUDGE_LEASE) == 1
    assert dict(nudges(slack)) == {meetings_of(database, rows.circles["topic-0"])[0].id: 1}


def test_a_refused_nudge_is_never_tried_again(database: Database, slack: SlackEmulator) -> None:
    rows, _ = _season(database, slack, 4)
    publisher = publisher_for(slack)
    conversation = circle_of(database, rows.circles["topic-0"]).conversation_id
    slack.workspace.conversations[str(conversation)].is_archived = True
    assert _send(database, publisher, _after(1)) == 0
    calls = slack.count("chat.postMessage")
    assert _send(database, publisher, _after(1) + NUDGE_LEASE * 3) == 0
    assert slack.count("chat.postMessage") == calls
    assert meetings_of(database, rows.circles["topic-0"])[0].message_ts == ""


def test_a_host_who_left_is_replaced_by_a_member_still_in_the_circle(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people = _season(database, slack, 4)
    publisher = publisher_for(slack)
    team = slack.workspace.team.id
    circle_changes.leave_circle(
        database, publisher, team_id=team, user_id=people[0], intro_id=rows.circles["topic-0"]
    )
    assert _send(database, publisher, _after(1)) == 1
    now_intro = circle_of(database, rows.circles["topic-0"])
    assert now_intro.conversation_id is not None and now_intro.id != rows.circles["topic-0"]
    said = [t for t in texts_in(slack, now_intro.conversation_id) if "hosts this week" in t]
    assert len(said) == 1 and f"<@{people[0]}>" not in said[0]
    assert any(f"<@{p}> hosts this week." in said[0] for p in people[1:4])


def test_every_remaining_member_hosts_once_before_anyone_hosts_twice(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people = _season(database, slack, 4)
    publisher = publisher_for(slack)
    team = slack.workspace.team.id
    circle_changes.leave_circle(
        database, publisher, team_id=team, user_id=people[1], intro_id=rows.circles["topic-0"]
    )
    hosts = [m.host_member_id for m in meetings_of(database, circle_of(database, rows.circles["topic-0"]).id)]
    assert len(hosts) == 4 and len(set(hosts[:3])) == 3 and hosts[3] == hosts[0]


def test_a_circle_that_is_not_active_gets_no_nudge(database: Database, slack: SlackEmulator) -> None:
    rows, people = _season(database, slack, 3)
    publisher = publisher_for(slack)
    team = slack.workspace.team.id
    left = circle_changes.leave_circle(
        database, publisher, team_id=team, user_id=people[0], intro_id=rows.circles["topic-0"]
    )
    assert isinstance(left, circle_changes.LeftCircle) and left.outcome == "closed"
    assert _send(database, publisher, _after(1)) == 0
    assert nudges(slack) == {}


def test_only_the_latest_due_meeting_is_nudged_after_downtime(
    database: Database, slack: SlackEmulator
) -> None:
    rows, _ = _season(database, slack, 4)
    publisher = publisher_for(slack)
    assert _send(database, publisher, _after(8)) == 1  # meetings 1 and 2 are due: only 2 is nudged
    second = meetings_of(database, rows.circles["topic-0"])[1]
    assert dict(nudges(slack)) == {second.id: 1}
