"""Socket Mode: the same bot, connected out over a WebSocket, answers /coffee in its ack."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.slack.coffee.router import WORKING
from serendip.bootstrap import build_container
from serendip.config import Settings
from serendip.entrypoints.server import socket_mode_handler
from serendip_sandbox import SlackDriver, SlackEmulator, generate_workspace


@pytest.fixture
def socket_bot(database_url: str) -> Iterator[tuple[SlackEmulator, str]]:
    workspace = generate_workspace(8, 2, seed=3)
    with SlackEmulator(workspace) as slack:
        settings = Settings(
            SLACK_BOT_TOKEN=SecretStr(slack.bot_token),
            SLACK_APP_TOKEN=SecretStr(slack.app_token),
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=database_url,
        )
        container = build_container(settings, db=Database(database_url))
        upgrade(container.db)
        handler = socket_mode_handler(container)
        thread = threading.Thread(target=handler.connect, daemon=True)
        thread.start()
        slack.wait_for_socket(timeout=10)
        yield slack, workspace.channel_named("coffee-chats").id
        handler.close()
        container.db.dispose()


def test_socket_mode_acks_a_slash_command_with_the_reply(socket_bot: tuple[SlackEmulator, str]) -> None:
    slack, channel = socket_bot
    driver = SlackDriver.socket(slack, working=WORKING)
    user = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
    result = driver.slash_command(user, "expertise add rust", channel_id=channel)
    assert result.status == 200
    assert "`rust`" in result.text


def test_socket_mode_runs_setup_and_delivers_events_to_the_same_listeners(
    socket_bot: tuple[SlackEmulator, str],
) -> None:
    slack, channel = socket_bot
    driver = SlackDriver.socket(slack)
    people = [u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted]
    slack.workspace.leave(channel, people[1])
    driver.slash_command(people[0], "admin setup", channel_id=channel).wait_for_responses(1, timeout=20)
    slack.workspace.join(channel, people[1])
    assert driver.member_joined_channel(people[1], channel).status == 200
    slack.wait_until(lambda ws: ws.dm_with(people[1]) is not None, 10)
    dm = slack.workspace.dm_with(people[1])
    assert dm is not None and "Welcome" in slack.wait_for_messages(dm.id, 1)[0]["text"]
