"""The people rules of `domain.people` as SQL: one expression each, for queries to filter with.

Each clause is two-valued (never NULL), so it may be negated safely. The query joins `Member` and
`Enrolment` itself; the clauses only say which rows qualify. tests/integration/test_people_rules.py
proves each clause selects exactly what its domain function accepts, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, not_, or_

from serendip.adapters.db.models import Enrolment, Member


def person_clause(member: type[Member] = Member) -> ColumnElement[bool]:
    """Mirrors `domain.people.is_person`: not deactivated, not a bot, not a guest."""
    return and_(member.is_deleted.is_(False), member.is_bot.is_(False), member.is_guest.is_(False))


def enrolled_clause() -> ColumnElement[bool]:
    """Mirrors `domain.people.is_enrolled` for a joined enrolment row: not opted out."""
    return Enrolment.opted_out.is_(False)


def participant_clause() -> ColumnElement[bool]:
    """Mirrors `domain.people.is_participant`: an enrolled person (joined `Member` and `Enrolment`)."""
    return and_(enrolled_clause(), person_clause())


def paused_at_clause(now: datetime) -> ColumnElement[bool]:
    """Mirrors `domain.people.is_paused_at`: paused with no end, or with an end after ``now``."""
    return and_(
        Enrolment.paused.is_(True),
        or_(Enrolment.paused_until.is_(None), Enrolment.paused_until > now),
    )


def eligible_at_clause(now: datetime) -> ColumnElement[bool]:
    """Mirrors `domain.people.is_eligible_at`: a participant neither paused at ``now`` nor skipping."""
    return and_(participant_clause(), not_(paused_at_clause(now)), Enrolment.skip_next.is_(False))


def same_team_clause(a: type[Member], b: type[Member]) -> ColumnElement[bool]:
    """Mirrors `domain.departments.same_team`: both department keys known and equal.

    `members.department_key` holds `department_key(department)`, written by the one department
    write path (`services.members.set_department`); both NOT NULL tests keep the clause two-valued.
    """
    return and_(
        a.department_key.is_not(None),
        b.department_key.is_not(None),
        a.department_key == b.department_key,
    )
