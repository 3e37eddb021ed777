"""The delivery queue of a round: which open intros are due now, which Slack call each needs next.

An intro whose attempt failed transiently carries `next_attempt_at`; it is not due before then, so
the delivery loop keeps posting the others meanwhile.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from serendip.adapters.db.models import Intro, Program, Round
from serendip.domain.lifecycle import INTRO_FINAL

OPEN, HISTORY, POST = "conversations.open", "conversations.history", "chat.postMessage"

# The Slack method an open intro's delivery calls next: open its group DM, confirm a post whose
# outcome is unknown, or post.
NEXT_CALL = case(
    (Intro.conversation_id.is_(None), OPEN),
    (Intro.post_started_at.is_not(None), HISTORY),
    else_=POST,
)


def round_facts(session: Session, round_id: int) -> tuple[int, int, str]:
    """(program id, seed, workspace id) of a round."""
    row = session.execute(
        select(Round.program_id, Round.seed, Program.workspace_id)
        .join(Program, Program.id == Round.program_id)
        .where(Round.id == round_id)
    ).one()
    return int(row[0]), int(row[1]), str(row[2])


def due_intros(
    session: Session, round_id: int, *, now: datetime, skip_calls: Collection[str], limit: int
) -> list[tuple[int, str]]:
    """(intro id, next Slack call) of open intros that are due now, oldest first, skipping calls
    that cannot be made now (paused or out of budget)."""
    query = select(Intro.id, NEXT_CALL).where(
        Intro.round_id == round_id,
        Intro.state.not_in(INTRO_FINAL),
        or_(Intro.next_attempt_at.is_(None), Intro.next_attempt_at <= now),
    )
    if skip_calls:
        query = query.where(NEXT_CALL.not_in(list(skip_calls)))
    return [(int(i), str(call)) for i, call in session.execute(query.order_by(Intro.id).limit(limit))]


def waiting(session: Session, round_id: int) -> tuple[int, datetime | None]:
    """(open intros, earliest next attempt among them) of a round."""
    row = session.execute(
        select(func.count(Intro.id), func.min(Intro.next_attempt_at)).where(
            Intro.round_id == round_id, Intro.state.not_in(INTRO_FINAL)
        )
    ).one()
    return int(row[0]), row[1]


def defer(session: Session, intro_id: int, *, until: datetime) -> None:
    """Try the intro again no sooner than `until`."""
    intro = session.get(Intro, intro_id)
    assert intro is not None
    intro.next_attempt_at = until
