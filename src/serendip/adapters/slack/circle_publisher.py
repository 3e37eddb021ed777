"""`CirclePosts` over Slack: a circle's nudges, cards, notes and closing, and finding them again."""

from __future__ import annotations

from datetime import datetime

from serendip.adapters.slack.gateway import SlackGateway
from serendip.adapters.slack.views import circle_season_blocks
from serendip.domain.circles.messages import CircleCard, Nudge, SeasonRecap
from serendip.domain.mentions import notification_text
from serendip.services.circle_ports import CirclePostKind


class SlackCirclePosts:
    """The circle posts of `SlackIntroPublisher` (through its single-attempt gateway)."""

    gateway: SlackGateway

    def post_nudge(self, conversation_id: str, nudge: Nudge) -> str:
        """Post a meeting's nudge with its id in message metadata."""
        text, blocks, metadata = circle_season_blocks.nudge_message(nudge)
        return self.gateway.post(conversation_id, text, blocks, metadata)

    def post_circle_card(self, conversation_id: str, card: CircleCard) -> str:
        """Post the first message of a circle's new group DM with its intro id in metadata."""
        text, blocks, metadata = circle_season_blocks.card_message(card)
        return self.gateway.post(conversation_id, text, blocks, metadata)

    def post_closing(self, conversation_id: str, recap: SeasonRecap) -> str:
        """Post the season's closing message and vote with the intro id in metadata."""
        text, blocks, metadata = circle_season_blocks.closing_message(recap)
        return self.gateway.post(conversation_id, text, blocks, metadata)

    def post_circle_note(self, conversation_id: str, text: str) -> str:
        """Post a short note in a circle's group DM."""
        return self.gateway.post(conversation_id, notification_text(text), circle_season_blocks.note(text))

    def find_circle_post(
        self, conversation_id: str, kind: CirclePostKind, key: int, *, oldest: datetime
    ) -> str | None:
        """Look through the group DM's history for our own post of this kind carrying this id."""
        event_type, field = circle_season_blocks.EVENT_TYPES[kind]
        for message in self.gateway.history_with_metadata(conversation_id, oldest=oldest.timestamp()):
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == event_type
                and payload.get(field) == key
                and message.get("bot_id")
            ):
                return str(message["ts"])
        return None
