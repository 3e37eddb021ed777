"""Rounds compute each member's UTC offset from their zone name at the round's time."""

from __future__ import annotations

from datetime import UTC, datetime

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Member, Program, Round, Workspace
from serendip.services.lifecycle import plan

JANUARY = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
JULY = datetime(2027, 7, 12, 9, 0, tzinfo=UTC)


def _program(database: Database) -> int:
    """Berlin (from HR, its stored offset last set in winter) and Tokyo, both working 9-17 local."""
    with database.transaction() as session:
        session.add(Workspace(id="T1"))
        session.flush()
        program = Program(workspace_id="T1", channel_id="C1", next_run_at=JANUARY)
        berlin = Member(
            workspace_id="T1", slack_id="U1", tz="Europe/Berlin", tz_offset_minutes=60, tz_source="hr"
        )
        tokyo = Member(
            workspace_id="T1", slack_id="U2", tz="Asia/Tokyo", tz_offset_minutes=540, tz_source="slack"
        )
        session.add_all([program, berlin, tokyo])
        session.flush()
        session.add_all([Enrolment(program_id=program.id, member_id=m.id) for m in (berlin, tokyo)])
        return program.id


def _overlap_rate(database: Database, program_id: int, at: datetime) -> float:
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.next_run_at = at
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=at)
    assert planned is not None
    with database.transaction() as session:
        round_ = session.get(Round, planned.round_id)
        assert round_ is not None and round_.quality is not None
        return float(round_.quality["tz_overlap_rate"])


def test_a_round_in_july_uses_summer_time_and_one_in_january_winter_time(database: Database) -> None:
    program_id = _program(database)
    # Berlin works 07-15 UTC in July (one hour shared with Tokyo's 00-08) and 08-16 in January (none).
    assert _overlap_rate(database, program_id, JULY) == 1.0
    assert _overlap_rate(database, program_id, JANUARY) == 0.0
