"""Every statement of the round lifecycle: rounds, leases, intros, summaries and follow-ups.

The services in `serendip.services.lifecycle` own the transactions and call these functions with
their session; the matcher's reads (history, tags, blocks, ghosts) are in `lifecycle_history`.
Round and intro states are written as `RoundState` / `IntroState` only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import CursorResult, Select, exists, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Enrolment, Intro, IntroMember, IntroOutcome, Member, Program, Round
from serendip.adapters.db.uninstall_store import installed, program_installed
from serendip.domain.lifecycle import INTRO_FINAL, IntroState, RoundState

SelectT = TypeVar("SelectT", bound=Select[Any])


def locked(session: Session, query: SelectT, *, skip_locked: bool = False) -> SelectT:
    """The query taking row locks (FOR UPDATE, optionally SKIP LOCKED) on PostgreSQL.

    SQLite has no row locks: the database's write lock is taken first (a write that matches no row),
    so the read is current and no other writer can act on it before this transaction ends. Without
    it the driver runs the SELECT outside the transaction, and two workers reading the same free
    round would both claim it.
    """
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=skip_locked)
    session.execute(update(Round).where(false()).values(id=Round.id))
    return query


def lock_round(session: Session, round_id: int) -> Round:
    """The round, locked for the rest of the transaction."""
    return session.scalars(locked(session, select(Round).where(Round.id == round_id))).one()


# --- Scheduling and planning -------------------------------------------------------------------


def due_programs(session: Session, now: datetime) -> list[tuple[int, datetime, bool, str]]:
    """(program id, scheduled time, paused, scope id) of every program whose next round is due (none
    of an uninstalled workspace)."""
    rows = session.execute(
        select(Program.id, Program.next_run_at, Program.is_paused, Program.workspace_id).where(
            Program.next_run_at <= now, installed(Program.workspace_id)
        )
    )
    return [(program_id, at, paused, scope) for program_id, at, paused, scope in rows if at is not None]


def create_round(
    session: Session,
    *,
    program_id: int,
    scheduled_for: datetime,
    state: RoundState,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
) -> Round | None:
    """Insert the round of a program's scheduled time; None when one exists (another process has it)."""
    round_ = Round(
        program_id=program_id,
        scheduled_for=scheduled_for,
        state=state,
        seed=0,
        started_at=started_at,
        finished_at=finished_at,
    )
    try:
        with session.begin_nested():
            session.add(round_)
    except IntegrityError:
        return None
    return round_


def busy_round(
    session: Session, program_id: int, *, started_after: datetime
) -> tuple[int, RoundState, datetime | None] | None:
    """(id, state, started_at) of the program's newest round still matching or delivering, or
    started after the instant; None when there is none."""
    going = Round.state.in_((RoundState.MATCHING, RoundState.DELIVERING))
    query = select(Round.id, Round.state, Round.started_at).where(
        Round.program_id == program_id, or_(going, Round.started_at > started_after)
    )
    row = session.execute(query.order_by(Round.id.desc()).limit(1)).first()
    return None if row is None else (row[0], RoundState(row[1]), row[2])


def newest_round_id(session: Session, program_id: int) -> int:
    """The id of the program's newest round of any state (0 when it has none)."""
    return session.scalar(select(func.max(Round.id)).where(Round.program_id == program_id)) or 0


def clear_skips(session: Session, program_id: int) -> None:
    """End every `/coffee skip` of the program: a skip covers exactly one round."""
    session.execute(
        update(Enrolment)
        .where(Enrolment.program_id == program_id, Enrolment.skip_next.is_(True))
        .values(skip_next=False)
        .execution_options(synchronize_session=False)
    )


def add_intro(session: Session, round_id: int, member_ids: Sequence[int]) -> Intro:
    """A pending intro of these members in the round."""
    intro = Intro(round_id=round_id, state=IntroState.PENDING)
    intro.members = [IntroMember(member_id=member_id) for member_id in member_ids]
    session.add(intro)
    return intro


# --- Delivery under a lease ----------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A round whose delivery lease this worker holds now."""

    round_id: int
    program_id: int
    taken_over: bool  # the lease was another worker's and had expired
    workspace_id: str = ""  # the program's scope id: whose installation delivers it


def claim_round(
    session: Session,
    *,
    owner: str,
    now: datetime,
    until: datetime,
    besides: Collection[str] = (),
    only: str | None = None,
) -> Claim | None:
    """Take the lease of the first round that needs delivering (free, expired or already ours; never
    one of an uninstalled workspace), skipping rounds of the workspaces in ``besides`` (this process
    is delivering for them already); with ``only``, a round of that workspace alone."""
    query = (
        select(Round)
        .where(
            Round.state == RoundState.DELIVERING,
            or_(Round.lease_owner.is_(None), Round.lease_expires_at < now, Round.lease_owner == owner),
            program_installed(Round.program_id),
        )
        .order_by(Round.scheduled_for, Round.id)
        .limit(1)
    )
    if besides:
        others = select(Program.id).where(Program.workspace_id.in_(sorted(besides)))
        query = query.where(Round.program_id.not_in(others))
    if only is not None:
        query = query.where(Round.program_id.in_(select(Program.id).where(Program.workspace_id == only)))
    round_ = session.scalars(locked(session, query, skip_locked=True)).first()
    if round_ is None:
        return None
    taken_over = round_.lease_owner not in (None, owner)
    round_.lease_owner, round_.lease_expires_at = owner, until
    workspace_id = session.scalar(select(Program.workspace_id).where(Program.id == round_.program_id))
    return Claim(round_.id, round_.program_id, taken_over, workspace_id or "")


def renew_lease(session: Session, round_id: int, *, owner: str, until: datetime) -> bool:
    """Extend the lease to `until`; False when another worker owns the round now."""
    round_ = lock_round(session, round_id)
    if round_.lease_owner != owner:
        return False
    round_.lease_expires_at = until
    return True


def release_lease(session: Session, round_id: int, *, owner: str) -> None:
    """Give the round's lease up now (if still ours), so any worker may take it when it may run again."""
    session.execute(
        update(Round)
        .where(Round.id == round_id, Round.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
    )


def open_intro_ids(session: Session, round_id: int) -> list[int]:
    """The round's intros that are neither posted nor failed, in order."""
    return list(
        session.scalars(
            select(Intro.id)
            .where(Intro.round_id == round_id, Intro.state.not_in(INTRO_FINAL))
            .order_by(Intro.id)
        )
    )


def has_open_intros(session: Session, round_id: int) -> bool:
    """Whether any intro of the round is still to be posted or given up on."""
    first = session.scalar(
        select(Intro.id).where(Intro.round_id == round_id, Intro.state.not_in(INTRO_FINAL)).limit(1)
    )
    return first is not None


def intro_members(session: Session, intro: Intro) -> list[Member]:
    """The people of an intro (those whose member row still exists)."""
    people = (session.get(Member, im.member_id) for im in intro.members)
    return [member for member in people if member is not None]


def fence_post(session: Session, intro_id: int, *, owner: str, now: datetime, until: datetime) -> bool:
    """Before posting: check the round is still ours, extend the lease and record the attempt.

    False (and nothing written) when another worker took the round over.
    """
    intro = _intro(session, intro_id)
    round_ = lock_round(session, intro.round_id)
    if round_.lease_owner != owner:
        return False
    round_.lease_expires_at, intro.post_started_at = until, now
    return True


def mark_opened(session: Session, intro_id: int, conversation_id: str) -> None:
    """The intro's group DM exists."""
    intro = _intro(session, intro_id)
    intro.conversation_id, intro.state = conversation_id, IntroState.OPENED


def mark_posted(session: Session, intro_id: int, *, ts: str, now: datetime) -> datetime:
    """The intro is in its group DM (ts of the post); returns when its round was scheduled."""
    intro = _intro(session, intro_id)
    intro.state, intro.message_ts, intro.delivered_at = IntroState.POSTED, ts, now
    intro.attempts += 1
    scheduled_for = session.scalar(select(Round.scheduled_for).where(Round.id == intro.round_id))
    return scheduled_for if scheduled_for is not None else now


def mark_failed(session: Session, intro_id: int, reason: str) -> None:
    """Give up on the intro, keeping the reason (Slack's error code) for the admins."""
    intro = _intro(session, intro_id)
    intro.state, intro.failure_reason = IntroState.FAILED, reason[:255]


def count_attempt(session: Session, intro_id: int) -> int:
    """Count one more failed attempt at the intro; returns the attempts so far."""
    intro = _intro(session, intro_id)
    intro.attempts += 1
    return intro.attempts


def _intro(session: Session, intro_id: int) -> Intro:
    intro = session.get(Intro, intro_id)
    assert intro is not None
    return intro


# --- Closing ------------------------------------------------------------------------------------


def intro_results(session: Session, round_id: int) -> list[tuple[int, IntroState, str | None]]:
    """(intro id, state, failure reason) of every intro of the round."""
    rows = session.execute(
        select(Intro.id, Intro.state, Intro.failure_reason).where(Intro.round_id == round_id)
    )
    return [(intro_id, state, reason) for intro_id, state, reason in rows]


def record_summary_ts(session: Session, round_id: int, ts: str) -> None:
    """The ts of the round's posted summary."""
    session.execute(update(Round).where(Round.id == round_id).values(summary_ts=ts))


# --- Follow-ups and answers ---------------------------------------------------------------------


def due_followup_rounds(session: Session, now: datetime) -> list[int]:
    """Rounds whose follow-up time has come and that were not followed up yet (none of an
    uninstalled workspace, nor a circles season: a circle's follow-up is its closing message)."""
    circles = select(Program.id).where(Program.kind == "circles")
    return list(
        session.scalars(
            select(Round.id).where(
                Round.state == RoundState.DONE,
                Round.followup_done.is_(False),
                Round.followup_due_at <= now,
                program_installed(Round.program_id),
                Round.program_id.not_in(circles),
            )
        )
    )


def claim_followup(session: Session, round_id: int, *, now: datetime, until: datetime) -> bool:
    """Push a due follow-up's time to `until`, so one worker sends it; False when not due (any more)."""
    result = session.execute(
        update(Round)
        .where(Round.id == round_id, Round.followup_done.is_(False), Round.followup_due_at <= now)
        .values(followup_due_at=until)
    )
    return isinstance(result, CursorResult) and result.rowcount > 0


def unanswered_intros(
    session: Session, round_id: int
) -> list[tuple[int, str | None, str | None, datetime | None]]:
    """(intro id, conversation, follow-up ts, follow-up start) of posted intros nobody answered."""
    answered = exists().where(IntroOutcome.intro_id == Intro.id)
    rows = session.execute(
        select(Intro.id, Intro.conversation_id, Intro.followup_ts, Intro.followup_started_at).where(
            Intro.round_id == round_id, Intro.state == IntroState.POSTED, ~answered
        )
    )
    return [(intro_id, conversation, ts, started) for intro_id, conversation, ts, started in rows]


def set_followup(session: Session, intro_id: int, *, ts: str | None, started_at: datetime | None) -> None:
    """Store how far the intro's follow-up got: started (no ts yet), posted (ts), or not at all."""
    intro = _intro(session, intro_id)
    intro.followup_ts, intro.followup_started_at = ts, started_at


def mark_followed_up(session: Session, round_id: int) -> None:
    """The round's follow-ups are done."""
    session.execute(update(Round).where(Round.id == round_id).values(followup_done=True))


def record_answer(session: Session, *, intro_id: int, member_id: int, outcome: str, now: datetime) -> bool:
    """Store a member's answer to an intro; False when it was already their answer.

    The intro is locked first: a double click sends two requests at once, and both would otherwise
    find no answer and insert one (a duplicate key on PostgreSQL, the second click lost).
    """
    session.execute(locked(session, select(Intro.id).where(Intro.id == intro_id)))
    existing = session.scalars(
        select(IntroOutcome).where(IntroOutcome.intro_id == intro_id, IntroOutcome.member_id == member_id)
    ).one_or_none()
    changed = existing is None or existing.outcome != outcome
    if existing is None:
        session.add(IntroOutcome(intro_id=intro_id, member_id=member_id, outcome=outcome))
    else:
        existing.outcome, existing.answered_at = outcome, now
    session.flush()
    return changed


def intro_answers(session: Session, intro_id: int) -> dict[str, str]:
    """Everyone's answer to one intro, by Slack id."""
    rows = session.execute(
        select(Member.slack_id, IntroOutcome.outcome)
        .join(IntroOutcome, IntroOutcome.member_id == Member.id)
        .where(IntroOutcome.intro_id == intro_id)
    )
    return {slack_id: answer for slack_id, answer in rows}


def intro_posts(session: Session, intro_id: int) -> tuple[str | None, str | None, str | None]:
    """(conversation, intro ts, follow-up ts) of an intro as stored when posted; Nones when unknown."""
    intro = session.get(Intro, intro_id)
    return (intro.conversation_id, intro.message_ts, intro.followup_ts) if intro else (None, None, None)
