"""The reads a round is planned from: who is enrolled, past groups, tags, blocks and answers.

The other lifecycle statements (leases, intros, summaries, follow-ups) are in `lifecycle_store`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import BigInteger, CursorResult, Select, case, cast, func, select
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
from serendip.adapters.db.packed import (
    SPAN_LIMIT,
    IdArray,
    ints,
    ints_per_group,
    joined,
    pack_base,
    positions_in,
    seats_in_span,
)
from serendip.adapters.db.people_sql import eligible_at_clause
from serendip.adapters.db.value_lists import among, chunks
from serendip.domain.lifecycle import IntroState, RoundState

CHUNK = 500  # ids per IN (...) list, well under every driver's parameter limit


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


def _all_rows(session: Session, statement: Select[Any] | Any) -> list[Any]:
    """All rows as the driver returns them (plain tuples): for columns that need no conversion
    (ints and strings), a third of the cost of SQLAlchemy's Row objects at 100,000 rows."""
    result = session.connection().execute(statement)
    assert isinstance(result, CursorResult)
    try:
        return list(result.cursor.fetchall())
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
    expertise: str | None  # the tags joined by TAG_SEPARATOR, in no particular order; None: none
    interests: str | None


# Normalised tags never hold control characters (domain.tags maps them to spaces).
TAG_SEPARATOR = "\x1f"


def _tags_texts(program_id: int) -> Any:
    """Per enrolled member of the program: (member_id, expertise, interests), each kind's tags joined
    by TAG_SEPARATOR (NULL when none); one grouped pass over the tags, joined to the people."""
    tags = func.aggregate_strings(MemberTag.tag, TAG_SEPARATOR)
    return (
        select(
            MemberTag.member_id.label("member_id"),
            tags.filter(MemberTag.kind == "expertise").label("expertise"),
            tags.filter(MemberTag.kind == "interest").label("interests"),
        )
        .join(Enrolment, Enrolment.member_id == MemberTag.member_id)
        .where(Enrolment.program_id == program_id)
        .group_by(MemberTag.member_id)
        .subquery()
    )


def eligible_people(session: Session, program_id: int, at: datetime) -> list[PlanPerson]:
    """Members eligible at ``at`` (people_sql.eligible_at_clause), by Slack id, with their tags.

    The tags come as one text per member and kind: at 100,000 people a row per tag, gathered into
    sets in Python, cost more than reading the people themselves.
    """
    tags = _tags_texts(program_id)
    rows = _all_rows(
        session,
        select(
            Member.id,
            Member.slack_id,
            Member.department,
            Member.tz,
            Member.tz_offset_minutes,
            Member.work_start_minute,
            Member.work_end_minute,
            Member.manager_slack_id,
            tags.c.expertise,
            tags.c.interests,
        )
        .join(Enrolment, Enrolment.member_id == Member.id)
        .outerjoin(tags, tags.c.member_id == Member.id)
        .where(Enrolment.program_id == program_id, eligible_at_clause(at))
        .order_by(Member.slack_id),
    )
    return list(map(PlanPerson._make, rows))


def enrolled_blocks(session: Session, program_id: int) -> list[tuple[int, str]]:
    """(member id, blocked Slack id) of every block of the program's enrolled members."""
    rows = session.execute(
        select(MemberBlock.member_id, MemberBlock.blocked_slack_id)
        .join(Enrolment, Enrolment.member_id == MemberBlock.member_id)
        .where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
    )
    return [(member_id, other) for member_id, other in rows]


class PastSeats(NamedTuple):
    """Seats of a program's past intros that did not fail, one entry per seat (in no order)."""

    base: int  # above every member id: (intro * base + member) names a seat uniquely
    round_id: IdArray
    intro: IdArray
    member: IdArray
    posted: IdArray  # 1 when the intro was posted, 0 while its round is still delivering


def _stored_rounds(program_id: int) -> Select[Any]:
    """The program's rounds whose intros are all stored (not one still being written, `plan_write`)."""
    return select(Round.id).where(Round.program_id == program_id, Round.state != RoundState.MATCHING)


def past_seats(session: Session, program_id: int) -> PastSeats:
    """Every seat of the program's past intros that did not fail, read as a few packed texts.

    The program's intros come per round; their seats by one range scan of `intro_members` over the
    intros' id span (seats of other programs' intros in the span drop out here), unless other
    programs' intros would be most of that span: then through a join.
    """
    posted = case((Intro.state == IntroState.POSTED.value, 1), else_=0)
    rows = session.execute(
        select(Intro.round_id, joined(cast(Intro.id, BigInteger) * 2 + posted))
        .where(
            Intro.round_id.in_(_stored_rounds(program_id)),
            Intro.state != IntroState.FAILED.value,
        )
        .group_by(Intro.round_id)
    )
    rounds, packed = ints_per_group(rows)
    order = np.argsort(packed, kind="stable")
    (intro, flag), round_of = np.divmod(packed[order], 2), rounds[order]
    base = pack_base(session)
    if not len(intro):
        return PastSeats(base, intro, intro, intro, intro)
    lo, hi = int(intro[0]), int(intro[-1])
    if hi - lo + 1 > SPAN_LIMIT * len(intro):
        seat_intro, seat_member = _joined_seats(session, program_id, base)
    else:
        seat_intro, seat_member = seats_in_span(session, lo, hi)
    at, mine = positions_in(intro, seat_intro)
    at = at[mine]
    return PastSeats(base, round_of[at], seat_intro[mine], seat_member[mine], flag[at])


def _joined_seats(session: Session, program_id: int, base: int) -> tuple[IdArray, IdArray]:
    """(intro id, member id) of the seats of the program's intros that did not fail, through a join."""
    text = session.scalar(
        select(joined(cast(IntroMember.intro_id, BigInteger) * base + IntroMember.member_id))
        .join(Intro, Intro.id == IntroMember.intro_id)
        .where(
            Intro.round_id.in_(_stored_rounds(program_id)),
            Intro.state != IntroState.FAILED.value,
        )
    )
    intro, member = np.divmod(ints(text), base)
    return intro, member


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
        select(joined(answer))
        .join(Intro, Intro.id == IntroOutcome.intro_id)
        .where(Intro.round_id.in_(sorted(round_ids)))
    )
    return str(text or "")


def ghost_standing(
    session: Session, program_id: int, member_ids: Sequence[int]
) -> list[tuple[int, str, bool, bool]]:
    """(member id, Slack id, opted out, paused) of these members' enrolments in the program."""
    out: list[tuple[int, str, bool, bool]] = []
    for chunk in chunks(member_ids):
        rows = session.execute(
            select(Member.id, Member.slack_id, Enrolment.opted_out, Enrolment.paused)
            .join(Enrolment, Enrolment.member_id == Member.id)
            .where(Enrolment.program_id == program_id, among(session, Enrolment.member_id, chunk))
        )
        out.extend(
            (member_id, slack_id, opted_out, paused) for member_id, slack_id, opted_out, paused in rows
        )
    return out


def enrolled_count(session: Session, program_id: int) -> int:
    """How many members are enrolled in the program (not opted out)."""
    query = select(func.count()).where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
    return int(session.scalar(query) or 0)
