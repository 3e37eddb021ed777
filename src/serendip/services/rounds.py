"""Running a round: eligibility, matching, persisting intros, and delivering them."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
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
from serendip.adapters.db.types import utcnow
from serendip.domain.intro_content import IntroPerson
from serendip.domain.matching import MatchSettings, Participant, RepeatMode, match_round
from serendip.services.members import utc_offset_at
from serendip.services.participation import is_paused

log = logging.getLogger(__name__)


@dataclass
class RoundSummary:
    """What a round did, for the channel summary and the logs."""

    round_id: int
    program_id: int
    channel_id: str
    eligible: int = 0
    groups: int = 0
    delivered: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    sat_out: dict[str, str] = field(default_factory=dict)
    lone: str | None = None
    quality: dict[str, float] = field(default_factory=dict)


def eligible_members(session: Session, program: Program, at: datetime) -> list[tuple[Member, Enrolment]]:
    """Enrolled people who are not paused, skipping, deactivated, bots or guests."""
    rows = session.execute(
        select(Member, Enrolment)
        .join(Enrolment, Enrolment.member_id == Member.id)
        .where(Enrolment.program_id == program.id, Enrolment.opted_out.is_(False))
        .order_by(Member.slack_id)
    )
    return [
        (m, e)
        for m, e in rows
        if not (m.is_deleted or m.is_bot or m.is_guest) and not is_paused(e, at) and not e.skip_next
    ]


def program_history(session: Session, program_id: int) -> list[list[list[str]]]:
    """Groups of the program's past rounds, oldest first, as Slack ids."""
    rows = session.execute(
        select(Round.id, Intro.id, Member.slack_id)
        .join(Intro, Intro.round_id == Round.id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Member, Member.id == IntroMember.member_id)
        .where(Round.program_id == program_id, Intro.state != "failed")
        .order_by(Round.scheduled_for, Intro.id)
    )
    rounds: dict[int, dict[int, list[str]]] = {}
    for round_id, intro_id, slack_id in rows:
        rounds.setdefault(round_id, {}).setdefault(intro_id, []).append(slack_id)
    return [list(groups.values()) for groups in rounds.values()]


def member_tags_by_kind(session: Session, member_ids: list[int]) -> dict[int, dict[str, set[str]]]:
    """Each member's expertise and interest tags."""
    tags: dict[int, dict[str, set[str]]] = {m: {"expertise": set(), "interest": set()} for m in member_ids}
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start : start + 500]
        for member_id, kind, tag in session.execute(
            select(MemberTag.member_id, MemberTag.kind, MemberTag.tag).where(MemberTag.member_id.in_(chunk))
        ):
            tags[member_id][kind].add(tag)
    return tags


def _blocks(session: Session, member_ids: list[int]) -> dict[int, set[str]]:
    blocked: dict[int, set[str]] = {m: set() for m in member_ids}
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start : start + 500]
        for member_id, other in session.execute(
            select(MemberBlock.member_id, MemberBlock.blocked_slack_id).where(
                MemberBlock.member_id.in_(chunk)
            )
        ):
            blocked[member_id].add(other)
    return blocked


def _ties(
    history: list[list[list[str]]], departments: dict[str, str | None]
) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    person: Counter[str] = Counter()
    dept_pairs: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, str]] = set()
    for groups in history:
        for group in groups:
            for a, b in combinations(sorted(group), 2):
                da, db = departments.get(a), departments.get(b)
                if (a, b) in seen or not da or not db or da == db:
                    continue
                seen.add((a, b))
                person[a] += 1
                person[b] += 1
                dept_pairs[(min(da, db), max(da, db))] += 1
    return person, dept_pairs


@dataclass(frozen=True)
class PlannedRound:
    """A claimed and matched round, and the members just paused by the ghost rule."""

    round_id: int
    intros: int
    eligible: int
    ghosts: list[str]


def plan_round(
    db: Database, *, program_id: int, scheduled_for: datetime, seed: int | None = None
) -> PlannedRound | None:
    """Claim, match and persist a round with one pending intro per group; None if already claimed.

    The round row (unique per program and scheduled time), its groups and one pending intro per group
    are written in one transaction, so any number of processes run each round once.
    """
    now = utcnow()
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        seed = secrets.randbits(31) if seed is None else seed
        round_ = Round(
            program_id=program_id, scheduled_for=scheduled_for, state="matching", seed=seed, started_at=now
        )
        try:
            with session.begin_nested():
                session.add(round_)
        except IntegrityError:
            log.info(
                "round.already_claimed program_id=%s scheduled_for=%s", program_id, scheduled_for.isoformat()
            )
            return None
        ghosts = apply_ghost_rule(session, program)
        people = eligible_members(session, program, now)
        for _, enrolment in people:
            enrolment.skip_next = False
        skipped = session.scalars(
            select(Enrolment).where(Enrolment.program_id == program_id, Enrolment.skip_next.is_(True))
        )
        for enrolment in skipped:  # a skip covers exactly one round
            enrolment.skip_next = False
        result = _match(session, program, [m for m, _ in people], seed)
        by_slack = {m.slack_id: m for m, _ in people}
        for group in result.groups:
            intro = Intro(round_id=round_.id, state="pending")
            intro.members = [IntroMember(member_id=by_slack[s].id) for s in group]
            session.add(intro)
        round_.quality = {
            **result.quality.to_dict(),
            "eligible": len(people),
            "lone": result.lone,
            "sat_out": {s.id: s.reason for s in result.sat_out},
        }
        round_.state = "delivering"
        session.flush()
        log.info(
            "round.planned program_id=%s round_id=%s eligible=%d groups=%d seed=%d",
            program_id,
            round_.id,
            len(people),
            len(result.groups),
            seed,
        )
        return PlannedRound(round_.id, len(result.groups), len(people), ghosts)


GHOST_STREAK = 3


def apply_ghost_rule(session: Session, program: Program) -> list[str]:
    """Pause members whose last three followed-up intros got no answer from them (and no one met)."""
    rows = session.execute(
        select(IntroMember.member_id, Intro.id)
        .join(Intro, Intro.id == IntroMember.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .where(Round.program_id == program.id, Round.followup_done.is_(True), Intro.state == "posted")
        .order_by(IntroMember.member_id, Round.scheduled_for.desc())
    )
    recent: dict[int, list[int]] = {}
    for member_id, intro_id in rows:
        if len(recent.setdefault(member_id, [])) < GHOST_STREAK:
            recent[member_id].append(intro_id)
    candidates = {m: ids for m, ids in recent.items() if len(ids) == GHOST_STREAK}
    if not candidates:
        return []
    answers = session.execute(
        select(IntroOutcome.intro_id, IntroOutcome.member_id, IntroOutcome.outcome).where(
            IntroOutcome.intro_id.in_({i for ids in candidates.values() for i in ids})
        )
    )
    engaged: set[tuple[int, int]] = set()
    met: set[int] = set()
    for intro_id, member_id, outcome in answers:
        engaged.add((intro_id, member_id))
        if outcome in ("met", "scheduled"):
            met.add(intro_id)
    ghosts = []
    for member_id, ids in candidates.items():
        if any((i, member_id) in engaged or i in met for i in ids):
            continue
        enrolment = session.scalars(
            select(Enrolment).where(Enrolment.program_id == program.id, Enrolment.member_id == member_id)
        ).one_or_none()
        if enrolment is None or enrolment.opted_out or enrolment.paused:
            continue
        enrolment.paused, enrolment.paused_until = True, None
        member = session.get(Member, member_id)
        if member is not None:
            ghosts.append(member.slack_id)
    if ghosts:
        log.info("round.ghosts_paused program_id=%s count=%d", program.id, len(ghosts))
    return ghosts


def _match(session: Session, program: Program, people: list[Member], seed: int):  # type: ignore[no-untyped-def]
    ids = [m.id for m in people]
    tags, blocked = member_tags_by_kind(session, ids), _blocks(session, ids)
    history = program_history(session, program.id)
    departments = {m.slack_id: m.department for m in people}
    person_ties, dept_ties = _ties(history, departments)
    participants = [
        Participant(
            id=m.slack_id,
            department=m.department,
            utc_offset_minutes=utc_offset_at(m, program.next_run_at or utcnow()),
            working_hours=(m.work_start_minute, m.work_end_minute),
            expertise=frozenset(tags[m.id]["expertise"]),
            interests=frozenset(tags[m.id]["interest"]),
            manager_id=m.manager_slack_id,
            blocked=frozenset(blocked[m.id]),
            cross_team_ties=person_ties[m.slack_id],
        )
        for m in people
    ]
    settings = MatchSettings(
        group_size=program.group_size,
        mode=RepeatMode(program.repeat_mode),
        cooldown=program.cooldown_rounds,
        seed=seed,
        department_pair_ties=dict(dept_ties),
    )
    return match_round(participants, history, settings)


def intro_person(member: Member, tags: dict[str, set[str]]) -> IntroPerson:
    """How the intro presents a member."""
    return IntroPerson(
        slack_id=member.slack_id,
        name=member.real_name or member.name,
        department=member.department,
        title=member.title,
        tz=member.tz,
        utc_offset_minutes=utc_offset_at(member, utcnow()),
        working_hours=(member.work_start_minute, member.work_end_minute),
        expertise=frozenset(tags["expertise"]),
        interests=frozenset(tags["interest"]),
    )


@dataclass(frozen=True)
class RoundPreview:
    """What the next round would do, computed without sending or storing anything."""

    eligible: int
    groups: list[list[str]]
    quality: dict[str, Any]
    lone: str | None
    sat_out: dict[str, str]


def preview_round(db: Database, *, program_id: int, seed: int = 0) -> RoundPreview:
    """Match the currently eligible members as the next round would; reads only, sends nothing."""
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        people = eligible_members(session, program, program.next_run_at or utcnow())
        result = _match(session, program, [m for m, _ in people], seed)
        preview = RoundPreview(
            len(people),
            result.groups,
            result.quality.to_dict(),
            result.lone,
            {s.id: s.reason for s in result.sat_out},
        )
        return preview
