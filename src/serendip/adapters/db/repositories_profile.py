"""Queries about profiles: never-pair lists, tag counts for type-ahead and clouds, current intros."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import (
    Enrolment,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    MemberBlock,
    MemberTag,
    Program,
    Round,
)
from serendip.adapters.db.people_sql import participant_clause
from serendip.adapters.db.repositories import add_tags, member_tags, remove_tags
from serendip.domain.lifecycle import IntroState, RoundState


def member_blocks(session: Session, member_id: int) -> list[str]:
    """Slack ids the member would rather not be paired with."""
    return list(
        session.scalars(
            select(MemberBlock.blocked_slack_id)
            .where(MemberBlock.member_id == member_id)
            .order_by(MemberBlock.blocked_slack_id)
        )
    )


def replace_member_blocks(session: Session, member_id: int, slack_ids: Sequence[str]) -> None:
    """Make the member's never-pair list exactly ``slack_ids``."""
    wanted = set(slack_ids)
    current = set(member_blocks(session, member_id))
    if current - wanted:
        session.execute(
            delete(MemberBlock).where(
                MemberBlock.member_id == member_id, MemberBlock.blocked_slack_id.in_(current - wanted)
            )
        )
    session.add_all(MemberBlock(member_id=member_id, blocked_slack_id=s) for s in sorted(wanted - current))
    session.flush()


def replace_tags(session: Session, member_id: int, kind: str, tags: Sequence[str]) -> None:
    """Make the member's tags of one kind exactly ``tags``."""
    current = set(member_tags(session, member_id, kind))
    gone = sorted(current - set(tags))
    if gone:
        remove_tags(session, member_id, kind, gone)
    add_tags(session, member_id, kind, [t for t in tags if t not in current])


def workspace_tag_counts(session: Session, workspace_id: str) -> list[tuple[str, int]]:
    """Every tag (either kind) in a workspace with how many members use it, most used first."""
    people = func.count(func.distinct(MemberTag.member_id))
    rows = session.execute(
        select(MemberTag.tag, people)
        .join(Member, Member.id == MemberTag.member_id)
        .where(Member.workspace_id == workspace_id)
        .group_by(MemberTag.tag)
        .order_by(people.desc(), MemberTag.tag)
    )
    return [(tag, int(count)) for tag, count in rows]


def program_tag_counts(session: Session, program_id: int, kind: str) -> list[tuple[str, int]]:
    """Tags of one kind among a program's participants (`is_participant`), most common first."""
    # (member, kind, tag) is unique, so rows per tag are distinct people. The participants as an
    # IN list (not joins) lets SQLite walk the (kind, tag) index once: half the time at 100,000.
    participants = (
        select(Enrolment.member_id)
        .join(Member, Member.id == Enrolment.member_id)
        .where(Enrolment.program_id == program_id, participant_clause())
    )
    people = func.count()
    rows = session.execute(
        select(MemberTag.tag, people)
        .where(MemberTag.kind == kind, MemberTag.member_id.in_(participants))
        .group_by(MemberTag.tag)
        .order_by(people.desc(), MemberTag.tag)
    )
    return [(tag, int(count)) for tag, count in rows]


def current_intros(session: Session, member_id: int) -> list[dict[str, Any]]:
    """The member's intros from each program's latest round: program, people, since, outcome."""
    latest = (
        select(Round.program_id, func.max(Round.scheduled_for).label("at"))
        .where(Round.state.in_((RoundState.DELIVERING, RoundState.DONE)))
        .group_by(Round.program_id)
        .subquery()
    )
    rows = session.execute(
        select(Intro, Round, Program)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Round, Round.id == Intro.round_id)
        .join(latest, (latest.c.program_id == Round.program_id) & (latest.c.at == Round.scheduled_for))
        .join(Program, Program.id == Round.program_id)
        .where(IntroMember.member_id == member_id, Intro.state == IntroState.POSTED)
        .order_by(Program.id)
    )
    return [
        _intro_facts(session, intro, round_.scheduled_for, program, member_id)
        for intro, round_, program in rows
    ]


def _intro_facts(
    session: Session, intro: Intro, when: datetime, program: Program, member_id: int
) -> dict[str, Any]:
    others = session.scalars(
        select(Member.slack_id)
        .join(IntroMember, IntroMember.member_id == Member.id)
        .where(IntroMember.intro_id == intro.id, Member.id != member_id)
        .order_by(Member.slack_id)
    )
    outcome = session.scalar(
        select(IntroOutcome.outcome)
        .where(IntroOutcome.intro_id == intro.id)
        .order_by(IntroOutcome.answered_at.desc())
        .limit(1)
    )
    return {
        "intro_id": intro.id,
        "when": when,
        "channel_id": program.channel_id,
        "conversation_id": intro.conversation_id,
        "with": list(others),
        "outcome": outcome,
    }
