"""OAuth mode over real HTTP: "Add to Slack" on /slack/install, Slack's redirect back with the state
cookie carried explicitly (it is Secure, so no client sends it over plain http by itself), the stored
installation and workspace row, and each workspace's requests served with its own token."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from itertools import count

import httpx
import pytest
from pydantic import SecretStr

from serendip.adapters.db.models import Workspace
from serendip.adapters.slack.installations import Installations
from serendip.adapters.slack.oauth import authorize_url
from serendip.config import Settings
from serendip.entrypoints.local_bot import LocalBot
from serendip_sandbox.driver import sign
from tests.support.oauth_slack import Grant, OAuthSlack
from tests.support.wait import eventually

CLIENT_ID, CLIENT_SECRET, SIGNING_SECRET = "111.222", "client-secret", "signing-secret"
TEAM_A, TEAM_B = Grant("T000000A"), Grant("T000000B")
ORG = Grant(None, enterprise_id="E0000001", org_wide=True)
_events = count(1)


@pytest.fixture
def slack() -> Iterator[OAuthSlack]:
    with OAuthSlack(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as server:
        yield server


@pytest.fixture
def bot(slack: OAuthSlack, database_url: str) -> Iterator[LocalBot]:
    settings = Settings(
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=SecretStr(CLIENT_SECRET),
        SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )
    with LocalBot(settings) as running:
        slack.redirect_url = f"{running.url}/slack/oauth_redirect"
        yield running


def installations(bot: LocalBot) -> Installations:
    """The bot's own installation stores."""
    assert bot.container.installations is not None
    return bot.container.installations


def start_install(bot: LocalBot) -> tuple[str, str]:
    """Open "Add to Slack": the authorize URL on the page and the state set in the cookie."""
    page = httpx.get(f"{bot.url}/slack/install")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    state = re.search(r"slack-app-oauth-state=([^;]+)", cookie)
    link = re.search(r'href="([^"]+/oauth/v2/authorize\?[^"]+)"', page.text)
    assert state is not None and link is not None
    return link.group(1).replace("&amp;", "&"), state.group(1)


def install_through_the_browser(bot: LocalBot, slack: OAuthSlack, grant: Grant) -> httpx.Response:
    """The whole flow: install page, Slack's authorize page, the redirect back with the cookie."""
    slack.grant_to_authorize = grant
    url, state = start_install(bot)
    redirect = httpx.get(url)
    assert redirect.status_code == 302
    return httpx.get(redirect.headers["location"], headers={"Cookie": f"slack-app-oauth-state={state}"})


def home_opened(
    bot: LocalBot, user: str, *, team: str, enterprise: str | None = None, org_wide: bool = False
) -> int:
    """A signed app_home_opened event from ``user`` in ``team`` (of ``enterprise``)."""
    body = json.dumps(
        {
            "type": "event_callback",
            "token": "unused",
            "team_id": team,
            "enterprise_id": enterprise,
            "api_app_id": "A0APP",
            "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"},
            "event_id": f"Ev{next(_events):08d}",
            "event_time": int(time.time()),
            "is_enterprise_install": org_wide,
            "authorizations": [
                {
                    "enterprise_id": enterprise,
                    "team_id": None if org_wide else team,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": org_wide,
                }
            ],
        }
    )
    now = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(SIGNING_SECRET, now, body),
    }
    return httpx.post(f"{bot.url}/slack/events", content=body, headers=headers).status_code


def test_authorize_url_follows_slack_api_url() -> None:
    assert authorize_url("https://slack.com/api/") == "https://slack.com/oauth/v2/authorize"
    assert authorize_url("https://slack-gov.com/api/") == "https://slack-gov.com/oauth/v2/authorize"
    assert authorize_url("http://127.0.0.1:4567/api/") == "http://127.0.0.1:4567/oauth/v2/authorize"


def test_the_install_page_links_to_slacks_authorize_page_with_the_code_scopes(
    bot: LocalBot, slack: OAuthSlack
) -> None:
    url, state = start_install(bot)
    assert url.startswith(authorize_url(slack.api_url) + "?")
    query = httpx.URL(url).params
    assert query["client_id"] == CLIENT_ID and query["state"] == state
    assert "commands" in query["scope"].split(",") and "chat:write" in query["scope"].split(",")


def test_an_install_stores_the_installation_and_creates_the_workspace(
    bot: LocalBot, slack: OAuthSlack, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        done = install_through_the_browser(bot, slack, TEAM_A)
    assert done.status_code == 200
    installation = installations(bot).store.find_by_scope("T000000A")
    assert installation is not None and slack.grant_of(installation.bot_token or "") == TEAM_A
    assert installation.bot_refresh_token is not None and installation.bot_token_expires_at is not None
    with bot.container.db.transaction() as session:
        workspace = session.get(Workspace, "T000000A")
        assert workspace is not None and workspace.name == "Team T000000A"
        assert workspace.bot_user_id == "UBOTT000000A"
    assert "install.completed scope=T000000A enterprise= team=T000000A" in caplog.text
    assert (installation.bot_token or "-") not in caplog.text and "xoxe-1-" not in caplog.text


def test_an_org_wide_install_is_scoped_by_its_enterprise_id(bot: LocalBot, slack: OAuthSlack) -> None:
    assert install_through_the_browser(bot, slack, ORG).status_code == 200
    assert installations(bot).scope_ids() == ["E0000001"]
    with bot.container.db.transaction() as session:
        assert session.get(Workspace, "E0000001") is not None


def test_a_redirect_without_the_state_cookie_installs_nothing(bot: LocalBot, slack: OAuthSlack) -> None:
    slack.grant_to_authorize = TEAM_A
    url, _state = start_install(bot)
    redirect = httpx.get(url)
    answer = httpx.get(redirect.headers["location"])
    assert answer.status_code == 400
    assert installations(bot).scope_ids() == []


def test_a_redirect_replayed_after_the_install_is_refused(bot: LocalBot, slack: OAuthSlack) -> None:
    slack.grant_to_authorize = TEAM_A
    url, state = start_install(bot)
    location = httpx.get(url).headers["location"]
    cookie = {"Cookie": f"slack-app-oauth-state={state}"}
    assert httpx.get(location, headers=cookie).status_code == 200
    assert httpx.get(location, headers=cookie).status_code == 401  # the state was used up


def test_each_workspaces_request_is_served_with_its_own_installations_token(
    bot: LocalBot, slack: OAuthSlack
) -> None:
    for grant in (TEAM_A, TEAM_B, ORG):
        assert install_through_the_browser(bot, slack, grant).status_code == 200
    assert home_opened(bot, "UALICE", team="T000000A") == 200
    assert home_opened(bot, "UBOB", team="T000000B") == 200
    assert home_opened(bot, "UCAROL", team="T000000C", enterprise="E0000001", org_wide=True) == 200

    def published() -> dict[str, Grant | None]:
        calls = [c for c in slack.calls if c.method == "views.publish"]
        return {c.user: slack.grant_of(c.token) for c in calls} if len(calls) == 3 else {}

    assert eventually(published) == {"UALICE": TEAM_A, "UBOB": TEAM_B, "UCAROL": ORG}
    # users.info too went out with the asking workspace's token, never another's.
    assert {c.user: slack.grant_of(c.token) for c in slack.calls if c.method == "users.info"} == {
        "UALICE": TEAM_A,
        "UBOB": TEAM_B,
        "UCAROL": ORG,
    }


def test_a_workspace_that_never_installed_gets_no_answer_with_anyones_token(
    bot: LocalBot, slack: OAuthSlack
) -> None:
    assert install_through_the_browser(bot, slack, TEAM_A).status_code == 200
    home_opened(bot, "UMALLORY", team="T0000666")
    time.sleep(0.5)
    assert slack.calls == []


def test_token_mode_has_no_install_pages(slack: OAuthSlack, database_url: str) -> None:
    settings = Settings(
        SLACK_BOT_TOKEN=SecretStr("xoxb-1"),
        SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
        SLACK_API_URL=slack.api_url,
        DATABASE_URL=database_url,
    )
    with LocalBot(settings) as token_bot:
        assert httpx.get(f"{token_bot.url}/slack/install").status_code == 404
        assert httpx.get(f"{token_bot.url}/slack/oauth_redirect?code=x&state=y").status_code == 404
        assert token_bot.container.installations is None
