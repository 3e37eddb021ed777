"""The end of a season: each active circle gets its closing message and the keep-going vote, once;
when the vote closes, a majority of the votes cast keeps the circle, anything else ends it.

The season's closing is taken by one worker at a time (`season_closing_started_at`, a lease of
`CLOSING_LEASE`); each circle's closing message is its intro's follow-up, stored as started just
before it is posted and looked for before it is posted again, so it lands exactly once. Both run in
the scheduler's tick before any program's next season forms.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from serendip.adapters.db import circle_season_store, circle_store
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.domain.circles import messages as say
from serendip.domain.circles.messages import SeasonRecap
from serendip.domain.circles.season import VOTE_DAYS, vote_outcome
from serendip.domain.lifecycle import CircleState
from serendip.services import uninstall
from serendip.services.lifecycle.failures import APP_REMOVED, Failure, classify
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

CLOSING_LEASE = timedelta(minutes=10)
CONFIRM_LOOKBACK = timedelta(minutes=10)
VOTE_LENGTH = timedelta(days=VOTE_DAYS)


class _AppRemoved(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def close_due_seasons(db: Database, publisher_for: Callable[[str], IntroPublisher], now: datetime) -> int:
    """Close every ended season not closed yet; returns how many closing messages landed."""
    with db.transaction() as session:
        due = circle_season_store.due_season_closings(session, now, stale_before=now - CLOSING_LEASE)
    posted = 0
    for round_id, scope in due:
        try:
            posted += close_season(db, publisher_for(scope), round_id=round_id, now=now)
        except _AppRemoved as removed:
            uninstall.mark_uninstalled(db, scope, cause=removed.reason)
    return posted


def close_season(db: Database, publisher: IntroPublisher, *, round_id: int, now: datetime) -> int:
    """Post each of an ended season's circles its closing message and vote, once; 0 when another
    worker is closing it. Returns how many landed."""
    with db.transaction() as session:
        closes_at = circle_season_store.claim_season_closing(
            session, round_id, now=now, stale_before=now - CLOSING_LEASE, vote_length=VOTE_LENGTH
        )
        circles = circle_season_store.circles_to_close(session, round_id) if closes_at is not None else []
    if closes_at is None:
        return 0
    posted, renewed = 0, time.monotonic()
    for circle in circles:
        if time.monotonic() - renewed > CLOSING_LEASE.total_seconds() / 3:  # a long season keeps its claim
            with db.transaction() as session:
                circle_season_store.renew_season_closing(session, round_id, utcnow())
            renewed = time.monotonic()
        if not circle.delivered or circle.conversation_id is None:
            with db.transaction() as session:
                circle_season_store.end_undelivered(session, circle.intro_id)
            continue
        with db.transaction() as session:
            held, scheduled = circle_season_store.circle_record(session, circle.root_id)
        recap = SeasonRecap(circle.intro_id, circle.topic, held, scheduled, closes_at)
        posted += _closing_once(db, publisher, recap, circle.conversation_id, circle.closing_started_at)
    log.info("season.closed season_id=%s circles=%d posted=%d", round_id, len(circles), posted)
    return posted


def _closing_once(
    db: Database,
    publisher: IntroPublisher,
    recap: SeasonRecap,
    conversation: str,
    started_at: datetime | None,
) -> int:
    intro_id = recap.intro_id
    if started_at is not None:
        # A closing may have landed without us hearing back: look before posting again.
        found = publisher.find_circle_post(
            conversation, "closing", intro_id, oldest=started_at - CONFIRM_LOOKBACK
        )
        if found:
            _store(db, intro_id, ts=found, started_at=started_at)
            return 1
    started_at = utcnow()
    with db.transaction() as session:
        circle_season_store.begin_closing(session, intro_id, started_at)
    try:
        ts = publisher.post_closing(conversation, recap)
    except Exception as error:
        kind, reason, _ = classify(error)
        log.warning("season.closing_failed intro_id=%s reason=%s", intro_id, reason)
        if reason in APP_REMOVED:
            raise _AppRemoved(reason) from error
        if kind is Failure.PERMANENT:  # surely not posted: the circle still votes, silently
            _store(db, intro_id, ts=None, started_at=None)
        return 0
    _store(db, intro_id, ts=ts, started_at=started_at)
    log.info("season.closing_posted intro_id=%s held=%d scheduled=%d", intro_id, recap.held, recap.scheduled)
    return 1


def _store(db: Database, intro_id: int, *, ts: str | None, started_at: datetime | None) -> None:
    with db.transaction() as session:
        store.set_followup(session, intro_id, ts=ts, started_at=started_at)


def settle_due_votes(db: Database, publisher_for: Callable[[str], IntroPublisher], now: datetime) -> int:
    """Settle every circle whose vote has closed and tell its group DM; returns how many were settled."""
    with db.transaction() as session:
        due = circle_season_store.due_vote_results(session, now)
    return sum(settle_vote(db, publisher_for(scope), intro_id=intro_id) for intro_id, scope in due)


def settle_vote(db: Database, publisher: IntroPublisher, *, intro_id: int) -> int:
    """A majority of the votes cast keeps the circle (no more nudges); no votes or no majority ends
    it. Told in its group DM once (at most: the state change is the guard). 1 when settled here."""
    with db.transaction() as session:
        votes = circle_store.intro_votes(session, intro_id)
        outcome = vote_outcome(votes)
        if not circle_season_store.settle_circle(session, intro_id, outcome):
            return 0
        conversation = store.intro_posts(session, intro_id)[0]
    text = say.kept_note() if outcome is CircleState.KEPT else say.ended_note(len(votes))
    if conversation is not None:
        try:
            publisher.post_circle_note(conversation, text)
        except Exception as error:
            log.warning("season.vote_note_failed intro_id=%s reason=%s", intro_id, classify(error)[1])
    log.info(
        "season.vote_settled intro_id=%s outcome=%s votes=%d keep=%d",
        intro_id,
        outcome,
        len(votes),
        sum(votes),
    )
    return 1
