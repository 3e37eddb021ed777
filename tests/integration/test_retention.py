"""Retention: intros (with their members and outcomes) and audit entries older than the period go;
newer ones stay. Counted from the tables directly, on both engines."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, text

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import (
    AuditEntry,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    Program,
    Round,
    Workspace,
)
from serendip.adapters.db.types import utcnow
from serendip.services.retention import purge_expired


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def _seed(db: Database) -> None:
    now = utcnow()
    with db.transaction() as session:
        session.add(Workspace(id="T1", name="t"))
        session.flush()
        people = [Member(workspace_id="T1", slack_id=f"U{i}", name=f"p{i}") for i in range(4)]
        session.add_all(people)
        program = Program(workspace_id="T1", channel_id="C1")
        session.add(program)
        session.flush()
        for age_days, ids in ((800, (0, 1)), (10, (2, 3))):
            round_ = Round(program_id=program.id, scheduled_for=now - timedelta(days=age_days))
            session.add(round_)
            session.flush()
            intro = Intro(round_id=round_.id, created_at=now - timedelta(days=age_days))
            session.add(intro)
            session.flush()
            for i in ids:
                session.add(IntroMember(intro_id=intro.id, member_id=people[i].id))
                session.add(IntroOutcome(intro_id=intro.id, member_id=people[i].id, outcome="met"))
            session.add(
                AuditEntry(
                    workspace_id="T1", actor="U0", action="set", created_at=now - timedelta(days=age_days)
                )
            )


def test_purge_removes_only_what_is_older_than_the_retention_period(database: Database) -> None:
    _seed(database)
    purged = purge_expired(database, days=730)
    assert (purged.intros, purged.intro_members, purged.outcomes, purged.audit_entries) == (1, 2, 2, 1)
    assert _count(database, "intros") == 1
    assert _count(database, "intro_members") == 2
    assert _count(database, "intro_outcomes") == 2
    assert _count(database, "audit_log") == 1
    with database.transaction() as session:
        kept = session.scalar(select(func.min(Intro.created_at)))
        assert kept is not None and utcnow() - kept < timedelta(days=30)
        # Rounds, members and programs are not personal history: they stay.
        assert session.scalar(select(func.count()).select_from(Round)) == 2
        assert session.scalar(select(func.count()).select_from(Member)) == 4


def test_a_second_purge_finds_nothing_and_a_shorter_period_takes_the_rest(database: Database) -> None:
    _seed(database)
    purge_expired(database, days=730)
    assert purge_expired(database, days=730).intros == 0
    assert purge_expired(database, days=5).intros == 1
    assert _count(database, "intros") == 0 and _count(database, "intro_outcomes") == 0
