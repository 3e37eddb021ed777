"""A circle's new group DM after someone left or joined, or a circle merged in: opened, and its card
posted exactly once.

A group DM's members are fixed, so a circle whose member set changes carries on in a new intro (same
topic, same `circle_root_id`). Its card is posted right after the change; if that try fails or its
outcome is unknown, the scheduler tries again after `CARD_LEASE`, looking for the card first.
Notes in the old group DMs are posted at most once (a note lost to a crash only leaves the old DM
without its goodbye; the card in the new one is what matters).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from serendip.adapters.db import circle_season_store, circle_store
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.domain.circles.messages import CircleCard
from serendip.services.lifecycle.failures import Failure, classify
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

CARD_LEASE = timedelta(minutes=10)
CONFIRM_LOOKBACK = timedelta(minutes=10)
# Cards are looked for in this order; a card that failed this many times is given up on.
MAX_CARD_ATTEMPTS = 8


def deliver_pending_cards(db: Database, publisher_for: Callable[[str], IntroPublisher], now: datetime) -> int:
    """Open and post every new group DM still waiting (a failed or interrupted try); returns how many."""
    with db.transaction() as session:
        pending = circle_season_store.pending_cards(session, stale_before=now - CARD_LEASE)
    return sum(
        post_card(db, publisher_for(scope), intro_id=intro_id, why="", now=now) for intro_id, scope in pending
    )


def post_card(
    db: Database, publisher: IntroPublisher, *, intro_id: int, why: str, now: datetime | None = None
) -> int:
    """Open the circle's new group DM and post its card, unless another try has it; 1 when it is posted."""
    now = now or utcnow()
    with db.transaction() as session:
        claim = circle_season_store.claim_card(session, intro_id, now=now, stale_before=now - CARD_LEASE)
        if claim is None:
            return 0
        members = circle_store.intro_member_ids(session, intro_id)
        slack_ids = tuple(slack for slack, _ in circle_store.people(session, members).values())
    card = CircleCard(intro_id, claim.topic, tuple(sorted(slack_ids)), why or "Your circle carries on here.")
    try:
        conversation = claim.conversation_id
        if conversation is None:
            conversation = publisher.open_group(card.members)  # idempotent in Slack
            with db.transaction() as session:
                store.mark_opened(session, intro_id, conversation)
        elif claim.started_at is not None:
            found = publisher.find_circle_post(
                conversation, "card", intro_id, oldest=claim.started_at - CONFIRM_LOOKBACK
            )
            if found:
                return _posted(db, intro_id, found)
        with db.transaction() as session:
            circle_season_store.card_started(session, intro_id, utcnow())
        ts = publisher.post_circle_card(conversation, card)
    except Exception as error:
        return _failed(db, intro_id, error)
    return _posted(db, intro_id, ts)


def _posted(db: Database, intro_id: int, ts: str) -> int:
    with db.transaction() as session:
        store.mark_posted(session, intro_id, ts=ts, now=utcnow())
    log.info("circle.card_posted intro_id=%s", intro_id)
    return 1


def _failed(db: Database, intro_id: int, error: Exception) -> int:
    kind, reason, _ = classify(error)
    with db.transaction() as session:
        attempts = store.count_attempt(session, intro_id)
        if kind is Failure.PERMANENT or attempts >= MAX_CARD_ATTEMPTS:
            store.mark_failed(session, intro_id, reason)
    log.warning("circle.card_failed intro_id=%s reason=%s attempt=%d", intro_id, reason, attempts)
    return 0


def post_notes(publisher: IntroPublisher, notes: Sequence[tuple[str | None, str]], *, circle_id: int) -> int:
    """Post each note in its group DM, at most once (a failure is logged); returns how many landed."""
    posted = 0
    for conversation, text in notes:
        if conversation is None:
            continue
        try:
            publisher.post_circle_note(conversation, text)
            posted += 1
        except Exception as error:
            log.warning("circle.note_failed circle_id=%s reason=%s", circle_id, classify(error)[1])
    return posted
