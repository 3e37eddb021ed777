"""Directory sync against the Slack emulator: paginated users, departments from a custom field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member
from serendip.adapters.slack.client import make_web_client
from serendip.adapters.slack.gateway import SlackGateway
from serendip.services import directory_sync
from serendip_sandbox import SlackEmulator, generate_workspace


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(230, 5, seed=2)) as emulator:
        yield emulator


def _gateway(slack: SlackEmulator) -> SlackGateway:
    return SlackGateway(make_web_client(slack.bot_token, slack.api_url))


def test_sync_reads_every_page_and_every_department(database: Database, slack: SlackEmulator) -> None:
    team = slack.workspace.team.id
    report = directory_sync.sync_directory(database, _gateway(slack), team_id=team, label="Department")
    assert slack.count("users.list") >= 2  # 230 people and edge cases do not fit one 200-person page
    assert report.field_found and report.departments_set == 230
    with database.transaction() as session:
        people = session.scalars(
            select(Member).where(
                Member.is_bot.is_(False), Member.is_deleted.is_(False), Member.is_guest.is_(False)
            )
        ).all()
        assert len(people) == 230
        assert all(m.department == slack.workspace.department_of(m.slack_id) for m in people)
        assert {m.department_source for m in people} == {"directory"}


def test_a_second_sync_fetches_no_department_again(database: Database, slack: SlackEmulator) -> None:
    team = slack.workspace.team.id
    directory_sync.sync_directory(database, _gateway(slack), team_id=team, label="Department")
    before = slack.count("users.profile.get")
    report = directory_sync.sync_directory(database, _gateway(slack), team_id=team, label="Department")
    assert report.departments_checked == 0 and slack.count("users.profile.get") == before


def test_sync_waits_out_rate_limits_and_finishes(database: Database, slack: SlackEmulator) -> None:
    slack.burst_429("users.profile.get", count=3, retry_after=1)  # deterministic, unlike a sliding window
    team = slack.workspace.team.id
    report = directory_sync.sync_directory(
        database, _gateway(slack), team_id=team, label="Department", max_profiles=150
    )
    assert report.departments_checked == 150
    assert slack.count("users.profile.get", ok=False) == 3  # the 429s happened and were waited out
    assert slack.count("users.profile.get", ok=True) == 150


def test_a_missing_department_field_is_reported_not_fatal(database: Database, slack: SlackEmulator) -> None:
    report = directory_sync.sync_directory(
        database, _gateway(slack), team_id=slack.workspace.team.id, label="Cost centre"
    )
    assert report.users > 200 and not report.field_found
    with database.transaction() as session:
        assert (
            session.scalar(select(func.count()).select_from(Member).where(Member.department.is_not(None)))
            == 0
        )
        assert repo.get_or_create_workspace(session, slack.workspace.team.id).department_field_id is None
