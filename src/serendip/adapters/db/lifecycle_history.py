"""The reads a round is planned from: who is enrolled, past groups, tags, blocks and answers.

The other lifecycle statements (leases, intros, summaries, follow-ups) are in `lifecycle_store`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, CursorResult, Select, String, case, cast, func, select
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


def history_seat_texts(session: Session, program_id: int) -> tuple[int, list[tuple[int, str]]]:
    """Every seat of the program's past intros that did not fail, per round, packed as text.

    Returns (base, [(round id, text)]): the text holds one integer per seat, space-separated,
    ``(intro id * base + member id) * 2 + posted``. 1.2 million seats after 12 rounds of 100,000
    people cost seconds as Python tuples; as a few texts numpy parses them in C.
    """
    base = int(session.scalar(select(func.max(Member.id))) or 0) + 1
    top = int(session.scalar(select(func.max(Intro.id))) or 0) + 1
    if top * base * 2 >= 2**63:
        raise OverflowError(f"seat ids do not pack into 64 bits: intros={top} members={base}")
    posted = case((Intro.state == IntroState.POSTED.value, 1), else_=0)
    seat = (cast(IntroMember.intro_id, BigInteger) * base + IntroMember.member_id) * 2 + posted
    rows = session.execute(
        select(Intro.round_id, func.aggregate_strings(cast(seat, String), " "))
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        # A subquery, not a join: both engines drive the scan from the program's rounds.
        .where(
            Intro.round_id.in_(select(Round.id).where(Round.program_id == program_id)),
            Intro.state != IntroState.FAILED.value,
        )
        .group_by(Intro.round_id)
    )
    return base, [(int(round_id), str(text or "")) for round_id, text in rows]


def round_order(session: Session, program_id: int) -> list[tuple[int, bool]]:
    """(round id, followed up) of the program's rounds, oldest scheduled first."""
    query = (
        select(Round.id, Round.followup_done)
        .where(Round.program_id == program_id)
        .order_by(Round.scheduled_for, Round.id)
    )
    return [(round_id, bool(done)) for round_id, done in session.execute(query)]


def answers_in_rounds(session: Session, round_ids: Collection[int], base: int) -> str:
    """Every answer to the intros of these rounds, as one text of space-separated integers
    ``(intro id * base + member id) * 2 + (1 if the answer was met or scheduled)``; ``base`` exceeds
    every member id."""
    heard = case((IntroOutcome.outcome.in_(("met", "scheduled")), 1), else_=0)
    answer = (cast(IntroOutcome.intro_id, BigInteger) * base + IntroOutcome.member_id) * 2 + heard
    text = session.scalar(
        select(func.aggregate_strings(cast(answer, String), " "))
        .join(Intro, Intro.id == IntroOutcome.intro_id)
        .where(Intro.round_id.in_(sorted(round_ids)))
    )
    return str(text or "")


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
