"""Reading a member's enrolment straight from the table, for tests that check what was stored."""

from __future__ import annotations

from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Member


def channel_standing(database: Database, user_id: str) -> tuple[bool, int | None]:
    """(opted out, latest channel event applied) of the member's one enrolment, from the raw rows."""
    with database.transaction() as session:
        row = session.execute(
            select(Enrolment.opted_out, Enrolment.channel_event_us)
            .join(Member, Member.id == Enrolment.member_id)
            .where(Member.slack_id == user_id)
        ).one()
        return bool(row[0]), row[1]
