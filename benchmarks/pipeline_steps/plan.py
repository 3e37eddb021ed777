"""Pipeline step `plan`: plan the next round of the 100,000-person org as `serendip serve` does.

prepare builds the org (`pipeline_org.build_org`, 12 rounds of history); warm starts the worker's
fork server as the scheduler does once when `serve` starts; run plans one round in a worker process
(`plan_worker.Planner`, as the scheduler calls it, with `serve`'s count of open transactions on
SQLite: ghost rule, eligibility, history, match, the independent round
check, ~50,000 intros stored); settle stops the fork server, so the peak memory measured is the
parent's plus the largest child's (the fork server's or the worker's); baseline plans one round with the code of before issue 12 (`pipeline_old_code`: its
row-at-a-time ORM path, in a child process).
"""

from __future__ import annotations

import sys
import time

from benchmarks.pipeline_old_code import pipeline_program_id, run_old_code
from benchmarks.pipeline_org import build_org

from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import plan_worker
from serendip.services.lifecycle.plan_worker import Planner

STEP = "plan"
ROUNDS = 12
ORG = "org-12-rounds"  # one build, copied for each step and engine that names it


def prepare(url: str, people: int) -> None:
    """The org with 12 finished rounds."""
    build_org(url, people=people, rounds=ROUNDS)


def warm(url: str, people: int) -> None:
    """Start the worker's fork server and wait until it has imported the planning code."""
    started = time.perf_counter()
    plan_worker.warm_up()
    plan_worker.wait_until_warm()
    print(
        f"plan: worker fork server ready in {time.perf_counter() - started:.2f} s (once per process)",
        file=sys.stderr,
    )


def settle() -> None:
    """Stop the fork server, so its memory and its children's is counted."""
    plan_worker.shut_down()


def run(url: str, people: int) -> None:
    """Plan one round through the worker process, as the scheduler of `serendip serve` does."""
    database = Database(url)
    if database.dialect == "sqlite":  # as `serve` does: its planner sees the commands' transactions
        plan_worker.count_open_transactions(database)
    started = time.perf_counter()
    planned = Planner(worker_from=0)(database, program_id=pipeline_program_id(url), scheduled_for=utcnow())
    database.dispose()
    assert planned is not None and not planned.held, planned
    print(
        f"plan: {planned.eligible} eligible, {planned.intros} intros, {len(planned.ghosts)} ghosts paused "
        f"in {time.perf_counter() - started:.2f} s",
        file=sys.stderr,
    )


def baseline(url: str, people: int) -> None:
    """Plan one round in-process with the code of before issue 12."""
    run_old_code(url, "plan.plan_round(Database(url), program_id=program_id, scheduled_for=utcnow())")
