"""Large programs' dashboard snapshots: which are due, reading them, and writing one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Enrolment, Member, Program, ProgramSnapshot
from serendip.adapters.db.people_sql import participant_clause


def participant_counts(session: Session, program_ids: Collection[int]) -> dict[int, int]:
    """How many current participants each of these programs has (programs with none are left out)."""
    if not program_ids:
        return {}
    rows = session.execute(
        select(Enrolment.program_id, func.count())
        .join(Member, Member.id == Enrolment.member_id)
        .where(Enrolment.program_id.in_(sorted(program_ids)), participant_clause())
        .group_by(Enrolment.program_id)
    )
    return {program_id: int(count) for program_id, count in rows}


def programs_due(session: Session, older_than: datetime) -> list[int]:
    """Ids of programs with no snapshot, or one computed at or before ``older_than``."""
    rows = session.scalars(
        select(Program.id)
        .outerjoin(ProgramSnapshot, ProgramSnapshot.program_id == Program.id)
        .where(or_(ProgramSnapshot.program_id.is_(None), ProgramSnapshot.computed_at <= older_than))
        .order_by(Program.id)
    )
    return list(rows)


def snapshots(session: Session, program_ids: Collection[int]) -> dict[int, ProgramSnapshot]:
    """The stored snapshots of these programs, by program id."""
    if not program_ids:
        return {}
    rows = session.scalars(select(ProgramSnapshot).where(ProgramSnapshot.program_id.in_(sorted(program_ids))))
    return {row.program_id: row for row in rows}


def store(
    session: Session,
    program_id: int,
    computed_at: datetime,
    health: Sequence[tuple[str, str]],
    cloud: Sequence[tuple[str, int]],
) -> None:
    """Write (or replace) a program's snapshot."""
    row = session.get(ProgramSnapshot, program_id)
    if row is None:
        row = ProgramSnapshot(program_id=program_id)
        session.add(row)
    row.computed_at = computed_at
    row.health = [[label, value] for label, value in health]
    row.expertise_cloud = [[tag, count] for tag, count in cloud]


def drop(session: Session, program_ids: Sequence[int]) -> None:
    """Delete these programs' snapshots, if any."""
    if program_ids:
        session.execute(delete(ProgramSnapshot).where(ProgramSnapshot.program_id.in_(program_ids)))
