"""When seasons run: a season lasts `season_weeks`, its vote three days more, and the next season
forms at the program's first scheduled slot after that; a running season also fixes the kind."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from serendip.adapters.db import season_store
from serendip.adapters.db.models import Program
from serendip.adapters.db.season_store import SeasonTimes
from serendip.domain.program_kinds import ProgramKind, kind_of
from serendip.services.programs import schedule_next_run

VOTE_PERIOD = timedelta(days=3)
_JUST_BEFORE = timedelta(microseconds=1)


def is_circles(program: Program) -> bool:
    """Whether the program runs circles (seasons) rather than rounds of intros."""
    return kind_of(program.kind) is ProgramKind.CIRCLES


def season_end(program: Program, start: datetime) -> datetime:
    """When a season that starts now ends."""
    return start + timedelta(weeks=program.season_weeks)


def next_season_slot(program: Program, season_ends_at: datetime) -> datetime:
    """The first slot of the program's schedule at or after the vote of a season ending then closes."""
    return schedule_next_run(program, season_ends_at + VOTE_PERIOD - _JUST_BEFORE)


def open_season(session: Session, program: Program, now: datetime) -> SeasonTimes | None:
    """The program's season that is running or voting now (its vote not closed yet), if any."""
    season = season_store.newest_season(session, program.id)
    if season is None:
        return None
    closes = season.vote_closes_at or season.ends_at + VOTE_PERIOD
    return season if closes > now else None


def running_season(session: Session, program: Program, now: datetime) -> SeasonTimes | None:
    """The program's season that has not reached its end yet, if any."""
    season = season_store.newest_season(session, program.id)
    return season if season is not None and season.ends_at > now else None


def kind_is_fixed(session: Session, program: Program, now: datetime) -> bool:
    """Whether a season is under way (running, voting, or with circles still meeting): `kind` waits."""
    return open_season(session, program, now) is not None or season_store.has_active_circles(
        session, program.id
    )


def reschedule(session: Session, program: Program, now: datetime) -> datetime:
    """The next run after a settings change: the next slot, or for a season under way the first
    slot after its vote (a season is never cut short by a change of day or time)."""
    if is_circles(program):
        season = open_season(session, program, now)
        if season is not None:
            return next_season_slot(program, season.ends_at)
    return schedule_next_run(program, now)
