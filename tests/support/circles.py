"""A running season written straight into the database (as formation would), and what Slack saw of it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.circle_models import CircleMeeting
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, IntroMember, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.circle_season_blocks import (
    CARD_EVENT_TYPE,
    CLOSING_EVENT_TYPE,
    NUDGE_EVENT_TYPE,
)
from serendip.domain.circles.messages import CircleCard
from serendip.domain.lifecycle import CircleState, IntroState, RoundState
from serendip.services.ports import IntroPublisher
from serendip_sandbox import SlackEmulator

FAR = timedelta(days=3650)


@dataclass
class SeasonRows:
    """The season's round and its circles' first intros, by topic."""

    round_id: int
    circles: dict[str, int] = field(default_factory=dict)


def member_id(db: Database, team_id: str, slack_id: str) -> int:
    """The member row id of a Slack user."""
    with db.transaction() as session:
        member = repo.find_member(session, team_id, slack_id)
        assert member is not None, slack_id
        return member.id


def give_tags(db: Database, team_id: str, tags: Mapping[str, Sequence[str]]) -> None:
    """Set people's interests (Slack id -> tags)."""
    with db.transaction() as session:
        for slack_id, wanted in tags.items():
            member = repo.find_member(session, team_id, slack_id)
            assert member is not None
            repo.add_tags(session, member.id, "interest", list(wanted))


def set_departments(db: Database, team_id: str, departments: Mapping[str, str]) -> None:
    """Set people's departments (Slack id -> department)."""
    with db.transaction() as session:
        for slack_id, department in departments.items():
            member = repo.find_member(session, team_id, slack_id)
            assert member is not None
            member.department = department


def start_season(
    db: Database,
    publisher: IntroPublisher,
    *,
    program_id: int,
    circles: Sequence[tuple[str, Sequence[str]]],
    meetings: int = 4,
    every: timedelta = timedelta(weeks=1),
    first_due: datetime | None = None,
    ends_at: datetime | None = None,
) -> SeasonRows:
    """A circles season with these circles (name, Slack ids), each with its group DM opened and an
    intro posted, and ``meetings`` meetings hosted in turn by its members (in the order given). A
    circle's topic is its name up to any "#" ("rust#2" is a second circle on `rust`)."""
    now = utcnow()
    first_due = first_due or now + timedelta(days=1)
    with db.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.kind, program.next_run_at = "circles", now + FAR
        team_id = program.workspace_id
        season = Round(
            program_id=program_id,
            scheduled_for=now,
            state=RoundState.DONE,
            started_at=now,
            finished_at=now,
            followup_done=True,
            season_ends_at=ends_at or first_due + meetings * every,
        )
        session.add(season)
        session.flush()
        rows = SeasonRows(season.id)
    for name, slack_ids in circles:
        topic = name.partition("#")[0]
        ids = [member_id(db, team_id, slack_id) for slack_id in slack_ids]
        with db.transaction() as session:
            intro = Intro(round_id=rows.round_id, state=IntroState.PENDING, topic=topic)
            intro.circle_state = CircleState.ACTIVE.value
            intro.members = [IntroMember(member_id=i) for i in ids]
            session.add(intro)
            session.flush()
            intro.circle_root_id = intro.id
            for number in range(1, meetings + 1):
                session.add(
                    CircleMeeting(
                        intro_id=intro.id,
                        number=number,
                        host_member_id=ids[(number - 1) % len(ids)],
                        due_at=first_due + (number - 1) * every,
                    )
                )
            rows.circles[name] = intro.id
        conversation = publisher.open_group(list(slack_ids))
        ts = publisher.post_circle_card(
            conversation, CircleCard(rows.circles[name], topic, tuple(slack_ids), "Meet your circle.")
        )
        with db.transaction() as session:
            intro = session.get(Intro, rows.circles[name])
            assert intro is not None
            intro.state, intro.conversation_id, intro.message_ts, intro.delivered_at = (
                IntroState.POSTED,
                conversation,
                ts,
                utcnow(),
            )
    return rows


def circle_of(db: Database, root_id: int) -> Intro:
    """The circle's intro that is active now (or its newest, when none is)."""
    with db.transaction() as session:
        intros = list(
            session.scalars(select(Intro).where(Intro.circle_root_id == root_id).order_by(Intro.id))
        )
        active = [i for i in intros if i.circle_state == CircleState.ACTIVE]
        chosen = (active or intros)[-1]
        session.expunge(chosen)
        return chosen


def members_of(db: Database, intro_id: int) -> set[str]:
    """Slack ids of an intro's members."""
    with db.transaction() as session:
        rows = session.scalars(
            select(Member.slack_id)
            .join(IntroMember, IntroMember.member_id == Member.id)
            .where(IntroMember.intro_id == intro_id)
        )
        return set(rows)


def state_of(db: Database, intro_id: int) -> str | None:
    """An intro's circle state."""
    with db.transaction() as session:
        intro = session.get(Intro, intro_id)
        assert intro is not None
        return intro.circle_state


def meetings_of(db: Database, intro_id: int) -> list[CircleMeeting]:
    """An intro's meetings, in order."""
    with db.transaction() as session:
        rows = list(
            session.scalars(
                select(CircleMeeting).where(CircleMeeting.intro_id == intro_id).order_by(CircleMeeting.number)
            )
        )
        session.expunge_all()
        return rows


def posts_of(slack: SlackEmulator, event_type: str, key: str) -> Counter[int]:
    """How many posts of a kind Slack holds per id (a nudge's meeting id, a card's or closing's intro id)."""
    seen: Counter[int] = Counter()
    for conversation in slack.group_dms():
        for message in slack.messages(conversation.id):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == event_type:
                seen[int(metadata["event_payload"][key])] += 1
    return seen


def nudges(slack: SlackEmulator) -> Counter[int]:
    """Nudge posts per meeting id."""
    return posts_of(slack, NUDGE_EVENT_TYPE, "meeting_id")


def cards(slack: SlackEmulator) -> Counter[int]:
    """Circle card posts per intro id (the season's first cards included)."""
    return posts_of(slack, CARD_EVENT_TYPE, "intro_id")


def closings(slack: SlackEmulator) -> Counter[int]:
    """Closing posts per intro id."""
    return posts_of(slack, CLOSING_EVENT_TYPE, "intro_id")


def texts_in(slack: SlackEmulator, conversation_id: str) -> list[str]:
    """Everything the blocks of a conversation's messages say, oldest first."""
    said = []
    for message in slack.messages(conversation_id):
        parts = [str(b.get("text", {}).get("text", "")) for b in message.get("blocks") or []]
        said.append("\n".join([message.get("text", ""), *parts]))
    return said
