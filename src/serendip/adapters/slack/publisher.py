"""IntroPublisher over Slack: group DMs, intro posts with metadata, notes and summaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from serendip.adapters.slack import blocks, intro_blocks
from serendip.adapters.slack.gateway import SlackGateway
from serendip.domain.intro_content import IntroCard


class SlackIntroPublisher:
    """Implements the services' IntroPublisher port."""

    def __init__(self, gateway: SlackGateway) -> None:
        self.gateway = gateway

    def open_group(self, user_ids: Sequence[str]) -> str:
        """Open the group DM (conversations.open)."""
        return self.gateway.open_group(user_ids)

    def post_intro(self, conversation_id: str, card: IntroCard) -> str:
        """Post the intro with its id in message metadata."""
        text, intro, metadata = intro_blocks.intro_message(card)
        return self.gateway.post(conversation_id, text, intro, metadata)

    def tell_member(self, user_id: str, text: str) -> None:
        """DM a short note to one member."""
        self.gateway.post_to_user(user_id, text, [blocks.section(text)])

    def post_round_summary(self, channel_id: str, summary: Any) -> None:
        """Post the round summary in the program channel."""
        text, summary_blocks = intro_blocks.round_summary(summary)
        self.gateway.post(channel_id, text, summary_blocks)
