"""The reads a round is planned from: who is enrolled, past groups, tags, blocks and answers.

The other lifecycle statements (leases, intros, summaries, follow-ups) are in `lifecycle_store`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import CursorResult, Select, func, select
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
from serendip.adapters.db.people_sql import eligible_at_clause
from serendip.domain.lifecycle import IntroState

CHUNK = 500  # ids per IN (...) list, well under every driver's parameter limit
FETCH_BATCH = 20_000  # rows per fetch of a large read


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


# --- Set-based reads for planning at scale: one query per kind of data, only the columns used ----


def _plain_rows(session: Session, statement: Select[Any] | Any) -> Iterator[tuple[Any, ...]]:
    """The rows as the driver returns them, streamed in batches (1.2 million history rows held at
    once would cost ~150 MB). Ints and strings need no conversion, and skipping SQLAlchemy's Row
    objects makes them about three times faster to read."""
    result = session.connection().execute(statement)
    assert isinstance(result, CursorResult)
    cursor = result.cursor
    try:
        while batch := cursor.fetchmany(FETCH_BATCH):
            yield from batch
    finally:
        result.close()


class PlanPerson(NamedTuple):
    """An eligible member as the matcher needs them (no ORM object: 100,000 of these are read)."""

    member_id: int
    slack_id: str
    department: str | None
    tz: str
    tz_offset_minutes: int
    work_start_minute: int
    work_end_minute: int
    manager_slack_id: str | None


def eligible_people(session: Session, program_id: int, at: datetime) -> list[PlanPerson]:
    """Members eligible at ``at`` (people_sql.eligible_at_clause), by Slack id."""
    rows = session.execute(
        select(
            Member.id,
            Member.slack_id,
            Member.department,
            Member.tz,
            Member.tz_offset_minutes,
            Member.work_start_minute,
            Member.work_end_minute,
            Member.manager_slack_id,
        )
        .join(Enrolment, Enrolment.member_id == Member.id)
        .where(Enrolment.program_id == program_id, eligible_at_clause(at))
        .order_by(Member.slack_id)
    )
    return [PlanPerson(*row) for row in rows]


def enrolled_tags(session: Session, program_id: int) -> list[tuple[int, str, str]]:
    """(member id, kind, tag) of every tag of the program's enrolled members."""
    rows = _plain_rows(
        session,
        select(MemberTag.member_id, MemberTag.kind, MemberTag.tag)
        .join(Enrolment, Enrolment.member_id == MemberTag.member_id)
        .where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False)),
    )
    return [(member_id, kind, tag) for member_id, kind, tag in rows]


def enrolled_blocks(session: Session, program_id: int) -> list[tuple[int, str]]:
    """(member id, blocked Slack id) of every block of the program's enrolled members."""
    rows = session.execute(
        select(MemberBlock.member_id, MemberBlock.blocked_slack_id)
        .join(Enrolment, Enrolment.member_id == MemberBlock.member_id)
        .where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
    )
    return [(member_id, other) for member_id, other in rows]


def history_seats(session: Session, program_id: int) -> Iterator[tuple[Any, ...]]:
    """(round id, intro id, member id) of every seat in the program's past intros that did not fail,
    by round (oldest scheduled first), intro and member.

    On SQLite the indexes already give that order (no sort step). Streamed: read it within the
    transaction, once.
    """
    return _plain_rows(
        session,
        select(Round.id, IntroMember.intro_id, IntroMember.member_id)
        .select_from(Round)
        .join(Intro, Intro.round_id == Round.id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .where(Round.program_id == program_id, Intro.state != IntroState.FAILED)
        .order_by(Round.scheduled_for, Round.id, Intro.id, IntroMember.member_id),
    )


def round_order(session: Session, program_id: int) -> list[tuple[int, bool]]:
    """(round id, followed up) of the program's rounds, oldest scheduled first."""
    query = (
        select(Round.id, Round.followup_done)
        .where(Round.program_id == program_id)
        .order_by(Round.scheduled_for, Round.id)
    )
    return [(round_id, bool(done)) for round_id, done in session.execute(query)]


def unposted_intros(session: Session, program_id: int) -> set[int]:
    """The program's intros that are neither posted nor failed (few: those of a round still delivering)."""
    query = (
        select(Intro.id)
        .join(Round, Round.id == Intro.round_id)
        .where(Round.program_id == program_id, Intro.state.not_in((IntroState.POSTED, IntroState.FAILED)))
    )
    return set(session.scalars(query))


def slack_ids_of_workspace(session: Session, workspace_id: str) -> dict[int, str]:
    """Every member id of the workspace and its Slack id (to name the people of history)."""
    rows = session.execute(select(Member.id, Member.slack_id).where(Member.workspace_id == workspace_id))
    return {member_id: slack_id for member_id, slack_id in rows}


def answers_in_rounds(session: Session, round_ids: Collection[int]) -> list[tuple[int, int, str]]:
    """(intro id, member id, answer) of every answer to the intros of these rounds."""
    rows = _plain_rows(
        session,
        select(IntroOutcome.intro_id, IntroOutcome.member_id, IntroOutcome.outcome)
        .join(Intro, Intro.id == IntroOutcome.intro_id)
        .where(Intro.round_id.in_(sorted(round_ids))),
    )
    return [(intro_id, member_id, outcome) for intro_id, member_id, outcome in rows]


def ghost_standing(
    session: Session, program_id: int, member_ids: Sequence[int]
) -> list[tuple[int, str, bool, bool]]:
    """(member id, Slack id, opted out, paused) of these members' enrolments in the program."""
    out: list[tuple[int, str, bool, bool]] = []
    for start in range(0, len(member_ids), CHUNK):
        rows = session.execute(
            select(Member.id, Member.slack_id, Enrolment.opted_out, Enrolment.paused)
            .join(Enrolment, Enrolment.member_id == Member.id)
            .where(Enrolment.program_id == program_id, Member.id.in_(member_ids[start : start + CHUNK]))
        )
        out.extend(
            (member_id, slack_id, opted_out, paused) for member_id, slack_id, opted_out, paused in rows
        )
    return out


def enrolled_count(session: Session, program_id: int) -> int:
    """How many members are enrolled in the program (not opted out)."""
    query = select(func.count()).where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
    return int(session.scalar(query) or 0)
