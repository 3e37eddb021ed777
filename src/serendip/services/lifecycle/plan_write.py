"""Storing a planned round in short transactions, so SQLite's one write lock is never held for long.

A 100,000-person round stores ~50,000 intros and ~100,000 seats. Written in one transaction, that
held SQLite's only write lock for over a second, and every command arriving meanwhile (its replay
check is a write) waited for it or was told to try again. So the round is claimed as `matching`
with a planner's lease, its intros are written in one transaction and their seats in chunks, each
in its own transaction that first renews the lease, and only the last transaction pauses the ghosts, ends the skips and makes the
round `delivering`. Delivery, the history and the stats never read a round still being stored.

A planner that dies mid-write leaves a `matching` round whose lease runs out: the tick removes it
(`remove_abandoned_plans`) and makes its program due again at the round's time, so it is planned
afresh. A planner that was only stalled finds its lease gone at its next chunk and stops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import numpy as np

from serendip.adapters.db import round_writes
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow

log = logging.getLogger(__name__)

IdArray = np.ndarray[Any, np.dtype[np.int64]]

# Seats per transaction: on SQLite 20-40 ms of write lock each (100,000 people: 40 chunks).
CHUNK_SEATS = 2_500
# The least rest between chunks on SQLite: longer than a waiting writer's longest poll interval
# before its budget is spent (SQLite's busy handler sleeps 25, then 50 ms), so it gets in.
MIN_REST_SECONDS = 0.05
# How often a resting planner looks whether the serving process's transactions have closed.
REST_POLL_SECONDS = 0.002
# A chunk renews the lease; a round whose planner wrote nothing for this long was abandoned.
PLAN_LEASE = timedelta(minutes=5)


class OpenElsewhere(Protocol):
    """How many transactions of the serving process are open (`engine.OpenTransactions.shared`)."""

    value: int


def plan_lease_until() -> datetime:
    """When a lease taken or renewed now runs out."""
    return utcnow() + PLAN_LEASE


def store_intros(
    db: Database,
    round_id: int,
    groups: Sequence[Sequence[int]],
    now: datetime,
    *,
    owner: str,
    pause: Callable[[float], None] = time.sleep,
    others: OpenElsewhere | None = None,
) -> bool:
    """Write one pending intro per group (member ids): the intros in one transaction, then their
    seats CHUNK_SEATS per transaction; False when the lease was lost (the round was removed as
    abandoned), and nothing more is written.

    The seats go in member id order: each chunk then touches one stretch of the seats' member index
    instead of pages all over it (by intro order, 24 commits rewrote most of that index each time).
    On SQLite the planner rests between chunks as long as the chunk took, and at least
    MIN_REST_SECONDS: a writer waiting for the lock (SQLite has no queue; waiters poll) finds it
    free instead of the next chunk's. Given ``others`` (the open transactions of the serving process,
    whose commands must not wait: `serve` counts them), it rests only while one of them is open, up to
    that long: with no command in flight there is nobody to let in.
    """
    resting = db.dialect == "sqlite"
    with db.transaction() as session:
        if not round_writes.hold_plan_lease(session, round_id, owner=owner, until=plan_lease_until()):
            return False
        ids = round_writes.insert_intro_rows(session, round_id, len(groups), now)
    intro, member = seats_by_member(ids, groups)
    for start in range(0, len(member), CHUNK_SEATS):
        began = time.monotonic()
        end = start + CHUNK_SEATS
        with db.transaction() as session:
            if not round_writes.hold_plan_lease(session, round_id, owner=owner, until=plan_lease_until()):
                return False
            round_writes.insert_seats(
                session, list(zip(intro[start:end].tolist(), member[start:end].tolist(), strict=True))
            )
        if resting and end < len(member):
            _rest(max(time.monotonic() - began, MIN_REST_SECONDS), pause, others)
    return True


def seats_by_member(ids: Sequence[int], groups: Sequence[Sequence[int]]) -> tuple[IdArray, IdArray]:
    """(intro id, member id) of every seat, as two arrays in member id order (each member sits once)."""
    sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    member = np.fromiter((m for group in groups for m in group), dtype=np.int64, count=int(sizes.sum()))
    intro = np.repeat(np.asarray(ids, dtype=np.int64), sizes)
    order = np.argsort(member)  # 100,000 seats: a numpy sort, not one Python tuple per seat
    return intro[order], member[order]


def _rest(longest: float, pause: Callable[[float], None], others: OpenElsewhere | None) -> None:
    """Rest ``longest`` seconds, or, knowing the serving process's open transactions, while any is open
    and at most that long."""
    if others is None:
        pause(longest)
        return
    until = time.monotonic() + longest
    while others.value > 0 and time.monotonic() < until:
        pause(REST_POLL_SECONDS)


def remove_abandoned_plans(db: Database, now: datetime | None = None) -> list[int]:
    """Remove every round whose planner's lease ran out mid-write (with what it stored) and make its
    program due again at the round's time; the removed rounds' ids."""
    now = now or utcnow()
    with db.transaction() as session:
        candidates = round_writes.abandoned_plans(session, now)
    removed = []
    for round_id in candidates:
        with db.transaction() as session:
            gone = round_writes.remove_abandoned_plan(session, round_id, now)
        if gone is None:  # its planner renewed the lease, or another process removed it first
            continue
        program_id, scheduled_for, intros = gone
        removed.append(round_id)
        log.warning(
            "round.abandoned_plan_removed program_id=%s round_id=%s scheduled_for=%s intros=%d",
            program_id,
            round_id,
            scheduled_for.isoformat(),
            intros,
        )
    return removed
