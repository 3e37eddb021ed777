"""Enterprise Grid with an org-wide install: one program in a channel shared by two workspaces
enrols and matches people of both, keyed by the org; the group DMs go out with the org's token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from serendip.adapters.db.models import Enrolment, Member, Program
from serendip.adapters.db.types import utcnow
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip.services.lifecycle import deliver, plan
from serendip_sandbox import SlackDriver, SlackEmulator, Workspace
from serendip_sandbox.grid import generate_grid_org
from tests.support.drivers import person_driver
from tests.support.rounds import intro_posts


@pytest.fixture
def grid(database_url: str) -> Iterator[tuple[SlackEmulator, LocalBot, SlackDriver, Workspace]]:
    org = generate_grid_org(people_per_team=8, departments=3, seed=5, in_both=2)
    with SlackEmulator(org) as slack:
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,  # the org-wide install's token
            signing_secret=slack.signing_secret,
            database_url=database_url,
        )
        with LocalBot(settings) as bot, person_driver(bot.events_url, slack) as driver:
            yield slack, bot, driver, org


def _admin(org: Workspace) -> str:
    return next(u.id for u in org.humans() if u.is_admin and not u.deleted and not u.is_restricted)


def test_a_program_in_an_org_shared_channel_enrols_both_workspaces_as_one_org(
    grid: tuple[SlackEmulator, LocalBot, SlackDriver, Workspace],
) -> None:
    _, bot, driver, org = grid
    assert org.enterprise is not None
    enterprise_id = org.enterprise.id
    first_team, second_team = (team.id for team in org.teams)
    shared = org.channel_named("coffee-chats")
    driver.slash_command(_admin(org), "admin setup", channel_id=shared.id).wait_for_responses(1, 30)
    people = {u.id: u for u in org.humans() if not u.deleted and not u.is_restricted}
    with bot.container.db.transaction() as session:
        programs = session.scalars(select(Program)).all()
        members = session.scalars(select(Member)).all()
        enrolled = session.scalars(select(Member.slack_id).join(Enrolment)).all()
    assert [(p.workspace_id, p.channel_id) for p in programs] == [(enterprise_id, shared.id)]
    assert {m.workspace_id for m in members} == {enterprise_id}  # keyed by the org, never by a team
    assert len(enrolled) == len(set(enrolled))  # people in both workspaces are one member
    in_channel = {u for u in shared.members if u in people}
    assert set(enrolled) == in_channel
    teams_enrolled = {team for u in enrolled for team in people[u].teams}
    assert teams_enrolled == {first_team, second_team}

    # Someone of the second workspace finds the same program from the shared channel.
    second = next(u for u in enrolled if people[u].teams == [second_team])
    answer = driver.for_team(second_team).slash_command(second, "", channel_id=shared.id)
    assert answer.status == 200
    assert f"<#{shared.id}>: *active*" in str(answer.json)


def test_a_round_in_the_shared_channel_pairs_across_the_orgs_workspaces_with_the_orgs_token(
    grid: tuple[SlackEmulator, LocalBot, SlackDriver, Workspace],
) -> None:
    slack, bot, driver, org = grid
    assert org.enterprise is not None
    shared = org.channel_named("coffee-chats")
    driver.slash_command(_admin(org), "admin setup", channel_id=shared.id).wait_for_responses(1, 30)
    db = bot.container.db
    with db.transaction() as session:
        program_id = session.scalars(select(Program.id)).one()
    planned = plan.plan_round(db, program_id=program_id, scheduled_for=utcnow(), seed=2)
    assert planned is not None and planned.intros > 0
    policy = deliver.DeliveryPolicy(sleep=lambda _: None)
    assert deliver.deliver_all(db, bot.container.workspaces.publisher, policy) == 1
    assert len(intro_posts(slack)) == planned.intros and set(intro_posts(slack).values()) == {1}
    teams = {u.id: set(u.teams) for u in org.humans()}
    bot_id = org.bot.id
    mixed = [
        dm for dm in slack.group_dms() if len(set().union(*(teams[m] for m in dm.members if m != bot_id))) > 1
    ]
    assert mixed, "no intro brought together people of the org's two workspaces"
    opens = slack.calls.all("conversations.open")
    assert opens and {call.scope_id for call in opens} == {org.enterprise.id}
