"""A follow-up interrupted mid-send is looked for before it is posted again: each intro gets one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Round
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.intro_blocks import FOLLOWUP_EVENT_TYPE
from serendip.services.lifecycle import deliver, followup, plan
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(10, 3, seed=5)) as emulator:
        yield emulator


def _delivered_round(database: Database, slack: SlackEmulator) -> int:
    planned = plan.plan_round(
        database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=3
    )
    assert planned is not None
    deliver.deliver_pending(database, publisher_for(slack), deliver.DeliveryPolicy(sleep=lambda _: None))
    return planned.round_id


def _followup_posts(slack: SlackEmulator) -> Counter[int]:
    seen: Counter[int] = Counter()
    for conversation in slack.group_dms():
        for message in slack.messages(conversation.id):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == FOLLOWUP_EVENT_TYPE:
                seen[int(metadata["event_payload"]["intro_id"])] += 1
    return seen


def _crash_mid_send(database: Database, round_id: int, intro_id: int) -> None:
    """As if the worker started this follow-up, then died before recording the outcome."""
    with database.transaction() as session:
        session.execute(
            update(Intro)
            .where(Intro.id == intro_id)
            .values(followup_ts=None, followup_started_at=utcnow() - timedelta(seconds=1))
        )
        session.execute(update(Round).where(Round.id == round_id).values(followup_done=False))


def _intro_ids(database: Database, round_id: int) -> list[int]:
    with database.transaction() as session:
        return list(session.scalars(select(Intro.id).where(Intro.round_id == round_id).order_by(Intro.id)))


def test_a_follow_up_that_landed_before_a_crash_is_confirmed_and_not_posted_again(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _delivered_round(database, slack)
    publisher = publisher_for(slack)
    assert followup.send_followups(database, publisher, round_id=round_id) == 5
    first = _intro_ids(database, round_id)[0]
    _crash_mid_send(database, round_id, first)

    assert followup.send_followups(database, publisher, round_id=round_id) == 1
    assert set(_followup_posts(slack).values()) == {1} and len(_followup_posts(slack)) == 5
    with database.transaction() as session:
        intro = session.get(Intro, first)
        assert intro is not None and intro.followup_ts is not None
        assert intro.followup_started_at is not None


def test_a_follow_up_that_never_landed_is_posted_once_after_a_crash(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _delivered_round(database, slack)
    first = _intro_ids(database, round_id)[0]
    _crash_mid_send(database, round_id, first)

    assert followup.send_followups(database, publisher_for(slack), round_id=round_id) == 5
    assert set(_followup_posts(slack).values()) == {1} and len(_followup_posts(slack)) == 5
    with database.transaction() as session:
        started = session.scalars(select(Intro.followup_started_at).where(Intro.round_id == round_id))
        assert all(at is not None for at in started)
