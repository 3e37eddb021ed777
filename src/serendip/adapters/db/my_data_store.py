"""Reads for `/coffee my-data`: every row that holds something about one member."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from serendip.adapters.db.circle_models import CircleAnswer, CircleMeeting, CircleVote, SeasonWaitlist
from serendip.adapters.db.models import (
    AuditEntry,
    Enrolment,
    ExpertAsk,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    MemberTag,
    Program,
    ProgramAdmin,
    Round,
)
from serendip.domain.lifecycle import IntroState


@dataclass(frozen=True)
class IntroRow:
    """One delivered intro the member was in, with their own answer."""

    intro_id: int
    channel_id: str
    round_at: datetime
    delivered_at: datetime | None
    others: tuple[tuple[str, str], ...]  # (Slack id, name shown)
    answer: str | None
    answered_at: datetime | None


def tags(session: Session, member_id: int) -> Sequence[tuple[str, str]]:
    """(kind, tag) pairs, sorted."""
    rows = session.execute(
        select(MemberTag.kind, MemberTag.tag)
        .where(MemberTag.member_id == member_id)
        .order_by(MemberTag.kind, MemberTag.tag)
    )
    return [(kind, tag) for kind, tag in rows]


def enrolments(session: Session, member_id: int) -> Sequence[tuple[Enrolment, Program]]:
    """Every enrolment of the member (opted out ones too), with its program."""
    rows = session.execute(
        select(Enrolment, Program)
        .join(Program, Program.id == Enrolment.program_id)
        .where(Enrolment.member_id == member_id)
        .order_by(Enrolment.joined_at, Enrolment.id)
    )
    return [(enrolment, program) for enrolment, program in rows]


def intros(session: Session, member_id: int) -> list[IntroRow]:
    """Every delivered intro of the member, oldest first: who else was in it and their own answer."""
    rows = session.execute(
        select(Intro, Round.scheduled_for, Program.channel_id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(IntroMember.member_id == member_id, Intro.state == IntroState.POSTED)
        .order_by(Round.scheduled_for, Intro.id)
    ).all()
    result = []
    for intro, round_at, channel_id in rows:
        others = session.execute(
            select(Member.slack_id, Member.real_name, Member.name)
            .join(IntroMember, IntroMember.member_id == Member.id)
            .where(IntroMember.intro_id == intro.id, Member.id != member_id)
            .order_by(Member.slack_id)
        )
        answer = session.execute(
            select(IntroOutcome.outcome, IntroOutcome.answered_at).where(
                IntroOutcome.intro_id == intro.id, IntroOutcome.member_id == member_id
            )
        ).first()
        result.append(
            IntroRow(
                intro.id,
                channel_id,
                round_at,
                intro.delivered_at,
                tuple((slack_id, real or name) for slack_id, real, name in others),
                answer[0] if answer else None,
                answer[1] if answer else None,
            )
        )
    return result


def asks(session: Session, member_id: int) -> Sequence[tuple[ExpertAsk, str, str | None]]:
    """Expert asks the member made or was asked in, with the asker's and expert's Slack ids."""
    asker, expert = aliased(Member), aliased(Member)
    rows = session.execute(
        select(ExpertAsk, asker.slack_id, expert.slack_id)
        .join(asker, asker.id == ExpertAsk.asker_id)
        .outerjoin(expert, expert.id == ExpertAsk.expert_id)
        .where((ExpertAsk.asker_id == member_id) | (ExpertAsk.expert_id == member_id))
        .order_by(ExpertAsk.created_at, ExpertAsk.id)
    )
    return [(ask, asker_id, expert_id) for ask, asker_id, expert_id in rows]


def admin_roles(session: Session, workspace_id: str, slack_id: str) -> Sequence[tuple[ProgramAdmin, str]]:
    """The programs the member is a named admin of, with each program's channel id."""
    rows = session.execute(
        select(ProgramAdmin, Program.channel_id)
        .join(Program, Program.id == ProgramAdmin.program_id)
        .where(Program.workspace_id == workspace_id, ProgramAdmin.slack_id == slack_id)
        .order_by(Program.channel_id)
    )
    return [(role, channel_id) for role, channel_id in rows]


def created_programs(session: Session, workspace_id: str, slack_id: str) -> Sequence[Program]:
    """The programs the member set up."""
    return session.scalars(
        select(Program)
        .where(Program.workspace_id == workspace_id, Program.created_by == slack_id)
        .order_by(Program.channel_id)
    ).all()


def rounds_with_notes(session: Session, workspace_id: str) -> Sequence[tuple[Round, str]]:
    """The workspace's rounds with quality notes (who sat out or was alone), with their channel."""
    rows = session.execute(
        select(Round, Program.channel_id)
        .join(Program, Program.id == Round.program_id)
        .where(Program.workspace_id == workspace_id, Round.quality.is_not(None))
        .order_by(Round.scheduled_for)
    )
    return [(round_, channel_id) for round_, channel_id in rows]


def audit_entries(session: Session, workspace_id: str) -> Sequence[tuple[AuditEntry, str | None]]:
    """The workspace's audit rows, oldest first, with the program's channel id."""
    rows = session.execute(
        select(AuditEntry, Program.channel_id)
        .outerjoin(Program, Program.id == AuditEntry.program_id)
        .where(AuditEntry.workspace_id == workspace_id)
        .order_by(AuditEntry.created_at, AuditEntry.id)
    )
    return [(entry, channel_id) for entry, channel_id in rows]


def circle_answers(session: Session, member_id: int) -> Sequence[tuple[str, str, int, str, datetime]]:
    """(program channel, topic, meeting number, answer, answered at) of the member's circle answers."""
    rows = session.execute(
        select(
            Program.channel_id,
            Intro.topic,
            CircleMeeting.number,
            CircleAnswer.answer,
            CircleAnswer.answered_at,
        )
        .join(CircleMeeting, CircleMeeting.id == CircleAnswer.meeting_id)
        .join(Intro, Intro.id == CircleMeeting.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(CircleAnswer.member_id == member_id)
        .order_by(CircleAnswer.answered_at, CircleMeeting.id)
    )
    return [(channel, str(topic), number, answer, at) for channel, topic, number, answer, at in rows]


def circle_votes(session: Session, member_id: int) -> Sequence[tuple[str, str, bool, datetime]]:
    """(program channel, topic, keep, voted at) of the member's end-of-season votes."""
    rows = session.execute(
        select(Program.channel_id, Intro.topic, CircleVote.keep, CircleVote.voted_at)
        .join(Intro, Intro.id == CircleVote.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(CircleVote.member_id == member_id)
        .order_by(CircleVote.voted_at)
    )
    return [(channel, str(topic), keep, at) for channel, topic, keep, at in rows]


def hosted_meetings(session: Session, member_id: int) -> Sequence[tuple[str, str, int, datetime]]:
    """(program channel, topic, meeting number, due at) of circle meetings the member hosts."""
    rows = session.execute(
        select(Program.channel_id, Intro.topic, CircleMeeting.number, CircleMeeting.due_at)
        .join(Intro, Intro.id == CircleMeeting.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(CircleMeeting.host_member_id == member_id)
        .order_by(CircleMeeting.due_at, CircleMeeting.id)
    )
    return [(channel, str(topic), number, due) for channel, topic, number, due in rows]


def season_waitlist(session: Session, member_id: int) -> Sequence[tuple[str, datetime, SeasonWaitlist]]:
    """(program channel, season start, row) of each season the member was not placed in a circle."""
    rows = session.execute(
        select(Program.channel_id, Round.scheduled_for, SeasonWaitlist)
        .join(Round, Round.id == SeasonWaitlist.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(SeasonWaitlist.member_id == member_id)
        .order_by(Round.scheduled_for)
    )
    return [(channel, start, row) for channel, start, row in rows]
