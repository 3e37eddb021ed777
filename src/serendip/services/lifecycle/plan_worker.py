"""Planning a round in a worker process, so a CPU-bound plan cannot starve request handling.

`serendip serve` runs the scheduler in the same process as the Slack request threads; a
100,000-person plan keeps the interpreter busy for seconds, so it runs in a child process that
opens its own engine from the database URL and disposes it before exiting. The parent thread waits
on a pipe, holding no lock. Never a plain fork of the parent: it runs threads.

Where the platform has it (Linux, macOS), children come from a fork server started once per
process (`warm_up`, at scheduler start) that has imported the planning code already: a child is
ready in milliseconds instead of the 1-1.5 s a spawned interpreter takes to import numpy,
SQLAlchemy and the matcher. Elsewhere they are spawned. Small programs are planned in the calling
process.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.logging_setup import configure_logging
from serendip.services import program_snapshots
from serendip.services.lifecycle import plan, season
from serendip.services.lifecycle.results import PlannedRound, RoundPreview, SeasonPreview

log = logging.getLogger(__name__)

# Imported once by the fork server, so a forked child starts with them in memory.
PRELOADED = ["serendip.services.lifecycle.plan_worker"]


def _main_script_module() -> list[str]:
    """The module of ours whose `main` the process's main script runs (the `serendip` command's).

    multiprocessing runs the main script again in every child (to find what it defined); the
    `serendip` console script imports the CLI, ~0.2 s per child unless the fork server has it.
    """
    main = getattr(sys.modules.get("__main__"), "main", None)
    module = getattr(main, "__module__", None)
    return [module] if isinstance(module, str) and module.startswith("serendip.") else []


def _worker_context() -> Any:  # a ForkServerContext, else a SpawnContext (typeshed knows only one per OS)
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([*PRELOADED, *_main_script_module()])
        return context
    return multiprocessing.get_context("spawn")


WORKER = _worker_context()
WORKER_FROM_PEOPLE = 2_000  # below this many enrolled members the plan takes well under a second
# The worker runs at a lower CPU priority: on a busy machine the request threads (Slack's 3 s) go
# first, and the plan, which has minutes, takes what is left. On an idle machine it changes nothing.
WORKER_NICENESS = 10


def count_open_transactions(db: Database) -> None:
    """Count ``db``'s open transactions in memory the planner's worker can read (`plan_write`: on
    SQLite it then rests between its writes only while a command may be waiting)."""
    db.count_open_transactions(WORKER.RawValue("i", 0))


def warm_up() -> None:
    """Start the fork server now (it imports the planning code once), so the first round's child
    does not wait for it; nothing to do where children are spawned."""
    if WORKER.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
        log.info("round.worker_warm method=forkserver")


def wait_until_warm() -> None:
    """Block until a worker can start at once: a no-op child is forked and joined."""
    child = WORKER.Process(target=_nothing, name="serendip-warm", daemon=True)
    child.start()
    child.join()


def shut_down() -> None:
    """Stop the fork server (at process exit), so no process outlives the one that started it."""
    if WORKER.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        stop = getattr(forkserver._forkserver, "_stop", None)  # the module's own stop, not public API
        if stop is not None:
            stop()


def _nothing() -> None:
    """A child that does nothing (see wait_until_warm)."""


class PlanFailed(Exception):
    """The worker process could not plan the round (the reason is the error's type name)."""


def plan_in_worker(
    database_url: str, *, program_id: int, scheduled_for: datetime, others: Any = None
) -> PlannedRound | None:
    """`plan.plan_round` in a child process; its result, or PlanFailed. ``others``: the calling
    process's open transactions (`Database.open_transactions.shared`), read by the child as it stores."""
    planned: PlannedRound | None = _in_child(database_url, "plan", program_id, scheduled_for, others)
    return planned


def preview_in_worker(database_url: str, *, program_id: int) -> RoundPreview:
    """`plan.preview_round` in a child process; its result, or PlanFailed."""
    preview: RoundPreview = _in_child(database_url, "preview", program_id, None)
    return preview


def season_preview_in_worker(database_url: str, *, program_id: int) -> SeasonPreview:
    """`season.preview_season` in a child process; its result, or PlanFailed."""
    preview: SeasonPreview = _in_child(database_url, "season_preview", program_id, None)
    return preview


def snapshots_in_worker(database_url: str) -> int:
    """`program_snapshots.refresh_snapshots` in a child process (CPU-bound at 100,000
    people, like planning); how many programs it recounted, or PlanFailed."""
    refreshed: int = _in_child(database_url, "snapshots", 0, None)
    return refreshed


def _in_child(
    database_url: str, job: str, program_id: int, scheduled_for: datetime | None, others: Any = None
) -> Any:
    receiver, sender = WORKER.Pipe(duplex=False)
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    child = WORKER.Process(
        target=_child,
        args=(database_url, job, program_id, scheduled_for, sender, str(level), others),
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
    others: Any = None,
) -> None:
    """The child: its own engine and logging, one job, the result sent back, the engine disposed."""
    with contextlib.suppress(OSError):  # not every platform or container lets a process renice
        os.nice(WORKER_NICENESS)
    configure_logging(level)
    db = Database(database_url)
    try:
        if job == "preview":
            result: object = plan.preview_round(db, program_id=program_id)
        elif job == "season_preview":
            result = season.preview_season(db, program_id=program_id)
        elif job == "snapshots":
            result = program_snapshots.refresh_snapshots(db, utcnow())
        else:
            assert scheduled_for is not None
            result = plan.plan_round(db, program_id=program_id, scheduled_for=scheduled_for, others=others)
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
        others = db.open_transactions.shared if db.open_transactions is not None else None
        if ":memory:" in db.url or self._enrolled(db, program_id) < self.worker_from:
            return plan.plan_round(db, program_id=program_id, scheduled_for=scheduled_for, others=others)
        return plan_in_worker(db.url, program_id=program_id, scheduled_for=scheduled_for, others=others)

    def preview(self, db: Database, *, program_id: int) -> RoundPreview:
        """Preview the next round, in a worker process when the program is large enough."""
        if ":memory:" in db.url or self._enrolled(db, program_id) < self.worker_from:
            return plan.preview_round(db, program_id=program_id)
        return preview_in_worker(db.url, program_id=program_id)

    def preview_season(self, db: Database, *, program_id: int) -> SeasonPreview:
        """Preview a circles program's next season, in a worker process when the program is large."""
        if ":memory:" in db.url or self._enrolled(db, program_id) < self.worker_from:
            return season.preview_season(db, program_id=program_id)
        return season_preview_in_worker(db.url, program_id=program_id)

    def _enrolled(self, db: Database, program_id: int) -> int:
        if self.worker_from <= 0:
            return 0
        with db.transaction() as session:
            return history_store.enrolled_count(session, program_id)
