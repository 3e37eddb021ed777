"""An uninstalled workspace's rounds stop at once: none starts, delivery stops before its next post,
no follow-up or ask is sent; a reinstall picks up where it stopped, each intro still posted once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from serendip.adapters.db import lifecycle_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Program, Round, Workspace
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.client import make_web_client
from serendip.adapters.slack.gateway import SlackGateway
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.domain.intro_content import IntroCard
from serendip.domain.lifecycle import IntroState, RoundState
from serendip.services import uninstall
from serendip.services.lifecycle import deliver, followup, plan
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(20, 3, seed=13)) as emulator:
        yield emulator


def _policy() -> deliver.DeliveryPolicy:
    return deliver.DeliveryPolicy(sleep=lambda _: None, max_attempts=50, backoff_base=0.01)


def _planned_round(database: Database, slack: SlackEmulator) -> int:
    planned = plan.plan_round(
        database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=2
    )
    assert planned is not None and planned.intros == 10
    return planned.round_id


class UninstalledAfter(SlackIntroPublisher):
    """The bot's real publisher; the app is uninstalled (as the event would) right after the Nth post."""

    def __init__(self, slack: SlackEmulator, database: Database, posts: int) -> None:
        super().__init__(gateway_for(slack))
        self.database, self.team, self.left = database, slack.workspace.team.id, posts

    def post_intro(self, conversation_id: str, card: IntroCard) -> str:
        """Post, and after the Nth post mark the workspace uninstalled."""
        ts = super().post_intro(conversation_id, card)
        self.left -= 1
        if self.left == 0:
            uninstall.mark_uninstalled(self.database, self.team, cause="test")
        return ts


class RevokedAfter(SlackIntroPublisher):
    """The bot's real publisher; right after the Nth post an admin removes the app in Slack (every
    token revoked), and the uninstall event has not reached Serendip yet."""

    def __init__(self, slack: SlackEmulator, posts: int) -> None:
        super().__init__(gateway_for(slack))
        self.slack, self.left = slack, posts

    def post_intro(self, conversation_id: str, card: IntroCard) -> str:
        """Post, and after the Nth post revoke the workspace's tokens."""
        ts = super().post_intro(conversation_id, card)
        self.left -= 1
        if self.left == 0:
            self.slack.uninstall(self.slack.workspace.team.id)
        return ts


def test_marking_keeps_the_first_time_and_a_reinstall_clears_it(database: Database) -> None:
    first = utcnow() - timedelta(hours=2)
    assert uninstall.mark_uninstalled(database, "T0NEW", at=first)  # a scope never seen gets a row
    assert not uninstall.mark_uninstalled(database, "T0NEW", at=utcnow())
    assert uninstall.uninstalled_at(database, "T0NEW") == first
    assert uninstall.mark_reinstalled(database, "T0NEW")
    assert uninstall.uninstalled_at(database, "T0NEW") is None
    assert not uninstall.mark_reinstalled(database, "T0NEW")
    with database.transaction() as session:
        assert session.get(Workspace, "T0NEW") is not None


def test_due_programs_of_an_uninstalled_workspace_are_not_started(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    with database.transaction() as session:
        session.execute(
            update(Program)
            .where(Program.id == program_id)
            .values(next_run_at=utcnow() - timedelta(minutes=1))
        )
        other = Program(workspace_id=slack.workspace.team.id, channel_id="C0OTHER", next_run_at=utcnow())
        session.add(Workspace(id="T0ELSE"))
        session.flush()
        elsewhere = Program(workspace_id="T0ELSE", channel_id="C0ELSE", next_run_at=utcnow())
        session.add_all([other, elsewhere])
        session.flush()
        ids = {program_id, other.id, elsewhere.id}

    def due() -> set[int]:
        with database.transaction() as session:
            return {row[0] for row in lifecycle_store.due_programs(session, utcnow())}

    assert due() == ids
    uninstall.mark_uninstalled(database, slack.workspace.team.id)
    assert due() == {elsewhere.id}
    uninstall.mark_reinstalled(database, slack.workspace.team.id)
    assert due() == ids


def test_a_round_being_delivered_stops_before_its_next_post_and_resumes_after_a_reinstall(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _planned_round(database, slack)
    assert deliver.deliver_pending(database, UninstalledAfter(slack, database, posts=4), _policy()) == 0

    assert len(intro_posts(slack)) == 4
    with database.transaction() as session:
        states = list(session.scalars(select(Intro.state).where(Intro.round_id == round_id)))
        round_ = session.get(Round, round_id)
        assert round_ is not None and round_.state == RoundState.DELIVERING
    # Nothing half-written: the rest wait unfailed, none marked as being posted.
    assert states.count(IntroState.POSTED) == 4 and IntroState.FAILED not in states
    with database.transaction() as session:
        started = session.scalars(
            select(Intro.id).where(Intro.state != IntroState.POSTED, Intro.post_started_at.is_not(None))
        ).all()
    assert started == []
    # No worker takes the round while the workspace is uninstalled.
    assert deliver.claim_round(database, _policy()) is None

    uninstall.mark_reinstalled(database, slack.workspace.team.id)
    assert deliver.deliver_pending(database, publisher_for(slack), _policy()) == 1
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == 10


def test_follow_ups_are_not_sent_for_an_uninstalled_workspace(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _planned_round(database, slack)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    with database.transaction() as session:
        session.execute(
            update(Round).where(Round.id == round_id).values(followup_due_at=utcnow() - timedelta(minutes=1))
        )
    assert followup.due_followup_rounds(database, utcnow()) == [round_id]

    uninstall.mark_uninstalled(database, slack.workspace.team.id)
    assert followup.due_followup_rounds(database, utcnow()) == []
    # Even a follow-up already claimed before the uninstall sends nothing, and stays to be done.
    assert followup.send_followups(database, publisher_for(slack), round_id=round_id) == 0
    with database.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None and not round_.followup_done

    uninstall.mark_reinstalled(database, slack.workspace.team.id)
    assert followup.due_followup_rounds(database, utcnow()) == [round_id]
    assert followup.send_followups(database, publisher_for(slack), round_id=round_id) == 10


def test_a_revoked_token_stops_delivery_before_the_event_arrives_and_fails_no_intro(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _planned_round(database, slack)
    team = slack.workspace.team.id
    assert deliver.deliver_pending(database, RevokedAfter(slack, posts=3), _policy()) == 0

    assert len(intro_posts(slack)) == 3
    with database.transaction() as session:
        states = list(session.scalars(select(Intro.state).where(Intro.round_id == round_id)))
    assert states.count(IntroState.POSTED) == 3 and IntroState.FAILED not in states
    # Slack's token_revoked marked the workspace; the event, a moment later, finds it marked.
    marked = uninstall.uninstalled_at(database, team)
    assert marked is not None
    assert not uninstall.mark_uninstalled(database, team, cause="app_uninstalled")
    assert uninstall.uninstalled_at(database, team) == marked
    assert deliver.claim_round(database, _policy()) is None

    token = str(slack.install(team)["access_token"])  # reinstalled: a new bot token
    uninstall.mark_reinstalled(database, team)
    reinstalled = SlackIntroPublisher(SlackGateway(make_web_client(token, slack.api_url)))
    assert deliver.deliver_pending(database, reinstalled, _policy()) == 1
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == 10


def test_follow_ups_stop_when_slack_says_the_token_was_revoked(
    database: Database, slack: SlackEmulator
) -> None:
    round_id = _planned_round(database, slack)
    deliver.deliver_pending(database, publisher_for(slack), _policy())
    slack.uninstall(slack.workspace.team.id)  # the event has not arrived yet

    assert followup.send_followups(database, publisher_for(slack), round_id=round_id) == 0
    assert uninstall.uninstalled_at(database, slack.workspace.team.id) is not None
    with database.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None and not round_.followup_done
        # Surely not posted: nothing is left marked as being sent.
        assert session.scalars(select(Intro.id).where(Intro.followup_started_at.is_not(None))).all() == []
