"""Two workspaces and a Grid org installed through "Add to Slack" and driven at once: commands, joins, rounds, asks,
Home, stats, export and forget-me. Nothing of one is visible to, counted for, or sent with the
token of the other — checked from what each workspace's Slack received and from the raw tables."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from serendip.adapters.db.models import Enrolment, IntroMember, Member, Program
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.intro_blocks import INTRO_EVENT_TYPE
from serendip.entrypoints import scheduler
from serendip.entrypoints.local_bot import LocalBot
from serendip.services import directory_sync
from serendip.services.lifecycle import deliver
from serendip_sandbox import SlackDriver, SlackEmulator, Workspace, generate_workspace
from serendip_sandbox.emulator_state import StateReader
from serendip_sandbox.grid import generate_grid_org
from tests.support.drivers import person_driver
from tests.support.installs import install_through_the_browser, oauth_settings


@dataclass
class Installed:
    """One installed workspace and what the test did there."""

    workspace: Workspace
    driver: SlackDriver
    admin: str = ""
    expert: str = ""
    asker: str = ""
    forgotten: str = ""
    ask_reply: str = ""
    home: str = ""
    stats_reply: str = ""
    export_rows: int = 0

    @property
    def team(self) -> str:
        """The scope id: the team, or the enterprise of an org-wide install."""
        enterprise = self.workspace.enterprise
        return enterprise.id if enterprise is not None else self.workspace.team.id

    @property
    def marker(self) -> str:
        """An expertise tag only this workspace's expert has."""
        return f"marker{self.workspace.team.id.lower()}"

    @property
    def people(self) -> set[str]:
        return set(self.workspace.users)

    def humans(self) -> list[str]:
        return [u.id for u in self.workspace.humans() if not u.deleted and not u.is_restricted]


@pytest.fixture
def two_installed(database_url: str) -> Iterator[tuple[SlackEmulator, LocalBot, list[Installed]]]:
    """Two workspaces and an Enterprise Grid org of two workspaces, each installed through the browser
    (the org org-wide), with rotating tokens."""
    with SlackEmulator(generate_workspace(10, 3, seed=41), token_rotation=True) as slack:
        slack.add_workspace(generate_workspace(10, 3, seed=42), installed=False)
        slack.add_workspace(
            generate_grid_org(people_per_team=5, departments=2, seed=43, in_both=0), installed=False
        )
        settings = oauth_settings(slack, database_url, SERENDIP_ALLOW_MEMBER_SETUP=True)
        with (
            LocalBot(settings) as bot,
            person_driver(bot.events_url, slack) as driver,
        ):
            slack.redirect_urls.append(f"{bot.url}/slack/oauth_redirect")
            installed = []
            for workspace in slack.workspaces:
                ws = Installed(workspace, driver.for_team(workspace.team.id))
                assert install_through_the_browser(bot, slack, ws.team).status_code == 200
                installed.append(ws)
            yield slack, bot, installed


def _intro_count(state: StateReader) -> int:
    return sum(
        1
        for conversation in state.group_dms()
        for message in state.messages(conversation.id)
        if (message.get("metadata") or {}).get("event_type") == INTRO_EVENT_TYPE
    )


def _delivered_in_database(bot: LocalBot, scope: str) -> int:
    """Intros of this workspace's rounds the database records as delivered."""
    with bot.container.db.transaction() as session:
        return int(
            session.execute(
                text(
                    "SELECT count(*) FROM intros i JOIN rounds r ON r.id = i.round_id "
                    "JOIN programs p ON p.id = r.program_id "
                    "WHERE p.workspace_id = :scope AND i.delivered_at IS NOT NULL"
                ),
                {"scope": scope},
            ).scalar_one()
        )


def _wait_for_deliveries(bot: LocalBot, scope: str, count: int, timeout: float) -> None:
    """Wait until the database has recorded `count` deliveries (a post reaches Slack a moment before its row
    is marked delivered, and stats count the rows)."""
    deadline = time.monotonic() + timeout
    while _delivered_in_database(bot, scope) < count:
        assert time.monotonic() < deadline, f"{scope}: fewer than {count} intros recorded as delivered"
        time.sleep(0.05)


def _drive(slack: SlackEmulator, bot: LocalBot, ws: Installed) -> None:
    """Everything a workspace's people and admin do, as Slack sends it."""
    channel = ws.workspace.channel_named("coffee-chats").id
    humans = ws.humans()
    ws.admin, ws.expert, ws.asker, ws.forgotten, leaver = (
        humans[0],
        humans[1],
        humans[2],
        humans[3],
        humans[4],
    )
    drive = ws.driver
    drive.slash_command(ws.admin, "admin setup", channel_id=channel).wait_for_responses(1, 60)
    drive.slash_command(ws.expert, f"expertise add isolation, {ws.marker}", channel_id=channel)
    drive.member_left_channel(leaver, channel)
    drive.member_joined_channel(leaver, channel)
    drive.app_home_opened(humans[5])
    state = slack.state_of(ws.team)
    ws.home = str(state.wait_until(lambda _: state.home_view(humans[5]), 30))
    ws.ask_reply = str(drive.slash_command(ws.asker, "ask isolation", channel_id=channel).json)
    run = drive.slash_command(ws.admin, "admin run", channel_id=channel)
    assert "Round started" in run.wait_for_responses(1, 60)[0]["text"]
    state.wait_until(lambda _: _intro_count(state) == 5, 60)
    _wait_for_deliveries(bot, ws.team, 5, 30)
    ws.stats_reply = str(
        drive.slash_command(ws.admin, "admin stats", channel_id=channel).wait_for_responses(1, 60)
    )
    drive.slash_command(ws.admin, "admin export", channel_id=channel).wait_for_responses(1, 60)
    asked = drive.slash_command(ws.forgotten, "forget-me", channel_id=channel)
    drive.block_action(
        ws.forgotten, "forget_me_confirm", "confirm", channel_id=channel, message=asked.seen()[-1]
    )
    state.wait_until(
        lambda ws_: any("deleted" in str(e) for e in ws_.ephemerals if e.user == ws.forgotten), 30
    )


def test_two_workspaces_and_a_grid_org_installed_and_driven_at_once_never_cross(
    two_installed: tuple[SlackEmulator, LocalBot, list[Installed]],
) -> None:
    slack, bot, installed = two_installed
    with ThreadPoolExecutor(len(installed)) as pool:
        list(pool.map(lambda ws: _drive(slack, bot, ws), installed))

    # Slack's side: every call went out with the token of the workspace whose people and channels
    # it names, and each workspace saw its own round only.
    assert slack.foreign_calls() == []
    for ws in installed:
        assert {c.scope_id for c in slack.calls_from(ws.team)} == {ws.team}
        state = slack.state_of(ws.team)
        assert _intro_count(state) == 5
        for conversation in state.group_dms():
            assert set(conversation.members) <= ws.people
        [upload] = [f for f in state.uploaded_files() if f.name.endswith(".csv")]
        exported = {row["member_id"] for row in csv.DictReader(io.StringIO((upload.data or b"").decode()))}
        assert exported and exported <= ws.people

    # Answers: the ask offered this workspace's expert only, and stats counted its own people.
    for ws in installed:
        assert f"<@{ws.expert}>" in ws.ask_reply
        assert "*Intros delivered:* 5" in ws.stats_reply  # its own round's, not 15
        assert ws.marker in ws.home  # the program's expertise cloud on the Home tab
        for other in installed:
            if other is not ws:
                assert f"<@{other.expert}>" not in ws.ask_reply
                assert other.marker not in ws.home
                assert not any(person in ws.stats_reply for person in other.people)

    # The tables: each workspace's rows hold its own people only, and forget-me erased one person.
    with bot.container.db.transaction() as session:
        members = session.execute(select(Member.workspace_id, Member.slack_id)).all()
        programs = dict(session.execute(select(Program.id, Program.workspace_id)).all())
        enrolled = session.execute(
            select(Program.workspace_id, Member.slack_id)
            .join(Enrolment, Enrolment.program_id == Program.id)
            .join(Member, Member.id == Enrolment.member_id)
        ).all()
        seated = session.execute(
            text(
                "SELECT p.workspace_id, m.slack_id FROM intro_members im JOIN intros i ON i.id = im.intro_id "
                "JOIN rounds r ON r.id = i.round_id JOIN programs p ON p.id = r.program_id "
                "JOIN members m ON m.id = im.member_id"
            )
        ).all()
    people = {ws.team: ws.people for ws in installed}
    assert sorted(programs.values()) == sorted(people)
    for scope, slack_id in [*members, *enrolled, *seated]:
        assert slack_id in people[scope], (scope, slack_id)
    assert seated and IntroMember is not None
    for ws in installed:
        assert (ws.team, ws.forgotten) not in members
        assert any(scope == ws.team for scope, _ in members)


def test_the_scheduler_runs_each_installations_rounds_and_directory_sync_with_its_own_token(
    two_installed: tuple[SlackEmulator, LocalBot, list[Installed]],
) -> None:
    slack, bot, installed = two_installed
    for ws in installed:
        channel = ws.workspace.channel_named("coffee-chats").id
        ws.driver.slash_command(ws.humans()[0], "admin setup", channel_id=channel).wait_for_responses(1, 60)
    db = bot.container.db
    with db.transaction() as session:
        session.execute(update(Program).values(next_run_at=utcnow() - timedelta(minutes=1)))
    scheduler.run_tick(bot.container, deliver.DeliveryPolicy(sleep=lambda _: None))
    scheduler.run_directory_sync(bot.container, directory_sync.StopFlag())
    assert slack.foreign_calls() == []
    for ws in installed:
        assert _intro_count(slack.state_of(ws.team)) == 5
        listed = slack.calls_from(ws.team, "users.list")
        assert listed and all(call.ok for call in listed)
    with db.transaction() as session:
        members = session.execute(select(Member.workspace_id, Member.slack_id)).all()
    people = {ws.team: ws.people for ws in installed}
    assert {scope for scope, _ in members} == set(people)
    for scope, slack_id in members:
        assert slack_id in people[scope], (scope, slack_id)
