"""Exactly-once intro delivery under a lease: open the group DM, confirm unknown posts, then post."""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Member, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.intro_content import IntroCard, IntroPerson, build_card
from serendip.domain.lifecycle import INTRO_FINAL, IntroState
from serendip.services.lifecycle import close
from serendip.services.lifecycle.failures import Failure, classify
from serendip.services.members import utc_offset_at
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

# conversations.open is Tier 3 (~50 a minute per workspace) and the bottleneck of a round.
OPENS_PER_MINUTE = 50
CONFIRM_LOOKBACK = timedelta(minutes=10)


def delivery_estimate_seconds(intros: int) -> float:
    """How long delivering this many intros takes at Tier 3 (about 50 group DMs a minute)."""
    return intros * 60.0 / OPENS_PER_MINUTE


def worker_id() -> str:
    """A name for this process that is unique across replicas."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class DeliveryPolicy:
    """Lease length, retry limits and the clock, so tests can make them short."""

    owner: str = field(default_factory=worker_id)
    lease_seconds: float = 60.0
    max_attempts: int = 8
    backoff_max: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def backoff(self, attempt: int) -> float:
        """Exponential backoff for transient failures."""
        return float(min(self.backoff_max, 2 ** max(0, attempt - 1)))

    def lease_until(self) -> datetime:
        """When a lease taken or renewed now runs out."""
        return utcnow() + timedelta(seconds=self.lease_seconds)


class LeaseLost(Exception):
    """Another worker took the round over; this one must not post anything more."""


def deliver_pending(db: Database, publisher: IntroPublisher, policy: DeliveryPolicy) -> int:
    """Deliver rounds until none is left to claim; returns how many rounds finished."""
    finished = 0
    while (round_id := claim_round(db, policy)) is not None:
        finished += deliver_round(db, publisher, round_id=round_id, policy=policy)
    return finished


def claim_round(db: Database, policy: DeliveryPolicy) -> int | None:
    """Take the lease of one round that needs delivering (free, expired or already ours)."""
    with db.transaction() as session:
        claim = store.claim_round(session, owner=policy.owner, now=utcnow(), until=policy.lease_until())
    if claim is None:
        return None
    log.info(
        "round.lease_taken program_id=%s round_id=%s taken_over=%s",
        claim.program_id,
        claim.round_id,
        claim.taken_over,
    )
    return claim.round_id


def renew_lease(db: Database, round_id: int, policy: DeliveryPolicy) -> bool:
    """Extend our lease; False when another worker owns the round now."""
    with db.transaction() as session:
        return store.renew_lease(session, round_id, owner=policy.owner, until=policy.lease_until())


def deliver_round(db: Database, publisher: IntroPublisher, *, round_id: int, policy: DeliveryPolicy) -> bool:
    """Deliver every open intro of a round we hold the lease of; True when the round finished."""
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        program_id, seed = round_.program_id, round_.seed
        open_ids = store.open_intro_ids(session, round_id)
    log.info(
        "round.delivering program_id=%s round_id=%s open=%d estimate_s=%.0f",
        program_id,
        round_id,
        len(open_ids),
        delivery_estimate_seconds(len(open_ids)),
    )
    renewed, started = time.monotonic(), time.monotonic()
    for done, intro_id in enumerate(open_ids, start=1):
        if time.monotonic() - renewed > policy.lease_seconds / 3:
            if not renew_lease(db, round_id, policy):
                log.warning("round.lease_lost program_id=%s round_id=%s", program_id, round_id)
                return False
            renewed = time.monotonic()
        try:
            deliver_intro(db, publisher, intro_id=intro_id, seed=seed, policy=policy)
        except LeaseLost:
            log.warning("round.lease_lost program_id=%s round_id=%s", program_id, round_id)
            return False
        if done % 50 == 0:
            rate = done / max(time.monotonic() - started, 1e-6)
            log.info(
                "round.progress program_id=%s round_id=%s done=%d open=%d eta_s=%.0f",
                program_id,
                round_id,
                done,
                len(open_ids),
                (len(open_ids) - done) / rate,
            )
    return close.finish_round(db, publisher, round_id=round_id, owner=policy.owner)


def deliver_intro(
    db: Database, publisher: IntroPublisher, *, intro_id: int, seed: int, policy: DeliveryPolicy
) -> str:
    """Bring one intro to `posted` (exactly once) or `failed`; returns the final state."""
    while True:
        state = _load(db, intro_id, seed)
        if state is None:
            return "gone"
        if state.final:
            return state.state
        try:
            return _advance(db, publisher, intro_id, state, policy)
        except LeaseLost:
            raise
        except Exception as error:  # classified below; anything unknown is treated as ambiguous
            kind, reason, wait = classify(error)
            if kind is Failure.RATE_LIMITED:
                log.info("intro.rate_limited intro_id=%s wait_s=%.1f", intro_id, wait)
                policy.sleep(wait)
                continue
            attempts = _record_failure(
                db, intro_id, reason, permanent=kind is Failure.PERMANENT, policy=policy
            )
            if attempts is None:
                return IntroState.FAILED
            log.warning("intro.retry intro_id=%s reason=%s attempt=%d", intro_id, reason, attempts)
            policy.sleep(policy.backoff(attempts))


def intro_person(member: Member, tags: dict[str, set[str]]) -> IntroPerson:
    """How the intro presents a member."""
    return IntroPerson(
        slack_id=member.slack_id,
        name=member.real_name or member.name,
        department=member.department,
        title=member.title,
        tz=member.tz,
        utc_offset_minutes=utc_offset_at(member, utcnow()),
        working_hours=(member.work_start_minute, member.work_end_minute),
        expertise=frozenset(tags["expertise"]),
        interests=frozenset(tags["interest"]),
    )


@dataclass
class _IntroState:
    state: IntroState
    conversation_id: str | None
    post_started_at: datetime | None
    card: IntroCard

    @property
    def final(self) -> bool:
        return self.state in INTRO_FINAL


def _load(db: Database, intro_id: int, seed: int) -> _IntroState | None:
    with db.transaction() as session:
        intro = session.get(Intro, intro_id)
        if intro is None:
            return None
        people = store.intro_members(session, intro)
        tags = history_store.member_tags_by_kind(session, [m.id for m in people])
        card = build_card(intro_id, [intro_person(m, tags[m.id]) for m in people], seed)
        return _IntroState(intro.state, intro.conversation_id, intro.post_started_at, card)


def _advance(
    db: Database, publisher: IntroPublisher, intro_id: int, state: _IntroState, policy: DeliveryPolicy
) -> IntroState:
    conversation_id = state.conversation_id
    if conversation_id is None:
        if len(state.card.people) < 2:
            return _fail(db, intro_id, "members_left")
        conversation_id = publisher.open_group([p.slack_id for p in state.card.people])  # idempotent in Slack
        with db.transaction() as session:
            store.mark_opened(session, intro_id, conversation_id)
    if state.post_started_at is not None:
        # A post may have landed without us hearing back: look before posting again.
        ts = publisher.find_intro_post(
            conversation_id, intro_id, oldest=state.post_started_at - CONFIRM_LOOKBACK
        )
        if ts is not None:
            log.info("intro.confirmed intro_id=%s", intro_id)
            return _posted(db, intro_id, ts)
    _begin_post(db, intro_id, policy)
    ts = publisher.post_intro(conversation_id, state.card)
    return _posted(db, intro_id, ts)


def _begin_post(db: Database, intro_id: int, policy: DeliveryPolicy) -> None:
    """Fence the post: still our round, lease extended, and the attempt recorded, in one transaction."""
    with db.transaction() as session:
        held = store.fence_post(
            session, intro_id, owner=policy.owner, now=utcnow(), until=policy.lease_until()
        )
    if not held:
        raise LeaseLost(f"the round of intro {intro_id} is now delivered by another worker")


def _posted(db: Database, intro_id: int, ts: str) -> IntroState:
    with db.transaction() as session:
        store.mark_posted(session, intro_id, ts=ts, now=utcnow())
    return IntroState.POSTED


def _fail(db: Database, intro_id: int, reason: str) -> IntroState:
    with db.transaction() as session:
        store.mark_failed(session, intro_id, reason)
    log.warning("intro.failed intro_id=%s reason=%s", intro_id, reason)
    return IntroState.FAILED


def _record_failure(
    db: Database, intro_id: int, reason: str, *, permanent: bool, policy: DeliveryPolicy
) -> int | None:
    with db.transaction() as session:
        attempts = store.count_attempt(session, intro_id)
    if permanent:
        _fail(db, intro_id, reason)
        return None
    if attempts >= policy.max_attempts:
        _fail(db, intro_id, f"gave_up:{reason}")
        return None
    return attempts
