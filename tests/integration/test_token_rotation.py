"""Installations by scope id, and token rotation under the row lock shared by every process: an
expiring token is refreshed once, whoever races for it, and the new tokens are saved with it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
from slack_sdk.oauth.installation_store import Installation

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.client import SlackClients
from serendip.adapters.slack.installations import Installations, NotInstalled, TokenRotationFailed
from serendip.adapters.slack.installations.authorize import request_installation
from tests.support.oauth_slack import Grant, OAuthSlack

CLIENT_ID, CLIENT_SECRET = "111.222", "client-secret"
TEAM = Grant("T0000001")
ORG = Grant(None, enterprise_id="E0000001", org_wide=True)
GRID_TEAM = Grant("T0000003", enterprise_id="E0000001")


@pytest.fixture
def slack() -> Iterator[OAuthSlack]:
    with OAuthSlack(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, expires_in=43_200) as server:
        yield server


def installations_on(db: Database, slack: OAuthSlack) -> Installations:
    """What one process (serve or worker) builds in OAuth mode."""
    return Installations.on(db, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, api_url=slack.api_url)


def install(installations: Installations, slack: OAuthSlack, grant: Grant) -> Installation:
    """Store what oauth.v2.access answers for ``grant``, as Bolt's OAuth flow does."""
    answer = slack.tokens_of(grant)
    installation = Installation(
        app_id=answer["app_id"],
        enterprise_id=grant.enterprise_id,
        team_id=grant.team_id,
        bot_token=answer["access_token"],
        bot_id="B" + grant.scope_id,
        bot_user_id=answer["bot_user_id"],
        bot_scopes=answer["scope"],
        bot_refresh_token=answer["refresh_token"],
        bot_token_expires_in=answer["expires_in"],
        user_id=grant.installer,
        is_enterprise_install=grant.org_wide,
        token_type="bot",
    )
    installations.store.save(installation)
    return installation


def test_a_team_install_is_found_by_its_team_id_and_an_org_wide_install_by_its_enterprise_id(
    database: Database, slack: OAuthSlack
) -> None:
    installations = installations_on(database, slack)
    team, org, grid_team = (install(installations, slack, g) for g in (TEAM, ORG, GRID_TEAM))
    store = installations.store
    assert store.find_by_scope("T0000001").bot_token == team.bot_token  # type: ignore[union-attr]
    assert store.find_by_scope("E0000001").bot_token == org.bot_token  # type: ignore[union-attr]
    assert store.find_by_scope("T0000003").bot_token == grid_team.bot_token  # type: ignore[union-attr]
    assert store.find_by_scope("T0000002") is None
    assert installations.scope_ids() == ["E0000001", "T0000001", "T0000003"]


def test_a_request_from_an_org_workspace_is_served_by_the_org_wide_install(
    database: Database, slack: OAuthSlack
) -> None:
    installations = installations_on(database, slack)
    org = install(installations, slack, ORG)
    rotation = installations.rotation
    for org_wide in (True, False):  # the payload's flag, and a workspace event that lacks it
        found = request_installation(
            rotation, enterprise_id="E0000001", team_id="T0000009", is_enterprise_install=org_wide
        )
        assert found is not None and found.bot_token == org.bot_token
    assert (
        request_installation(rotation, enterprise_id=None, team_id="T0000009", is_enterprise_install=False)
        is None
    )


def test_a_reinstall_serves_the_newest_installation(database: Database, slack: OAuthSlack) -> None:
    installations = installations_on(database, slack)
    install(installations, slack, TEAM)
    newer = install(installations, slack, TEAM)
    assert installations.bot_token("T0000001") == newer.bot_token


def test_a_fresh_token_is_served_without_a_refresh(database: Database, slack: OAuthSlack) -> None:
    installations = installations_on(database, slack)
    installed = install(installations, slack, TEAM)
    assert installations.bot_token("T0000001") == installed.bot_token
    assert slack.refresh_calls == 0


def test_an_expiring_token_is_refreshed_once_and_saved_for_the_next_use(
    database: Database, slack: OAuthSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.expires_in = 60  # inside the two-hour margin at once
    installations = installations_on(database, slack)
    installed = install(installations, slack, TEAM)
    slack.expires_in = 43_200
    with caplog.at_level(logging.INFO):
        token = installations.bot_token("T0000001")
    assert token != installed.bot_token and slack.grant_of(token) == TEAM
    assert installations.bot_token("T0000001") == token  # saved: no second refresh
    assert slack.refresh_calls == 1
    bot = installations.store.find_bot(enterprise_id=None, team_id="T0000001")
    assert bot is not None and bot.bot_token == token  # slack-sdk's bot row has the new token too
    assert "install.token_rotated scope=T0000001" in caplog.text
    assert token not in caplog.text and "xoxe-1-" not in caplog.text


def test_an_org_wide_install_is_rotated_by_its_enterprise_id(database: Database, slack: OAuthSlack) -> None:
    slack.expires_in = 60
    installations = installations_on(database, slack)
    install(installations, slack, ORG)
    slack.expires_in = 43_200
    token = installations.bot_token("E0000001")
    assert slack.refresh_calls == 1 and slack.grant_of(token) == ORG
    bot = installations.store.find_bot(enterprise_id="E0000001", team_id=None, is_enterprise_install=True)
    assert bot is not None and bot.bot_token == token


def test_two_processes_racing_to_rotate_one_installation_refresh_it_once(
    database_url: str, slack: OAuthSlack
) -> None:
    slack.expires_in = 60
    serve_db, worker_db = Database(database_url), Database(database_url)
    try:
        serve, worker = installations_on(serve_db, slack), installations_on(worker_db, slack)
        install(serve, slack, TEAM)
        slack.expires_in, slack.refresh_delay = 43_200, 0.5  # both read the old row before either saves
        start = threading.Barrier(2)
        tokens: dict[str, str] = {}

        def use(name: str, installations: Installations) -> None:
            start.wait()
            tokens[name] = installations.bot_token("T0000001")

        threads = [threading.Thread(target=use, args=args) for args in (("serve", serve), ("worker", worker))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert slack.refresh_calls == 1 and slack.refused_refreshes == 0
        assert tokens["serve"] == tokens["worker"] == serve.bot_token("T0000001")
    finally:
        serve_db.dispose()
        worker_db.dispose()


def test_a_failed_refresh_keeps_a_token_that_is_still_valid(
    database: Database, slack: OAuthSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.expires_in = 60
    installations = installations_on(database, slack)
    installed = install(installations, slack, TEAM)
    slack.client_secret = "rotated-on-the-app-page"  # Slack now refuses our refresh
    with caplog.at_level(logging.WARNING):
        assert installations.bot_token("T0000001") == installed.bot_token
    assert (
        "install.rotation_failed scope=T0000001 error=invalid_client_id token_still_valid=true" in caplog.text
    )


def test_an_expired_token_that_cannot_be_refreshed_is_a_clear_error(
    database: Database, slack: OAuthSlack
) -> None:
    slack.expires_in = -10
    installations = installations_on(database, slack)
    install(installations, slack, TEAM)
    slack.client_secret = "rotated-on-the-app-page"
    with pytest.raises(TokenRotationFailed, match="invalid_client_id"):
        installations.bot_token("T0000001")
    rotation = installations.rotation
    assert (
        request_installation(rotation, enterprise_id=None, team_id="T0000001", is_enterprise_install=False)
        is None
    )


def test_slack_clients_answer_each_scope_with_its_installations_current_token(
    database: Database, slack: OAuthSlack
) -> None:
    slack.expires_in = 60
    installations = installations_on(database, slack)
    install(installations, slack, TEAM)
    slack.expires_in = 43_200
    org = install(installations, slack, ORG)
    clients = SlackClients(None, slack.api_url, installations=installations)
    team_client = clients.for_team("T0000001")
    assert team_client.base_url == slack.api_url
    assert team_client.token == installations.bot_token("T0000001") and slack.refresh_calls == 1
    assert clients.for_team("E0000001").token == org.bot_token
    assert team_client.auth_test()["team_id"] == "T0000001"
    with pytest.raises(NotInstalled):
        clients.for_team("T0000002")
    with pytest.raises(ValueError, match="name the scope id"):
        clients.for_team()
    assert clients.scope_ids() == ["E0000001", "T0000001"]


def test_token_mode_clients_are_the_one_bot_tokens_whatever_team_is_named() -> None:
    clients = SlackClients("xoxb-1", "https://slack.com/api/")
    assert clients.for_team() is clients.for_team("T0000009")
    assert clients.for_team().token == "xoxb-1" and not clients.oauth_mode and clients.scope_ids() == []
