"""The Home's expertise cloud: counted from raw rows, then kept per program for five minutes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.migrate import upgrade
from serendip.adapters.db.models import Enrolment, Member, MemberTag, Program, Workspace
from serendip.services.tag_clouds import CLOUD_TTL_SECONDS, CloudCache


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _program(session: Session) -> int:
    session.add(Workspace(id="TCLOUD"))
    session.flush()
    program = Program(workspace_id="TCLOUD", channel_id="CCLOUD", channel_name="cloud")
    session.add(program)
    session.flush()
    for i, tags in enumerate([["go", "sql"], ["go"], ["rust"], ["go"]]):
        member = Member(workspace_id="TCLOUD", slack_id=f"UCLOUD{i}", is_deleted=i == 3)
        session.add(member)
        session.flush()
        session.add(Enrolment(program_id=program.id, member_id=member.id))
        session.add_all(MemberTag(member_id=member.id, kind="expertise", tag=tag) for tag in tags)
        session.add(MemberTag(member_id=member.id, kind="interest", tag="chess"))
    session.flush()
    return program.id


def _raw_counts(session: Session, program_id: int) -> list[tuple[str, int]]:
    rows = session.execute(
        text(
            "SELECT t.tag, count(DISTINCT t.member_id) AS n FROM member_tags t "
            "JOIN enrolments e ON e.member_id = t.member_id JOIN members m ON m.id = t.member_id "
            "WHERE e.program_id = :p AND t.kind = 'expertise' AND m.is_deleted = :no AND e.opted_out = :no "
            "GROUP BY t.tag ORDER BY n DESC, t.tag"
        ),
        {"p": program_id, "no": False},
    )
    return [(tag, int(n)) for tag, n in rows]


def test_the_cloud_is_read_once_then_kept_for_five_minutes(database: Database) -> None:
    clock = Clock()
    cache = CloudCache(clock=clock)
    with database.transaction() as session:
        program_id = _program(session)
        first = cache.counts(session, program_id)
        assert first == _raw_counts(session, program_id) == [("go", 2), ("rust", 1), ("sql", 1)]
        member_id = session.execute(text("SELECT id FROM members WHERE slack_id = 'UCLOUD2'")).scalar_one()
        session.add(MemberTag(member_id=member_id, kind="expertise", tag="go"))
        session.flush()
        clock.now += CLOUD_TTL_SECONDS - 1
        assert cache.counts(session, program_id) == first, "kept within five minutes"
        clock.now += 1
        assert (
            cache.counts(session, program_id)
            == _raw_counts(session, program_id)
            == [
                ("go", 3),
                ("rust", 1),
                ("sql", 1),
            ]
        )


def test_two_databases_with_the_same_program_id_do_not_share_a_cloud(
    database: Database, tmp_path: Path
) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    cache = CloudCache(clock=Clock())
    try:
        with database.transaction() as session:
            program_id = _program(session)
            assert cache.counts(session, program_id) == [("go", 2), ("rust", 1), ("sql", 1)]
        with other.transaction() as session:
            session.add(Workspace(id="TEMPTY"))
            session.flush()
            program = Program(workspace_id="TEMPTY", channel_id="CEMPTY", channel_name="empty")
            session.add(program)
            session.flush()
            assert program.id == program_id
            assert cache.counts(session, program.id) == []
    finally:
        other.dispose()
