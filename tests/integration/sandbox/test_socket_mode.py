"""slack_sdk's builtin Socket Mode client connects to the emulator and answers its envelopes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from serendip_sandbox import SlackDriver, SlackEmulator, Workspace


@pytest.fixture
def socket_app(emulator: SlackEmulator, client: WebClient) -> App:
    """A Bolt app with a /coffee command, a join event and a profile view handler."""
    app = App(token=emulator.bot_token, client=client)

    @app.command("/coffee")
    def coffee(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack(f"Status for <@{command['user_id']}>: active")
        respond("Next round: Monday 10:00")

    @app.event("member_joined_channel")
    def on_join(event: dict[str, Any], client: WebClient) -> None:
        client.chat_postMessage(channel=event["user"], text="Welcome to coffee chats!")

    @app.view("profile")
    def save(ack: Ack) -> None:
        ack(response_action="errors", errors={"team": "Pick a team"})

    return app


class Received:
    """Every message the app's Socket Mode client received, with a way to wait for more."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._changed = threading.Condition()

    def record(self, _: BaseSocketModeClient, message: dict[str, Any], raw: str | None) -> None:
        """Message listener for SocketModeClient."""
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    def of_type(self, kind: str, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait for at least one message of ``kind`` and return all of them."""

        def matching() -> list[dict[str, Any]]:
            return [m for m in self.messages if m.get("type") == kind]

        with self._changed:
            found = self._changed.wait_for(matching, timeout)
        assert found, f"no {kind} message within {timeout}s"
        return found


@pytest.fixture
def received(socket_app: App, emulator: SlackEmulator, client: WebClient) -> Iterator[Received]:
    """Connect ``socket_app`` with SocketModeHandler; yields what its client receives."""
    messages = Received()
    handler = SocketModeHandler(socket_app, app_token=emulator.app_token, web_client=client)
    handler.client.message_listeners.append(messages.record)
    handler.connect()
    emulator.wait_for_socket()
    yield messages
    handler.close()


def test_the_builtin_client_connects_via_apps_connections_open_and_gets_hello(
    received: Received, emulator: SlackEmulator
) -> None:
    assert emulator.count("apps.connections.open", ok=True) == 1
    (hello,) = received.of_type("hello")
    assert hello["connection_info"]["app_id"] == emulator.workspace.app_id


def test_a_slash_command_envelope_is_acked_with_the_listeners_response(
    received: Received, emulator: SlackEmulator, workspace: Workspace
) -> None:
    member = workspace.humans()[0].id
    result = SlackDriver.socket(emulator).slash_command(member, "")
    assert result.status == 200
    assert result.json == {"text": f"Status for <@{member}>: active"}
    assert result.wait_for_responses(1)[0]["text"] == "Next round: Monday 10:00"
    (envelope,) = received.of_type("slash_commands")
    assert envelope["accepts_response_payload"] is True
    assert envelope["payload"]["command"] == "/coffee"


def test_events_and_view_submissions_travel_as_envelopes_too(
    received: Received, emulator: SlackEmulator, workspace: Workspace
) -> None:
    driver = SlackDriver.socket(emulator)
    coffee_chats = workspace.channel_named("coffee-chats")
    member = workspace.humans()[1].id
    assert driver.member_joined_channel(member, coffee_chats.id).status == 200
    emulator.wait_until(lambda _: emulator.dm_messages(member))
    modal = {
        "type": "modal",
        "callback_id": "profile",
        "title": {"type": "plain_text", "text": "Profile"},
        "blocks": [
            {
                "type": "input",
                "block_id": "team",
                "label": {"type": "plain_text", "text": "Team"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    opened = WebClient(token=emulator.bot_token, base_url=emulator.api_url).views_open(
        trigger_id=emulator.issue_trigger(member), view=modal
    )["view"]
    result = driver.view_submission(member, opened, {"team": {"value": ""}})
    assert result.json == {"response_action": "errors", "errors": {"team": "Pick a team"}}
    assert emulator.view_errors(opened["id"]) == {"team": "Pick a team"}
    events = received.of_type("events_api")
    assert events[0]["payload"]["event"]["type"] == "member_joined_channel"
    assert events[0]["retry_attempt"] == 0


def test_a_disconnect_message_makes_the_app_reconnect_with_a_fresh_url(
    received: Received, emulator: SlackEmulator, workspace: Workspace
) -> None:
    emulator.socket_disconnect("refresh_requested")
    emulator.wait_for_socket(total=2)
    assert emulator.count("apps.connections.open", ok=True) == 2
    result = SlackDriver.socket(emulator).slash_command(workspace.humans()[0].id, "")
    assert result.status == 200


def test_only_a_url_from_apps_connections_open_is_accepted_once_and_pings_are_answered(
    emulator: SlackEmulator,
) -> None:
    client = WebClient(token=emulator.app_token, base_url=emulator.api_url)
    url = client.apps_connections_open(app_token=emulator.app_token)["url"]
    assert url.startswith("ws://127.0.0.1:")
    with connect(url) as websocket:
        hello = json.loads(websocket.recv(timeout=5))
        assert hello["type"] == "hello"
        assert websocket.ping(b"session:1").wait(timeout=5)
    for refused in (url, url.replace("ticket=", "ticket=forged")):
        with pytest.raises(InvalidStatus), connect(refused):
            pass


def test_an_unanswered_envelope_times_out_instead_of_hanging(emulator: SlackEmulator) -> None:
    url = WebClient(token=emulator.app_token, base_url=emulator.api_url).apps_connections_open(
        app_token=emulator.app_token
    )["url"]
    with connect(url):
        emulator.wait_for_socket()
        with pytest.raises(TimeoutError):
            emulator.deliver("events_api", {"type": "event_callback"}, timeout=0.3)
