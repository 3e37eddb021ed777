"""What a circles program's figures are counted from: its circles' members, topics and meetings.

A circle is every delivered intro sharing a `circle_root_id` (leaving, joining and merging open new
group DMs); one query per kind of data, grouped in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from serendip.adapters.db.circle_models import CircleMeeting
from serendip.adapters.db.models import Intro, IntroMember, Member, MemberTag, Round
from serendip.domain.lifecycle import IntroState


@dataclass(frozen=True)
class CircleRows:
    """A circles program's circles as stored."""

    # Circle (root intro id) -> (season round id, when the season started, topic, state now).
    circles: dict[int, tuple[int, datetime, str, str]]
    # (circle, member id, member's department as stored) for everyone placed in it at some point.
    placements: list[tuple[int, int, str | None]]
    # (circle, member id) of placements on a topic the member lists now (interest or expertise).
    on_listed_topic: set[tuple[int, int]]
    # Circle -> (meetings held, meetings scheduled).
    meetings: dict[int, tuple[int, int]]


def circle_rows(session: Session, program_id: int) -> CircleRows:
    """The program's delivered circles, their members, topics and meetings."""
    root = func.coalesce(Intro.circle_root_id, Intro.id)
    delivered = and_(
        Intro.topic.is_not(None),
        Intro.state == IntroState.POSTED,
        Intro.round_id.in_(select(Round.id).where(Round.program_id == program_id)),
    )
    circles: dict[int, tuple[int, datetime, str, str]] = {}
    rows = session.execute(
        select(root, Intro.id, Intro.round_id, Round.scheduled_for, Intro.topic, Intro.circle_state)
        .join(Round, Round.id == Intro.round_id)
        .where(delivered)
        .order_by(Intro.id)
    )
    for circle, _intro, round_id, at, topic, state in rows:
        season, started, first_topic, _ = circles.get(circle, (round_id, at, topic or "", ""))
        circles[circle] = (season, started, first_topic, state or "")  # the newest intro's state
    placements = session.execute(
        select(root, IntroMember.member_id, Member.department)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Member, Member.id == IntroMember.member_id)
        .where(delivered)
        .distinct()
    )
    listed = session.execute(
        select(root, IntroMember.member_id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(MemberTag, and_(MemberTag.member_id == IntroMember.member_id, MemberTag.tag == Intro.topic))
        .where(delivered)
        .distinct()
    )
    meeting_rows = session.execute(
        select(
            root,
            func.count(CircleMeeting.id),
            func.count(CircleMeeting.id).filter(CircleMeeting.held.is_(True)),
        )
        .join(CircleMeeting, CircleMeeting.intro_id == Intro.id)
        .where(
            Intro.topic.is_not(None),
            Intro.round_id.in_(select(Round.id).where(Round.program_id == program_id)),
        )
        .group_by(root)
    )
    return CircleRows(
        circles=circles,
        placements=[(circle, member, department) for circle, member, department in placements],
        on_listed_topic={(circle, member) for circle, member in listed},
        meetings={circle: (int(held or 0), int(total or 0)) for circle, total, held in meeting_rows},
    )
