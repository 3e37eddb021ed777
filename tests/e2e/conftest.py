"""The running bot (real Bolt app over real HTTP) against the project's Slack emulator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from serendip.adapters.db.engine import Database
from serendip.entrypoints.local_bot import LocalBot, sandbox_settings
from serendip_sandbox import SlackDriver, SlackEmulator, Workspace, generate_workspace
from tests.support.drivers import person_driver


@dataclass
class Sandbox:
    """Everything an e2e test drives: Slack (emulator + driver) and the bot."""

    slack: SlackEmulator
    bot: LocalBot
    driver: SlackDriver
    workspace: Workspace
    channel: str

    @property
    def humans(self) -> list[str]:
        """Ids of the active, full members of the workspace."""
        return [u.id for u in self.workspace.humans() if not u.deleted and not u.is_restricted]

    def without_slack_department(self, *users: str) -> None:
        """Clear these people's Slack Department field (before the bot first sees them and reads it),
        so a department can only come from `/coffee team` or the profile modal."""
        for user in users:
            self.workspace.set_field(user, "Department", "")

    def user_where(self, **flags: bool) -> str:
        """Id of a user with these attributes (e.g. is_restricted=True)."""
        return next(
            u.id for u in self.workspace.users.values() if all(getattr(u, k) == v for k, v in flags.items())
        )


@contextmanager
def running_sandbox(
    database_url: str,
    *,
    people: int,
    departments: int,
    seed: int,
    allow_member_setup: bool = False,
    database: Database | None = None,
) -> Iterator[Sandbox]:
    """A generated workspace in the emulator, the bot serving it (on ``database`` when given), and a
    driver signing as Slack."""
    workspace = generate_workspace(people, departments, seed=seed)
    with SlackEmulator(workspace) as slack:
        settings = sandbox_settings(
            api_url=slack.api_url,
            bot_token=slack.bot_token,
            signing_secret=slack.signing_secret,
            database_url=database_url,
        ).model_copy(update={"allow_member_setup": allow_member_setup})
        bot = LocalBot(settings, db=database)
        driver = person_driver(bot.events_url, slack)
        with bot, driver:
            yield Sandbox(slack, bot, driver, workspace, workspace.channel_named("coffee-chats").id)


@pytest.fixture
def allow_member_setup() -> bool:
    """SERENDIP_ALLOW_MEMBER_SETUP for the sandbox bot: unset, as by default (a module overrides it
    when its tests have a plain member set the program up)."""
    return False


@pytest.fixture
def sandbox(database_url: str, allow_member_setup: bool) -> Iterator[Sandbox]:
    """A 12-person, 3-department workspace, the bot serving it, and a driver signing as Slack."""
    with running_sandbox(
        database_url, people=12, departments=3, seed=7, allow_member_setup=allow_member_setup
    ) as sb:
        yield sb
