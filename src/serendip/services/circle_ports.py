"""What the circles' season needs from Slack on top of round delivery: nudges, cards, notes, closings.

`IntroPublisher` includes it, so the scheduler and the handlers reach it through the publisher they
already have. Every method raises only `services.slack_errors`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

from serendip.domain.circles.messages import CircleCard, Nudge, SeasonRecap

CirclePostKind = Literal["nudge", "card", "closing"]


class CirclePosts(Protocol):
    """Posts in a circle's group DM, each carrying its meeting or intro id in message metadata."""

    def post_nudge(self, conversation_id: str, nudge: Nudge) -> str:
        """Post a meeting's nudge with "We met" / "Skipped this time"; returns the ts."""
        ...

    def post_circle_card(self, conversation_id: str, card: CircleCard) -> str:
        """Post the first message of a circle's new group DM (with "Leave this circle"); returns the ts."""
        ...

    def post_closing(self, conversation_id: str, recap: SeasonRecap) -> str:
        """Post the season's closing message with the keep-going vote; returns the ts."""
        ...

    def post_circle_note(self, conversation_id: str, text: str) -> str:
        """Post a short note (mrkdwn) in a circle's group DM; returns the ts."""
        ...

    def find_circle_post(
        self, conversation_id: str, kind: CirclePostKind, key: int, *, oldest: datetime
    ) -> str | None:
        """The ts of the bot's own post of this kind for this meeting (nudge) or intro, if it is there."""
        ...
