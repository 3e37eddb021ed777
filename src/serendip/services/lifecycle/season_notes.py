"""The notes a season leaves behind once formed: each person left out is told once, by DM, why,
which popular topics would place them next season, and how to add them."""

from __future__ import annotations

import logging

from serendip.adapters.db import season_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.domain.command_words import escape
from serendip.domain.mentions import channel_mention
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

ADD_TOPICS = (
    "Add topics with `/coffee interests add {example}` (what you'd like to learn) or "
    "`/coffee expertise add {example}` (what you know)."
)


def unplaced_note(channel: str, reason: str, topics: list[str]) -> str:
    """The DM to someone left out of a season: the reason, topics that would place them, how to add them."""
    head = f":seedling: There's no circle for you in {channel} this season: {escape(reason)}."
    if topics:
        listed = ", ".join(f"`{escape(t)}`" for t in topics[:5])
        example = ", ".join(escape(t) for t in topics[:2])
        return f"{head}\nPopular topics that would place you next season: {listed}. " + ADD_TOPICS.format(
            example=example
        )
    return (
        f"{head}\n"
        + ADD_TOPICS.format(example="a topic, another")
        + " The next season forms circles around topics people share."
    )


def tell_unplaced(
    db: Database, publisher: IntroPublisher, *, round_id: int, channel_id: str, channel_name: str
) -> int:
    """DM everyone the season left out and was not told yet; marked first, so each is told at most once."""
    with db.transaction() as session:
        waiting = season_store.unnotified_waitlist(session, round_id)
        season_store.mark_notified(session, round_id, [member_id for member_id, *_ in waiting], utcnow())
    channel = channel_mention(channel_id, channel_name)
    told = 0
    for _, slack_id, reason, topics in waiting:
        text = unplaced_note(channel, reason, [t for t in topics.split(",") if t])
        try:
            publisher.tell_member(slack_id, text)
            told += 1
        except Exception as exc:  # a failed note never fails the season
            log.warning("season.unplaced_note_failed season_id=%s error=%s", round_id, type(exc).__name__)
    if waiting:
        log.info("season.unplaced_told season_id=%s told=%d of=%d", round_id, told, len(waiting))
    return told
