"""Reading what a round is planned from, with the history read at the same time as the people.

The past seats (a million rows at 100,000 people) and the people with their tags are independent
reads; the database does most of the work of each with the interpreter lock released, so the
history is read in a second read-only transaction on a helper thread while this one reads the
people. An in-memory SQLite database is one connection, so there both are read in turn.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.services.lifecycle.ghosts import ghost_members
from serendip.services.lifecycle.inputs import RoundInputs, build_inputs, read_people
from serendip.services.lifecycle.seats import Seats, read_seats


def read_round(
    db: Database, session: Session, program: Program, *, eligible_at: datetime, offsets_at: datetime
) -> tuple[RoundInputs, dict[int, str]]:
    """The round's inputs (ghosts left out) and the ghosts the rule would pause (member id -> Slack id)."""
    if ":memory:" in db.url:
        seats, ghosts = _past(session, program.id)
        rows = read_people(session, program.id, eligible_at)
    else:
        with ThreadPoolExecutor(1, thread_name_prefix="serendip-history") as pool:
            past = pool.submit(_past_in_own_transaction, db, program.id)
            rows = read_people(session, program.id, eligible_at)
            seats, ghosts = past.result()
    return build_inputs(program, rows, seats, offsets_at=offsets_at, skip=ghosts), ghosts


def _past(session: Session, program_id: int) -> tuple[Seats, dict[int, str]]:
    seats = read_seats(session, program_id)
    return seats, ghost_members(session, program_id, seats)


def _past_in_own_transaction(db: Database, program_id: int) -> tuple[Seats, dict[int, str]]:
    with db.transaction() as session:
        return _past(session, program_id)
