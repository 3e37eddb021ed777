"""A member leaving their circle mid-season: the rest carry on in a new group DM, or, below three,
merge into another circle (same topic with room, else the nearest topic) or close.

Every change of a season takes the season's round lock first and re-reads the circle under it, so
two people leaving at once never both carry on the same circle. The Slack side (the new group DM's
card, notes in the old DMs) follows the commit: see `circle_dms`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from serendip.adapters.db import circle_roster as roster
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro
from serendip.domain.circles import messages as say
from serendip.domain.circles.season import (
    LARGEST_CIRCLE,
    SMALLEST_CIRCLE,
    CircleView,
    host_rotation,
    merge_target,
)
from serendip.domain.lifecycle import CircleState
from serendip.services.errors import ServiceError
from serendip.services.lifecycle import circle_dms
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

NOT_IN_A_CIRCLE = "You're not in a circle right now, so there's nothing to leave."
NOT_IN_THIS_CIRCLE = "You're not in this circle (any more), so there's nothing to leave."


@dataclass(frozen=True)
class LeftCircle:
    """What leaving did: the circle carried on, merged into another, or closed."""

    topic: str
    outcome: Literal["continued", "merged", "closed"]
    merged_topic: str = ""


@dataclass(frozen=True)
class WhichCircle:
    """The member is in several circles and did not say which: (intro id, topic, channel name) each."""

    circles: tuple[tuple[int, str, str], ...]


@dataclass
class SlackWork:
    """What a change leaves for Slack once committed: new group DMs' cards and notes in old DMs."""

    circle_id: int
    cards: list[tuple[int, str]] = field(default_factory=list)  # (new intro id, why)
    notes: list[tuple[str | None, str]] = field(default_factory=list)  # (old conversation, text)
    tell: list[tuple[str, str]] = field(default_factory=list)  # (Slack id, text) by DM


def leave_circle(
    db: Database,
    publisher: IntroPublisher,
    *,
    team_id: str,
    user_id: str,
    intro_id: int | None = None,
    channel_id: str = "",
    answer: Callable[[LeftCircle], None] | None = None,
) -> LeftCircle | WhichCircle:
    """Take the member out of a circle: the button's (any group DM of it), else the one this channel
    is (its group DM or its program's channel), else their only circle. ``answer`` tells the member
    as soon as the change is saved, before the new group DM and the notes are posted."""
    with db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        circles = roster.member_circles(session, member.id) if member is not None else []
        if intro_id is not None:
            root = roster.circle_root(session, intro_id)
            chosen = [c for c in circles if root is not None and c.root_id == root]
            if not chosen:
                raise ServiceError(NOT_IN_THIS_CIRCLE)
        else:
            here = [c for c in circles if channel_id in (c.conversation_id, c.channel_id)]
            chosen = here or circles
            if not chosen:
                raise ServiceError(NOT_IN_A_CIRCLE)
            if len(chosen) > 1:
                return WhichCircle(tuple((c.intro_id, c.topic, c.channel_name) for c in chosen))
        assert member is not None
        season_id, root_id, member_id = chosen[0].round_id, chosen[0].root_id, member.id
    # A new transaction that takes the season's lock first (SQLite cannot turn a read into a write
    # once another writer committed); the circle is read again under it.
    with db.transaction() as session:
        left, work = _leave(session, season_id, root_id, member_id, user_id)
    if answer is not None:
        answer(left)
    carry_out(db, publisher, work)
    return left


def leave_with_program(
    db: Database, publisher: IntroPublisher, *, team_id: str, user_id: str, channel_id: str
) -> LeftCircle | None:
    """Someone who left a program's channel also leaves their circle in it, if they are in one."""
    with db.transaction() as session:
        member = repo.find_member(session, team_id, user_id)
        circles = roster.member_circles(session, member.id) if member is not None else []
        here = next((c for c in circles if c.channel_id == channel_id), None)
        if member is None or here is None:
            return None
        member_id = member.id
    try:
        with db.transaction() as session:
            left, work = _leave(session, here.round_id, here.root_id, member_id, user_id)
    except ServiceError:  # moved on meanwhile: nothing left to leave
        return None
    carry_out(db, publisher, work)
    return left


def _leave(
    session: Session, round_id: int, root_id: int, member_id: int, leaver: str
) -> tuple[LeftCircle, SlackWork]:
    store.lock_round(session, round_id)  # the transaction's first statement
    # Read again under the lock: a change that committed meanwhile may have moved the circle on.
    current = next((c for c in roster.member_circles(session, member_id) if c.root_id == root_id), None)
    if current is None:
        raise ServiceError(NOT_IN_THIS_CIRCLE)
    view = roster.circle_view(session, current.intro_id)
    remaining = view.members - {member_id}
    work = SlackWork(root_id)
    if len(remaining) >= SMALLEST_CIRCLE:
        new_id = carry_on(session, current.intro_id, remaining)
        work.cards.append((new_id, say.card_why_left(leaver)))
        work.notes.append((current.conversation_id, say.left_note(leaver)))
        log.info("circle.member_left circle_id=%s outcome=continued intro_id=%s", root_id, new_id)
        return LeftCircle(view.topic, "continued"), work
    small = CircleView(view.intro_id, view.topic, frozenset(remaining))
    target = _merge_target(session, round_id, small)
    if target is None:
        roster.set_circle_state(session, current.intro_id, CircleState.CLOSED)
        work.notes.append((current.conversation_id, say.closed_note(leaver)))
        log.info("circle.member_left circle_id=%s outcome=closed", root_id)
        return LeftCircle(view.topic, "closed"), work
    new_id = merge(session, small, target, work, leaver)
    log.info(
        "circle.member_left circle_id=%s outcome=merged into=%s intro_id=%s", root_id, target.intro_id, new_id
    )
    return LeftCircle(view.topic, "merged", target.topic), work


def _merge_target(session: Session, round_id: int, small: CircleView) -> CircleView | None:
    # Only circles with room on the small circle's topic or one its members listed can take it:
    # their members' tags and conflicts are all that is read (a season may hold 100,000 people).
    own = roster.tags_of(session, small.members)
    listed = {small.topic}.union(*own.values())
    others = [
        c
        for c in roster.season_circles(session, round_id)
        if c.intro_id != small.intro_id
        and c.topic in listed
        and len(c.members) + len(small.members) <= LARGEST_CIRCLE
    ]
    everyone = set(small.members).union(*(c.members for c in others))
    tags = roster.tags_of(session, everyone)
    return merge_target(small, others, tags, roster.conflicts_among(session, everyone))


def merge(
    session: Session, small: CircleView, target: CircleView, work: SlackWork, leaver: str | None
) -> int:
    """Merge a too-small circle into another: a new group DM for both member sets, on the other's
    topic and meetings; both old intros are replaced. Returns the new intro's id."""
    small_intro, target_intro = _intro(session, small.intro_id), _intro(session, target.intro_id)
    new_id = carry_on(session, target.intro_id, target.members | small.members)
    roster.drop_future_meetings(session, small.intro_id)
    roster.set_circle_state(session, small.intro_id, CircleState.REPLACED)
    work.cards.append((new_id, say.card_why_merged(small.topic, target.topic)))
    work.notes.append((small_intro.conversation_id, say.merged_note(target.topic, leaver)))
    work.notes.append((target_intro.conversation_id, say.merged_in_note(small.topic)))
    return new_id


def carry_on(session: Session, intro_id: int, members: frozenset[int] | set[int]) -> int:
    """A new intro of the circle for a new member set: its meetings not nudged yet move to it, with
    hosts rotated among the new set; the old intro is replaced. Returns the new intro's id."""
    old = _intro(session, intro_id)
    root_id = old.circle_root_id or old.id
    new_id = roster.add_circle(
        session, round_id=old.round_id, root_id=root_id, topic=old.topic or "", member_ids=sorted(members)
    )
    roster.move_future_meetings(session, intro_id, new_id)
    meetings = len(roster.future_meetings(session, new_id))
    hosts = host_rotation(members, roster.hosted_counts(session, root_id), meetings)
    roster.assign_hosts(session, new_id, hosts)
    roster.set_circle_state(session, intro_id, CircleState.REPLACED)
    return new_id


def _intro(session: Session, intro_id: int) -> Intro:
    intro = session.get(Intro, intro_id)
    assert intro is not None
    return intro


def carry_out(db: Database, publisher: IntroPublisher, work: SlackWork) -> None:
    """After the change committed: post the new group DMs' cards, then the notes in the old ones."""
    for new_id, why in work.cards:
        circle_dms.post_card(db, publisher, intro_id=new_id, why=why)
    circle_dms.post_notes(publisher, work.notes, circle_id=work.circle_id)
    for slack_id, text in work.tell:
        try:
            publisher.tell_member(slack_id, text)
        except Exception as error:  # a lost note never undoes the change
            log.warning("circle.tell_failed circle_id=%s error=%s", work.circle_id, type(error).__name__)
