"""Stopping delivery (a process shutting down): the intro in hand is finished, the round's lease is given
up at once, and whoever takes the round over posts the rest, each intro exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Round
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import deliver, plan
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import intro_posts, placements, publisher_for, set_up_program
from tests.support.wait import eventually

INTROS = 30
STOPPED_WITHIN = 3.0  # seconds: one slowed post, then the lease is given up


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(2 * INTROS, 5, seed=11)) as emulator:
        yield emulator


def _planned_round(database: Database, slack: SlackEmulator) -> int:
    planned = plan.plan_round(
        database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=1
    )
    assert planned is not None and planned.intros == INTROS
    return planned.round_id


def _delivering(database: Database, slack: SlackEmulator, policy: deliver.DeliveryPolicy) -> threading.Thread:
    thread = threading.Thread(
        target=deliver.deliver_pending, args=(database, publisher_for(slack), policy), daemon=True
    )
    thread.start()
    return thread


def _lease(database: Database, round_id: int) -> tuple[str, str | None]:
    with database.transaction() as session:
        row = session.execute(select(Round.state, Round.lease_owner).where(Round.id == round_id)).one()
        return row.state, row.lease_owner


def _stopped_in_time(policy: deliver.DeliveryPolicy, thread: threading.Thread) -> float:
    began = time.monotonic()
    policy.stop()
    thread.join(STOPPED_WITHIN + 5)
    assert not thread.is_alive(), "delivery did not stop"
    return time.monotonic() - began


def test_a_stopped_delivery_gives_its_lease_up_and_the_next_process_posts_the_rest_once(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _planned_round(database, slack)
    slack.slow_down("chat.postMessage", 0.05)  # 1.5 s or more for the round: time to stop it early
    policy = deliver.DeliveryPolicy()
    thread = _delivering(database, slack, policy)
    slack.wait_until(lambda _: len(intro_posts(slack)) >= 5, 30)
    assert _stopped_in_time(policy, thread) < STOPPED_WITHIN
    posted_before = len(intro_posts(slack))
    assert posted_before < INTROS, "the round finished before it could be stopped"
    assert _lease(database, round_id) == ("delivering", None)  # free now, not when the lease ran out
    taken_over = deliver.deliver_pending(database, publisher_for(slack), deliver.DeliveryPolicy())
    assert taken_over == 1
    posts = intro_posts(slack)
    assert len(posts) == INTROS and set(posts.values()) == {1}
    assert len(placements(slack)) == 2 * INTROS and set(placements(slack).values()) == {1}
    assert _lease(database, round_id) == ("done", None)


def test_a_stop_wakes_a_delivery_waiting_out_a_rate_limit(database: Database, slack: SlackEmulator) -> None:
    round_id = _planned_round(database, slack)
    slack.burst_429("conversations.open", INTROS, retry_after=60)  # the whole workspace waits a minute
    policy = deliver.DeliveryPolicy(idle_max=60.0, lease_seconds=300.0)
    thread = _delivering(database, slack, policy)
    eventually(
        lambda: slack.count("conversations.open") >= 1, 30
    )  # a refused call changes no state to wait on
    time.sleep(0.3)  # now waiting out the Retry-After
    assert _stopped_in_time(policy, thread) < STOPPED_WITHIN
    assert _lease(database, round_id) == ("delivering", None) and intro_posts(slack) == {}


def test_a_stopped_policy_claims_no_round(database: Database, slack: SlackEmulator) -> None:
    round_id = _planned_round(database, slack)
    policy = deliver.DeliveryPolicy()
    policy.stop()
    assert deliver.deliver_pending(database, publisher_for(slack), policy) == 0
    assert deliver.deliver_all(database, lambda _: publisher_for(slack), policy) == 0
    assert _lease(database, round_id) == ("delivering", None) and intro_posts(slack) == {}
