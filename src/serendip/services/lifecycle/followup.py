"""Follow-ups halfway to the next round, and recording what people answered."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from serendip.adapters.db import delivery_queue as queue
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db import uninstall_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import IntroMember, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.services import uninstall
from serendip.services.errors import ServiceError
from serendip.services.lifecycle.attempt import WorkspaceUninstalled
from serendip.services.lifecycle.failures import APP_REMOVED, Failure, classify
from serendip.services.lifecycle.results import Answers
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

OUTCOMES = ("met", "scheduled", "cant_make_it")


def due_followup_rounds(db: Database, now: datetime) -> list[int]:
    """Rounds whose follow-up time has come and that were not followed up yet."""
    with db.transaction() as session:
        return store.due_followup_rounds(session, now)


def claim_followup(
    db: Database, round_id: int, now: datetime, lease: timedelta = timedelta(minutes=10)
) -> bool:
    """Take a due follow-up for a while, so only one worker sends it (a crashed one is retried later)."""
    with db.transaction() as session:
        return store.claim_followup(session, round_id, now=now, until=now + lease)


def round_workspace(db: Database, round_id: int) -> str:
    """The scope id of the workspace a round belongs to (whose installation follows it up)."""
    with db.transaction() as session:
        return queue.round_facts(session, round_id)[2]


def send_followups(db: Database, publisher: IntroPublisher, *, round_id: int) -> int:
    """Ask each unanswered intro of a round "did you meet?" once; returns how many were sent."""
    with db.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        program = session.get(Program, round_.program_id)
        enabled = program is not None and program.followup_enabled
        intros = store.unanswered_intros(session, round_id)
    sent = 0
    for intro_id, conversation_id, followup_ts, started_at in intros if enabled else []:
        if followup_ts is not None or conversation_id is None:
            continue
        try:
            if _uninstalled(db, round_id):
                raise WorkspaceUninstalled(f"the workspace of round {round_id} uninstalled the app")
            sent += _followup_once(db, publisher, intro_id, conversation_id, started_at)
        except WorkspaceUninstalled as stopped:  # not marked done: after a reinstall the rest still go
            if stopped.slack_reason is not None:
                uninstall.mark_uninstalled(db, _scope_of(db, round_id), cause=stopped.slack_reason)
            log.warning("round.followups_stopped_uninstalled round_id=%s sent=%d", round_id, sent)
            return sent
    with db.transaction() as session:
        store.mark_followed_up(session, round_id)
    log.info("round.followups_sent round_id=%s count=%d", round_id, sent)
    return sent


def _scope_of(db: Database, round_id: int) -> str:
    with db.transaction() as session:
        return queue.round_facts(session, round_id)[2]


def _uninstalled(db: Database, round_id: int) -> bool:
    with db.transaction() as session:
        return uninstall_store.round_uninstalled(session, round_id)


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
        if reason in APP_REMOVED:
            raise WorkspaceUninstalled(
                f"Slack answered {reason} for intro {intro_id}", slack_reason=reason
            ) from error
        return 0
    _store_followup(db, intro_id, ts=ts, started_at=started_at)
    return 1


def _store_followup(db: Database, intro_id: int, *, ts: str | None, started_at: datetime | None) -> None:
    with db.transaction() as session:
        store.set_followup(session, intro_id, ts=ts, started_at=started_at)


def record_outcome(db: Database, *, team_id: str, intro_id: int, user_id: str, outcome: str) -> Answers:
    """Record (or change) a member's answer; clicking the same answer twice changes nothing."""
    if outcome not in OUTCOMES:
        raise ServiceError("That answer isn't one Serendip knows.")
    with db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        in_intro = member is not None and session.get(IntroMember, (intro_id, member.id)) is not None
        if member is None or not in_intro:
            raise ServiceError("Only the people introduced here can answer for this intro.")
        changed = store.record_answer(
            session, intro_id=intro_id, member_id=member.id, outcome=outcome, now=utcnow()
        )
        answers = store.intro_answers(session, intro_id)
    log.info("intro.answered intro_id=%s outcome=%s changed=%s", intro_id, outcome, changed)
    return Answers(intro_id, answers, changed)
