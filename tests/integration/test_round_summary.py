"""The round summary is posted at most once: its start is recorded when the round is closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, Round
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.services.lifecycle import close, deliver, plan
from serendip.services.lifecycle.results import RoundSummary
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program

SUMMARY_START = ":coffee: *This round:*"


class Crash(BaseException):
    """The process dying mid-send: not an Exception, so nothing in the bot catches it."""


class CrashingOnSummary(SlackIntroPublisher):
    """The real publisher, except that the process dies while the summary is being posted."""

    def post_round_summary(self, channel_id: str, summary: RoundSummary) -> str:
        raise Crash


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(20, 4, seed=5)) as emulator:
        yield emulator


def _policy() -> deliver.DeliveryPolicy:
    return deliver.DeliveryPolicy(sleep=lambda _: None)


def _summaries(database: Database, slack: SlackEmulator) -> int:
    with database.transaction() as session:
        channel_id = session.scalars(select(Program.channel_id)).one()
    return sum(SUMMARY_START in (m.get("text") or "") for m in slack.messages(channel_id))


def _round(database: Database) -> Round:
    with database.transaction() as session:
        return session.scalars(select(Round)).one()


def _planned_round(database: Database, slack: SlackEmulator) -> int:
    planned = plan.plan_round(
        database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=2
    )
    assert planned is not None and planned.intros > 0
    return planned.round_id


def test_a_closed_round_records_when_its_summary_started_and_the_posted_ts(
    database: Database, slack: SlackEmulator
) -> None:
    _planned_round(database, slack)
    before = utcnow()

    assert deliver.deliver_pending(database, publisher_for(slack), _policy()) == 1

    round_ = _round(database)
    assert round_.state == "done" and round_.summary_started_at is not None
    assert round_.summary_started_at >= before.replace(microsecond=0)
    assert round_.summary_ts is not None and round_.summary_ts != "sending"
    assert _summaries(database, slack) == 1


def test_a_summary_interrupted_mid_send_is_never_posted_again(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _planned_round(database, slack)
    crashing = CrashingOnSummary(gateway_for(slack))
    with pytest.raises(Crash):
        deliver.deliver_pending(database, crashing, _policy())
    interrupted = _round(database)
    assert interrupted.state == "done" and interrupted.lease_owner is None
    assert interrupted.summary_started_at is not None and interrupted.summary_ts is None

    # Another worker (or the restarted one) finds nothing to deliver or close: at most once.
    publisher = publisher_for(slack)
    assert deliver.deliver_pending(database, publisher, _policy()) == 0
    assert close.finish_round(database, publisher, round_id=round_id, owner=_policy().owner) is True

    assert _summaries(database, slack) == 0
    assert set(intro_posts(slack).values()) == {1}
    after = _round(database)
    assert after.summary_started_at == interrupted.summary_started_at and after.summary_ts is None
