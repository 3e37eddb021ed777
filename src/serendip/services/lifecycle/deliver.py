"""Exactly-once intro delivery under a lease that never idles on one intro's failure.

Each intro goes as far as it can per try (`attempt`). A transient failure defers only that intro
(`intros.next_attempt_at`, with backoff) and the loop keeps delivering the others; a 429 on a post
defers only that intro's conversation (Slack limits posts per channel), any other 429 pauses only
its method for the workspace; every call takes a slot of the workspace's shared Tier-3
budget (`budget`), so replicas never exceed it together. When only deferred or blocked intros are
left, the loop sleeps until the earliest of them (bounded, so the lease is renewed).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from serendip.adapters.db import delivery_queue as queue
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db.delivery_queue import POST
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import IntroState
from serendip.observability import metrics
from serendip.services import uninstall
from serendip.services.lifecycle import close
from serendip.services.lifecycle.attempt import (
    LeaseLost,
    Stop,
    Try,
    WorkspaceUninstalled,
    fail,
    intro_person,
    try_intro,
)
from serendip.services.lifecycle.budget import LIMITS, SharedBudget, Unlimited
from serendip.services.ports import IntroPublisher

__all__ = ["LeaseLost", "intro_person"]  # the public names that moved to `attempt`

log = logging.getLogger(__name__)

# Rounds of this many workspaces are delivered at once by one process (each has its own budget).
PARALLEL_WORKSPACES = 8
# conversations.open is Tier 3 (~50 a minute per workspace) and the bottleneck of a round.
OPENS_PER_MINUTE = 50


def delivery_estimate_seconds(intros: int) -> float:
    """How long delivering this many intros takes at Tier 3 (about 50 group DMs a minute)."""
    return intros * 60.0 / OPENS_PER_MINUTE


def worker_id() -> str:
    """A name for this process that is unique across replicas."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class DeliveryPolicy:
    """Lease length, retry limits, the Slack budget and the sleep, so tests can make them short."""

    owner: str = field(default_factory=worker_id)
    lease_seconds: float = 60.0
    max_attempts: int = 8
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    idle_max: float = 5.0  # the longest sleep while only deferred or blocked intros are left
    batch: int = 100  # due intros read per query
    budget_window: float = 60.0  # Slack's "minute" (shorter in benchmarks that scale time)
    budget_limits: Mapping[str, int] = field(default_factory=lambda: dict(LIMITS))
    sleep: Callable[[float], None] | None = None  # None: wait on `stopping`, so a stop wakes it
    stopping: threading.Event = field(default_factory=threading.Event)

    def pause(self, seconds: float) -> None:
        """Sleep ``seconds`` (with the default sleep, less when delivery is being stopped)."""
        if self.sleep is None:
            self.stopping.wait(seconds)
        else:
            self.sleep(seconds)

    def stop(self) -> None:
        """Have every delivery under this policy stop after the intro it is posting and give up its
        round's lease, so another process takes the round over at once (not when the lease runs out)."""
        self.stopping.set()

    def backoff(self, attempt: int) -> float:
        """Exponential backoff for transient failures."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, attempt - 1)))

    def lease_until(self) -> datetime:
        """When a lease taken or renewed now runs out."""
        return utcnow() + timedelta(seconds=self.lease_seconds)


def deliver_pending(
    db: Database, publisher: IntroPublisher, policy: DeliveryPolicy, *, workspace_id: str | None = None
) -> int:
    """Deliver rounds until none is left to claim, one at a time with one publisher: of the one
    workspace ``workspace_id`` (whose installation the publisher posts with), or of every workspace
    when None (single-token mode). Returns how many rounds finished."""
    finished = 0
    while not policy.stopping.is_set() and (claim := claim_round(db, policy, only=workspace_id)) is not None:
        finished += deliver_round(db, publisher, round_id=claim.round_id, policy=policy)
    return finished


def deliver_all(
    db: Database,
    publisher_for: Callable[[str], IntroPublisher],
    policy: DeliveryPolicy,
    *,
    parallel: int = PARALLEL_WORKSPACES,
) -> int:
    """Deliver rounds until none is left to claim; rounds of different workspaces in parallel
    (Slack's Tier-3 budget is per workspace), one round per workspace at a time, each with its
    own installation's publisher. Returns how many rounds finished."""
    finished = 0
    running: dict[Future[bool], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="deliver") as pool:
        while True:
            while len(running) < parallel and not policy.stopping.is_set():
                claim = claim_round(db, policy, besides=set(running.values()))
                if claim is None:
                    break
                publisher = publisher_for(claim.workspace_id)
                future = pool.submit(deliver_round, db, publisher, round_id=claim.round_id, policy=policy)
                running[future] = claim.workspace_id
            if not running:
                return finished
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                del running[future]
                finished += future.result()


def claim_round(
    db: Database, policy: DeliveryPolicy, *, besides: Collection[str] = (), only: str | None = None
) -> store.Claim | None:
    """Take the lease of one round that needs delivering (free, expired or already ours), not of
    a workspace in ``besides``; with ``only``, of that workspace alone."""
    with db.transaction() as session:
        claim = store.claim_round(
            session, owner=policy.owner, now=utcnow(), until=policy.lease_until(), besides=besides, only=only
        )
    if claim is None:
        return None
    if claim.taken_over:
        metrics.lease_takeover()
    log.info(
        "round.lease_taken program_id=%s round_id=%s taken_over=%s",
        claim.program_id,
        claim.round_id,
        claim.taken_over,
    )
    return claim


def renew_lease(db: Database, round_id: int, policy: DeliveryPolicy) -> bool:
    """Extend our lease; False when another worker owns the round now."""
    with db.transaction() as session:
        return store.renew_lease(session, round_id, owner=policy.owner, until=policy.lease_until())


@dataclass
class _Round:
    """One round being delivered by this worker."""

    round_id: int
    program_id: int
    seed: int
    budget: SharedBudget
    renewed: float = field(default_factory=time.monotonic)
    started: float = field(default_factory=time.monotonic)
    done: int = 0


def deliver_round(db: Database, publisher: IntroPublisher, *, round_id: int, policy: DeliveryPolicy) -> bool:
    """Deliver every open intro of a round we hold the lease of; True when the round finished."""
    with db.transaction() as session:
        program_id, seed, workspace_id = queue.round_facts(session, round_id)
        total = len(store.open_intro_ids(session, round_id))
    budget = SharedBudget(db, workspace_id, limits=policy.budget_limits, window=policy.budget_window)
    run = _Round(round_id, program_id, seed, budget)
    log.info(
        "round.delivering program_id=%s round_id=%s open=%d estimate_s=%.0f",
        program_id,
        round_id,
        total,
        delivery_estimate_seconds(total),
    )
    try:
        while _deliver_due(db, publisher, run, policy):
            if policy.stopping.is_set():
                _give_up_lease(db, run, policy)
                log.info(
                    "round.delivery_stopped program_id=%s round_id=%s done=%d", program_id, round_id, run.done
                )
                return False
    except WorkspaceUninstalled as stopped:
        if stopped.slack_reason is not None:  # Slack's word is enough: the event will say the same
            uninstall.mark_uninstalled(db, workspace_id, cause=stopped.slack_reason)
        # Left delivering, its lease given up: after a reinstall any worker picks it up where it stopped.
        _give_up_lease(db, run, policy)
        log.warning(
            "round.stopped_uninstalled program_id=%s round_id=%s done=%d", program_id, round_id, run.done
        )
        return False
    except LeaseLost:
        log.warning("round.lease_lost program_id=%s round_id=%s", program_id, round_id)
        return False
    return close.finish_round(db, publisher, round_id=round_id, owner=policy.owner)


def _give_up_lease(db: Database, run: _Round, policy: DeliveryPolicy) -> None:
    """Leave the round delivering with no lease: any worker may take it now, where this one stopped."""
    with db.transaction() as session:
        store.release_lease(session, run.round_id, owner=policy.owner)


def _deliver_due(db: Database, publisher: IntroPublisher, run: _Round, policy: DeliveryPolicy) -> bool:
    """One pass over the intros due now; False when none is left open."""
    skipped = run.budget.blocked()
    with db.transaction() as session:
        due = queue.due_intros(session, run.round_id, now=utcnow(), skip_calls=skipped, limit=policy.batch)
    if not due:
        return _idle(db, run, policy, skipped)
    for intro_id, call in due:
        if policy.stopping.is_set():
            return True  # the caller gives the lease up; the rest are delivered by whoever takes it
        _keep_lease(db, run, policy)
        if call in run.budget.blocked():
            continue  # paused or out of budget: the intros that need other calls go first
        tried = try_intro(
            db,
            publisher,
            run.budget,
            intro_id=intro_id,
            seed=run.seed,
            owner=policy.owner,
            lease_until=policy.lease_until,
        )
        _settle(db, run, policy, intro_id, tried)
    return True


def _settle(db: Database, run: _Round, policy: DeliveryPolicy, intro_id: int, tried: Try) -> None:
    if tried.stop is Stop.DONE:
        run.done += 1
        if run.done % 50 == 0:
            rate = run.done / max(time.monotonic() - run.started, 1e-6)
            log.info(
                "round.progress program_id=%s round_id=%s done=%d per_min=%.1f",
                run.program_id,
                run.round_id,
                run.done,
                rate * 60,
            )
    elif tried.stop is Stop.RATE_LIMITED:
        _throttled(db, run, intro_id, tried)
    elif tried.stop is Stop.FAILED_ONCE:
        attempts = record_failure(
            db, intro_id, tried.reason, permanent=tried.permanent, policy=policy, defer=True
        )
        if attempts is None:
            run.done += 1
        else:
            log.warning(
                "intro.deferred round_id=%s intro_id=%s reason=%s attempt=%d wait_s=%.1f",
                run.round_id,
                intro_id,
                tried.reason,
                attempts,
                policy.backoff(attempts),
            )


def _throttled(db: Database, run: _Round, intro_id: int, tried: Try) -> None:
    """A 429: a post waits in its own conversation only, unless the budget judges the limit the
    workspace's; any other method is limited per workspace, so it pauses for every intro."""
    if tried.method == POST and not run.budget.post_throttled(tried.wait):
        with db.transaction() as session:
            queue.defer(session, intro_id, until=utcnow() + timedelta(seconds=tried.wait))
        log.info("intro.throttled round_id=%s intro_id=%s wait_s=%.2f", run.round_id, intro_id, tried.wait)
        return
    run.budget.rate_limited(tried.method, tried.wait)


def _idle(db: Database, run: _Round, policy: DeliveryPolicy, skipped: set[str]) -> bool:
    """Nothing is due: False when nothing is open, else sleep until the earliest due (bounded)."""
    with db.transaction() as session:
        open_count, earliest = queue.waiting(session, run.round_id)
    if open_count == 0:
        return False
    if skipped - run.budget.blocked():
        return True  # a call the query skipped is free by now: look again rather than sleep past it
    now = utcnow()
    wakes = [w for w in (earliest, run.budget.next_free()) if w is not None and w > now]
    wait = min((w - now).total_seconds() for w in wakes) if wakes else 0.01
    policy.pause(min(max(wait, 0.001), policy.idle_max, max(policy.lease_seconds / 3, 0.001)))
    _keep_lease(db, run, policy)
    return True


def _keep_lease(db: Database, run: _Round, policy: DeliveryPolicy) -> None:
    if time.monotonic() - run.renewed > policy.lease_seconds / 3:
        if not renew_lease(db, run.round_id, policy):
            raise LeaseLost(f"round {run.round_id} is now delivered by another worker")
        run.renewed = time.monotonic()


def deliver_intro(
    db: Database, publisher: IntroPublisher, *, intro_id: int, seed: int, policy: DeliveryPolicy
) -> str:
    """Bring one intro to `posted` (exactly once) or `failed`, waiting out failures in place.

    The pre-deferral way, one intro at a time: tests of a single intro and the benchmark's baseline.
    """
    while True:
        tried = try_intro(
            db,
            publisher,
            Unlimited(),
            intro_id=intro_id,
            seed=seed,
            owner=policy.owner,
            lease_until=policy.lease_until,
        )
        if tried.stop is Stop.DONE:
            return tried.state
        if tried.stop is Stop.RATE_LIMITED:
            log.info("intro.rate_limited intro_id=%s wait_s=%.1f", intro_id, tried.wait)
            policy.pause(tried.wait)
            continue
        attempts = record_failure(
            db, intro_id, tried.reason, permanent=tried.permanent, policy=policy, defer=False
        )
        if attempts is None:
            return IntroState.FAILED
        log.warning("intro.retry intro_id=%s reason=%s attempt=%d", intro_id, tried.reason, attempts)
        policy.pause(policy.backoff(attempts))


def record_failure(
    db: Database, intro_id: int, reason: str, *, permanent: bool, policy: DeliveryPolicy, defer: bool
) -> int | None:
    """Count a failed attempt (deferring the intro by its backoff when `defer`); None once it is given up."""
    with db.transaction() as session:
        attempts = store.count_attempt(session, intro_id)
        if defer and not permanent and attempts < policy.max_attempts:
            queue.defer(session, intro_id, until=utcnow() + timedelta(seconds=policy.backoff(attempts)))
    if permanent:
        fail(db, intro_id, reason)
        return None
    if attempts >= policy.max_attempts:
        fail(db, intro_id, f"gave_up:{reason}")
        return None
    return attempts
