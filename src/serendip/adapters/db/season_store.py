"""Every statement of forming a circles season: its times, last season's circles, and the writes.

A season is a `Round` of a circles program and a circle is an `Intro` with a topic, so forming one
writes the round, one intro per circle with its members, the season's meeting schedule and the
waitlist of the people left out, set-based (a 100,000-person program has ~20,000 circles).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from serendip.adapters.db.circle_models import CircleMeeting, SeasonWaitlist
from serendip.adapters.db.models import Intro, IntroMember, Member, Round
from serendip.domain.lifecycle import CircleState, IntroState, RoundState

CHUNK = 5_000  # rows per INSERT statement


@dataclass(frozen=True)
class SeasonTimes:
    """A season's round and when it ends and its vote closes."""

    round_id: int
    started: datetime
    ends_at: datetime
    vote_closes_at: datetime | None


def newest_season(session: Session, program_id: int) -> SeasonTimes | None:
    """The program's newest season that formed circles (held ones formed none), if any."""
    query = (
        select(Round.id, Round.scheduled_for, Round.season_ends_at, Round.vote_closes_at)
        .where(
            Round.program_id == program_id,
            Round.season_ends_at.is_not(None),
            Round.state.not_in((RoundState.HELD, RoundState.SKIPPED)),
        )
        .order_by(Round.scheduled_for.desc(), Round.id.desc())
    )
    row = session.execute(query.limit(1)).first()
    if row is None or row[2] is None:
        return None
    return SeasonTimes(row[0], row[1], row[2], row[3])


def has_active_circles(session: Session, program_id: int) -> bool:
    """Whether any circle of the program is still meeting (its season not closed yet)."""
    query = (
        select(Intro.id)
        .join(Round, Round.id == Intro.round_id)
        .where(Round.program_id == program_id, Intro.circle_state == CircleState.ACTIVE.value)
    )
    return session.scalar(query.limit(1)) is not None


def season_circles(session: Session, round_id: int) -> list[frozenset[str]]:
    """The Slack ids of each circle of a season (every group DM it had, failed ones left out)."""
    rows = session.execute(
        select(Intro.id, Member.slack_id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Member, Member.id == IntroMember.member_id)
        .where(
            Intro.round_id == round_id,
            Intro.topic.is_not(None),
            Intro.state != IntroState.FAILED,
        )
    )
    circles: dict[int, set[str]] = {}
    for intro_id, slack_id in rows:
        circles.setdefault(intro_id, set()).add(slack_id)
    return [frozenset(members) for _, members in sorted(circles.items())]


def insert_circles(
    session: Session, round_id: int, circles: Sequence[tuple[str, Sequence[int]]], now: datetime
) -> list[int]:
    """One pending, active circle intro per (topic, member ids), each its own root; the new ids in order."""
    if not circles:
        return []
    rows = [
        {
            "round_id": round_id,
            "state": IntroState.PENDING,
            "attempts": 0,
            "created_at": now,
            "topic": topic,
            "circle_state": CircleState.ACTIVE.value,
        }
        for topic, _ in circles
    ]
    ids: list[int] = []
    statement = insert(Intro).returning(Intro.id, sort_by_parameter_order=True)
    for start in range(0, len(rows), CHUNK):
        ids.extend(session.scalars(statement, rows[start : start + CHUNK]).all())
    # A circle's first intro is its root: later group DMs (a leave, a merge) point back to it.
    session.execute(
        update(Intro)
        .where(Intro.round_id == round_id, Intro.topic.is_not(None), Intro.circle_root_id.is_(None))
        .values(circle_root_id=Intro.id)
        .execution_options(synchronize_session=False)
    )
    seats = [
        {"intro_id": intro_id, "member_id": member_id}
        for intro_id, (_, members) in zip(ids, circles, strict=True)
        for member_id in members
    ]
    _insert_all(session, IntroMember, seats)
    return ids


def insert_meetings(session: Session, meetings: Sequence[tuple[int, int, int, datetime]]) -> None:
    """The season's meetings: (intro id, number, host member id, due at) each."""
    rows = [
        {"intro_id": intro_id, "number": number, "host_member_id": host, "due_at": due}
        for intro_id, number, host, due in meetings
    ]
    _insert_all(session, CircleMeeting, rows)


def insert_waitlist(
    session: Session, round_id: int, people: Sequence[tuple[int, str, str]], now: datetime
) -> None:
    """The people left out of the season: (member id, reason, comma-separated suggested topics)."""
    rows = [
        {
            "round_id": round_id,
            "member_id": member_id,
            "reason": reason[:255],
            "suggested_topics": topics[:255],
            "created_at": now,
        }
        for member_id, reason, topics in people
    ]
    _insert_all(session, SeasonWaitlist, rows)


def _insert_all(session: Session, model: type, rows: Sequence[Mapping[str, object]]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[start : start + CHUNK])


def start_season(session: Session, round_id: int, *, ends_at: datetime, vote_closes_at: datetime) -> None:
    """Set when the season ends and its vote closes."""
    session.execute(
        update(Round)
        .where(Round.id == round_id)
        .values(season_ends_at=ends_at, vote_closes_at=vote_closes_at)
    )


def unnotified_waitlist(session: Session, round_id: int) -> list[tuple[int, str, str, str]]:
    """(member id, Slack id, reason, suggested topics) of the season's waitlist not told yet."""
    rows = session.execute(
        select(
            SeasonWaitlist.member_id, Member.slack_id, SeasonWaitlist.reason, SeasonWaitlist.suggested_topics
        )
        .join(Member, Member.id == SeasonWaitlist.member_id)
        .where(SeasonWaitlist.round_id == round_id, SeasonWaitlist.notified_at.is_(None))
        .order_by(SeasonWaitlist.member_id)
    )
    return [(member_id, slack_id, reason, topics) for member_id, slack_id, reason, topics in rows]


def mark_notified(session: Session, round_id: int, member_ids: Sequence[int], now: datetime) -> None:
    """Record that these waitlisted members are being told (before the DMs: at most once)."""
    for start in range(0, len(member_ids), CHUNK):
        session.execute(
            update(SeasonWaitlist)
            .where(
                SeasonWaitlist.round_id == round_id,
                SeasonWaitlist.member_id.in_(member_ids[start : start + CHUNK]),
                SeasonWaitlist.notified_at.is_(None),
            )
            .values(notified_at=now)
            .execution_options(synchronize_session=False)
        )


def waitlist_count(session: Session, round_id: int) -> int:
    """How many people the season left out."""
    query = select(func.count()).select_from(SeasonWaitlist).where(SeasonWaitlist.round_id == round_id)
    return int(session.scalar(query) or 0)
