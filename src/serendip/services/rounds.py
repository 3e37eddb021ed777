"""Running a round: eligibility, matching, persisting intros, and delivering them."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import (
    Enrolment,
    Intro,
    IntroMember,
    Member,
    MemberBlock,
    MemberTag,
    Program,
    Round,
)
from serendip.adapters.db.types import utcnow
from serendip.domain.intro_content import IntroPerson, build_card
from serendip.domain.matching import MatchSettings, Participant, RepeatMode, match_round
from serendip.services.participation import is_paused
from serendip.services.ports import IntroPublisher

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


def _tags(session: Session, member_ids: list[int]) -> dict[int, dict[str, set[str]]]:
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


def plan_round(
    db: Database, *, program_id: int, scheduled_for: datetime, seed: int | None = None
) -> int | None:
    """Claim, match and persist a round with one pending intro per group; None if already claimed."""
    now = utcnow()
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        seed = secrets.randbits(31) if seed is None else seed
        round_ = Round(
            program_id=program_id, scheduled_for=scheduled_for, state="matching", seed=seed, started_at=now
        )
        session.add(round_)
        try:
            session.flush()
        except IntegrityError:
            return None
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
        return round_.id


def _match(session: Session, program: Program, people: list[Member], seed: int):  # type: ignore[no-untyped-def]
    ids = [m.id for m in people]
    tags, blocked = _tags(session, ids), _blocks(session, ids)
    history = program_history(session, program.id)
    departments = {m.slack_id: m.department for m in people}
    person_ties, dept_ties = _ties(history, departments)
    participants = [
        Participant(
            id=m.slack_id,
            department=m.department,
            utc_offset_minutes=m.tz_offset_minutes,
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


def deliver_round(db: Database, publisher: IntroPublisher, *, round_id: int) -> RoundSummary:
    """Open each pending intro's group DM and post the intro; permanent errors mark it failed."""
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        program = session.get(Program, round_.program_id)
        assert program is not None
        quality = dict(round_.quality or {})
        summary = RoundSummary(
            round_id, program.id, program.channel_id, eligible=int(quality.get("eligible", 0))
        )
        summary.lone, summary.sat_out = quality.get("lone"), dict(quality.get("sat_out") or {})
        summary.quality = {k: v for k, v in quality.items() if isinstance(v, int | float)}
        pending = list(session.scalars(select(Intro.id).where(Intro.round_id == round_id).order_by(Intro.id)))
        seed = round_.seed
    summary.groups = len(pending)
    for intro_id in pending:
        _deliver_intro(db, publisher, intro_id, seed, summary)
    _tell_left_out(publisher, summary)
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        round_.state, round_.finished_at = "done", utcnow()
    publisher.post_round_summary(summary.channel_id, summary)
    log.info(
        "round.done program_id=%s round_id=%s delivered=%d failed=%d",
        summary.program_id,
        round_id,
        summary.delivered,
        len(summary.failed),
    )
    return summary


def _deliver_intro(
    db: Database, publisher: IntroPublisher, intro_id: int, seed: int, summary: RoundSummary
) -> None:
    with db.transaction() as session:
        intro = session.get(Intro, intro_id)
        assert intro is not None
        if intro.state in {"posted", "failed"}:
            summary.delivered += intro.state == "posted"
            return
        people = [session.get(Member, im.member_id) for im in intro.members]
        tags = _tags(session, [im.member_id for im in intro.members])
        card = build_card(intro_id, [_person(m, tags[m.id]) for m in people if m is not None], seed)
        conversation_id = intro.conversation_id
    try:
        if conversation_id is None:
            conversation_id = publisher.open_group([p.slack_id for p in card.people])
            with db.transaction() as session:
                session.get(Intro, intro_id).conversation_id = conversation_id  # type: ignore[union-attr]
        ts = publisher.post_intro(conversation_id, card)
    except SlackApiError as exc:
        reason = str(exc.response.get("error") or "slack_error")
        with db.transaction() as session:
            intro = session.get(Intro, intro_id)
            assert intro is not None
            intro.state, intro.failure_reason, intro.attempts = "failed", reason, intro.attempts + 1
        summary.failed[intro_id] = reason
        log.warning(
            "intro.failed program_id=%s round_id=%s intro_id=%s reason=%s",
            summary.program_id,
            summary.round_id,
            intro_id,
            reason,
        )
        return
    with db.transaction() as session:
        intro = session.get(Intro, intro_id)
        assert intro is not None
        intro.state, intro.message_ts, intro.delivered_at = "posted", ts, utcnow()
        intro.attempts += 1
    summary.delivered += 1


def _person(member: Member, tags: dict[str, set[str]]) -> IntroPerson:
    return IntroPerson(
        slack_id=member.slack_id,
        name=member.real_name or member.name,
        department=member.department,
        title=member.title,
        tz=member.tz,
        utc_offset_minutes=member.tz_offset_minutes,
        working_hours=(member.work_start_minute, member.work_end_minute),
        expertise=frozenset(tags["expertise"]),
        interests=frozenset(tags["interest"]),
    )


def _tell_left_out(publisher: IntroPublisher, summary: RoundSummary) -> None:
    notes = {}
    if summary.lone:
        notes[summary.lone] = (
            f"There was nobody else to meet in <#{summary.channel_id}> this round. See you next time!"
        )
    for slack_id, reason in summary.sat_out.items():
        notes[slack_id] = f"You sat out this round in <#{summary.channel_id}>: {reason}"
    for slack_id, text in notes.items():
        try:
            publisher.tell_member(slack_id, text)
        except SlackApiError as exc:
            log.warning("round.note_failed round_id=%s error=%s", summary.round_id, exc.response.get("error"))
