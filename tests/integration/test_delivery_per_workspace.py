"""Rounds of different workspaces are delivered in parallel, each with its own installation's
token; rounds of one workspace stay one at a time (they share its Tier-3 budget)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Round
from serendip.adapters.db.types import utcnow
from serendip.services import programs
from serendip.services.lifecycle import deliver, plan
from serendip.services.ports import IntroPublisher
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program


@pytest.fixture
def two_workspaces() -> Iterator[tuple[SlackEmulator, SlackEmulator]]:
    with (
        SlackEmulator(generate_workspace(16, 4, seed=21)) as first,
        SlackEmulator(generate_workspace(16, 4, seed=22)) as second,
    ):
        assert first.workspace.team.id != second.workspace.team.id
        for slack in (first, second):
            slack.faults.slow_down("conversations.open", 0.05)
        yield first, second


def _planned_round(database: Database, slack: SlackEmulator) -> int:
    planned = plan.plan_round(
        database, program_id=set_up_program(database, slack), scheduled_for=utcnow(), seed=3
    )
    assert planned is not None and planned.intros == 8
    return planned.round_id


def _intro_ids(database: Database, round_id: int) -> set[int]:
    with database.transaction() as session:
        return set(session.scalars(select(Intro.id).where(Intro.round_id == round_id)))


def _opens(slack: SlackEmulator) -> tuple[float, float]:
    times = [call.at for call in slack.calls.all("conversations.open")]
    return min(times), max(times)


def _policy() -> deliver.DeliveryPolicy:
    return deliver.DeliveryPolicy(sleep=lambda _: None)


def test_two_workspaces_rounds_are_delivered_at_once_each_with_its_own_token(
    database: Database, two_workspaces: tuple[SlackEmulator, SlackEmulator]
) -> None:
    first, second = two_workspaces
    rounds = {slack.workspace.team.id: _planned_round(database, slack) for slack in (first, second)}
    publishers = {slack.workspace.team.id: publisher_for(slack) for slack in (first, second)}
    asked: list[str] = []

    def publisher_for_scope(scope_id: str) -> IntroPublisher:
        asked.append(scope_id)
        return publishers[scope_id]

    assert deliver.deliver_all(database, publisher_for_scope, _policy()) == 2
    assert sorted(asked) == sorted(rounds)
    for slack in (first, second):
        # Each workspace received exactly its own round's intros, once each, and nothing of the other.
        assert dict(intro_posts(slack)) == dict.fromkeys(
            _intro_ids(database, rounds[slack.workspace.team.id]), 1
        )
    (first_start, first_end), (second_start, second_end) = _opens(first), _opens(second)
    assert first_start < second_end and second_start < first_end  # the deliveries overlapped
    with database.transaction() as session:
        assert set(session.scalars(select(Round.state))) == {"done"}


def _post_times(slack: SlackEmulator, intro_ids: set[int]) -> list[float]:
    times = []
    for call in slack.calls.all("chat.postMessage"):
        raw = call.params.get("metadata") or {}
        metadata = raw if isinstance(raw, dict) else json.loads(raw)
        if call.ok and int((metadata.get("event_payload") or {}).get("intro_id", 0)) in intro_ids:
            times.append(call.at)
    return times


def test_two_rounds_of_one_workspace_are_delivered_one_after_the_other(
    database: Database, two_workspaces: tuple[SlackEmulator, SlackEmulator]
) -> None:
    slack = two_workspaces[0]
    first_round = _planned_round(database, slack)
    workspace = slack.workspace
    more = workspace.add_channel("coffee-more", workspace.channel_named("coffee-chats").members)
    admin = next(u.id for u in workspace.humans() if not u.deleted and not u.is_restricted)
    second_program = programs.setup_program(
        database, gateway_for(slack), team_id=workspace.team.id, channel_id=more.id, actor_id=admin
    ).program_id
    second = plan.plan_round(database, program_id=second_program, scheduled_for=utcnow(), seed=4)
    assert second is not None
    publisher = publisher_for(slack)
    assert deliver.deliver_all(database, lambda _: publisher, _policy()) == 2
    first_ids, second_ids = _intro_ids(database, first_round), _intro_ids(database, second.round_id)
    assert dict(intro_posts(slack)) == dict.fromkeys(first_ids | second_ids, 1)
    first_posts, second_posts = _post_times(slack, first_ids), _post_times(slack, second_ids)
    assert len(first_posts) == len(first_ids) and len(second_posts) == len(second_ids)
    assert max(first_posts) < min(second_posts)  # one round of the workspace at a time
