"""Delivery keeps going past one intro's failures, and replicas share one Tier-3 budget per workspace.

Every check reads the emulator's raw call log (what Slack saw, and when), not our own counters.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, IntroMember, Member, Round
from serendip.adapters.db.types import utcnow
from serendip.services import programs
from serendip.services.lifecycle import deliver, plan
from serendip_sandbox import SlackEmulator, generate_workspace
from serendip_sandbox.faults import CallRecord
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program

BACKOFF = 0.4  # the first retry of a failed intro comes no sooner than this


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(40, 4, seed=5)) as emulator:
        yield emulator


def _policy(**overrides: float) -> deliver.DeliveryPolicy:
    policy = deliver.DeliveryPolicy(backoff_base=BACKOFF, max_attempts=20)
    for key, value in overrides.items():
        setattr(policy, key, value)
    return policy


def _first_intro_people(database: Database) -> tuple[int, list[str]]:
    """The lowest intro id (delivered first in id order) and its people's Slack ids."""
    with database.transaction() as session:
        intro_id = session.scalars(select(Intro.id).order_by(Intro.id)).first()
        assert intro_id is not None
        people = session.scalars(
            select(Member.slack_id)
            .join(IntroMember, IntroMember.member_id == Member.id)
            .where(IntroMember.intro_id == intro_id)
        ).all()
    return intro_id, list(people)


def _opens_of(slack: SlackEmulator, person: str) -> list[CallRecord]:
    return [c for c in slack.calls_to("conversations.open") if person in str(c.params.get("users", ""))]


def _plan_round(database: Database, slack: SlackEmulator) -> int:
    planned = plan.plan_round(
        database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=1
    )
    assert planned is not None
    return planned.intros


def test_a_failing_intro_does_not_delay_the_others(database: Database, slack: SlackEmulator) -> None:
    intros = _plan_round(database, slack)
    _, people = _first_intro_people(database)
    slack.fail_matching("conversations.open", lambda p: people[0] in str(p.get("users", "")), count=3)
    assert deliver.deliver_pending(database, publisher_for(slack), _policy()) == 1
    victim_opens = _opens_of(slack, people[0])
    assert [c.ok for c in victim_opens] == [False, False, False, True]
    posts = [c for c in slack.calls_to("chat.postMessage") if c.ok]
    # Every other intro was posted while the first one (lowest id) waited out its backoff.
    others_before = [c for c in posts if c.at < victim_opens[-1].at]
    assert len(others_before) == intros - 1
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == intros


def test_a_deferred_intro_is_delivered_once_its_time_comes(database: Database, slack: SlackEmulator) -> None:
    intros = _plan_round(database, slack)
    intro_id, people = _first_intro_people(database)
    slack.fail_matching("conversations.open", lambda p: people[0] in str(p.get("users", "")), count=2)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    opens = _opens_of(slack, people[0])
    assert [c.ok for c in opens] == [False, False, True]
    # Backoff 0.4 s, then 0.8 s: each retry waits its time, no sooner.
    assert opens[1].at - opens[0].at >= BACKOFF * 0.95
    assert opens[2].at - opens[1].at >= 2 * BACKOFF * 0.95
    assert intro_posts(slack)[intro_id] == 1 and len(intro_posts(slack)) == intros
    with database.transaction() as session:
        intro = session.get(Intro, intro_id)
        assert intro is not None and intro.state == "posted" and intro.next_attempt_at is not None
        assert session.scalars(select(Round.state)).one() == "done"


def test_a_throttled_post_waits_in_its_own_conversation_only(
    database: Database, slack: SlackEmulator
) -> None:
    intros = _plan_round(database, slack)
    slack.burst_429("chat.postMessage", count=1, retry_after=1)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    posts = slack.calls_to("chat.postMessage")
    throttled = next(c for c in posts if c.status == 429)
    channel = throttled.params["channel"]
    again = next(c for c in posts if c.params["channel"] == channel and c.at > throttled.at)
    assert again.at - throttled.at >= 0.95  # its conversation waited out Retry-After...
    others = [c for c in posts if c.ok and c.params["channel"] != channel and throttled.at < c.at < again.at]
    assert len(others) >= 5  # ...while the other intros kept being posted
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == intros


def test_posts_throttled_in_two_conversations_pause_every_post(
    database: Database, slack: SlackEmulator
) -> None:
    intros = _plan_round(database, slack)
    slack.burst_429("chat.postMessage", count=2, retry_after=1)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    calls = slack.calls.all()
    first, second = [c for c in calls if c.method == "chat.postMessage" and c.status == 429]
    assert first.params["channel"] != second.params["channel"]
    resumed = next(c for c in calls if c.method == "chat.postMessage" and c.at > second.at)
    assert resumed.at - second.at >= 0.95  # the workspace's posting limit: every post waited...
    opened_meanwhile = [
        c for c in calls if c.method == "conversations.open" and second.at < c.at < resumed.at
    ]
    assert len(opened_meanwhile) >= 5  # ...while group DMs kept being opened
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == intros


def _most_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + window) for i, start in enumerate(times)), default=0)


def test_two_delivery_loops_share_one_tier_3_budget(
    database: Database, database_url: str, slack: SlackEmulator
) -> None:
    limit, window = 12, 1.5
    slack.rate_limit("conversations.open", per_minute=limit, window_seconds=window)
    first = _plan_round(database, slack)
    coffee = slack.workspace.channel_named("coffee-chats")
    second_channel = slack.workspace.add_channel("coffee-two", coffee.members)
    admin = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
    team = slack.workspace.team.id
    second = programs.setup_program(
        database, gateway_for(slack), team_id=team, channel_id=second_channel.id, actor_id=admin
    )
    planned = plan.plan_round(database, program_id=second.program_id, scheduled_for=utcnow(), seed=2)
    assert planned is not None

    def replica(finished: list[int]) -> None:
        own = Database(database_url)  # its own engine and pool, like another process
        policy = _policy(budget_window=window)
        # A small margin under Slack's own count, as the production limits keep: on a loaded machine a
        # call can reach Slack a moment after the budget granted it, inside Slack's next window.
        policy.budget_limits = {"conversations.open": limit - 2, "conversations.history": limit - 2}
        finished.append(deliver.deliver_pending(own, publisher_for(slack), policy))
        own.dispose()

    results: list[list[int]] = [[], []]
    threads = [threading.Thread(target=replica, args=(r,)) for r in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(r[0] for r in results) == [1, 1]  # each replica delivered one of the two rounds
    opens = slack.calls_to("conversations.open")
    assert len(opens) == first + planned.intros
    assert slack.count("conversations.open", ok=False) == 0  # Slack never had to say 429
    assert _most_in_any_window([c.at for c in opens], window) <= limit
    assert _most_in_any_window([c.at for c in opens], window) > limit / 2  # and used the budget
    posts = intro_posts(slack)
    assert len(posts) == first + planned.intros and set(posts.values()) == {1}
