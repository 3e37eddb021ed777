"""A command acked with the bot's "working" line is answered at the response_url; the driver, told
that line, reads the answer there as a person would, and any other ack as the answer itself."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond

from serendip_sandbox import SlackDriver, SlackEmulator, Workspace
from tests.integration.sandbox.conftest import serve_bolt

WORKING = "Working on it…"


@pytest.fixture
def slow_bot(bolt_app: App) -> App:
    """`/coffee slow` acks the working line and answers 0.3 s later, `crunch` likewise with its own
    line; anything else is answered in the ack."""

    @bolt_app.command("/coffee")
    def coffee(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        if command["text"] not in ("slow", "crunch"):
            ack({"response_type": "ephemeral", "text": f"Quick: {command['text']}"})
            return
        # "slow" acks the bot's working line; "crunch" its own ("Crunching…", as stats does).
        ack({"response_type": "ephemeral", "text": WORKING if command["text"] == "slow" else "Crunching…"})
        threading.Timer(0.3, lambda: respond({"response_type": "ephemeral", "text": "Here it is"})).start()

    return bolt_app


@pytest.fixture
def bot_url(slow_bot: App) -> Iterator[str]:
    server = serve_bolt(slow_bot)
    yield f"{server.url}/slack/events"
    server.stop()


def test_told_the_working_line_the_driver_reads_the_answer_from_the_response_url(
    bot_url: str, emulator: SlackEmulator, workspace: Workspace
) -> None:
    member = workspace.humans()[0].id
    with SlackDriver(bot_url, emulator.signing_secret, emulator, working=WORKING) as driver:
        slow = driver.slash_command(member, "slow")
        assert isinstance(slow.body, dict) and slow.body["text"] == WORKING  # the ack itself is kept
        assert slow.text == "Here it is" and slow.json["response_type"] == "ephemeral"
        quick = driver.slash_command(member, "now")
        assert quick.text == "Quick: now" and quick.responses() == []
        assert driver.for_team(workspace.team.id).slash_command(member, "slow").text == "Here it is"
        # A command's own interim line: answer_after waits past it, and past the working line too.
        crunched = driver.slash_command(member, "crunch")
        assert crunched.text == "Crunching…" and crunched.answer_after("Crunching")["text"] == "Here it is"
        assert driver.slash_command(member, "slow").answer_after("Crunching")["text"] == "Here it is"
        assert driver.slash_command(member, "now").answer_after("Crunching")["text"] == "Quick: now"


def test_not_told_the_working_line_the_driver_reads_the_ack(
    bot_url: str, emulator: SlackEmulator, workspace: Workspace
) -> None:
    with SlackDriver(bot_url, emulator.signing_secret, emulator) as driver:
        slow = driver.slash_command(workspace.humans()[0].id, "slow")
        assert slow.text == WORKING
        slow.wait_for_responses(1)  # the bot's later answer lands before the emulator stops
