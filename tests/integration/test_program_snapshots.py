"""Large programs' dashboards: the worker stores the health panel and expertise cloud as counted
live, the App Home shows that snapshot (marked with its time) instead of recounting, and a program
that is small again, or a snapshot too old to trust, is counted live."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Member, MemberTag, Program, ProgramSnapshot, Workspace
from serendip.adapters.db.types import utcnow
from serendip.services import analytics, home
from serendip.services.program_snapshots import (
    SNAPSHOT_EVERY,
    SNAPSHOT_SHOWN_FOR,
    health_rows,
    refresh_snapshots,
)
from serendip.services.tag_clouds import CLOUDS

TAGS = [["go", "sql"], ["go"], ["rust"], ["go", "k8s"]]


def _program(session: Session) -> tuple[int, int]:
    """A program of four with expertise tags; (program id, an admin's member id)."""
    session.add(Workspace(id="TSNAP"))
    session.flush()
    admin = Member(workspace_id="TSNAP", slack_id="UADMIN", is_workspace_admin=True)
    session.add(admin)
    program = Program(workspace_id="TSNAP", channel_id="CSNAP", channel_name="snap")
    session.add(program)
    session.flush()
    for i, tags in enumerate(TAGS):
        member = Member(workspace_id="TSNAP", slack_id=f"USNAP{i}", department=f"D{i % 2}")
        session.add(member)
        session.flush()
        session.add(Enrolment(program_id=program.id, member_id=member.id))
        session.add_all(MemberTag(member_id=member.id, kind="expertise", tag=tag) for tag in tags)
    return program.id, admin.id


def _raw_cloud(session: Session, program_id: int) -> list[list[object]]:
    rows = session.execute(
        text(
            "SELECT t.tag, count(*) AS n FROM member_tags t JOIN enrolments e ON e.member_id = t.member_id "
            "WHERE e.program_id = :p AND t.kind = 'expertise' GROUP BY t.tag ORDER BY n DESC, t.tag"
        ),
        {"p": program_id},
    )
    return [[tag, int(n)] for tag, n in rows]


def test_the_worker_stores_a_large_programs_panel_and_cloud_as_counted_live(database: Database) -> None:
    now = utcnow()
    with database.transaction() as session:
        program_id, _ = _program(session)
    assert refresh_snapshots(database, now, threshold=4) == 1
    with database.transaction() as session:
        stored = session.get(ProgramSnapshot, program_id)
        assert stored is not None and stored.computed_at == now
        program = session.get(Program, program_id)
        assert program is not None
        live = health_rows(analytics.program_stats(session, program, now))
        assert [tuple(row) for row in stored.health] == live
        assert live[0] == ("Participants now", "4")
        assert (
            stored.expertise_cloud
            == _raw_cloud(session, program_id)
            == [["go", 3], ["k8s", 1], ["rust", 1], ["sql", 1]]
        )
    # Not due again until SNAPSHOT_EVERY has passed.
    assert refresh_snapshots(database, now + SNAPSHOT_EVERY / 2, threshold=4) == 0
    assert refresh_snapshots(database, now + SNAPSHOT_EVERY, threshold=4) == 1


def test_a_program_below_the_threshold_gets_no_snapshot_and_loses_an_old_one(database: Database) -> None:
    now = utcnow()
    with database.transaction() as session:
        program_id, _ = _program(session)
    assert refresh_snapshots(database, now, threshold=5) == 0
    assert refresh_snapshots(database, now, threshold=4) == 1
    assert refresh_snapshots(database, now + SNAPSHOT_EVERY, threshold=5) == 0
    with database.transaction() as session:
        assert session.get(ProgramSnapshot, program_id) is None


def test_the_home_shows_a_large_programs_snapshot_and_counts_live_once_it_is_too_old(
    database: Database,
) -> None:
    now = utcnow()
    with database.transaction() as session:
        program_id, admin_id = _program(session)
    refresh_snapshots(database, now, threshold=4)
    with database.transaction() as session:  # a new tag after the snapshot
        member = session.scalars(select(Member).where(Member.slack_id == "USNAP2")).one()
        session.add(MemberTag(member_id=member.id, kind="expertise", tag="go"))
    CLOUDS.clear()
    with database.transaction() as session:
        admin = session.get(Member, admin_id)
        member = session.scalars(select(Member).where(Member.slack_id == "USNAP0")).one()
        assert admin is not None
        (panel,) = home.program_health(session, admin, now + timedelta(minutes=5))
        assert panel.as_of == now and panel.rows[0] == ("Participants now", "4")
        (cloud,) = home.home_data(session, member, now + timedelta(minutes=5)).clouds
        assert cloud.counts[0] == ("go", 3)  # as counted by the worker
        later = now + SNAPSHOT_SHOWN_FOR + timedelta(seconds=1)
        (panel,) = home.program_health(session, admin, later)
        assert panel.as_of is None  # counted live
        (cloud,) = home.home_data(session, member, later).clouds
        assert cloud.counts[0] == ("go", 4) and [list(c) for c in cloud.counts] == _raw_cloud(
            session, program_id
        )
