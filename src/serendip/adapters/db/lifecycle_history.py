"""The reads a round is planned from: who is enrolled, past groups, tags, blocks and answers.

The other lifecycle statements (leases, intros, summaries, follow-ups) are in `lifecycle_store`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import (
    Enrolment,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    MemberBlock,
    MemberTag,
    Round,
)
from serendip.domain.lifecycle import IntroState

CHUNK = 500  # ids per IN (...) list, well under every driver's parameter limit


def enrolled_people(session: Session, program_id: int) -> list[tuple[Member, Enrolment]]:
    """Everyone enrolled in the program and not opted out, by Slack id (who may take part is the caller's)."""
    rows = session.execute(
        select(Member, Enrolment)
        .join(Enrolment, Enrolment.member_id == Member.id)
        .where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
        .order_by(Member.slack_id)
    )
    return [(member, enrolment) for member, enrolment in rows]


def program_history(session: Session, program_id: int) -> list[list[list[str]]]:
    """Groups of the program's past rounds, oldest first, as Slack ids."""
    rows = session.execute(
        select(Round.id, Intro.id, Member.slack_id)
        .join(Intro, Intro.round_id == Round.id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Member, Member.id == IntroMember.member_id)
        .where(Round.program_id == program_id, Intro.state != IntroState.FAILED)
        .order_by(Round.scheduled_for, Intro.id)
    )
    rounds: dict[int, dict[int, list[str]]] = {}
    for round_id, intro_id, slack_id in rows:
        rounds.setdefault(round_id, {}).setdefault(intro_id, []).append(slack_id)
    return [list(groups.values()) for groups in rounds.values()]


def member_tags_by_kind(session: Session, member_ids: Sequence[int]) -> dict[int, dict[str, set[str]]]:
    """Each member's expertise and interest tags."""
    tags: dict[int, dict[str, set[str]]] = {m: {"expertise": set(), "interest": set()} for m in member_ids}
    for start in range(0, len(member_ids), CHUNK):
        chunk = member_ids[start : start + CHUNK]
        for member_id, kind, tag in session.execute(
            select(MemberTag.member_id, MemberTag.kind, MemberTag.tag).where(MemberTag.member_id.in_(chunk))
        ):
            tags[member_id][kind].add(tag)
    return tags


def member_blocks(session: Session, member_ids: Sequence[int]) -> dict[int, set[str]]:
    """The Slack ids each member asked never to be matched with."""
    blocked: dict[int, set[str]] = {m: set() for m in member_ids}
    for start in range(0, len(member_ids), CHUNK):
        chunk = member_ids[start : start + CHUNK]
        for member_id, other in session.execute(
            select(MemberBlock.member_id, MemberBlock.blocked_slack_id).where(
                MemberBlock.member_id.in_(chunk)
            )
        ):
            blocked[member_id].add(other)
    return blocked


def followed_up_intros(session: Session, program_id: int) -> list[tuple[int, int]]:
    """(member id, intro id) of every posted intro of followed-up rounds, newest round first per member."""
    rows = session.execute(
        select(IntroMember.member_id, Intro.id)
        .join(Intro, Intro.id == IntroMember.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .where(
            Round.program_id == program_id, Round.followup_done.is_(True), Intro.state == IntroState.POSTED
        )
        .order_by(IntroMember.member_id, Round.scheduled_for.desc())
    )
    return [(member_id, intro_id) for member_id, intro_id in rows]


def answers_to(session: Session, intro_ids: Collection[int]) -> list[tuple[int, int, str]]:
    """(intro id, member id, answer) of every answer to these intros."""
    rows = session.execute(
        select(IntroOutcome.intro_id, IntroOutcome.member_id, IntroOutcome.outcome).where(
            IntroOutcome.intro_id.in_(intro_ids)
        )
    )
    return [(intro_id, member_id, outcome) for intro_id, member_id, outcome in rows]
