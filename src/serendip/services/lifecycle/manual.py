"""`/coffee admin run`: refused while paused; stands in for the next round when that one is near.

For a circles program it forms a season; a season still running is ended early once the admin
confirmed it (`end_season`), after the new one formed, so the season's closing takes it from there.
"""

from __future__ import annotations

import logging
from datetime import datetime

from serendip.adapters.db import season_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.domain.schedule import Frequency, replaces_next_round
from serendip.services.errors import ServiceError
from serendip.services.lifecycle import tick
from serendip.services.lifecycle.plan_worker import Planner
from serendip.services.lifecycle.results import ManualRun, PlannedRound
from serendip.services.lifecycle.season_clock import VOTE_PERIOD, is_circles, running_season
from serendip.services.ports import Directory, IntroPublisher
from serendip.services.programs import schedule_next_run

log = logging.getLogger(__name__)

PAUSED = (
    ":pause_button: This program's rounds are paused, so no round was started and nothing was sent. "
    "Resume them with `/coffee admin resume`, then run `/coffee admin run` again."
)


SEASON_RUNNING = (
    "A season of this program is running, so no new one was formed. Run `/coffee admin run` again "
    "to be asked whether to end it early."
)


class ProgramPaused(ServiceError):
    """`admin run` on a paused program."""


class SeasonRunning(ServiceError):
    """`admin run` on a circles program whose season is running, without confirming its early end."""


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
    end_season: bool = False,
) -> ManualRun:
    """Start a round (or form a season) now, delivery being the caller's; ProgramPaused when the
    program is paused, SeasonRunning when a season runs and `end_season` was not confirmed."""
    running = _running_season(db, program_id, now)
    if running is not None and not end_season:
        raise SeasonRunning(SEASON_RUNNING)
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
    if planned is not None and planned.season:
        return _season_run(db, program_id, planned, running, now)
    return ManualRun(planned, replaced, next_run_at)


def _running_season(db: Database, program_id: int, now: datetime) -> int | None:
    """The id of the circles program's season that is running now, if any."""
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None or not is_circles(program):
            return None
        season = running_season(session, program, now)
        return season.round_id if season is not None else None


def _season_run(
    db: Database, program_id: int, planned: PlannedRound, running: int | None, now: datetime
) -> ManualRun:
    """After a season formed by hand: end the one it replaces (only once the new one is stored) and
    report the program's next season, which forming it set."""
    ended = running if running is not None and not planned.held else None
    with db.transaction() as session:
        if ended is not None:
            season_store.end_season(session, ended, ends_at=now, vote_closes_at=now + VOTE_PERIOD)
        program = session.get(Program, program_id)
        next_run_at = program.next_run_at if program is not None else None
    if ended is not None:
        log.info(
            "season.ended_early program_id=%s season_id=%s by_season=%s", program_id, ended, planned.round_id
        )
    return ManualRun(planned, None, next_run_at, ended_season=ended)
