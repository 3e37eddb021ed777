"""Helpers for round tests: a program in the emulator's workspace and checks on what Slack saw."""

from __future__ import annotations

from collections import Counter

from serendip.adapters.db.engine import Database
from serendip.adapters.slack.client import make_web_client
from serendip.adapters.slack.gateway import SlackGateway
from serendip.adapters.slack.publisher import SlackIntroPublisher
from serendip.adapters.slack.views.intro_blocks import INTRO_EVENT_TYPE
from serendip.services import programs
from serendip_sandbox import SlackEmulator


def gateway_for(slack: SlackEmulator) -> SlackGateway:
    """The bot's real gateway, pointed at the emulator."""
    return SlackGateway(make_web_client(slack.bot_token, slack.api_url))


def publisher_for(slack: SlackEmulator) -> SlackIntroPublisher:
    """The bot's real publisher, pointed at the emulator."""
    return SlackIntroPublisher(gateway_for(slack))


def set_up_program(db: Database, slack: SlackEmulator) -> int:
    """Make #coffee-chats a program (enrolling its people) and return the program id."""
    channel = slack.workspace.channel_named("coffee-chats").id
    admin = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
    result = programs.setup_program(
        db, gateway_for(slack), team_id=slack.workspace.team.id, channel_id=channel, actor_id=admin
    )
    return result.program_id


def intro_posts(slack: SlackEmulator) -> Counter[int]:
    """How many intro posts Slack holds per intro id (exactly once means every count is 1)."""
    seen: Counter[int] = Counter()
    for conversation in slack.group_dms():
        for message in slack.messages(conversation.id):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == INTRO_EVENT_TYPE:
                seen[int(metadata["event_payload"]["intro_id"])] += 1
    return seen


def placements(slack: SlackEmulator) -> Counter[str]:
    """How many intro group DMs each person is in."""
    bot = slack.workspace.bot.id
    counts: Counter[str] = Counter()
    for conversation in slack.group_dms():
        if any(
            (m.get("metadata") or {}).get("event_type") == INTRO_EVENT_TYPE
            for m in slack.messages(conversation.id)
        ):
            counts.update(u for u in conversation.members if u != bot)
    return counts
