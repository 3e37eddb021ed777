"""Running a round: eligibility, matching, persisting intros, and delivering them."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
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
    Program,
    Round,
)
from serendip.adapters.db.types import utcnow
from serendip.domain.intro_content import IntroPerson
from serendip.domain.lifecycle import IntroState, RoundState
from serendip.domain.matching import match_round
from serendip.domain.round_check import RoundCheck
from serendip.services.members import utc_offset_at
from serendip.services.next_seed import membership_basis, seed_for_next_round
from serendip.services.participation import is_paused
from serendip.services.round_matching import Matcher, match_and_check

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
    admins: list[str] = field(default_factory=list)  # who gets the raw failure codes by DM
    channel_name: str = ""  # shown in notification texts instead of the raw channel id


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


@dataclass(frozen=True)
class PlannedRound:
    """A claimed round: matched and stored, or held back by the round checker (no intros)."""

    round_id: int
    intros: int
    eligible: int
    ghosts: list[str]
    held: tuple[str, ...] = ()  # the checker's violations when the round was held back
    seed: int = 0


def plan_round(
    db: Database,
    *,
    program_id: int,
    scheduled_for: datetime,
    seed: int | None = None,
    matcher: Matcher = match_round,
) -> PlannedRound | None:
    """Claim, match, check and persist a round with one pending intro per group; None if already claimed.

    The round row (unique per program and scheduled time), its groups and one pending intro per group
    are written in one transaction, so any number of processes run each round once. A round the
    checker finds breaking a hard rule is stored as `held`, with no intros, and never retried.
    """
    now = utcnow()
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        round_ = Round(
            program_id=program_id,
            scheduled_for=scheduled_for,
            state=RoundState.MATCHING,
            seed=0,
            started_at=now,
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
        if seed is None:  # the seed `admin preview` showed, unless the membership changed since
            seed, _ = seed_for_next_round(program, membership_basis([m for m, _ in people]))
        round_.seed = seed
        # That seed is spent (held or not): the following round gets its own, bound on first use.
        program.next_seed, program.next_seed_basis = secrets.randbits(31), None
        matched = match_and_check(session, program, [m for m, _ in people], seed, matcher)
        round_.quality = matched.quality()
        if not matched.check.ok:
            return _hold(round_, matched.check, ghosts, now)
        for _, enrolment in people:
            enrolment.skip_next = False
        skipped = session.scalars(
            select(Enrolment).where(Enrolment.program_id == program_id, Enrolment.skip_next.is_(True))
        )
        for enrolment in skipped:  # a skip covers exactly one round
            enrolment.skip_next = False
        by_slack = {m.slack_id: m for m, _ in people}
        for group in matched.result.groups:
            intro = Intro(round_id=round_.id, state=IntroState.PENDING)
            intro.members = [IntroMember(member_id=by_slack[s].id) for s in group]
            session.add(intro)
        round_.state = RoundState.DELIVERING
        session.flush()
        log.info(
            "round.planned program_id=%s round_id=%s eligible=%d groups=%d seed=%d",
            program_id,
            round_.id,
            len(people),
            len(matched.result.groups),
            seed,
        )
        return PlannedRound(round_.id, len(matched.result.groups), len(people), ghosts, seed=seed)


def _hold(round_: Round, check: RoundCheck, ghosts: list[str], now: datetime) -> PlannedRound:
    """Record a round that broke a hard rule as held: no intros, nothing sent, skips kept."""
    round_.state, round_.finished_at = RoundState.HELD, now
    round_.quality = {**(round_.quality or {}), "violations": list(check.violations)}
    log.error(
        "round.held program_id=%s round_id=%s seed=%d eligible=%d violations=%d first=%r",
        round_.program_id,
        round_.id,
        round_.seed,
        check.eligible,
        len(check.violations),
        check.violations[0] if check.violations else "",
    )
    return PlannedRound(round_.id, 0, check.eligible, ghosts, held=check.violations, seed=round_.seed)


GHOST_STREAK = 3


def ghost_enrolments(session: Session, program: Program) -> list[Enrolment]:
    """Enrolments the ghost rule would pause now (last three followed-up intros unanswered); reads only."""
    rows = session.execute(
        select(IntroMember.member_id, Intro.id)
        .join(Intro, Intro.id == IntroMember.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .where(
            Round.program_id == program.id, Round.followup_done.is_(True), Intro.state == IntroState.POSTED
        )
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
        ghosts.append(enrolment)
    return ghosts


def apply_ghost_rule(session: Session, program: Program) -> list[str]:
    """Pause members whose last three followed-up intros got no answer from them (and no one met)."""
    ghosts = []
    for enrolment in ghost_enrolments(session, program):
        enrolment.paused, enrolment.paused_until = True, None
        member = session.get(Member, enrolment.member_id)
        if member is not None:
            ghosts.append(member.slack_id)
    if ghosts:
        log.info("round.ghosts_paused program_id=%s count=%d", program.id, len(ghosts))
    return ghosts


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
    """What the next round would do, computed without sending anything."""

    eligible: int
    groups: list[list[str]]
    quality: dict[str, Any]
    lone: str | None
    sat_out: dict[str, str]
    new_draw: bool = False  # the membership changed since the seed was drawn, so a new one was


def preview_round(db: Database, *, program_id: int) -> RoundPreview:
    """Match as the next scheduled round will: its time, the ghost rule and the seed it will use.

    Only the seed is written (so the round sends exactly these groups); nothing is sent.
    """
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        ghosts = {e.member_id for e in ghost_enrolments(session, program)}
        at = max(program.next_run_at or utcnow(), utcnow())
        people = [m for m, _ in eligible_members(session, program, at) if m.id not in ghosts]
        seed, changed = seed_for_next_round(program, membership_basis(people))
        matched = match_and_check(session, program, people, seed, match_round)
        log.info(
            "round.previewed program_id=%s eligible=%d seed=%d new_draw=%s",
            program_id,
            len(people),
            seed,
            changed,
        )
        quality = matched.quality()
        return RoundPreview(
            len(people),
            matched.result.groups,
            quality,
            matched.result.lone,
            dict(quality["sat_out"]),
            changed,
        )
