"""Every statement of a circle's meetings: due nudges and their claims, answers, and the closing votes.

The services in `serendip.services.lifecycle` own the transactions and call these with their session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from serendip.adapters.db.circle_models import CircleAnswer, CircleMeeting, CircleVote
from serendip.adapters.db.lifecycle_store import locked
from serendip.adapters.db.models import Intro, IntroMember, Member, Program, Round
from serendip.adapters.db.uninstall_store import installed
from serendip.domain.lifecycle import CircleState, IntroState

# `message_ts` of a nudge Slack refused for good (an archived DM): never tried again, never "posted".
NOT_POSTED = ""


@dataclass(frozen=True)
class MeetingFacts:
    """A meeting with what its nudge and its buttons need of its circle."""

    meeting_id: int
    intro_id: int
    root_id: int
    number: int
    topic: str
    circle_state: str | None
    conversation_id: str | None
    message_ts: str | None
    post_started_at: datetime | None  # before this claim: set means a post may have landed
    host_member_id: int | None
    held: bool | None


def due_meetings(
    session: Session, now: datetime, *, not_before: datetime, stale_before: datetime
) -> list[tuple[int, str]]:
    """(meeting id, scope id) of nudges to send now: an active, delivered circle's latest meeting
    that is due (not later than `not_before`), inside its season, not posted and not being posted."""
    later = aliased(CircleMeeting)
    newer_due = exists().where(
        later.intro_id == CircleMeeting.intro_id, later.number > CircleMeeting.number, later.due_at <= now
    )
    rows = session.execute(
        select(CircleMeeting.id, Program.workspace_id)
        .join(Intro, Intro.id == CircleMeeting.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(
            Intro.circle_state == CircleState.ACTIVE.value,
            Intro.state == IntroState.POSTED,
            CircleMeeting.message_ts.is_(None),
            CircleMeeting.due_at <= now,
            CircleMeeting.due_at > not_before,
            or_(CircleMeeting.post_started_at.is_(None), CircleMeeting.post_started_at <= stale_before),
            or_(Round.season_ends_at.is_(None), CircleMeeting.due_at < Round.season_ends_at),
            ~newer_due,
            installed(Program.workspace_id),
        )
        .order_by(CircleMeeting.due_at, CircleMeeting.id)
    )
    return [(meeting_id, scope) for meeting_id, scope in rows]


def _facts(meeting: CircleMeeting, intro: Intro) -> MeetingFacts:
    return MeetingFacts(
        meeting_id=meeting.id,
        intro_id=intro.id,
        root_id=intro.circle_root_id or intro.id,
        number=meeting.number,
        topic=intro.topic or "",
        circle_state=intro.circle_state,
        conversation_id=intro.conversation_id,
        message_ts=meeting.message_ts,
        post_started_at=meeting.post_started_at,
        host_member_id=meeting.host_member_id,
        held=meeting.held,
    )


def claim_meeting(
    session: Session, meeting_id: int, *, now: datetime, stale_before: datetime
) -> MeetingFacts | None:
    """Mark a due nudge as being posted now, so one worker posts it; None when it is posted, being
    posted (since after `stale_before`), or its circle is no longer active. The facts returned keep
    the earlier start, if any: a post may have landed then."""
    query = select(CircleMeeting).where(CircleMeeting.id == meeting_id)
    meeting = session.scalars(locked(session, query)).one_or_none()
    if meeting is None or meeting.message_ts is not None:
        return None
    if meeting.post_started_at is not None and meeting.post_started_at > stale_before:
        return None
    intro = session.get(Intro, meeting.intro_id)
    if intro is None or intro.circle_state != CircleState.ACTIVE or intro.conversation_id is None:
        return None
    facts = _facts(meeting, intro)
    meeting.post_started_at = now
    return facts


def meeting_facts(session: Session, meeting_id: int, *, lock: bool = False) -> MeetingFacts | None:
    """A meeting and its circle, as stored; with ``lock``, the circle's intro is locked for the
    transaction, so answers in one circle (a double click, a quick run of skips whose streak is
    counted) are recorded one after the other."""
    meeting = session.get(CircleMeeting, meeting_id)
    if meeting is not None and lock:
        lock_circle_intro(session, meeting.intro_id)
        session.refresh(meeting)
    intro = session.get(Intro, meeting.intro_id) if meeting is not None else None
    return _facts(meeting, intro) if meeting is not None and intro is not None else None


def set_host(session: Session, meeting_id: int, host_member_id: int | None) -> None:
    """Who hosts the meeting (a host who left is replaced before the nudge)."""
    meeting = session.get(CircleMeeting, meeting_id)
    assert meeting is not None
    meeting.host_member_id = host_member_id


def record_nudge(session: Session, meeting_id: int, *, ts: str | None, started_at: datetime | None) -> None:
    """How far the nudge got: started (no ts yet), posted (ts), refused for good (NOT_POSTED), or not at all."""
    meeting = session.get(CircleMeeting, meeting_id)
    assert meeting is not None
    meeting.message_ts, meeting.post_started_at = ts, started_at


def intro_member_ids(session: Session, intro_id: int) -> list[int]:
    """The member ids of an intro, in id order."""
    query = select(IntroMember.member_id).where(IntroMember.intro_id == intro_id)
    return sorted(session.scalars(query))


def people(session: Session, member_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(Slack id, name shown) of each member."""
    rows = session.execute(
        select(Member.id, Member.slack_id, Member.real_name, Member.name).where(Member.id.in_(member_ids))
    )
    return {member_id: (slack_id, real or name or slack_id) for member_id, slack_id, real, name in rows}


def is_member(session: Session, intro_id: int, member_id: int) -> bool:
    """Whether the member is one of the intro's people."""
    return session.get(IntroMember, (intro_id, member_id)) is not None


def record_answer(session: Session, meeting_id: int, member_id: int, answer: str, now: datetime) -> bool:
    """Store (or change) a member's answer to a meeting; False when it was already their answer."""
    existing = session.get(CircleAnswer, (meeting_id, member_id))
    if existing is not None and existing.answer == answer:
        return False
    if existing is None:
        session.add(CircleAnswer(meeting_id=meeting_id, member_id=member_id, answer=answer, answered_at=now))
    else:
        existing.answer, existing.answered_at = answer, now
    session.flush()
    return True


def mark_held(session: Session, meeting_id: int, now: datetime) -> bool:
    """The circle met for this meeting; False when it was already known to have met."""
    meeting = session.get(CircleMeeting, meeting_id)
    assert meeting is not None
    if meeting.held:
        return False
    meeting.held, meeting.answered_at = True, now
    return True


def meeting_answers(session: Session, meeting_id: int) -> dict[str, str]:
    """Everyone's answer to one meeting, by Slack id."""
    rows = session.execute(
        select(Member.slack_id, CircleAnswer.answer)
        .join(CircleAnswer, CircleAnswer.member_id == Member.id)
        .where(CircleAnswer.meeting_id == meeting_id)
    )
    return {slack_id: answer for slack_id, answer in rows}


def member_answers(session: Session, root_id: int, member_id: int, *, up_to: int) -> list[str | None]:
    """The member's answer to each nudged meeting of the circle they were in, up to meeting number
    `up_to`, oldest first (None: no answer)."""
    rows = session.execute(
        select(CircleMeeting.number, CircleAnswer.answer)
        .join(Intro, Intro.id == CircleMeeting.intro_id)
        .join(IntroMember, (IntroMember.intro_id == Intro.id) & (IntroMember.member_id == member_id))
        .outerjoin(
            CircleAnswer,
            (CircleAnswer.meeting_id == CircleMeeting.id) & (CircleAnswer.member_id == member_id),
        )
        .where(
            Intro.circle_root_id == root_id,
            CircleMeeting.number <= up_to,
            CircleMeeting.message_ts.is_not(None),
            CircleMeeting.message_ts != NOT_POSTED,
        )
        .order_by(CircleMeeting.number)
    )
    return [answer for _, answer in rows]


def record_vote(session: Session, intro_id: int, member_id: int, keep: bool, now: datetime) -> bool:
    """Store (or change) a member's keep-going vote; False when it was already their vote."""
    existing = session.get(CircleVote, (intro_id, member_id))
    if existing is not None and existing.keep == keep:
        return False
    if existing is None:
        session.add(CircleVote(intro_id=intro_id, member_id=member_id, keep=keep, voted_at=now))
    else:
        existing.keep, existing.voted_at = keep, now
    session.flush()
    return True


def lock_circle_intro(session: Session, intro_id: int) -> Intro | None:
    """The circle's intro, locked for the transaction (votes on it are recorded one at a time)."""
    return session.scalars(locked(session, select(Intro).where(Intro.id == intro_id))).one_or_none()


def intro_votes(session: Session, intro_id: int) -> list[bool]:
    """Every vote cast for a circle, as keep (True) or let it end (False)."""
    return list(session.scalars(select(CircleVote.keep).where(CircleVote.intro_id == intro_id)))
