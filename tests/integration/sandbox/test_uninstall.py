"""Uninstalling in the emulator revokes the install's tokens and sends Slack's lifecycle events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import FileInstallationStore, Installation

from serendip_sandbox import SlackDriver, SlackEmulator, Workspace
from tests.integration.sandbox.conftest import serve_bolt
from tests.support.wait import eventually


def error_of(call: object) -> str:
    """Run a WebClient call that must fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as failure:
        call()  # type: ignore[operator]
    return str(failure.value.response["error"])


def lifecycle_bodies(app: App) -> list[dict[str, Any]]:
    """Record every lifecycle event ``app`` receives."""
    received: list[dict[str, Any]] = []
    for kind in ("app_uninstalled", "tokens_revoked", "team_access_revoked"):
        app.event(kind)(lambda body: received.append(body))
    return received


def test_uninstalling_revokes_every_token_and_sends_tokens_revoked_then_app_uninstalled(
    emulator: SlackEmulator, workspace: Workspace, hosted_app: App, hosted_driver: SlackDriver
) -> None:
    received = lifecycle_bodies(hosted_app)
    emulator.token_rotation = True
    installed = emulator.install(workspace.team.id, ["commands"], ["identify"])
    installer = installed["authed_user"]["id"]
    results = hosted_driver.uninstall()
    assert [r.status for r in results] == [200, 200]
    eventually(lambda: len(received) == 2)
    revoked, uninstalled = received
    assert revoked["event"] == {
        "type": "tokens_revoked",
        "tokens": {"oauth": [installer], "bot": [workspace.bot.id]},
    }
    assert uninstalled["event"] == {"type": "app_uninstalled"}
    for body in received:
        assert body["team_id"] == workspace.team.id and body["api_app_id"] == workspace.app_id
        assert "authorizations" not in body and "enterprise_id" not in body
    for token in (workspace.bot_token, installed["access_token"], installed["authed_user"]["access_token"]):
        assert error_of(WebClient(token=token, base_url=emulator.api_url).auth_test) == "token_revoked"
    refresh = WebClient(base_url=emulator.api_url).oauth_v2_access
    assert (
        error_of(
            lambda: refresh(
                client_id=emulator.client_id,
                client_secret=emulator.client_secret,
                grant_type="refresh_token",
                refresh_token=installed["refresh_token"],
            )
        )
        == "invalid_refresh_token"
    )
    assert not emulator.is_installed(workspace.team.id)


def test_uninstalling_one_workspace_leaves_the_others_installed(
    emulator: SlackEmulator, workspace: Workspace, other_workspace: Workspace, hosted_driver: SlackDriver
) -> None:
    hosted_driver.for_team(other_workspace.team.id).app_uninstalled()
    assert not emulator.is_installed(other_workspace.team.id)
    assert WebClient(token=workspace.bot_token, base_url=emulator.api_url).auth_test()["ok"]
    reinstalled = emulator.install(other_workspace.team.id)
    assert WebClient(token=reinstalled["access_token"], base_url=emulator.api_url).auth_test()["ok"]


def test_an_org_wide_uninstall_is_sent_with_the_enterprise_id(
    emulator: SlackEmulator, grid_org: Workspace, hosted_app: App, hosted_driver: SlackDriver
) -> None:
    assert grid_org.enterprise is not None
    received = lifecycle_bodies(hosted_app)
    hosted_driver.for_team(grid_org.teams[1].id).uninstall(app_uninstalled_first=True)
    eventually(lambda: len(received) == 2)
    assert [b["event"]["type"] for b in received] == ["app_uninstalled", "tokens_revoked"]
    for body in received:
        assert (body["enterprise_id"], body["team_id"]) == (grid_org.enterprise.id, None)
    assert received[1]["event"]["tokens"] == {"oauth": [], "bot": [grid_org.bot.id]}
    assert (
        error_of(WebClient(token=grid_org.bot_token, base_url=emulator.api_url).auth_test) == "token_revoked"
    )


@pytest.fixture
def bolt_with_store(
    emulator: SlackEmulator, tmp_path: Path
) -> Iterator[tuple[SlackDriver, FileInstallationStore]]:
    """A Bolt app keeping installations in a store, with Bolt's own token revocation listeners."""
    store = FileInstallationStore(base_dir=str(tmp_path))
    app = App(
        signing_secret=emulator.signing_secret,
        installation_store=store,
        client=WebClient(base_url=emulator.api_url),
    )
    app.enable_token_revocation_listeners()
    server = serve_bolt(app)
    with SlackDriver(f"{server.url}/slack/events", emulator.signing_secret, emulator) as driver:
        yield driver, store
    server.stop()


def test_bolts_own_revocation_listeners_delete_the_installation_on_these_events(
    emulator: SlackEmulator, workspace: Workspace, bolt_with_store: tuple[SlackDriver, FileInstallationStore]
) -> None:
    driver, store = bolt_with_store
    installed = emulator.install(workspace.team.id, ["commands"])
    store.save(
        Installation(
            app_id=workspace.app_id,
            team_id=workspace.team.id,
            user_id=installed["authed_user"]["id"],
            bot_token=installed["access_token"],
            bot_id=workspace.bot.bot_id,
            bot_user_id=workspace.bot.id,
        )
    )
    assert store.find_bot(enterprise_id=None, team_id=workspace.team.id) is not None
    driver.uninstall()
    team = workspace.team.id
    eventually(
        lambda: (
            store.find_bot(enterprise_id=None, team_id=team) is None
            and store.find_installation(enterprise_id=None, team_id=team) is None
        )
    )
