"""Every statement of a season's course: the season running now, the waitlist, new group DMs still
to post, the closing messages and the keep-going vote's result.

A circle's closing message is its intro's follow-up (`followup_started_at`, `followup_ts`): set just
before it is posted, looked for before it is posted again. Circles seasons get no round follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, exists, func, or_, select, update
from sqlalchemy.orm import Session

from serendip.adapters.db.circle_models import CircleMeeting, SeasonWaitlist
from serendip.adapters.db.lifecycle_store import lock_round, locked
from serendip.adapters.db.models import Intro, Program, Round
from serendip.adapters.db.uninstall_store import installed
from serendip.domain.lifecycle import INTRO_FINAL, CircleState, RoundState

CIRCLES = "circles"


def active_season(session: Session, program_id: int, now: datetime) -> Round | None:
    """The program's season running now (formed, not ended, not closing), if any."""
    query = (
        select(Round)
        .join(Program, Program.id == Round.program_id)
        .where(
            Program.id == program_id,
            Program.kind == CIRCLES,
            Round.season_ends_at > now,
            Round.season_closing_started_at.is_(None),
            Round.state.in_((RoundState.DELIVERING, RoundState.DONE)),
        )
        .order_by(Round.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def add_to_waitlist(
    session: Session, *, round_id: int, member_id: int, reason: str, topics: tuple[str, ...]
) -> SeasonWaitlist:
    """The member's row on the season's waitlist (the existing one when they are on it already)."""
    row = session.get(SeasonWaitlist, (round_id, member_id))
    if row is None:
        row = SeasonWaitlist(
            round_id=round_id,
            member_id=member_id,
            reason=reason[:255],
            suggested_topics=",".join(topics)[:255],
        )
        session.add(row)
        session.flush()
    return row


def mark_waitlist_told(session: Session, round_id: int, member_id: int, now: datetime) -> None:
    """The member was told they will be placed next season."""
    row = session.get(SeasonWaitlist, (round_id, member_id))
    if row is not None:
        row.notified_at = now


# --- New group DMs of circles that changed mid-season -------------------------------------------


def pending_cards(session: Session, *, stale_before: datetime) -> list[tuple[int, str]]:
    """(intro id, scope id) of circles' new group DMs still to open or post, outside round delivery
    (whose rounds deliver their own), not being posted since after `stale_before`."""
    # Driven by the few running seasons (the intros' round index), never a scan of every intro.
    running = (
        select(Round.id)
        .join(Program, Program.id == Round.program_id)
        .where(
            Program.kind == CIRCLES, Round.state == RoundState.DONE, Round.season_closing_started_at.is_(None)
        )
    )
    rows = session.execute(
        select(Intro.id, Program.workspace_id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(
            Intro.round_id.in_(running),
            Intro.circle_state == CircleState.ACTIVE.value,
            Intro.state.not_in(INTRO_FINAL),
            or_(Intro.post_started_at.is_(None), Intro.post_started_at <= stale_before),
            installed(Program.workspace_id),
        )
        .order_by(Intro.id)
    )
    return [(intro_id, scope) for intro_id, scope in rows]


@dataclass(frozen=True)
class CardClaim:
    """A new group DM this worker posts now; `started_at` is the earlier try's start, if any."""

    intro_id: int
    topic: str
    conversation_id: str | None
    started_at: datetime | None


def claim_card(session: Session, intro_id: int, *, now: datetime, stale_before: datetime) -> CardClaim | None:
    """Mark a new group DM as being opened and posted now (one worker at a time); None when it is
    done, or another worker started it after `stale_before`."""
    # The season's lock is the transaction's first statement, as for every change of the season.
    season = select(Intro.round_id).where(Intro.id == intro_id).scalar_subquery()
    round_ = session.scalars(locked(session, select(Round).where(Round.id == season))).one_or_none()
    intro = session.get(Intro, intro_id)
    if round_ is None or intro is None:
        return None
    if intro.state in INTRO_FINAL or round_.state != RoundState.DONE:
        return None
    if intro.post_started_at is not None and intro.post_started_at > stale_before:
        return None
    claim = CardClaim(intro.id, intro.topic or "", intro.conversation_id, intro.post_started_at)
    intro.post_started_at = now
    return claim


def card_started(session: Session, intro_id: int, at: datetime) -> None:
    """The card is being posted now: a later try looks for it before posting again."""
    session.execute(update(Intro).where(Intro.id == intro_id).values(post_started_at=at))


# --- Closing a season ----------------------------------------------------------------------------


def due_season_closings(session: Session, now: datetime, *, stale_before: datetime) -> list[tuple[int, str]]:
    """(round id, scope id) of ended seasons with circles still to close, not being closed by another
    worker since after `stale_before`."""
    open_circle = exists().where(
        Intro.round_id == Round.id,
        or_(
            Intro.circle_state == CircleState.ACTIVE.value,
            (Intro.circle_state == CircleState.VOTING.value)
            & Intro.followup_ts.is_(None)
            & Intro.followup_started_at.is_not(None),
        ),
    )
    rows = session.execute(
        select(Round.id, Program.workspace_id)
        .join(Program, Program.id == Round.program_id)
        .where(
            Program.kind == CIRCLES,
            Round.season_ends_at <= now,
            or_(Round.season_closing_started_at.is_(None), Round.season_closing_started_at <= stale_before),
            open_circle,
            installed(Program.workspace_id),
        )
        .order_by(Round.season_ends_at, Round.id)
    )
    return [(round_id, scope) for round_id, scope in rows]


def claim_season_closing(
    session: Session, round_id: int, *, now: datetime, stale_before: datetime, vote_length: timedelta
) -> datetime | None:
    """Take the season's closing for a while (so one worker closes it) and fix when its vote closes
    (the season's end plus `vote_length`, unless already set); returns that time, or None when the
    season has not ended or another worker is closing it."""
    round_ = lock_round(session, round_id)
    if round_.season_ends_at is None or round_.season_ends_at > now:
        return None
    started = round_.season_closing_started_at
    if started is not None and started > stale_before:
        return None
    round_.season_closing_started_at = now
    if round_.vote_closes_at is None:
        round_.vote_closes_at = round_.season_ends_at + vote_length
    return round_.vote_closes_at


def renew_season_closing(session: Session, round_id: int, at: datetime) -> None:
    """Still closing the season: keep other workers off it for another lease."""
    session.execute(update(Round).where(Round.id == round_id).values(season_closing_started_at=at))


@dataclass(frozen=True)
class Closing:
    """A circle of an ended season, and how far its closing message got."""

    intro_id: int
    root_id: int
    topic: str
    circle_state: str
    delivered: bool
    conversation_id: str | None
    closing_ts: str | None
    closing_started_at: datetime | None


def circles_to_close(session: Session, round_id: int) -> list[Closing]:
    """The season's circles still active, and those voting whose closing post's outcome is unknown."""
    rows = session.scalars(
        select(Intro)
        .where(
            Intro.round_id == round_id,
            Intro.circle_state.in_((CircleState.ACTIVE.value, CircleState.VOTING.value)),
        )
        .order_by(Intro.id)
    )
    return [
        Closing(
            intro.id,
            intro.circle_root_id or intro.id,
            intro.topic or "",
            intro.circle_state or "",
            intro.state == "posted",
            intro.conversation_id,
            intro.followup_ts,
            intro.followup_started_at,
        )
        for intro in rows
        if intro.circle_state == CircleState.ACTIVE
        or (intro.followup_ts is None and intro.followup_started_at)
    ]


def begin_closing(session: Session, intro_id: int, now: datetime) -> None:
    """The circle votes from now on, and its closing message is being posted."""
    session.execute(
        update(Intro)
        .where(Intro.id == intro_id)
        .values(circle_state=CircleState.VOTING.value, followup_started_at=now)
    )


def circle_record(session: Session, root_id: int) -> tuple[int, int]:
    """(meetings held, meetings scheduled) of a circle over all its group DMs."""
    row = session.execute(
        select(
            func.count(CircleMeeting.id), func.count(CircleMeeting.id).filter(CircleMeeting.held.is_(True))
        )
        .join(Intro, Intro.id == CircleMeeting.intro_id)
        .where(Intro.circle_root_id == root_id)
    ).one()
    return int(row[1] or 0), int(row[0] or 0)


# --- The keep-going vote ---------------------------------------------------------------------------


def due_vote_results(session: Session, now: datetime) -> list[tuple[int, str]]:
    """(intro id, scope id) of voting circles whose season's vote has closed."""
    closed = select(Round.id).where(Round.vote_closes_at <= now)  # few: one round per season
    rows = session.execute(
        select(Intro.id, Program.workspace_id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(
            Intro.round_id.in_(closed),
            Intro.circle_state == CircleState.VOTING.value,
            installed(Program.workspace_id),
        )
        .order_by(Intro.id)
    )
    return [(intro_id, scope) for intro_id, scope in rows]


def settle_circle(session: Session, intro_id: int, state: CircleState) -> bool:
    """Move a voting circle to its outcome; False when it was settled already (by another worker)."""
    result = session.execute(
        update(Intro)
        .where(Intro.id == intro_id, Intro.circle_state == CircleState.VOTING.value)
        .values(circle_state=state.value)
    )
    return isinstance(result, CursorResult) and result.rowcount > 0


def end_undelivered(session: Session, intro_id: int) -> bool:
    """An active circle of an ended season that never had a group DM simply ends."""
    result = session.execute(
        update(Intro)
        .where(Intro.id == intro_id, Intro.circle_state == CircleState.ACTIVE.value)
        .values(circle_state=CircleState.ENDED.value)
    )
    return isinstance(result, CursorResult) and result.rowcount > 0
