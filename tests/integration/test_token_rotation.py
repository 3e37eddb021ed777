"""Installations by scope id, and token rotation under the row lock shared by every process: an
expiring token is refreshed once, whoever races for it, and the new tokens are saved with it.
Slack is the sandbox, with token rotation on."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.client import SlackClients
from serendip.adapters.slack.installations import Installations, NotInstalled, TokenRotationFailed
from serendip.adapters.slack.installations.authorize import request_installation
from serendip_sandbox import SlackEmulator, Workspace, generate_grid_org, generate_workspace
from tests.support.installs import install, installations_on, refreshes


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    """A sandbox with two workspaces and a Grid org of two, none installed through OAuth yet."""
    with SlackEmulator(generate_workspace(6, 2, seed=21), token_rotation=True) as emulator:
        emulator.add_workspace(generate_workspace(6, 2, seed=22), installed=False)
        emulator.add_workspace(generate_grid_org(people_per_team=4, seed=23), installed=False)
        yield emulator


def teams(slack: SlackEmulator) -> tuple[str, str]:
    """The two plain workspaces' team ids."""
    return slack.workspaces[0].team.id, slack.workspaces[1].team.id


def org(slack: SlackEmulator) -> Workspace:
    """The Grid org (installed org-wide: its scope id is the enterprise id)."""
    return slack.workspaces[2]


def enterprise_id(slack: SlackEmulator) -> str:
    """The Grid org's enterprise id."""
    enterprise = org(slack).enterprise
    assert enterprise is not None
    return enterprise.id


def team_of(slack: SlackEmulator, token: str) -> str:
    """The team (or, org-wide, the enterprise) Slack says a token belongs to."""
    answer = WebClient(token=token, base_url=slack.api_url).auth_test()
    return str(answer.get("enterprise_id") if answer.get("is_enterprise_install") else answer["team_id"])


def test_a_team_install_is_found_by_its_team_id_and_an_org_wide_install_by_its_enterprise_id(
    database: Database, slack: SlackEmulator
) -> None:
    installations = installations_on(database, slack)
    team_a, team_b = teams(slack)
    org_id = enterprise_id(slack)
    installed = {scope: install(installations, slack, scope) for scope in (team_a, org_id)}
    for scope in (team_a, org_id):
        found = installations.store.find_by_scope(scope)
        assert found is not None and found.bot_token == installed[scope].bot_token
    assert installations.store.find_by_scope(team_b) is None
    assert installations.scope_ids() == sorted([team_a, org_id])


def test_a_request_from_an_org_workspace_is_served_by_the_org_wide_install(
    database: Database, slack: SlackEmulator
) -> None:
    installations = installations_on(database, slack)
    org_id = enterprise_id(slack)
    installed = install(installations, slack, org_id)
    rotation, second_team = installations.rotation, org(slack).teams[1].id
    for org_wide in (True, False):  # the payload's flag, and a workspace event that lacks it
        found = request_installation(
            rotation, enterprise_id=org_id, team_id=second_team, is_enterprise_install=org_wide
        )
        assert found is not None and found.bot_token == installed.bot_token
    nobody = request_installation(
        rotation, enterprise_id=None, team_id=second_team, is_enterprise_install=False
    )
    assert nobody is None


def test_a_reinstall_serves_the_newest_installation(database: Database, slack: SlackEmulator) -> None:
    installations = installations_on(database, slack)
    team_a, _ = teams(slack)
    install(installations, slack, team_a)
    newer = install(installations, slack, team_a)
    assert installations.bot_token(team_a) == newer.bot_token


def test_a_fresh_token_is_served_without_a_refresh(database: Database, slack: SlackEmulator) -> None:
    installations = installations_on(database, slack)
    team_a, _ = teams(slack)
    installed = install(installations, slack, team_a)
    assert installations.bot_token(team_a) == installed.bot_token
    assert refreshes(slack) == []


def test_an_expiring_token_is_refreshed_once_and_saved_for_the_next_use(
    database: Database, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    installations = installations_on(database, slack)
    team_a, _ = teams(slack)
    slack.token_lifetime = 60  # inside the two-hour margin at once
    installed = install(installations, slack, team_a)
    slack.token_lifetime = 43_200
    with caplog.at_level(logging.INFO):
        token = installations.bot_token(team_a)
    assert token != installed.bot_token and team_of(slack, token) == team_a
    assert installations.bot_token(team_a) == token  # saved: no second refresh
    assert [call.ok for call in refreshes(slack)] == [True]
    bot = installations.store.find_bot(enterprise_id=None, team_id=team_a)
    assert bot is not None and bot.bot_token == token  # slack-sdk's bot row has the new token too
    assert f"install.token_rotated scope={team_a} expires_in=" in caplog.text
    assert token not in caplog.text and (installed.bot_refresh_token or "-") not in caplog.text


def test_an_org_wide_install_is_rotated_by_its_enterprise_id(
    database: Database, slack: SlackEmulator
) -> None:
    installations = installations_on(database, slack)
    org_id = enterprise_id(slack)
    slack.token_lifetime = 60
    install(installations, slack, org_id)
    slack.token_lifetime = 43_200
    token = installations.bot_token(org_id)
    assert [call.ok for call in refreshes(slack)] == [True] and team_of(slack, token) == org_id
    bot = installations.store.find_bot(enterprise_id=org_id, team_id=None, is_enterprise_install=True)
    assert bot is not None and bot.bot_token == token


def test_two_processes_racing_to_rotate_one_installation_refresh_it_once(
    database_url: str, slack: SlackEmulator
) -> None:
    serve_db, worker_db = Database(database_url), Database(database_url)
    team_a, _ = teams(slack)
    try:
        serve, worker = installations_on(serve_db, slack), installations_on(worker_db, slack)
        slack.token_lifetime = 60
        install(serve, slack, team_a)
        slack.token_lifetime = 43_200
        slack.slow_down("oauth.v2.access", 0.5)  # both read the expiring row before either saves
        start = threading.Barrier(2)
        tokens: dict[str, str] = {}

        def use(name: str, installations: Installations) -> None:
            start.wait()
            tokens[name] = installations.bot_token(team_a)

        threads = [threading.Thread(target=use, args=args) for args in (("serve", serve), ("worker", worker))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert [call.ok for call in refreshes(slack)] == [True]
        assert tokens["serve"] == tokens["worker"] == serve.bot_token(team_a)
    finally:
        serve_db.dispose()
        worker_db.dispose()


def test_a_failed_refresh_keeps_a_token_that_is_still_valid(
    database: Database, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    team_a, _ = teams(slack)
    slack.token_lifetime = 60
    installed = install(installations_on(database, slack), slack, team_a)
    # The client secret was regenerated on the app's page: Slack now refuses our refreshes.
    installations = installations_on(database, slack, client_secret="0" * 32)
    with caplog.at_level(logging.WARNING):
        assert installations.bot_token(team_a) == installed.bot_token
    assert (
        f"install.rotation_failed scope={team_a} error=bad_client_secret token_still_valid=true"
        in caplog.text
    )


def test_an_expired_token_that_cannot_be_refreshed_is_a_clear_error(
    database: Database, slack: SlackEmulator
) -> None:
    team_a, _ = teams(slack)
    slack.token_lifetime = 1
    install(installations_on(database, slack), slack, team_a)
    time.sleep(1.2)  # the token has expired
    installations = installations_on(database, slack, client_secret="0" * 32)
    with pytest.raises(TokenRotationFailed, match="bad_client_secret"):
        installations.bot_token(team_a)
    rotation = installations.rotation
    assert (
        request_installation(rotation, enterprise_id=None, team_id=team_a, is_enterprise_install=False)
        is None
    )


def test_slack_clients_answer_each_scope_with_its_installations_current_token(
    database: Database, slack: SlackEmulator
) -> None:
    installations = installations_on(database, slack)
    team_a, team_b = teams(slack)
    org_id = enterprise_id(slack)
    slack.token_lifetime = 60
    install(installations, slack, team_a)
    slack.token_lifetime = 43_200
    org_install = install(installations, slack, org_id)
    clients = SlackClients(None, slack.api_url, installations=installations)
    team_client = clients.for_team(team_a)
    assert team_client.base_url == slack.api_url
    assert team_client.token == installations.bot_token(team_a) and len(refreshes(slack)) == 1
    assert team_client.auth_test()["team_id"] == team_a
    assert clients.for_team(org_id).token == org_install.bot_token
    with pytest.raises(NotInstalled):
        clients.for_team(team_b)
    with pytest.raises(ValueError, match="name the scope id"):
        clients.for_team()
    assert clients.scope_ids() == sorted([team_a, org_id])


def test_token_mode_clients_are_the_one_bot_tokens_whatever_team_is_named() -> None:
    clients = SlackClients("xoxb-1", "https://slack.com/api/")
    assert clients.for_team() is clients.for_team("T0000009")
    assert clients.for_team().token == "xoxb-1" and not clients.oauth_mode and clients.scope_ids() == []
