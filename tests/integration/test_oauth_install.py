"""OAuth mode over real HTTP against the sandbox: "Add to Slack" on /slack/install, Slack's consent
page, the redirect back with the state cookie carried explicitly (it is Secure, so no client sends it
over plain http by itself), the stored installation and workspace row, and each workspace's requests
served with its own installation's token."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr

from serendip.adapters.db.models import Workspace
from serendip.adapters.slack.installations import Installations
from serendip.adapters.slack.oauth import authorize_url
from serendip.adapters.slack.scopes import BOT_SCOPES
from serendip.config import Settings
from serendip.entrypoints.local_bot import LocalBot
from serendip_sandbox import SlackEmulator, generate_grid_org, generate_workspace
from tests.support.drivers import person_driver
from tests.support.installs import install_through_the_browser, oauth_settings, start_install
from tests.support.wait import eventually


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    """Two workspaces and a Grid org of two; only OAuth installs give the bot a token for them."""
    with SlackEmulator(generate_workspace(6, 2, seed=31), token_rotation=True) as emulator:
        emulator.add_workspace(generate_workspace(6, 2, seed=32), installed=False)
        emulator.add_workspace(generate_grid_org(people_per_team=4, seed=33), installed=False)
        yield emulator


@pytest.fixture
def bot(slack: SlackEmulator, database_url: str) -> Iterator[LocalBot]:
    settings = oauth_settings(slack, database_url)
    with LocalBot(settings) as running:
        slack.redirect_urls.append(f"{running.url}/slack/oauth_redirect")
        yield running


def installations(bot: LocalBot) -> Installations:
    """The bot's own installation stores."""
    assert bot.container.installations is not None
    return bot.container.installations


def second_team(slack: SlackEmulator) -> str:
    """The team id of the plain workspace that is not the primary."""
    return slack.workspaces[1].team.id


def enterprise_id(slack: SlackEmulator) -> str:
    """The Grid org's enterprise id."""
    enterprise = slack.workspaces[2].enterprise
    assert enterprise is not None
    return enterprise.id


def test_authorize_url_follows_slack_api_url() -> None:
    assert authorize_url("https://slack.com/api/") == "https://slack.com/oauth/v2/authorize"
    assert authorize_url("https://slack-gov.com/api/") == "https://slack-gov.com/oauth/v2/authorize"
    assert authorize_url("http://127.0.0.1:4567/api/") == "http://127.0.0.1:4567/oauth/v2/authorize"


def test_the_install_page_links_to_slacks_authorize_page_with_the_code_scopes(
    bot: LocalBot, slack: SlackEmulator
) -> None:
    url, state = start_install(bot)
    assert url.startswith(slack.authorize_url + "?")
    query = httpx.URL(url).params
    assert query["client_id"] == slack.client_id and query["state"] == state
    assert query["scope"].split(",") == list(BOT_SCOPES)


def test_an_install_stores_the_installation_and_creates_the_workspace(
    bot: LocalBot, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    team = second_team(slack)
    with caplog.at_level(logging.INFO):
        done = install_through_the_browser(bot, slack, team)
    assert done.status_code == 200
    installation = installations(bot).store.find_by_scope(team)
    assert installation is not None and installation.bot_token is not None
    assert installation.bot_refresh_token is not None and installation.bot_token_expires_at is not None
    assert slack.is_installed(team)
    with bot.container.db.transaction() as session:
        workspace = session.get(Workspace, team)
        assert workspace is not None and workspace.name == slack.workspaces[1].team.name
        assert workspace.bot_user_id == slack.workspaces[1].bot.id
    assert f"install.completed scope={team} enterprise= team={team}" in caplog.text
    assert installation.bot_token not in caplog.text and installation.bot_refresh_token not in caplog.text


def test_an_org_wide_install_is_scoped_by_its_enterprise_id(bot: LocalBot, slack: SlackEmulator) -> None:
    org_id = enterprise_id(slack)
    assert install_through_the_browser(bot, slack, org_id).status_code == 200
    assert installations(bot).scope_ids() == [org_id]
    with bot.container.db.transaction() as session:
        assert session.get(Workspace, org_id) is not None


def test_a_redirect_without_the_state_cookie_installs_nothing(bot: LocalBot, slack: SlackEmulator) -> None:
    slack.set_installer(second_team(slack))
    url, _state = start_install(bot)
    answer = httpx.get(httpx.get(url).headers["location"])
    assert answer.status_code == 400
    assert installations(bot).scope_ids() == []


def test_a_redirect_replayed_after_the_install_is_refused(bot: LocalBot, slack: SlackEmulator) -> None:
    slack.set_installer(second_team(slack))
    url, state = start_install(bot)
    location = httpx.get(url).headers["location"]
    cookie = {"Cookie": f"slack-app-oauth-state={state}"}
    assert httpx.get(location, headers=cookie).status_code == 200
    assert httpx.get(location, headers=cookie).status_code == 401  # the state was used up


def test_a_failed_code_exchange_keeps_the_code_out_of_the_logs(
    bot: LocalBot, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    slack.set_installer(second_team(slack))
    url, state = start_install(bot)
    location = httpx.get(url).headers["location"]
    code = "1.2.forged-code-never-issued"
    forged = location.split("?")[0] + f"?code={code}&state={state}"
    with caplog.at_level(logging.DEBUG):
        answer = httpx.get(forged, headers={"Cookie": f"slack-app-oauth-state={state}"})
    assert answer.status_code >= 400
    assert slack.calls_to("oauth.v2.access"), "the exchange was tried"
    # Our loggers and Bolt's (through serendip.bolt); slack_sdk is capped at WARNING in production,
    # and the httpx lines are this test's own client.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("serendip"))
    assert "install.failed reason=invalid_code" in ours
    assert "forged" not in ours
    assert installations(bot).scope_ids() == []


def test_an_admin_who_cancels_installs_nothing(bot: LocalBot, slack: SlackEmulator) -> None:
    slack.set_installer(second_team(slack), approve=False)
    url, state = start_install(bot)
    location = httpx.get(url).headers["location"]
    answer = httpx.get(location, headers={"Cookie": f"slack-app-oauth-state={state}"})
    assert answer.status_code == 200 and "access_denied" in location
    assert installations(bot).scope_ids() == []


def test_each_workspaces_request_is_served_with_its_own_installations_token(
    bot: LocalBot, slack: SlackEmulator
) -> None:
    team, org_id = second_team(slack), enterprise_id(slack)
    grid_teams = [t.id for t in slack.workspaces[2].teams]
    for scope in (team, org_id):
        assert install_through_the_browser(bot, slack, scope).status_code == 200
    org_people = slack.workspaces[2].humans()
    askers = {
        team: slack.workspaces[1].humans()[0].id,
        # Both workspaces of the org, through the org-wide install.
        **{t: next(u.id for u in org_people if u.team_id == t) for t in grid_teams},
    }
    with person_driver(bot.events_url, slack) as driver:
        for asking_team, person in askers.items():  # one at a time: first sights create rows
            assert driver.for_team(asking_team).app_home_opened(person).status == 200
            eventually(
                lambda person=person: any(
                    c.params["user_id"] == person for c in slack.calls_to("views.publish")
                )
            )
    published = {str(c.params["user_id"]): c.scope_id for c in slack.calls_to("views.publish")}
    assert published == {askers[team]: team, askers[grid_teams[0]]: org_id, askers[grid_teams[1]]: org_id}
    assert all(c.ok for c in slack.calls.all() if c.method != "oauth.v2.access")
    assert slack.foreign_calls() == []


def test_a_workspace_that_never_installed_gets_no_answer_with_anyones_token(
    bot: LocalBot, slack: SlackEmulator
) -> None:
    assert install_through_the_browser(bot, slack, second_team(slack)).status_code == 200
    with person_driver(bot.events_url, slack) as driver:  # the primary workspace
        driver.app_home_opened(slack.workspace.humans()[0].id)
    time.sleep(0.5)
    assert slack.calls_to("views.publish") == [] and slack.calls_to("users.info") == []


def test_token_mode_has_no_install_pages(slack: SlackEmulator, database_url: str) -> None:
    settings = Settings(
        SLACK_BOT_TOKEN=SecretStr(slack.bot_token),
        SLACK_SIGNING_SECRET=SecretStr(slack.signing_secret),
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )
    with LocalBot(settings) as token_bot:
        assert httpx.get(f"{token_bot.url}/slack/install").status_code == 404
        assert httpx.get(f"{token_bot.url}/slack/oauth_redirect?code=x&state=y").status_code == 404
        assert token_bot.container.installations is None
