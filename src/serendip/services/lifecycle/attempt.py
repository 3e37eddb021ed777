"""One try at an intro: open its group DM, confirm a post whose outcome is unknown, then post.

Every Slack call passes its `Gate` first (the workspace's shared budget, or nothing). The try ends
posted or failed, or says why it stopped: blocked before a call, rate limited, or a failure to retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import uninstall_store
from serendip.adapters.db.delivery_queue import HISTORY, OPEN, POST
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Member
from serendip.adapters.db.types import utcnow
from serendip.domain.circle_intro import circle_card
from serendip.domain.intro_content import IntroCard, IntroPerson, build_card
from serendip.domain.lifecycle import INTRO_FINAL, IntroState
from serendip.observability import metrics
from serendip.services.lifecycle.budget import Blocked, Gate
from serendip.services.lifecycle.failures import APP_REMOVED, Failure, classify
from serendip.services.members import utc_offset_at
from serendip.services.ports import IntroPublisher
from serendip.services.slack_errors import RateLimited

log = logging.getLogger(__name__)

CONFIRM_LOOKBACK = timedelta(minutes=10)


class LeaseLost(Exception):
    """Another worker took the round over; this one must not post anything more."""


class WorkspaceUninstalled(LeaseLost):
    """The round's workspace uninstalled the app: nothing more is opened or posted for it.

    ``slack_reason`` is set when Slack said so (a revoked token) before the uninstall event did.
    """

    def __init__(self, message: str, *, slack_reason: str | None = None) -> None:
        super().__init__(message)
        self.slack_reason = slack_reason


class Stop(Enum):
    """How a try ended."""

    DONE = "done"  # posted, failed or gone: nothing more to do
    BLOCKED = "blocked"  # a call was not made: its method is paused or out of budget
    RATE_LIMITED = "rate_limited"  # Slack answered 429: not processed
    FAILED_ONCE = "failed_once"  # a transient failure (or a permanent one, already recorded)


@dataclass(frozen=True)
class Try:
    """The end of one try: the intro's state when DONE, else the method and wait or reason."""

    stop: Stop
    state: str = ""
    method: str = ""
    wait: float = 0.0
    reason: str = ""
    permanent: bool = False


class _Throttled(Exception):
    def __init__(self, method: str, retry_after: float) -> None:
        super().__init__(method)
        self.method, self.retry_after = method, retry_after


@contextmanager
def _calling(gate: Gate, method: str) -> Iterator[None]:
    gate.before(method)
    try:
        yield
    except RateLimited as error:
        raise _Throttled(method, error.retry_after) from error


def try_intro(
    db: Database,
    publisher: IntroPublisher,
    gate: Gate,
    *,
    intro_id: int,
    seed: int,
    owner: str,
    lease_until: Callable[[], datetime],
) -> Try:
    """Take the intro as far as it goes now; raises `LeaseLost` if the round is no longer ours
    (`WorkspaceUninstalled` when its workspace uninstalled the app)."""
    state = _load(db, intro_id, seed)
    if state is None:
        return Try(Stop.DONE, state="gone")
    if state.final:
        return Try(Stop.DONE, state=state.state)
    try:
        return Try(Stop.DONE, state=_advance(db, publisher, gate, intro_id, state, owner, lease_until))
    except LeaseLost:
        raise
    except Blocked as blocked:
        return Try(Stop.BLOCKED, method=blocked.method, wait=blocked.wait)
    except _Throttled as throttled:
        return Try(Stop.RATE_LIMITED, method=throttled.method, wait=throttled.retry_after)
    except Exception as error:  # classified below; anything unknown is treated as ambiguous
        kind, reason, _ = classify(error)
        if reason in APP_REMOVED:  # the event saying so may still be on its way
            raise WorkspaceUninstalled(
                f"Slack answered {reason} for intro {intro_id}", slack_reason=reason
            ) from error
        return Try(Stop.FAILED_ONCE, reason=reason, permanent=kind is Failure.PERMANENT)


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
        if uninstall_store.intro_uninstalled(session, intro_id):
            raise WorkspaceUninstalled(f"the workspace of intro {intro_id} uninstalled the app")
        people = store.intro_members(session, intro)
        tags = history_store.member_tags_by_kind(session, [m.id for m in people])
        persons = [intro_person(m, tags[m.id]) for m in people]
        if intro.topic is not None:  # a circle's intro: same delivery, its own content
            card = circle_card(intro_id, persons, seed, intro.topic)
        else:
            card = build_card(intro_id, persons, seed)
        return _IntroState(intro.state, intro.conversation_id, intro.post_started_at, card)


def _advance(
    db: Database,
    publisher: IntroPublisher,
    gate: Gate,
    intro_id: int,
    state: _IntroState,
    owner: str,
    lease_until: Callable[[], datetime],
) -> IntroState:
    conversation_id = state.conversation_id
    if conversation_id is None:
        if len(state.card.people) < 2:
            return fail(db, intro_id, "members_left")
        with _calling(gate, OPEN):
            conversation_id = publisher.open_group([p.slack_id for p in state.card.people])  # idempotent
        with db.transaction() as session:
            store.mark_opened(session, intro_id, conversation_id)
    if state.post_started_at is not None:
        # A post may have landed without us hearing back: look before posting again.
        with _calling(gate, HISTORY):
            ts = publisher.find_intro_post(
                conversation_id, intro_id, oldest=state.post_started_at - CONFIRM_LOOKBACK
            )
        if ts is not None:
            log.info("intro.confirmed intro_id=%s", intro_id)
            return _posted(db, intro_id, ts)
    with _calling(gate, POST):
        _begin_post(db, intro_id, owner, lease_until())
        ts = publisher.post_intro(conversation_id, state.card)
    return _posted(db, intro_id, ts)


def _begin_post(db: Database, intro_id: int, owner: str, until: datetime) -> None:
    """Fence the post: still our round of an installed workspace, lease extended, and the attempt
    recorded, in one transaction."""
    with db.transaction() as session:
        if uninstall_store.intro_uninstalled(session, intro_id):
            raise WorkspaceUninstalled(f"the workspace of intro {intro_id} uninstalled the app")
        held = store.fence_post(session, intro_id, owner=owner, now=utcnow(), until=until)
    if not held:
        raise LeaseLost(f"the round of intro {intro_id} is now delivered by another worker")


def _posted(db: Database, intro_id: int, ts: str) -> IntroState:
    now = utcnow()
    with db.transaction() as session:
        scheduled_for = store.mark_posted(session, intro_id, ts=ts, now=now)
    metrics.intro_delivered()
    metrics.delivery_lag((now - scheduled_for).total_seconds())
    return IntroState.POSTED


def fail(db: Database, intro_id: int, reason: str) -> IntroState:
    """Give up on the intro with a reason."""
    with db.transaction() as session:
        store.mark_failed(session, intro_id, reason)
    metrics.intro_failed(reason)
    log.warning("intro.failed intro_id=%s reason=%s", intro_id, reason)
    return IntroState.FAILED
