"""IntroPublisher over Slack: group DMs, intro posts with metadata, confirmation, notes and summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from serendip.adapters.slack.circle_publisher import SlackCirclePosts
from serendip.adapters.slack.client import without_retries
from serendip.adapters.slack.gateway import SlackGateway
from serendip.adapters.slack.views import blocks, circle_blocks, intro_blocks, season_blocks
from serendip.domain.intro_content import IntroCard
from serendip.services.lifecycle.results import RoundSummary

EVENT_TYPES = {"intro": intro_blocks.INTRO_EVENT_TYPE, "followup": intro_blocks.FOLLOWUP_EVENT_TYPE}


class SlackIntroPublisher(SlackCirclePosts):
    """Implements the services' IntroPublisher port (a circle's posts come from `SlackCirclePosts`)."""

    def __init__(self, gateway: SlackGateway) -> None:
        self.gateway = SlackGateway(without_retries(gateway.client))

    def open_group(self, user_ids: Sequence[str]) -> str:
        """Open the group DM (conversations.open, idempotent in Slack)."""
        return self.gateway.open_group(user_ids)

    def post_intro(self, conversation_id: str, card: IntroCard) -> str:
        """Post the intro (a round's, or a circle's when it has a topic) with its id in message metadata."""
        if card.topic is not None:
            text, intro, metadata = circle_blocks.circle_intro_message(card)
        else:
            text, intro, metadata = intro_blocks.intro_message(card)
        return self.gateway.post(conversation_id, text, intro, metadata)

    def post_followup(self, conversation_id: str, intro_id: int) -> str:
        """Post the "did you meet?" question with the outcome buttons."""
        text, followup, metadata = intro_blocks.followup_message(intro_id)
        return self.gateway.post(conversation_id, text, followup, metadata)

    def find_intro_post(
        self, conversation_id: str, intro_id: int, *, oldest: datetime, kind: str = "intro"
    ) -> str | None:
        """Look through the group DM's history for our own post carrying this intro id."""
        event_type = EVENT_TYPES[kind]
        for message in self.gateway.history_with_metadata(conversation_id, oldest=oldest.timestamp()):
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == event_type
                and payload.get("intro_id") == intro_id
                and message.get("bot_id")
            ):
                return str(message["ts"])
        return None

    def tell_member(self, user_id: str, text: str) -> None:
        """DM a short note to one member."""
        self.gateway.post_to_user(user_id, text, [blocks.section(text)])

    def post_round_summary(self, channel_id: str, summary: RoundSummary) -> str:
        """Post the round (or season) summary in the program channel; returns the ts."""
        if summary.season:
            text, summary_blocks = season_blocks.season_summary(summary)
        else:
            text, summary_blocks = intro_blocks.round_summary(summary)
        return self.gateway.post(channel_id, text, summary_blocks)

    def welcome(
        self,
        user_id: str,
        channel_id: str,
        *,
        next_round: datetime | None,
        tz: str,
        welcome_text: str | None,
        channel_name: str = "",
        circles: bool = False,
    ) -> None:
        """DM the program's welcome, the same message member_joined_channel sends."""
        text, dm_blocks = blocks.welcome_dm(channel_id, next_round, tz, welcome_text, channel_name, circles)
        self.gateway.post_to_user(user_id, text, dm_blocks)
