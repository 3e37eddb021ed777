"""A circle's meeting nudges: each due meeting's "<host> hosts this week" is posted exactly once.

As with follow-ups, the nudge's start is stored just before it is posted (`post_started_at`); a
later try (after `NUDGE_LEASE`, when the first worker surely gave up) looks for the post in the group
DM before posting again. A host who left the circle is replaced by the next member first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from serendip.adapters.db import circle_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.domain.circles.messages import Nudge, prompt_for
from serendip.domain.circles.season import host_for
from serendip.services import uninstall
from serendip.services.lifecycle.failures import APP_REMOVED, Failure, classify
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

# A nudge being posted is left alone this long; after it, the post is looked for, then tried again.
NUDGE_LEASE = timedelta(minutes=10)
# A nudge this late (the scheduler was down) is not sent: the circle's next meeting's will be.
NUDGE_LATENESS = timedelta(days=2)
CONFIRM_LOOKBACK = timedelta(minutes=10)


def send_due_nudges(db: Database, publisher_for: Callable[[str], IntroPublisher], now: datetime) -> int:
    """Post every due nudge once, each with its workspace's installation; returns how many landed."""
    with db.transaction() as session:
        due = store.due_meetings(
            session, now, not_before=now - NUDGE_LATENESS, stale_before=now - NUDGE_LEASE
        )
    sent, stopped = 0, set[str]()
    for meeting_id, scope in due:
        if scope in stopped:
            continue
        try:
            sent += nudge_once(db, publisher_for(scope), meeting_id=meeting_id, now=now)
        except _AppRemoved as removed:
            uninstall.mark_uninstalled(db, scope, cause=removed.reason)
            stopped.add(scope)
    if sent:
        log.info("circle.nudges_sent count=%d", sent)
    return sent


class _AppRemoved(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def nudge_once(db: Database, publisher: IntroPublisher, *, meeting_id: int, now: datetime) -> int:
    """Post one meeting's nudge unless it is posted or being posted; 1 when it is in the DM now."""
    with db.transaction() as session:
        claim = store.claim_meeting(session, meeting_id, now=now, stale_before=now - NUDGE_LEASE)
        if claim is None or claim.conversation_id is None:
            return 0
        members = store.intro_member_ids(session, claim.intro_id)
        host = host_for(claim.host_member_id, members)
        if host != claim.host_member_id:
            store.set_host(session, meeting_id, host)
            log.info("circle.host_replaced circle_id=%s meeting_id=%s", claim.root_id, meeting_id)
        names = store.people(session, [host] if host is not None else [])
    conversation = claim.conversation_id
    if claim.post_started_at is not None:
        # A nudge may have landed without us hearing back: look before posting again.
        found = publisher.find_circle_post(
            conversation, "nudge", meeting_id, oldest=claim.post_started_at - CONFIRM_LOOKBACK
        )
        if found:
            _record(db, meeting_id, ts=found, started_at=claim.post_started_at)
            log.info("circle.nudge_confirmed circle_id=%s meeting_id=%s", claim.root_id, meeting_id)
            return 1
    slack_id, name = names.get(host, (None, "")) if host is not None else (None, "")
    nudge = Nudge(
        meeting_id=meeting_id,
        number=claim.number,
        host=slack_id,
        topic=claim.topic,
        prompt=prompt_for(claim.topic, claim.number, claim.root_id),
        host_name=name,
    )
    started_at = utcnow()
    _record(db, meeting_id, ts=None, started_at=started_at)
    try:
        ts = publisher.post_nudge(conversation, nudge)
    except Exception as error:
        kind, reason, _ = classify(error)
        log.warning(
            "circle.nudge_failed circle_id=%s meeting_id=%s reason=%s", claim.root_id, meeting_id, reason
        )
        if reason in APP_REMOVED:
            raise _AppRemoved(reason) from error
        if kind is Failure.PERMANENT:  # surely not posted, and never will be: not tried again
            _record(db, meeting_id, ts=store.NOT_POSTED, started_at=None)
        return 0
    _record(db, meeting_id, ts=ts, started_at=started_at)
    log.info("circle.nudged circle_id=%s meeting_id=%s number=%d", claim.root_id, meeting_id, claim.number)
    return 1


def _record(db: Database, meeting_id: int, *, ts: str | None, started_at: datetime | None) -> None:
    with db.transaction() as session:
        store.record_nudge(session, meeting_id, ts=ts, started_at=started_at)
