"""Planning a round in a worker process, so a CPU-bound plan cannot starve request handling.

`serendip serve` runs the scheduler in the same process as the Slack request threads; a
100,000-person plan keeps the interpreter busy for seconds, so it runs in a spawned child (spawn,
not fork: the parent runs threads) that opens its own engine from the database URL and disposes it
before exiting. The parent thread waits on a pipe, holding no lock. Small programs are planned in
the calling process: a child costs about a second to start.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.logging_setup import configure_logging
from serendip.services import program_snapshots
from serendip.services.lifecycle import plan
from serendip.services.lifecycle.results import PlannedRound, RoundPreview

log = logging.getLogger(__name__)

SPAWN = multiprocessing.get_context("spawn")
WORKER_FROM_PEOPLE = 2_000  # below this many enrolled members the plan takes well under a second
# The worker runs at a lower CPU priority: on a busy machine the request threads (Slack's 3 s) go
# first, and the plan, which has minutes, takes what is left. On an idle machine it changes nothing.
WORKER_NICENESS = 10


class PlanFailed(Exception):
    """The worker process could not plan the round (the reason is the error's type name)."""


def plan_in_worker(database_url: str, *, program_id: int, scheduled_for: datetime) -> PlannedRound | None:
    """`plan.plan_round` in a spawned child process; its result, or PlanFailed."""
    planned: PlannedRound | None = _in_child(database_url, "plan", program_id, scheduled_for)
    return planned


def preview_in_worker(database_url: str, *, program_id: int) -> RoundPreview:
    """`plan.preview_round` in a spawned child process; its result, or PlanFailed."""
    preview: RoundPreview = _in_child(database_url, "preview", program_id, None)
    return preview


def snapshots_in_worker(database_url: str) -> int:
    """`program_snapshots.refresh_snapshots` in a spawned child process (CPU-bound at 100,000
    people, like planning); how many programs it recounted, or PlanFailed."""
    refreshed: int = _in_child(database_url, "snapshots", 0, None)
    return refreshed


def _in_child(database_url: str, job: str, program_id: int, scheduled_for: datetime | None) -> Any:
    receiver, sender = SPAWN.Pipe(duplex=False)
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    child = SPAWN.Process(
        target=_child,
        args=(database_url, job, program_id, scheduled_for, sender, str(level)),
        name=f"serendip-{job}-{program_id}",
        daemon=True,
    )
    child.start()
    sender.close()  # the child holds the only sending end: EOF means it died
    try:
        outcome = receiver.recv()
    except EOFError:
        outcome = ("error", "WorkerDied", None)
    finally:
        receiver.close()
        child.join()
    log.info(
        "round.%s_worker program_id=%s pid=%s exit=%s niceness=%s",
        job,
        program_id,
        child.pid,
        child.exitcode,
        outcome[2],
    )
    if outcome[0] == "error":
        raise PlanFailed(outcome[1])
    return outcome[1]


def _child(
    database_url: str,
    job: str,
    program_id: int,
    scheduled_for: datetime | None,
    sender: Connection,
    level: str,
) -> None:
    """The child: its own engine and logging, one job, the result sent back, the engine disposed."""
    with contextlib.suppress(OSError):  # not every platform or container lets a process renice
        os.nice(WORKER_NICENESS)
    configure_logging(level)
    db = Database(database_url)
    try:
        if job == "preview":
            result: object = plan.preview_round(db, program_id=program_id)
        elif job == "snapshots":
            result = program_snapshots.refresh_snapshots(db, utcnow())
        else:
            assert scheduled_for is not None
            result = plan.plan_round(db, program_id=program_id, scheduled_for=scheduled_for)
        sender.send(("ok", result, os.nice(0)))
    except Exception as exc:
        log.error("round.%s_failed program_id=%s error=%s", job, program_id, type(exc).__name__, exc_info=exc)
        sender.send(("error", type(exc).__name__, os.nice(0)))
    finally:
        db.dispose()
        sender.close()


@dataclass(frozen=True)
class Planner:
    """How the scheduler plans a round: in a worker process from `worker_from` enrolled members.

    0 plans every round in a worker; an in-memory SQLite database is always planned in-process.
    """

    worker_from: int = WORKER_FROM_PEOPLE

    def __call__(self, db: Database, *, program_id: int, scheduled_for: datetime) -> PlannedRound | None:
        """Plan the round, in a worker process when the program is large enough."""
        if ":memory:" in db.url or self._enrolled(db, program_id) < self.worker_from:
            return plan.plan_round(db, program_id=program_id, scheduled_for=scheduled_for)
        return plan_in_worker(db.url, program_id=program_id, scheduled_for=scheduled_for)

    def preview(self, db: Database, *, program_id: int) -> RoundPreview:
        """Preview the next round, in a worker process when the program is large enough."""
        if ":memory:" in db.url or self._enrolled(db, program_id) < self.worker_from:
            return plan.preview_round(db, program_id=program_id)
        return preview_in_worker(db.url, program_id=program_id)

    def _enrolled(self, db: Database, program_id: int) -> int:
        if self.worker_from <= 0:
            return 0
        with db.transaction() as session:
            return history_store.enrolled_count(session, program_id)
