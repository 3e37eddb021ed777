"""Pipeline step `preview`: `/coffee admin preview` of the 100,000-person org's next round.

prepare builds the org (`pipeline_org.build_org`, 12 rounds of history); run previews the next round
through `plan.preview_round` (the same set-based reading and matching as the round itself, with the
independent check); baseline previews it with the code of before issue 12 (`pipeline_old_code`).
"""

from __future__ import annotations

import sys
import time

from benchmarks.pipeline_old_code import pipeline_program_id, run_old_code
from benchmarks.pipeline_org import build_org

from serendip.adapters.db.engine import Database
from serendip.services.lifecycle.plan import preview_round

STEP = "preview"
ROUNDS = 12
ORG = "org-12-rounds"  # one build, copied for each step and engine that names it


def prepare(url: str, people: int) -> None:
    """The org with 12 finished rounds."""
    build_org(url, people=people, rounds=ROUNDS)


def run(url: str, people: int) -> None:
    """Preview the next round as `/coffee admin preview` does."""
    database = Database(url)
    try:
        started = time.perf_counter()
        preview = preview_round(database, program_id=pipeline_program_id(url))
        print(
            f"preview: {preview.eligible} eligible, {len(preview.groups)} groups "
            f"in {time.perf_counter() - started:.2f} s",
            file=sys.stderr,
        )
    finally:
        database.dispose()


def baseline(url: str, people: int) -> None:
    """Preview with the code of before issue 12."""
    run_old_code(url, "plan.preview_round(Database(url), program_id=program_id)")
