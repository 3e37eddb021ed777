"""Someone joining a circles program mid-season: added to a circle of one of their topics with room
(a new group DM for the new member set), else put on the season's waitlist and told they will be
placed next season."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from serendip.adapters.db import circle_roster as roster
from serendip.adapters.db import circle_season_store
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, Member
from serendip.adapters.db.types import utcnow
from serendip.domain.circles import messages as say
from serendip.domain.circles.season import LARGEST_CIRCLE, CircleView, circle_for_newcomer
from serendip.services.lifecycle.circle_changes import SlackWork, carry_on, carry_out
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

WAITLIST_NO_TOPICS = "joined mid-season with no topics"
WAITLIST_NO_ROOM = "joined mid-season: no circle of their topics had room"


@dataclass(frozen=True)
class SeasonJoin:
    """Where a mid-season joiner went: a circle (its topic) or the waitlist."""

    topic: str | None
    waitlisted: bool


def join_mid_season(
    db: Database,
    publisher: IntroPublisher,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    now: datetime | None = None,
) -> SeasonJoin | None:
    """Place a member who just joined a program whose season is running; None when there is no
    season running there, or they are in one of its circles already."""
    now = now or utcnow()
    with db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        member = repo.find_member(session, team_id, user_id)
        season = circle_season_store.active_season(session, program.id, now) if program is not None else None
        if season is None or member is None:
            return None
        season_id, program_id = season.id, season.program_id
    # A new transaction that takes the season's lock first; the season is read again under it.
    with db.transaction() as session:
        store.lock_round(session, season_id)
        if circle_season_store.active_season(session, program_id, now) is None:
            return None
        circles = roster.season_circles(session, season_id)
        if any(member.id in circle.members for circle in circles):
            return None
        placed, work = _place(session, season_id, member, circles)
    carry_out(db, publisher, work)
    if placed.waitlisted:
        with db.transaction() as session:
            circle_season_store.mark_waitlist_told(session, season_id, member.id, utcnow())
    log.info(
        "circle.joined_mid_season program_id=%s season_id=%s waitlisted=%s",
        program_id,
        season_id,
        placed.waitlisted,
    )
    return placed


def _place(
    session: Session, round_id: int, member: Member, circles: list[CircleView]
) -> tuple[SeasonJoin, SlackWork]:
    topics = roster.tags_of(session, [member.id]).get(member.id, frozenset())
    # Only circles of their topics with room are read further (a season may hold 100,000 people).
    fitting = [c for c in circles if c.topic in topics and len(c.members) < LARGEST_CIRCLE]
    everyone = {member.id}.union(*(c.members for c in fitting))
    target = circle_for_newcomer(
        member.id,
        topics,
        fitting,
        roster.departments_of(session, everyone),
        roster.conflicts_among(session, everyone),
    )
    if target is not None:
        old = session.get(Intro, target.intro_id)
        assert old is not None
        work = SlackWork(old.circle_root_id or old.id)
        new_id = carry_on(session, target.intro_id, target.members | {member.id})
        work.cards.append((new_id, say.card_why_joined(member.slack_id)))
        work.notes.append((old.conversation_id, say.joined_note(member.slack_id)))
        return SeasonJoin(target.topic, False), work
    popular = tuple(topic for topic, _ in Counter(c.topic for c in circles).most_common(5))
    row = circle_season_store.add_to_waitlist(
        session,
        round_id=round_id,
        member_id=member.id,
        reason=WAITLIST_NO_ROOM if topics else WAITLIST_NO_TOPICS,
        topics=popular,
    )
    work = SlackWork(0)
    if row.notified_at is None:
        work.tell.append((member.slack_id, say.waitlisted_text(tuple(sorted(topics)))))
    return SeasonJoin(None, True), work
