"""Revocation events in any order, in OAuth mode: the sandbox revokes the install's tokens and sends
Slack's lifecycle events, signed over HTTP, to the real Bolt app serving installs from slack-sdk's
store; a workspace counts as uninstalled exactly when its last bot token is gone."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.installation_rows import StoredInstallations
from serendip.entrypoints.local_bot import LocalBot
from serendip.services import uninstall
from serendip_sandbox import SlackDriver, SlackEmulator, generate_grid_org, generate_workspace
from serendip_sandbox.results import HttpResult
from tests.integration.test_oauth_install import install_through_the_browser
from tests.support import installations as rows
from tests.support.drivers import person_driver
from tests.support.installs import install, installations_on, oauth_settings
from tests.support.wait import eventually

HANDLED = ("slack.installation_removed", "slack.tokens_revoked", "slack.revocation_without_scope")


@dataclass
class OAuthBot:
    """The sandbox (a workspace and a Grid org, both installed through OAuth), the bot, the driver."""

    slack: SlackEmulator
    bot: LocalBot
    driver: SlackDriver
    caplog: pytest.LogCaptureFixture

    @property
    def db(self) -> Database:
        """The bot's database."""
        return self.bot.container.db

    @property
    def team(self) -> str:
        """The plain workspace's team id."""
        return self.slack.workspace.team.id

    @property
    def org(self) -> str:
        """The Grid org's enterprise id."""
        enterprise = self.slack.workspaces[1].enterprise
        assert enterprise is not None
        return enterprise.id

    @property
    def grid_teams(self) -> list[str]:
        """The team ids of the org's two workspaces."""
        return [team.id for team in self.slack.workspaces[1].teams]

    def send(self, deliver: Callable[[], HttpResult]) -> None:
        """Have the sandbox act and send its event, then wait until the listener has acted (after the ack)."""
        seen = self.handled()
        assert deliver().status == 200
        eventually(lambda: self.handled() > seen)

    def handled(self) -> int:
        """How many revocation events the bot finished handling."""
        return sum(r.getMessage().startswith(HANDLED) for r in self.caplog.records)

    def marked(self, scope_id: str) -> datetime | None:
        """When the scope was marked uninstalled."""
        return uninstall.uninstalled_at(self.db, scope_id)

    def has_bot(self, scope_id: str) -> bool:
        """Whether a bot token of the scope is still stored."""
        return StoredInstallations(self.db).has_bot(scope_id)


@pytest.fixture
def oauth(database_url: str, caplog: pytest.LogCaptureFixture) -> Iterator[OAuthBot]:
    """The bot in OAuth mode; the workspace installed twice (the bot's install, then one that left
    only the installer's user token), the Grid org installed org-wide."""
    with SlackEmulator(generate_workspace(6, 2, seed=41)) as slack:
        slack.add_workspace(generate_grid_org(people_per_team=3, seed=43), installed=False)
        settings = oauth_settings(slack, database_url)
        with LocalBot(settings) as bot, person_driver(bot.events_url, slack) as driver:
            caplog.set_level(logging.INFO)
            sandbox = OAuthBot(slack, bot, driver, caplog)
            stores = installations_on(bot.container.db, slack)
            install(stores, slack, sandbox.team)
            rows.install(bot.container.db, installer=slack.workspace.humans()[0].id, team_id=sandbox.team)
            install(stores, slack, sandbox.org)
            yield sandbox


EVENTS: dict[str, Callable[[SlackDriver], HttpResult]] = {
    "app_uninstalled": lambda driver: driver.app_uninstalled(),
    "bot_revoked": lambda driver: driver.tokens_revoked(oauth=[]),
    "user_revoked": lambda driver: driver.tokens_revoked(bot=[], oauth=[driver.workspace.humans()[0].id]),
}


@pytest.mark.parametrize(
    "order",
    list(itertools.permutations(EVENTS)),
    ids=lambda order: ",".join(order),
)
def test_the_workspace_is_uninstalled_by_the_first_event_that_leaves_it_no_bot_token(
    oauth: OAuthBot, order: tuple[str, ...]
) -> None:
    assert oauth.has_bot(oauth.team)
    marked: datetime | None = None
    for kind in order:
        oauth.send(lambda kind=kind: EVENTS[kind](oauth.driver))
        if kind == "user_revoked":  # Serendip keeps no user tokens: the bot's install still serves
            assert oauth.marked(oauth.team) == marked
            continue
        marked = marked or oauth.marked(oauth.team)
        assert marked is not None and oauth.marked(oauth.team) == marked  # from the first one on
        assert not oauth.has_bot(oauth.team)
    assert (oauth.marked(oauth.org), oauth.has_bot(oauth.org)) == (None, True)  # the org is untouched
    lines = [
        r.getMessage() for r in oauth.caplog.records if r.getMessage().startswith("workspace.uninstalled")
    ]
    assert len(lines) == 1 and f"scope={oauth.team} " in lines[0]


def test_an_uninstall_removes_every_installation_of_the_workspace_even_one_without_a_bot(
    oauth: OAuthBot,
) -> None:
    oauth.send(oauth.driver.tokens_revoked)
    # Left: the later install's rows (its installer's user token, and slack-sdk's bot row without a token).
    assert rows.count(oauth.db, oauth.team) == 2 and not oauth.has_bot(oauth.team)
    oauth.send(oauth.driver.app_uninstalled)
    assert rows.count(oauth.db, oauth.team) == 0


@pytest.mark.parametrize("org_first", [True, False], ids=["org-uninstalled-first", "team-access-first"])
def test_on_grid_a_workspace_losing_access_is_uninstalled_but_the_org_only_with_its_own_token(
    oauth: OAuthBot, org_first: bool
) -> None:
    lost, kept = oauth.grid_teams
    # The lost workspace was also installed on its own, and Serendip stored data for it.
    rows.install(
        oauth.db, installer="W0INSTALL", team_id=lost, enterprise_id=oauth.org, bot_user_id="U0TEAMBOT"
    )
    with oauth.db.transaction() as session:
        repo.get_or_create_workspace(session, lost)
    org_driver = oauth.driver.for_team(lost)
    events = [org_driver.app_uninstalled, org_driver.team_access_revoked]
    for deliver in events if org_first else reversed(events):
        oauth.send(deliver)
        if deliver == org_driver.app_uninstalled:
            assert oauth.marked(oauth.org) is not None and not oauth.has_bot(oauth.org)
        else:
            assert oauth.marked(lost) is not None and not oauth.has_bot(lost)
    assert oauth.marked(kept) is None  # never stored: nothing to mark for it
    assert oauth.marked(oauth.team) is None and oauth.has_bot(oauth.team)  # the other install


def test_an_org_app_losing_a_workspace_keeps_the_org_installed(oauth: OAuthBot) -> None:
    lost = oauth.grid_teams[0]
    oauth.send(oauth.driver.for_team(lost).team_access_revoked)
    assert oauth.marked(oauth.org) is None and oauth.has_bot(oauth.org)
    assert oauth.marked(lost) is None  # Serendip never stored anything under that team


def test_installing_again_with_add_to_slack_clears_the_mark_and_the_rounds_resume(oauth: OAuthBot) -> None:
    oauth.slack.redirect_urls.append(f"{oauth.bot.url}/slack/oauth_redirect")
    oauth.send(oauth.driver.app_uninstalled)
    assert oauth.marked(oauth.team) is not None and not oauth.has_bot(oauth.team)

    done = install_through_the_browser(oauth.bot, oauth.slack, oauth.team)
    assert done.status_code == 200, done.text
    assert oauth.marked(oauth.team) is None and oauth.has_bot(oauth.team)
