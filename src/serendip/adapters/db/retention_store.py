"""Retention's statements: set-based deletes of intros, their outcomes and audit entries past a cutoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import AuditEntry, Intro, IntroMember, IntroOutcome


@dataclass(frozen=True)
class PurgedRows:
    """How many rows of each kind one purge removed."""

    intros: int
    intro_members: int
    outcomes: int
    audit_entries: int


def _count(result: object) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def purge_before(session: Session, cutoff: datetime) -> PurgedRows:
    """Delete intros created before ``cutoff`` with their members and outcomes, and older audit rows.

    Children go first by explicit statement (not relying on ON DELETE CASCADE), so the counts are
    real on both engines; one statement per table whatever the volume.
    """
    old_intros = select(Intro.id).where(Intro.created_at < cutoff).scalar_subquery()
    outcomes = session.execute(delete(IntroOutcome).where(IntroOutcome.intro_id.in_(old_intros)))
    members = session.execute(delete(IntroMember).where(IntroMember.intro_id.in_(old_intros)))
    intros = session.execute(delete(Intro).where(Intro.created_at < cutoff))
    audit = session.execute(delete(AuditEntry).where(AuditEntry.created_at < cutoff))
    return PurgedRows(
        intros=_count(intros),
        intro_members=_count(members),
        outcomes=_count(outcomes),
        audit_entries=_count(audit),
    )
