"""The buttons of a circle's season: "We met" (for the circle), "Skipped this time" (for oneself),
staying after three skips, and the keep-going vote. Clicking the same button twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from serendip.adapters.db import circle_roster as roster
from serendip.adapters.db import circle_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Round
from serendip.adapters.db.types import utcnow
from serendip.domain.circles.messages import Nudge, prompt_for
from serendip.domain.circles.season import should_ask_to_stay, skip_streak
from serendip.domain.lifecycle import CircleState
from serendip.services.errors import ServiceError
from serendip.services.ports import Blocks, Messaging

log = logging.getLogger(__name__)

ANSWERS = ("met", "skipped")
UNKNOWN_MEETING = "That meeting isn't one Serendip knows; nothing was recorded."
NOT_A_MEMBER = "Only the circle's members can answer for its meetings; nothing was recorded."
NOT_A_VOTER = "Only the circle's members can vote on it; nothing was recorded."
# Draws a nudge again with the circle's answers (held, Slack id -> answer): its text and blocks.
Redraw = Callable[[Nudge, bool | None, dict[str, str]], tuple[str, Blocks]]


@dataclass(frozen=True)
class MeetingAnswer:
    """A recorded click on a nudge, and whether to ask the clicker if they want to stay."""

    meeting_id: int
    intro_id: int
    topic: str
    answer: str
    changed: bool
    ask_to_stay: bool


@dataclass(frozen=True)
class Vote:
    """A recorded keep-going vote, and when the vote closes."""

    topic: str
    keep: bool
    changed: bool
    closes_at: datetime | None


def answer_meeting(
    db: Database,
    messaging: Messaging,
    *,
    team_id: str,
    user_id: str,
    meeting_id: int,
    answer: str,
    clicked: tuple[str, str] | None,
    redraw: Redraw,
) -> MeetingAnswer:
    """Record "We met" (the circle met) or "Skipped this time" (the clicker did), then show the answers
    on the nudge: on the STORED conversation and ts, and only when the click came from it."""
    if answer not in ANSWERS:
        raise ServiceError(UNKNOWN_MEETING)
    with db.transaction() as session:
        facts = store.meeting_facts(session, meeting_id, lock=True)
        if facts is None or not facts.message_ts or facts.conversation_id is None:
            raise ServiceError(UNKNOWN_MEETING)
        member = repo.find_member(session, team_id, user_id)
        if member is None or not store.is_member(session, facts.intro_id, member.id):
            raise ServiceError(NOT_A_MEMBER)
        now = utcnow()
        changed = store.record_answer(session, meeting_id, member.id, answer, now)
        if answer == "met":
            changed = store.mark_held(session, meeting_id, now) or changed
        streak = skip_streak(store.member_answers(session, facts.root_id, member.id, up_to=facts.number))
        still_in = any(c.root_id == facts.root_id for c in roster.member_circles(session, member.id))
        ask = answer == "skipped" and changed and still_in and should_ask_to_stay(streak)
        held = True if answer == "met" else facts.held
        answers = store.meeting_answers(session, meeting_id)
        nudge = _nudge(session, facts)
    log.info(
        "circle.answered circle_id=%s meeting_id=%s answer=%s changed=%s skip_streak=%d",
        facts.root_id,
        meeting_id,
        answer,
        changed,
        streak,
    )
    if changed and clicked == (facts.conversation_id, facts.message_ts):
        text, blocks = redraw(nudge, held, answers)
        messaging.update(facts.conversation_id, facts.message_ts, text, blocks)
    return MeetingAnswer(meeting_id, facts.intro_id, facts.topic, answer, changed, ask)


def _nudge(session: Session, facts: store.MeetingFacts) -> Nudge:
    host = facts.host_member_id
    slack_id, name = store.people(session, [host]).get(host, (None, "")) if host is not None else (None, "")
    return Nudge(
        facts.meeting_id,
        facts.number,
        slack_id,
        facts.topic,
        prompt_for(facts.topic, facts.number, facts.root_id),
        name,
    )


def stay(db: Database, *, team_id: str, user_id: str, intro_id: int) -> str:
    """The member chose to stay in their circle after skipping; returns its topic."""
    with db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        root = roster.circle_root(session, intro_id)
        circles = roster.member_circles(session, member.id) if member is not None else []
        current = next((c for c in circles if root is not None and c.root_id == root), None)
        if current is None:
            raise ServiceError("You're not in this circle any more.")
    log.info("circle.member_stays circle_id=%s", current.root_id)
    return current.topic


def vote(db: Database, *, team_id: str, user_id: str, intro_id: int, keep: bool) -> Vote:
    """Record (or change) the member's vote to keep the circle going or let it end."""
    with db.transaction() as session:
        intro = store.lock_circle_intro(session, intro_id)
        if intro is None or intro.topic is None:
            raise ServiceError("That vote isn't one Serendip knows; nothing was recorded.")
        member = repo.find_member(session, team_id, user_id)
        if member is None or not store.is_member(session, intro_id, member.id):
            raise ServiceError(NOT_A_VOTER)
        if intro.circle_state != CircleState.VOTING:
            raise ServiceError(_vote_closed(intro.circle_state))
        changed = store.record_vote(session, intro_id, member.id, keep, utcnow())
        round_ = session.get(Round, intro.round_id)
        closes_at = round_.vote_closes_at if round_ is not None else None
        topic = intro.topic
    log.info("circle.voted circle_id=%s keep=%s changed=%s", intro.circle_root_id or intro_id, keep, changed)
    return Vote(topic, keep, changed, closes_at)


def _vote_closed(state: str | None) -> str:
    if state == CircleState.KEPT:
        return "The vote is over: this circle keeps going. Nothing was changed."
    if state == CircleState.ENDED:
        return "The vote is over: this circle ended with the season. Nothing was changed."
    if state == CircleState.ACTIVE:
        return "The vote opens when the season ends."
    return "This circle isn't voting; nothing was recorded."


def clicked_message(channel_id: str | None, ts: str | None) -> tuple[str, str] | None:
    """Where a click came from (conversation, ts), when the payload says both."""
    return (channel_id, ts) if channel_id and ts else None
