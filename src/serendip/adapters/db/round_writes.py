"""The set-based writes of planning a round: intros and their members in two statements, ghost pauses.

A 100,000-person round stores ~50,000 intros; row-at-a-time ORM objects cost tens of seconds there,
so these are Core executemany statements (ids of the new intros come back with RETURNING, in the
order of the rows sent). The other lifecycle statements are in `lifecycle_store`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, select, text, update
from sqlalchemy.orm import Session

from serendip.adapters.db import pg_copy
from serendip.adapters.db.models import Enrolment, Intro, IntroMember, Program, Round
from serendip.domain.lifecycle import IntroState, RoundState

CHUNK = 500  # ids per IN (...) list
_INTROS = cast(Table, Intro.__table__)
_SEATS = cast(Table, IntroMember.__table__)
_ROUNDS = cast(Table, Round.__table__)


def round_exists(session: Session, program_id: int, scheduled_for: datetime) -> bool:
    """Whether the program already has a round for that scheduled time (of any state)."""
    query = select(Round.id).where(Round.program_id == program_id, Round.scheduled_for == scheduled_for)
    return session.scalar(query.limit(1)) is not None


def hold_plan_lease(session: Session, round_id: int, *, owner: str, until: datetime) -> bool:
    """Extend the planner's lease on a round it is still storing; False when the round is no longer
    being stored by ``owner`` (removed as abandoned, or finished).

    An UPDATE, so on SQLite it is also what takes the write lock before intro ids are drawn.
    """
    rounds = _ROUNDS.c  # a Core UPDATE on the connection (no ORM machinery): renewed once per chunk
    result = session.connection().execute(
        update(_ROUNDS)
        .where(rounds.id == round_id, rounds.state == RoundState.MATCHING, rounds.lease_owner == owner)
        .values(lease_expires_at=until)
    )
    return result.rowcount == 1


def abandoned_plans(session: Session, now: datetime) -> list[int]:
    """Rounds still being stored whose planner's lease ran out (it died or stalled mid-write)."""
    query = select(Round.id).where(Round.state == RoundState.MATCHING, Round.lease_expires_at < now)
    return list(session.scalars(query.order_by(Round.id)))


def remove_abandoned_plan(session: Session, round_id: int, now: datetime) -> tuple[int, datetime, int] | None:
    """Delete a round whose planner's lease ran out, with its intros and seats, and make its program
    due again at the round's time; (program id, scheduled time, intros removed), or None when the
    round is gone or its planner came back first."""
    row = session.execute(
        select(Round.program_id, Round.scheduled_for).where(
            Round.id == round_id, Round.state == RoundState.MATCHING, Round.lease_expires_at < now
        )
    ).first()
    if row is None:
        return None
    program_id, scheduled_for = row
    intros = int(session.scalar(select(func.count()).where(Intro.round_id == round_id)) or 0)
    # The guard is repeated in the DELETE: on PostgreSQL a planner renewing its lease meanwhile wins.
    removed = session.execute(
        delete(Round)
        .where(Round.id == round_id, Round.state == RoundState.MATCHING, Round.lease_expires_at < now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[object], removed).rowcount != 1:
        return None
    session.execute(
        update(Program)
        .where(Program.id == program_id, Program.next_run_at > scheduled_for)
        .values(next_run_at=scheduled_for)
        .execution_options(synchronize_session=False)
    )
    return program_id, scheduled_for, intros


def insert_intros(
    session: Session, round_id: int, groups: Sequence[Sequence[int]], now: datetime
) -> list[int]:
    """One pending intro per group of member ids, and its members; the new intro ids, in group order."""
    ids = insert_intro_rows(session, round_id, len(groups), now)
    insert_seats(session, [(i, m) for i, group in zip(ids, groups, strict=True) for m in group])
    return ids


def insert_intro_rows(session: Session, round_id: int, count: int, now: datetime) -> list[int]:
    """``count`` pending intros of the round, with no members yet; their ids, ascending."""
    if not count:
        return []
    ids = new_intro_ids(session, count)
    if session.get_bind().dialect.name == "postgresql":
        # The ids were drawn beforehand (COPY returns none); every value is built here, none taken from input.
        pg_copy.copy_rows(
            session,
            "intros (id, round_id, state, attempts, created_at)",
            [(i, round_id, IntroState.PENDING.value, 0, now) for i in ids],
        )
        return ids
    # A statement whose rows SQLite makes itself: the intros' ids are consecutive (a counting CTE).
    # Values are built here (ids drawn, state a constant, a datetime stored the way the column type
    # stores it), so nothing unvalidated reaches the statement.
    dialect = session.get_bind().dialect
    to_column = _INTROS.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    stamp = to_column(now) if to_column is not None else now
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    _sqlite(session).execute(
        "WITH RECURSIVE drawn(id) AS (SELECT ? UNION ALL SELECT id + 1 FROM drawn WHERE id < ?) "
        "INSERT INTO intros (id, round_id, state, attempts, created_at) "
        "SELECT id, ?, ?, 0, ? FROM drawn",
        (ids[0], ids[-1], round_id, IntroState.PENDING.value, stamp),
    )
    return ids


def insert_seats(session: Session, seats: Sequence[tuple[int, int]]) -> None:
    """The (intro id, member id) rows of intros already stored."""
    if not seats:
        return
    if session.get_bind().dialect.name == "postgresql":
        pg_copy.copy_rows(session, "intro_members (intro_id, member_id)", seats)
        return
    if max(member for _, member in seats) >= 1 << 32:  # beyond the packing (never in practice)
        _sqlite(session).executemany("INSERT INTO intro_members (intro_id, member_id) VALUES (?, ?)", seats)
        return
    # The seats travel as one JSON array of intro * 2**32 + member read by json_each: binding
    # ~150,000 rows one by one (even the driver's executemany) cost twice as much.
    packed = json.dumps([intro << 32 | member for intro, member in seats])
    _sqlite(session).execute(
        "INSERT INTO intro_members (intro_id, member_id) SELECT value >> 32, value & 4294967295 FROM json_each(?)",
        (packed,),
    )


def _sqlite(session: Session) -> Any:
    """The session's own sqlite3 connection (inside its transaction)."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    return driver


def pause_enrolments(session: Session, program_id: int, member_ids: Sequence[int]) -> None:
    """Pause these members' enrolments until they resume (the ghost rule's pause)."""
    for start in range(0, len(member_ids), CHUNK):
        session.execute(
            update(Enrolment)
            .where(
                Enrolment.program_id == program_id, Enrolment.member_id.in_(member_ids[start : start + CHUNK])
            )
            .values(paused=True, paused_until=None)
            .execution_options(synchronize_session=False)
        )


def new_intro_ids(session: Session, count: int) -> list[int]:
    """`count` fresh intro ids, in one statement.

    PostgreSQL: drawn from the column's sequence. SQLite: the caller's transaction has written
    (the round row), so it holds the database's only write lock and max(id) + 1.. stay free.
    """
    if session.get_bind().dialect.name == "postgresql":
        draw = text("SELECT nextval(pg_get_serial_sequence('intros', 'id')) FROM generate_series(1, :n)")
        return [int(i) for i in session.scalars(draw, {"n": count})]
    first = int(session.scalar(select(func.coalesce(func.max(Intro.id), 0))) or 0) + 1
    return list(range(first, first + count))
