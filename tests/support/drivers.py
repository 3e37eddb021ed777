"""A Slack driver that acts as people do with a busy bot, for tests that run the real bot."""

from __future__ import annotations

from typing import Any

from serendip.adapters.slack.coffee.router import WORKING
from serendip.entrypoints.request_guard import TRY_AGAIN
from serendip_sandbox import SlackDriver, SlackEmulator


def person_driver(bot_url: str, slack: SlackEmulator, **options: Any) -> SlackDriver:
    """A driver signing as Slack that sends a command again when the bot asks them to, and reads a
    command's answer from the response_url when the ack only said the bot is working on it."""
    return SlackDriver(bot_url, slack.signing_secret, slack, try_again=TRY_AGAIN, working=WORKING, **options)
