"""One emulator hosts several workspaces of one app; every call is answered by its token's workspace."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from serendip_sandbox import SlackDriver, SlackEmulator, Workspace, generate_workspace


def error_of(call: object) -> str:
    """Run a WebClient call that must fail and return Slack's error code."""
    with pytest.raises(SlackApiError) as failure:
        call()  # type: ignore[operator]
    return str(failure.value.response["error"])


def client_for(emulator: SlackEmulator, token: str) -> WebClient:
    """slack_sdk's WebClient with ``token``, pointed at the emulator."""
    return WebClient(token=token, base_url=emulator.api_url)


def test_each_token_opens_only_the_workspace_that_issued_it(
    emulator: SlackEmulator, workspace: Workspace, other_workspace: Workspace
) -> None:
    first, second = client_for(emulator, workspace.bot_token), client_for(emulator, other_workspace.bot_token)
    assert first.auth_test()["team_id"] == workspace.team.id
    assert second.auth_test()["team_id"] == other_workspace.team.id
    someone_of_first = workspace.humans()[0].id
    coffee_of_first = workspace.channel_named("coffee-chats").id
    assert error_of(lambda: second.users_info(user=someone_of_first)) == "user_not_found"
    assert error_of(lambda: second.conversations_info(channel=coffee_of_first)) == "channel_not_found"
    coffee_of_second = other_workspace.channel_named("coffee-chats").id
    second.chat_postMessage(channel=coffee_of_second, text="Pairs are out!")
    assert [m["text"] for m in emulator.state_of(other_workspace.team.id).messages(coffee_of_second)] == [
        "Pairs are out!"
    ]
    assert emulator.messages(coffee_of_first) == []


def test_added_workspaces_belong_to_the_same_app(
    emulator: SlackEmulator, workspace: Workspace, other_workspace: Workspace
) -> None:
    assert other_workspace.app_id == workspace.app_id
    assert other_workspace.signing_secret == emulator.signing_secret
    assert other_workspace.bot.app_id == workspace.app_id
    assert other_workspace.bot_token != workspace.bot_token
    assert [w.team.id for w in emulator.workspaces] == [workspace.team.id, other_workspace.team.id]


def test_a_workspace_generated_from_the_same_seed_is_refused(emulator: SlackEmulator) -> None:
    with pytest.raises(ValueError, match="already hosted"):
        emulator.add_workspace(generate_workspace(people=40, departments=6, seed=7))


def test_unknown_revoked_and_expired_tokens_get_slacks_errors(
    emulator: SlackEmulator, other_workspace: Workspace
) -> None:
    assert error_of(client_for(emulator, "xoxb-1-never-issued").auth_test) == "invalid_auth"
    assert emulator.revoke_token(other_workspace.bot_token)
    assert error_of(client_for(emulator, other_workspace.bot_token).auth_test) == "token_revoked"
    emulator.token_rotation = True
    rotating = emulator.install(other_workspace.team.id)["access_token"]
    assert rotating.startswith("xoxe.xoxb-1-")
    assert client_for(emulator, rotating).auth_test()["ok"]
    emulator.advance_clock(43_200)
    assert error_of(client_for(emulator, rotating).auth_test) == "token_expired"
    # The primary's ready-made token never expires, as a non-rotating SLACK_BOT_TOKEN does not.
    assert client_for(emulator, emulator.bot_token).auth_test()["ok"]


def test_a_workspace_added_uninstalled_answers_only_tokens_from_its_install(emulator: SlackEmulator) -> None:
    later = emulator.add_workspace(generate_workspace(people=5, seed=21), installed=False)
    assert not emulator.is_installed(later.team.id)
    assert error_of(client_for(emulator, later.bot_token).auth_test) == "invalid_auth"
    installed = emulator.install(later.team.id, ["commands", "chat:write"])
    assert emulator.is_installed(later.team.id)
    answer = client_for(emulator, installed["access_token"]).auth_test()
    assert answer["team_id"] == later.team.id
    assert answer.headers["x-oauth-scopes"] == "chat:write,commands"


def test_the_call_log_names_the_install_and_token_behind_each_call(
    emulator: SlackEmulator, workspace: Workspace, other_workspace: Workspace
) -> None:
    client_for(emulator, workspace.bot_token).auth_test()
    second = client_for(emulator, other_workspace.bot_token)
    second.users_list()
    assert [c.method for c in emulator.calls_from(workspace.team.id)] == ["auth.test"]
    assert [c.method for c in emulator.calls_from(other_workspace.team.id)] == ["users.list"]
    assert emulator.calls_to("users.list")[0].token == other_workspace.bot_token
    assert "token" not in repr(emulator.calls_to("users.list")[0])
    assert emulator.foreign_calls() == []
    coffee_of_first = workspace.channel_named("coffee-chats").id
    assert (
        error_of(lambda: second.chat_postMessage(channel=coffee_of_first, text="hi")) == "channel_not_found"
    )
    leaked = emulator.foreign_calls()
    assert [(c.method, c.scope_id, c.params["channel"]) for c in leaked] == [
        ("chat.postMessage", other_workspace.team.id, coffee_of_first)
    ]


def test_commands_clicks_and_events_from_two_workspaces_carry_their_own_team(
    emulator: SlackEmulator,
    workspace: Workspace,
    other_workspace: Workspace,
    hosted_app: App,
    hosted_driver: SlackDriver,
) -> None:
    seen: list[tuple[str, str | None, bool]] = []

    @hosted_app.command("/coffee")
    def coffee(ack: Ack, respond: Respond, context: BoltContext) -> None:
        seen.append(("command", context.team_id, bool(context.is_enterprise_install)))
        ack()
        respond(f"Joined in {context.team_id}")

    @hosted_app.action("join")
    def join(ack: Ack, context: BoltContext) -> None:
        seen.append(("click", context.team_id, bool(context.is_enterprise_install)))
        ack()

    @hosted_app.event("member_joined_channel")
    def joined(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        seen.append(("event", context.team_id, bool(context.is_enterprise_install)))
        client.chat_postMessage(channel=body["event"]["channel"], text="Welcome!")

    second = hosted_driver.for_team(other_workspace.team.id)
    person = other_workspace.humans()[1].id
    coffee_chats = other_workspace.channel_named("coffee-chats").id
    result = second.slash_command(person, "join", channel_id=coffee_chats)
    assert result.sent["team_id"] == other_workspace.team.id
    assert result.wait_for_responses(1)[0]["text"] == f"Joined in {other_workspace.team.id}"
    assert (
        second.block_action(person, "join", "yes", message={"ts": "1.0"}, channel_id=coffee_chats).status
        == 200
    )
    newcomer = other_workspace.humans()[2].id
    envelope = second.member_left_channel(newcomer, coffee_chats).sent
    assert envelope["team_id"] == other_workspace.team.id
    assert envelope["authorizations"][0]["team_id"] == other_workspace.team.id
    second.member_joined_channel(newcomer, coffee_chats)
    emulator.state_of(other_workspace.team.id).wait_for_messages(coffee_chats, 1)  # the event was handled
    hosted_driver.slash_command(workspace.humans()[0].id, "join")
    team = other_workspace.team.id
    from_both = [("command", team, False), ("click", team, False), ("event", team, False)]
    assert sorted(seen) == sorted([*from_both, ("command", workspace.team.id, False)])
    assert [c.scope_id for c in emulator.calls_to("chat.postMessage")] == [team]
    assert emulator.foreign_calls() == []


def test_rate_limits_count_per_workspace_as_slacks_tiers_do(
    emulator: SlackEmulator, workspace: Workspace, other_workspace: Workspace
) -> None:
    emulator.rate_limit("users.info", per_minute=2)
    for served in (workspace, other_workspace):
        client = client_for(emulator, served.bot_token)
        someone = served.humans()[0].id
        assert client.users_info(user=someone)["ok"] and client.users_info(user=someone)["ok"]
    assert emulator.count("users.info", ok=True) == 4
    assert error_of(lambda: client.users_info(user=someone)) == "ratelimited"


def test_calls_with_a_revoked_token_still_name_its_workspace_in_the_log(
    emulator: SlackEmulator, other_workspace: Workspace
) -> None:
    emulator.uninstall(other_workspace.team.id)
    assert error_of(client_for(emulator, other_workspace.bot_token).auth_test) == "token_revoked"
    [call] = emulator.calls_from(other_workspace.team.id)
    assert (call.method, call.error) == ("auth.test", "token_revoked")
