"""Directory sync of an org-wide Enterprise Grid install: every workspace of the org, one member per
person keyed by the org, resumable across the teams."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member
from serendip.adapters.slack.client import make_web_client
from serendip.adapters.slack.gateway import SlackGateway
from serendip.services import directory_sync
from serendip_sandbox import SlackEmulator, Workspace
from serendip_sandbox.grid import generate_grid_org


@pytest.fixture
def org_slack() -> Iterator[SlackEmulator]:
    # 210 people per workspace: more than one 200-person users.list page in each.
    with SlackEmulator(generate_grid_org(people_per_team=210, departments=4, seed=8, in_both=5)) as emulator:
        yield emulator


def _org(slack: SlackEmulator) -> Workspace:
    assert slack.workspace.enterprise is not None
    return slack.workspace


def _org_gateway(slack: SlackEmulator) -> SlackGateway:
    org_id = _org(slack).enterprise.id  # type: ignore[union-attr]
    return SlackGateway(make_web_client(slack.bot_token, slack.api_url)).scoped(org_id)


def test_an_org_wide_sync_reads_every_workspace_of_the_org_into_one_member_per_person(
    database: Database, org_slack: SlackEmulator
) -> None:
    org = _org(org_slack)
    org_id = org.enterprise.id  # type: ignore[union-attr]
    directory_sync.sync_directory(database, _org_gateway(org_slack), team_id=org_id, label="Department")
    teams_listed = {call.params.get("team_id") for call in org_slack.calls.all("users.list")}
    assert teams_listed == {team.id for team in org.teams}
    assert org_slack.count("users.list") >= 4  # two pages per workspace
    with database.transaction() as session:
        rows = session.execute(select(Member.workspace_id, Member.slack_id, Member.is_bot)).all()
    people = {u.id for u in org.users.values() if not u.is_bot and u.id not in (org.bot.id, "USLACKBOT")}
    stored = [slack_id for _, slack_id, is_bot in rows if not is_bot]
    assert {scope for scope, _, _ in rows} == {org_id}
    assert len(stored) == len(set(stored))  # the people in both workspaces are stored once
    assert set(stored) == people


def test_an_org_wide_sync_interrupted_in_the_first_workspace_resumes_there_and_finishes_both(
    database: Database, org_slack: SlackEmulator
) -> None:
    org = _org(org_slack)
    org_id = org.enterprise.id  # type: ignore[union-attr]
    pages = iter(range(100))
    stop = lambda: next(pages) >= 1  # noqa: E731 - stop after the first page
    directory_sync.sync_users(database, _org_gateway(org_slack), team_id=org_id, should_stop=stop)
    first_pass = org_slack.count("users.list")
    directory_sync.sync_users(database, _org_gateway(org_slack), team_id=org_id)
    assert first_pass == 1
    second_team_calls = [
        c for c in org_slack.calls.all("users.list") if c.params.get("team_id") == org.teams[1].id
    ]
    assert second_team_calls
    with database.transaction() as session:
        stored = set(session.scalars(select(Member.slack_id).where(Member.is_bot.is_(False))))
    assert stored == {
        u.id for u in org.users.values() if not u.is_bot and u.id not in (org.bot.id, "USLACKBOT")
    }
