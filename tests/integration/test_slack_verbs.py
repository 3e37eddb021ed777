"""The verbs behind Slack's buttons and events, against the Slack emulator: welcomes and the ask flow's undo."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, ExpertAsk, Member, Program
from serendip.adapters.slack.views import ask_blocks
from serendip.config import Settings
from serendip.services import asks
from serendip.services.deps import Deps
from serendip.services.welcome import welcome_members
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=5)) as emulator:
        yield emulator


@pytest.fixture
def deps(database: Database, slack: SlackEmulator) -> Deps:
    settings = Settings(SLACK_BOT_TOKEN=SecretStr(slack.bot_token), SLACK_API_URL=slack.api_url)
    return Deps(settings=settings, db=database, gateway=gateway_for(slack), publisher=publisher_for(slack))


def _people(slack: SlackEmulator) -> list[str]:
    return [u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted]


def test_welcomes_wait_out_rate_limits_and_reach_everyone_once(deps: Deps, slack: SlackEmulator) -> None:
    set_up_program(deps.db, slack)
    channel = slack.workspace.channel_named("coffee-chats").id
    people = _people(slack)[:3]
    slack.burst_429("chat.postMessage", count=2, retry_after=0)
    sent = welcome_members(deps, team_id=slack.workspace.team.id, channel_id=channel, user_ids=people)
    assert sent == 3
    assert [len(slack.dm_messages(p)) for p in people] == [1, 1, 1]
    assert "Welcome" in slack.dm_messages(people[0])[0]["text"]


def test_welcoming_in_a_channel_that_is_no_program_sends_nothing(deps: Deps, slack: SlackEmulator) -> None:
    sent = welcome_members(deps, team_id=slack.workspace.team.id, channel_id="CNOPE", user_ids=_people(slack))
    assert sent == 0 and slack.count("chat.postMessage") == 0


def _offer(deps: Deps, slack: SlackEmulator) -> tuple[str, str, int]:
    """An asker in Sales and a Kubernetes expert in Platform, and the offer of that expert."""
    team = slack.workspace.team.id
    asker, expert = _people(slack)[:2]
    with deps.db.transaction() as session:
        repo.get_or_create_workspace(session, team)
        program = Program(workspace_id=team, channel_id="C1")
        session.add(program)
        session.flush()
        for slack_id, department in ((asker, "Sales"), (expert, "Platform")):
            member = Member(
                workspace_id=team, slack_id=slack_id, department=department, department_source="self"
            )
            session.add(member)
            session.flush()
            session.add(Enrolment(program_id=program.id, member_id=member.id))
            if slack_id == expert:
                repo.add_tags(session, member.id, "expertise", ["kubernetes"])
    [offer] = asks.find_experts(deps, team_id=team, user_id=asker, topic="kubernetes").result.offers
    return asker, expert, offer.ask_id


def _state(deps: Deps, ask_id: int) -> str:
    with deps.db.transaction() as session:
        return str(session.scalars(select(ExpertAsk.state).where(ExpertAsk.id == ask_id)).one())


def test_a_request_slack_refuses_is_undone_so_the_asker_can_click_again(
    deps: Deps, slack: SlackEmulator
) -> None:
    asker, expert, ask_id = _offer(deps, slack)
    team = slack.workspace.team.id
    slack.inject("chat.postMessage", error_rate=1.0)
    failed = asks.introduce_me(
        deps, team_id=team, user_id=asker, ask_id=ask_id, render=ask_blocks.expert_request
    )
    assert not failed.sent and _state(deps, ask_id) == "offered"
    slack.clear_faults()
    done = asks.introduce_me(
        deps, team_id=team, user_id=asker, ask_id=ask_id, render=ask_blocks.expert_request
    )
    assert done.sent and _state(deps, ask_id) == "requested" and len(slack.dm_messages(expert)) == 1


def test_an_accept_slack_refuses_is_undone_so_the_expert_can_accept_again(
    deps: Deps, slack: SlackEmulator
) -> None:
    asker, expert, ask_id = _offer(deps, slack)
    team = slack.workspace.team.id
    asks.introduce_me(deps, team_id=team, user_id=asker, ask_id=ask_id, render=ask_blocks.expert_request)
    slack.inject("conversations.open", error_rate=1.0)
    failed = asks.accept_ask(deps, team_id=team, user_id=expert, ask_id=ask_id, render=ask_blocks.intro_text)
    assert not failed.sent and _state(deps, ask_id) == "requested"
    slack.clear_faults()
    done = asks.accept_ask(deps, team_id=team, user_id=expert, ask_id=ask_id, render=ask_blocks.intro_text)
    assert done.sent and _state(deps, ask_id) == "accepted"
    with deps.db.transaction() as session:
        conversation = session.scalars(select(ExpertAsk.conversation_id).where(ExpertAsk.id == ask_id)).one()
    assert conversation is not None and slack.messages(conversation)
