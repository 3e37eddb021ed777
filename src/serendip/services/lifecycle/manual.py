"""`/coffee admin run`: refused while paused; stands in for the next round when that one is near."""

from __future__ import annotations

import logging
from datetime import datetime

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.domain.schedule import Frequency, replaces_next_round
from serendip.services.errors import ServiceError
from serendip.services.lifecycle import tick
from serendip.services.lifecycle.plan_worker import Planner
from serendip.services.lifecycle.results import ManualRun
from serendip.services.ports import Directory, IntroPublisher
from serendip.services.programs import schedule_next_run

log = logging.getLogger(__name__)

PAUSED = (
    ":pause_button: This program's rounds are paused, so no round was started and nothing was sent. "
    "Resume them with `/coffee admin resume`, then run `/coffee admin run` again."
)


class ProgramPaused(ServiceError):
    """`admin run` on a paused program."""


def refusal(program: Program) -> str | None:
    """Why `admin run` may not start a round of this program now, or None."""
    return PAUSED if program.is_paused else None


def _take_schedule(db: Database, program_id: int, now: datetime) -> tuple[datetime | None, datetime | None]:
    """Refuse if paused; advance the schedule past the next round when this run replaces it."""
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        reason = refusal(program)
        if reason is not None:
            raise ProgramPaused(reason)
        due = program.next_run_at
        if due is None or not replaces_next_round(
            now=now, next_run_at=due, frequency=Frequency(program.frequency)
        ):
            return None, due
        # Advanced before matching, so a scheduler tick cannot start the replaced round as well.
        return due, schedule_next_run(program, max(due, now))


def _restore(db: Database, program_id: int, replaced: datetime, advanced: datetime | None) -> None:
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is not None and program.next_run_at == advanced:
            program.next_run_at = replaced


def start_manual_round(
    db: Database,
    directory: Directory,
    publisher: IntroPublisher,
    *,
    program_id: int,
    now: datetime,
    planner: Planner | None = None,
) -> ManualRun:
    """Start a round now (delivery is the caller's); ProgramPaused when the program is paused."""
    replaced, next_run_at = _take_schedule(db, program_id, now)
    try:
        planned = tick.start_round(
            db, directory, publisher, program_id=program_id, scheduled_for=now, planner=planner
        )
    except Exception:
        if replaced is not None:  # nothing was started: the scheduled round keeps its place
            _restore(db, program_id, replaced, next_run_at)
        raise
    if planned is None and replaced is not None:
        _restore(db, program_id, replaced, next_run_at)
        replaced, next_run_at = None, replaced
    log.info(
        "round.manual_run program_id=%s round_id=%s replaced=%s",
        program_id,
        planned.round_id if planned else None,
        replaced is not None,
    )
    return ManualRun(planned, replaced, next_run_at)
