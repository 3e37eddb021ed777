"""Enterprise Grid, org-wide install: a person whose payloads from one workspace carry a
workspace-local id (``U...``) and from elsewhere the org-wide id (``W...``) is one member of the org,
matched once and sent one intro; the local id is exchanged with Slack once, then remembered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_profile as profile_repo
from serendip.adapters.db.models import Enrolment, Member, Program, ProgramAdmin
from serendip.adapters.db.types import utcnow
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip.services.lifecycle import deliver, plan
from serendip_sandbox import SlackDriver, SlackEmulator, Workspace
from serendip_sandbox.grid import generate_grid_org, give_local_id
from tests.support.drivers import person_driver
from tests.support.rounds import intro_posts

Grid = tuple[SlackEmulator, LocalBot, SlackDriver, Workspace]


@pytest.fixture
def grid(database_url: str) -> Iterator[Grid]:
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


def _people(org: Workspace, team_id: str) -> list[str]:
    """Active full members of one workspace of the org, in the shared channel, admins last."""
    shared = org.channel_named("coffee-chats")
    found = [u for u in org.humans() if u.teams == [team_id] and u.id in shared.members]
    return [u.id for u in sorted(found, key=lambda u: u.is_admin)]


def _admin(org: Workspace) -> str:
    return next(u.id for u in org.humans() if u.is_admin and not u.deleted and not u.is_restricted)


def _profile_modal(slack: SlackEmulator, person: str) -> dict[str, Any]:
    [modal] = slack.wait_until(
        lambda _: [m for m in slack.open_modals(person) if m.get("callback_id") == "profile_modal"], 10
    )
    return modal


def _exchanged(slack: SlackEmulator) -> list[str]:
    """Every id the bot asked migration.exchange about, one entry per time asked."""
    return [u for call in slack.calls.all("migration.exchange") for u in str(call.params["users"]).split(",")]


def test_a_person_with_a_local_id_and_the_org_wide_id_is_one_member_matched_once_with_one_intro(
    grid: Grid,
) -> None:
    slack, bot, driver, org = grid
    assert org.enterprise is not None
    org_id, shared = org.enterprise.id, org.channel_named("coffee-chats").id
    first_team = org.teams[0].id
    person, blocked = _people(org, first_team)[:2]
    local, blocked_local = give_local_id(org, person, first_team), give_local_id(org, blocked, first_team)
    driver.slash_command(_admin(org), "admin setup", channel_id=shared).wait_for_responses(1, 30)

    # A form submitted with the local id, naming someone else by their local id.
    driver.slash_command(local, "profile", channel_id=shared)
    values = {"blocked": {"blocked": [blocked_local]}}
    assert driver.view_submission(local, _profile_modal(slack, person), values).status == 200
    # The same person writes with the local id and with the org-wide one.
    status = driver.slash_command(local, "", channel_id=shared)
    assert status.status == 200 and f"<#{shared}>: *active*" in str(status.json)
    assert "`python`" in driver.slash_command(local, "expertise add python", channel_id=shared).text
    assert "`design`" in driver.slash_command(person, "interests add design", channel_id=shared).text
    assert driver.member_joined_channel(local, shared).status == 200  # a join event with the local id
    assert driver.app_home_opened(local).status == 200
    home = slack.wait_until(lambda _: slack.home_view(person), 10)  # published for the person
    assert "*active*" in str(home["blocks"])

    with bot.container.db.transaction() as session:
        member = repo.find_member(session, org_id, person)
        assert member is not None
        assert repo.member_tags(session, member.id, "expertise") == ["python"]
        assert repo.member_tags(session, member.id, "interest") == ["design"]
        ids = session.scalars(select(Member.slack_id)).all()
        enrolled = session.scalars(select(Member.slack_id).join(Enrolment)).all()
        program_id = session.scalars(select(Program.id)).one()
    with bot.container.db.transaction() as session:
        assert profile_repo.member_blocks(session, member.id) == [blocked]
    assert local not in ids and blocked_local not in ids  # no row ever keyed by a local id
    assert len(ids) == len(set(ids)) and enrolled.count(person) == 1

    planned = plan.plan_round(bot.container.db, program_id=program_id, scheduled_for=utcnow(), seed=3)
    assert planned is not None and planned.intros > 0
    policy = deliver.DeliveryPolicy(sleep=lambda _: None)
    assert deliver.deliver_all(bot.container.db, bot.container.workspaces.publisher, policy) == 1
    assert set(intro_posts(slack).values()) == {1}
    with_person = [dm for dm in slack.group_dms() if person in dm.members]
    assert len(with_person) == 1 and local not in with_person[0].members
    assert blocked not in with_person[0].members  # the block named by a local id holds
    assert not [dm for dm in slack.group_dms() if local in dm.members or blocked_local in dm.members]

    # Each local id was exchanged with Slack once, however many requests carried it.
    assert sorted(_exchanged(slack)) == sorted([local, blocked_local])


def test_a_local_id_seen_in_a_user_object_or_mentioned_is_the_person_without_asking_slack_again(
    grid: Grid,
) -> None:
    slack, bot, driver, org = grid
    assert org.enterprise is not None
    shared = org.channel_named("coffee-chats").id
    first_team = org.teams[0].id
    person = _people(org, first_team)[0]
    local = give_local_id(org, person, first_team)
    driver.slash_command(_admin(org), "admin setup", channel_id=shared).wait_for_responses(1, 30)
    # user_change: Slack's user object names the local id and, in enterprise_user, the org-wide one.
    shape = org.user_shape(person)
    driver.user_change({**shape, "id": local})
    status = driver.slash_command(local, "", channel_id=shared)
    assert f"<#{shared}>: *active*" in str(status.json)
    assert driver.app_home_opened(local).status == 200
    assert "*active*" in str(slack.wait_until(lambda _: slack.home_view(person), 10)["blocks"])
    driver.slash_command(person, "", channel_id=shared)
    assert _exchanged(slack) == []
    # An admin @-mentions the person by the local id: the org-wide id becomes a program admin,
    # who can then act with either id.
    added = driver.slash_command(_admin(org), f"admin admins add <@{local}>", channel_id=shared)
    assert "is now a program admin" in added.text
    with bot.container.db.transaction() as session:
        assert session.scalars(select(ProgramAdmin.slack_id)).all() == [person]
    assert "rounds paused" in driver.slash_command(local, "admin pause", channel_id=shared).text
    assert _exchanged(slack) == []
