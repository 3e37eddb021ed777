"""Exactly-once intro delivery through 5xx, ambiguous failures, 429 bursts and lease takeovers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Round
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import deliver, plan
from serendip.services.lifecycle.results import PlannedRound
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import intro_posts, placements, publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(60, 5, seed=11)) as emulator:
        yield emulator


def _policy(**overrides: float) -> deliver.DeliveryPolicy:
    policy = deliver.DeliveryPolicy(sleep=lambda _: None, max_attempts=50, backoff_base=0.01)
    for key, value in overrides.items():
        setattr(policy, key, value)
    return policy


def _plan(database: Database, slack: SlackEmulator) -> PlannedRound:
    planned = plan.plan_round(
        database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=1
    )
    assert planned is not None
    return planned


def _states(database: Database) -> dict[str, int]:
    with database.transaction() as session:
        states = [s for s in session.scalars(select(Intro.state))]
    return {s: states.count(s) for s in set(states)}


def test_a_round_reaches_everyone_exactly_once(database: Database, slack: SlackEmulator) -> None:
    planned = _plan(database, slack)
    assert deliver.deliver_pending(database, publisher_for(slack), _policy()) == 1
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == planned.intros == 30
    assert set(placements(slack).values()) == {1} and len(placements(slack)) == 60
    with database.transaction() as session:
        assert session.scalars(select(Round.state)).one() == "done"


def test_twenty_percent_server_errors_still_deliver_each_intro_once(
    database: Database, slack: SlackEmulator
) -> None:
    _plan(database, slack)
    slack.inject("conversations.open", error_rate=0.2, seed=1)
    slack.inject("chat.postMessage", error_rate=0.2, seed=2)
    slack.inject("conversations.history", error_rate=0.2, seed=3)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == 30
    assert _states(database) == {"posted": 30}


def test_ambiguous_failures_are_confirmed_not_posted_twice(database: Database, slack: SlackEmulator) -> None:
    _plan(database, slack)
    slack.inject("chat.postMessage", ambiguous_rate=0.5, seed=4)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    assert slack.count("conversations.history") > 0
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == 30


def test_rate_limit_bursts_are_waited_out(database: Database, slack: SlackEmulator) -> None:
    _plan(database, slack)
    slack.burst_429("conversations.open", count=3, retry_after=1)
    slack.burst_429("chat.postMessage", count=2, retry_after=1)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    assert slack.count("conversations.open", ok=False) == 3
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == 30


def test_a_deactivated_member_fails_only_their_intro_with_a_reason(
    database: Database, slack: SlackEmulator
) -> None:
    planned = _plan(database, slack)
    with database.transaction() as session:
        intro = session.scalars(select(Intro).order_by(Intro.id)).first()
        assert intro is not None
        from serendip.adapters.db.models import Member

        victim = session.get(Member, intro.members[0].member_id)
        assert victim is not None
        victim_id = victim.slack_id
    slack.workspace.deactivate(victim_id)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    with database.transaction() as session:
        failed = session.scalars(select(Intro).where(Intro.state == "failed")).all()
    assert len(failed) == 1 and failed[0].failure_reason == "user_disabled"
    assert len(intro_posts(slack)) == planned.intros - 1


def test_an_expired_lease_is_taken_over_and_the_post_is_confirmed(
    database: Database, slack: SlackEmulator
) -> None:
    _plan(database, slack)
    crashed = _policy(lease_seconds=0.0)
    claim = deliver.claim_round(database, crashed)
    assert claim is not None
    round_id = claim.round_id
    # The crashed worker opened and posted one intro but died before recording the post.
    with database.transaction() as session:
        first = session.scalars(select(Intro).where(Intro.round_id == round_id).order_by(Intro.id)).first()
        assert first is not None
        first_id = first.id
    publisher = publisher_for(slack)
    assert deliver.deliver_intro(database, publisher, intro_id=first_id, seed=1, policy=crashed) == "posted"
    with database.transaction() as session:
        intro = session.get(Intro, first_id)
        assert intro is not None
        intro.state, intro.message_ts = "opened", None  # as if the crash lost the answer
        intro.post_started_at = utcnow() - timedelta(seconds=1)
    survivor = _policy()
    assert deliver.deliver_pending(database, publisher, survivor) == 1
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == 30


def test_a_live_lease_is_not_taken(database: Database, slack: SlackEmulator) -> None:
    _plan(database, slack)
    assert deliver.claim_round(database, _policy(lease_seconds=600)) is not None
    assert deliver.claim_round(database, _policy()) is None
