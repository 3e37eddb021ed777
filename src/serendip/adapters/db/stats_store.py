"""What `admin stats`, `serendip report` and the Home's health panel read: one query per kind of data.

The volume (one row per person per delivered intro: 1.2 million after 12 rounds of 100,000 people)
comes back as a few texts of space-joined ids, grouped in SQL (per round, per department) and parsed
by numpy in C: building one Python tuple per row cost several seconds at that size. The rest
(rounds, departments' first spellings) is small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, case, cast, func, or_, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Enrolment, Intro, IntroMember, IntroOutcome, Member, Program, Round
from serendip.adapters.db.packed import SPAN_LIMIT, IdArray, ints_per_group, positions_in
from serendip.adapters.db.packed import ints as _ints
from serendip.adapters.db.packed import joined as _joined
from serendip.adapters.db.packed import pack_base as _pack_base
from serendip.adapters.db.packed import seats_in_span as _seats_in_span
from serendip.adapters.db.people_sql import participant_clause
from serendip.domain.lifecycle import IntroState

# Integer ids as they come from the database.


@dataclass(frozen=True)
class StatsRows:
    """A program's stored history, in the shapes the figures are computed from."""

    # Every round of the program: (round id, scheduled for, stored quality figures).
    rounds: list[tuple[int, datetime, dict[str, Any]]]
    # Round id -> (intros asked, intros answered "We met"), over delivered intros with a member.
    answers: dict[int, tuple[int, int]]
    # One row per member per delivered intro: columns round id, intro id, member id.
    seats: IdArray
    # The workspace's members (sorted ids) and each one's department as stored (an index into spellings).
    member_ids: IdArray
    member_spelling: IdArray
    spellings: list[str | None]
    # Member ids of the program's current participants (`domain.people.is_participant`).
    participants: IdArray
    # Each department spelling among participants with the smallest Slack id that carries it.
    first_seen: list[tuple[str | None, str]]


def _in_program(program_id: int) -> Any:
    # As a subquery (not a join) so both engines drive the scan from the program's rounds.
    return Intro.round_id.in_(select(Round.id).where(Round.program_id == program_id))


def program_rounds(session: Session, program_id: int) -> list[tuple[int, datetime, dict[str, Any]]]:
    """Every round of a program with its time and stored quality figures."""
    rows = session.execute(
        select(Round.id, Round.scheduled_for, Round.quality).where(Round.program_id == program_id)
    )
    return [(round_id, at, dict(quality or {})) for round_id, at, quality in rows]


def program_seat_array(session: Session, program_id: int) -> tuple[IdArray, IdArray]:
    """(round id, intro id, member id) of every member of every delivered intro of a program, and
    the ids of those intros whose follow-up was sent or started (read in the same pass)."""
    # A follow-up whose send was started but not confirmed counts as asked.
    followed = or_(Intro.followup_ts.is_not(None), Intro.followup_started_at.is_not(None))
    rows = session.execute(
        select(Intro.round_id, _joined(cast(Intro.id, BigInteger) * 2 + case((followed, 1), else_=0)))
        .where(_in_program(program_id), Intro.state == IntroState.POSTED.value)
        .group_by(Intro.round_id)
    )
    rounds, packed = ints_per_group(rows)
    intro, flag = np.divmod(packed, 2)
    order = np.argsort(intro, kind="stable")
    intro, flag, round_of = intro[order], flag[order], rounds[order]
    followed_up = intro[flag == 1]
    if not len(intro):
        return np.zeros((0, 3), dtype=np.int64), followed_up
    lo, hi = int(intro[0]), int(intro[-1])
    if hi - lo + 1 > SPAN_LIMIT * len(intro):  # other programs' intros would be most of the scan
        return _joined_seats(session, program_id), followed_up
    intro_of, member = _seats_in_span(session, lo, hi)
    # Seats of intros in the span that are not this program's delivered ones drop out here.
    at, mine = positions_in(intro, intro_of)
    return np.column_stack((round_of[at[mine]], intro_of[mine], member[mine])), followed_up


def _joined_seats(session: Session, program_id: int) -> IdArray:
    """(round id, intro id, member id) of the program's delivered intros' seats, through a join."""
    base = _pack_base(session)
    rows = session.execute(
        select(Intro.round_id, _joined(cast(IntroMember.intro_id, BigInteger) * base + IntroMember.member_id))
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .where(_in_program(program_id), Intro.state == IntroState.POSTED.value)
        .group_by(Intro.round_id)
    )
    rounds, packed = ints_per_group(rows)
    intro, member = np.divmod(packed, base)
    return np.column_stack((rounds, intro, member))


def program_answers(session: Session, seats: IdArray, followed_up: IdArray) -> dict[int, tuple[int, int]]:
    """Per round: delivered intros with a member that were asked (follow-up sent or started, or
    answered) and those answered "We met"; ``seats`` and ``followed_up`` are `program_seat_array`'s."""
    # The answers to intros in the span of the program's intro ids, as intro * 2 + met: a range
    # scan of the (intro, member) index with no join (a third of the joined query's time). Other
    # programs' intros inside the span drop out below, against the seats.
    answered = np.zeros(0, dtype=np.int64)
    if len(seats):
        met = case((IntroOutcome.outcome == "met", 1), else_=0)
        text = session.scalar(
            select(_joined(cast(IntroOutcome.intro_id, BigInteger) * 2 + met)).where(
                IntroOutcome.intro_id.between(int(seats[:, 1].min()), int(seats[:, 1].max()))
            )
        )
        answered = _ints(text)
    met_ids = answered[answered % 2 == 1] // 2
    # Intros with a member, each once with its round (seats are one row per member). Sorting, not
    # `np.unique`: its hash path is several times slower on a million ids.
    order = np.argsort(seats[:, 1], kind="stable")
    ordered = seats[order, 1]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    intro, round_of = ordered[first], seats[order[first], 0]
    asked = np.isin(intro, np.concatenate((followed_up, answered // 2)))
    met_intro = asked & np.isin(intro, met_ids)
    rounds, index = np.unique(round_of[asked], return_inverse=True)
    counts = np.bincount(index, minlength=len(rounds))
    met_counts = np.bincount(index, weights=met_intro[asked], minlength=len(rounds))
    return {
        int(r): (int(n), int(m))
        for r, n, m in zip(rounds.tolist(), counts.tolist(), met_counts.tolist(), strict=True)
    }


def stats_rows(session: Session, program: Program) -> StatsRows:
    """Everything the program's figures are computed from, read in one query per kind of data."""
    # Members grouped by their stored department: one row per spelling, ids as one text.
    members = session.execute(
        select(Member.department, _joined(Member.id))
        .where(Member.workspace_id == program.workspace_id)
        .group_by(Member.department)
    )
    spellings: list[str | None] = []
    ids, spelling = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for department, text in members:
        found = _ints(text)
        ids.append(found)
        spelling.append(np.full(len(found), len(spellings), dtype=np.int64))
        spellings.append(department)
    member_ids, member_spelling = np.concatenate(ids), np.concatenate(spelling)
    order = np.argsort(member_ids, kind="stable")
    participants = session.scalar(
        select(_joined(Enrolment.member_id))
        .join(Member, Member.id == Enrolment.member_id)
        .where(Enrolment.program_id == program.id, participant_clause())
    )
    first_seen = session.execute(
        select(Member.department, func.min(Member.slack_id))
        .join(Enrolment, Enrolment.member_id == Member.id)
        .where(Enrolment.program_id == program.id, participant_clause())
        .group_by(Member.department)
    )
    seats, followed_up = program_seat_array(session, program.id)
    return StatsRows(
        rounds=program_rounds(session, program.id),
        answers=program_answers(session, seats, followed_up),
        seats=seats,
        member_ids=member_ids[order],
        member_spelling=member_spelling[order],
        spellings=spellings,
        participants=np.sort(_ints(participants)),
        first_seen=[(department, slack_id) for department, slack_id in first_seen],
    )
