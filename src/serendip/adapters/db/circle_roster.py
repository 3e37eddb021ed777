"""Every statement of a circle's membership changing mid-season: who is in which circle, new group
DMs for a new member set, meetings moving with them, and what merges and joins are decided from.

A change locks the season's round first (`lifecycle_store.lock_round`), so two changes of one
season never interleave.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.orm import Session

from serendip.adapters.db.circle_models import CircleMeeting
from serendip.adapters.db.circle_store import NOT_POSTED
from serendip.adapters.db.lifecycle_history import CHUNK, member_tags_by_kind
from serendip.adapters.db.models import Intro, IntroMember, Member, MemberBlock, Program, Round
from serendip.domain.circles.season import CircleView, Pair
from serendip.domain.lifecycle import CircleState, IntroState


@dataclass(frozen=True)
class MemberCircle:
    """An active circle a member is in, and its program."""

    intro_id: int
    root_id: int
    round_id: int
    topic: str
    conversation_id: str | None
    program_id: int
    channel_id: str
    channel_name: str


def member_circles(session: Session, member_id: int) -> list[MemberCircle]:
    """The active circles the member is in, across programs, oldest first."""
    rows = session.execute(
        select(Intro, Program)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(IntroMember.member_id == member_id, Intro.circle_state == CircleState.ACTIVE.value)
        .order_by(Intro.id)
    )
    return [
        MemberCircle(
            intro.id,
            intro.circle_root_id or intro.id,
            intro.round_id,
            intro.topic or "",
            intro.conversation_id,
            program.id,
            program.channel_id,
            program.channel_name,
        )
        for intro, program in rows
    ]


def circle_root(session: Session, intro_id: int) -> int | None:
    """The first intro of the circle an intro belongs to (None: no such circle intro)."""
    row = session.execute(select(Intro.circle_root_id, Intro.topic).where(Intro.id == intro_id)).first()
    if row is None or row[1] is None:
        return None
    return int(row[0] or intro_id)


def season_circles(session: Session, round_id: int) -> list[CircleView]:
    """The season's active circles with their members."""
    rows = session.execute(
        select(Intro.id, Intro.topic, IntroMember.member_id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .where(Intro.round_id == round_id, Intro.circle_state == CircleState.ACTIVE.value)
    )
    members: dict[int, set[int]] = defaultdict(set)
    topics: dict[int, str] = {}
    for intro_id, topic, member_id in rows:
        members[intro_id].add(member_id)
        topics[intro_id] = topic or ""
    return [CircleView(i, topics[i], frozenset(members[i])) for i in sorted(members)]


def circle_view(session: Session, intro_id: int) -> CircleView:
    """One circle (any state) with its members."""
    intro = session.get(Intro, intro_id)
    assert intro is not None
    ids = session.scalars(select(IntroMember.member_id).where(IntroMember.intro_id == intro_id))
    return CircleView(intro.id, intro.topic or "", frozenset(ids))


def tags_of(session: Session, member_ids: Collection[int]) -> dict[int, frozenset[str]]:
    """Every member's tags, interests and expertise together."""
    kinds = member_tags_by_kind(session, sorted(member_ids))
    return {member: frozenset(found["expertise"] | found["interest"]) for member, found in kinds.items()}


def departments_of(session: Session, member_ids: Collection[int]) -> dict[int, str | None]:
    """Every member's department as stored."""
    found: dict[int, str | None] = {}
    for chunk in _chunks(member_ids):
        rows = session.execute(select(Member.id, Member.department).where(Member.id.in_(chunk)))
        found.update({member_id: department for member_id, department in rows})
    return found


def _chunks(member_ids: Collection[int]) -> list[list[int]]:
    ids = sorted(member_ids)
    return [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]


def conflicts_among(session: Session, member_ids: Collection[int]) -> set[Pair]:
    """Pairs of these members who may never share a circle: one blocked the other, or manager and report."""
    ids = sorted(member_ids)
    rows = session.execute(
        select(Member.id, Member.workspace_id, Member.slack_id, Member.manager_slack_id).where(
            Member.id.in_(ids)
        )
    )
    by_slack: dict[tuple[str, str], int] = {}
    managers: list[tuple[int, str, str]] = []
    for member_id, workspace, slack_id, manager in rows:
        by_slack[(workspace, slack_id)] = member_id
        if manager:
            managers.append((member_id, workspace, manager))
    pairs = {frozenset((m, by_slack[(w, boss)])) for m, w, boss in managers if (w, boss) in by_slack}
    workspace_of = {member_id: workspace for (workspace, _), member_id in by_slack.items()}
    blocks = session.execute(
        select(MemberBlock.member_id, MemberBlock.blocked_slack_id).where(MemberBlock.member_id.in_(ids))
    )
    for member_id, blocked in blocks:
        other = by_slack.get((workspace_of[member_id], blocked))
        if other is not None:
            pairs.add(frozenset((member_id, other)))
    return {pair for pair in pairs if len(pair) == 2}


def add_circle(
    session: Session, *, round_id: int, root_id: int, topic: str, member_ids: Sequence[int]
) -> int:
    """A new group DM of the circle for a new member set (pending until its card is posted)."""
    intro = Intro(
        round_id=round_id,
        state=IntroState.PENDING,
        topic=topic,
        circle_state=CircleState.ACTIVE.value,
        circle_root_id=root_id,
    )
    intro.members = [IntroMember(member_id=member_id) for member_id in sorted(set(member_ids))]
    session.add(intro)
    session.flush()
    return intro.id


def set_circle_state(session: Session, intro_id: int, state: CircleState) -> None:
    """Where the circle of this intro stands now."""
    session.execute(update(Intro).where(Intro.id == intro_id).values(circle_state=state.value))


def _future(intro_id: int) -> ColumnElement[bool]:
    return and_(
        CircleMeeting.intro_id == intro_id,
        CircleMeeting.message_ts.is_(None),
        CircleMeeting.post_started_at.is_(None),
    )


def move_future_meetings(session: Session, from_intro: int, to_intro: int) -> None:
    """Meetings not nudged yet follow the circle into its new group DM."""
    session.execute(
        update(CircleMeeting)
        .where(_future(from_intro))
        .values(intro_id=to_intro)
        .execution_options(synchronize_session=False)
    )


def drop_future_meetings(session: Session, intro_id: int) -> None:
    """Meetings not nudged yet of a circle that merged into another (it follows the other's rhythm)."""
    session.execute(delete(CircleMeeting).where(_future(intro_id)))


def future_meetings(session: Session, intro_id: int) -> list[CircleMeeting]:
    """The intro's meetings not nudged yet, in order."""
    query = select(CircleMeeting).where(_future(intro_id)).order_by(CircleMeeting.number)
    return list(session.scalars(query))


def hosted_counts(session: Session, root_id: int) -> Counter[int]:
    """How many of the circle's nudged meetings each member hosted."""
    rows = session.scalars(
        select(CircleMeeting.host_member_id)
        .join(Intro, Intro.id == CircleMeeting.intro_id)
        .where(
            Intro.circle_root_id == root_id,
            CircleMeeting.message_ts.is_not(None),
            CircleMeeting.message_ts != NOT_POSTED,
        )
    )
    return Counter(host for host in rows if host is not None)


def assign_hosts(session: Session, intro_id: int, hosts: Sequence[int]) -> None:
    """Give the intro's meetings not nudged yet these hosts, in meeting order."""
    for meeting, host in zip(future_meetings(session, intro_id), hosts, strict=False):
        meeting.host_member_id = host
