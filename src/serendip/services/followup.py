"""Follow-ups halfway to the next round, and recording what people answered."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, IntroMember, IntroOutcome, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import IntroState, RoundState
from serendip.services.delivery_errors import Failure, classify
from serendip.services.errors import ServiceError
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

OUTCOMES = ("met", "scheduled", "cant_make_it")


def due_followup_rounds(db: Database, now: datetime) -> list[int]:
    """Rounds whose follow-up time has come and that were not followed up yet."""
    with db.transaction() as session:
        return list(
            session.scalars(
                select(Round.id).where(
                    Round.state == RoundState.DONE,
                    Round.followup_done.is_(False),
                    Round.followup_due_at <= now,
                )
            )
        )


def claim_followup(
    db: Database, round_id: int, now: datetime, lease: timedelta = timedelta(minutes=10)
) -> bool:
    """Take a due follow-up for a while, so only one worker sends it (a crashed one is retried later)."""
    with db.transaction() as session:
        result = session.execute(
            update(Round)
            .where(Round.id == round_id, Round.followup_done.is_(False), Round.followup_due_at <= now)
            .values(followup_due_at=now + lease)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def send_followups(db: Database, publisher: IntroPublisher, *, round_id: int) -> int:
    """Ask each unanswered intro of a round "did you meet?" once; returns how many were sent."""
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        program = session.get(Program, round_.program_id)
        enabled = program is not None and program.followup_enabled
        answered = exists().where(IntroOutcome.intro_id == Intro.id)
        intros = list(
            session.execute(
                select(Intro.id, Intro.conversation_id, Intro.followup_ts, Intro.followup_started_at).where(
                    Intro.round_id == round_id, Intro.state == IntroState.POSTED, ~answered
                )
            )
        )
    sent = 0
    for intro_id, conversation_id, followup_ts, started_at in intros if enabled else []:
        if followup_ts is not None or conversation_id is None:
            continue
        sent += _followup_once(db, publisher, intro_id, conversation_id, started_at)
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        round_.followup_done = True
    log.info("round.followups_sent round_id=%s count=%d", round_id, sent)
    return sent


def _followup_once(
    db: Database, publisher: IntroPublisher, intro_id: int, conversation_id: str, started_at: datetime | None
) -> int:
    if started_at is not None:
        # A follow-up may have landed without us hearing back: look before posting again.
        found = publisher.find_intro_post(
            conversation_id, intro_id, oldest=started_at - timedelta(minutes=10), kind="followup"
        )
        if found:
            _store_followup(db, intro_id, ts=found, started_at=started_at)
            return 1
    started_at = utcnow()
    _store_followup(db, intro_id, ts=None, started_at=started_at)
    try:
        ts = publisher.post_followup(conversation_id, intro_id)
    except Exception as error:
        kind, reason, _ = classify(error)
        log.warning("intro.followup_failed intro_id=%s reason=%s", intro_id, reason)
        if kind is Failure.PERMANENT:  # surely not posted: nothing to look for later
            _store_followup(db, intro_id, ts=None, started_at=None)
        return 0
    _store_followup(db, intro_id, ts=ts, started_at=started_at)
    return 1


def _store_followup(db: Database, intro_id: int, *, ts: str | None, started_at: datetime | None) -> None:
    with db.transaction() as session:
        intro = session.get(Intro, intro_id)
        assert intro is not None
        intro.followup_ts, intro.followup_started_at = ts, started_at


@dataclass(frozen=True)
class Answers:
    """Everyone's answer to one intro, by Slack id, after recording a click."""

    intro_id: int
    answers: dict[str, str]
    changed: bool


def record_outcome(db: Database, *, team_id: str, intro_id: int, user_id: str, outcome: str) -> Answers:
    """Record (or change) a member's answer; clicking the same answer twice changes nothing."""
    if outcome not in OUTCOMES:
        raise ServiceError("That answer isn't one Serendip knows.")
    with db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        in_intro = member is not None and session.get(IntroMember, (intro_id, member.id)) is not None
        if member is None or not in_intro:
            raise ServiceError("Only the people introduced here can answer for this intro.")
        existing = session.scalars(
            select(IntroOutcome).where(IntroOutcome.intro_id == intro_id, IntroOutcome.member_id == member.id)
        ).one_or_none()
        changed = existing is None or existing.outcome != outcome
        if existing is None:
            session.add(IntroOutcome(intro_id=intro_id, member_id=member.id, outcome=outcome))
        else:
            existing.outcome, existing.answered_at = outcome, utcnow()
        session.flush()
        rows = session.execute(
            select(Member.slack_id, IntroOutcome.outcome)
            .join(IntroOutcome, IntroOutcome.member_id == Member.id)
            .where(IntroOutcome.intro_id == intro_id)
        )
        answers = {slack_id: answer for slack_id, answer in rows}
    log.info("intro.answered intro_id=%s outcome=%s changed=%s", intro_id, outcome, changed)
    return Answers(intro_id, answers, changed)
