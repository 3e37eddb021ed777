"""`/coffee my-data` lists the member's own circle rows: answers, meetings they host, votes, and the
seasons they were left out of; other members' answers and votes stay out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from serendip.adapters.db.circle_models import CircleAnswer, CircleMeeting, CircleVote, SeasonWaitlist
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member
from serendip.adapters.db.types import utcnow
from serendip.services.my_data import collect
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.circles import meetings_of, member_id, start_season
from tests.support.rounds import publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(8, 2, seed=11)) as emulator:
        yield emulator


def test_my_data_lists_only_the_members_own_circle_rows(database: Database, slack: SlackEmulator) -> None:
    people = sorted(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
    team = slack.workspace.team.id
    rows = start_season(
        database,
        publisher_for(slack),
        program_id=set_up_program(database, slack),
        circles=[("rust", people[:4])],
    )
    intro_id = rows.circles["rust"]
    me, other = member_id(database, team, people[1]), member_id(database, team, people[2])
    left_out = member_id(database, team, people[5])
    first, second = meetings_of(database, intro_id)[:2]
    now = utcnow()
    with database.transaction() as session:
        session.add_all(
            [
                CircleAnswer(meeting_id=first.id, member_id=me, answer="skipped", answered_at=now),
                CircleAnswer(meeting_id=second.id, member_id=other, answer="met", answered_at=now),
                CircleVote(intro_id=intro_id, member_id=me, keep=True, voted_at=now),
                CircleVote(intro_id=intro_id, member_id=other, keep=False, voted_at=now),
                SeasonWaitlist(
                    round_id=rows.round_id,
                    member_id=left_out,
                    reason="no topics listed",
                    suggested_topics="rust,go",
                    notified_at=now + timedelta(minutes=1),
                ),
            ]
        )
    with database.transaction() as session:
        hosted = session.scalars(select(CircleMeeting.number).where(CircleMeeting.host_member_id == me)).all()
        mine = collect(session, session.get_one(Member, me))["circles"]
        theirs = collect(session, session.get_one(Member, left_out))["circles"]
    assert [(a["topic"], a["meeting"], a["your_answer"]) for a in mine["meeting_answers"]] == [
        ("rust", first.number, "skipped")
    ]
    assert [v["keep_going"] for v in mine["season_votes"]] == [True]
    assert sorted(m["meeting"] for m in mine["meetings_you_host"]) == sorted(hosted) and hosted
    assert mine["seasons_without_a_circle"] == []
    assert theirs["meeting_answers"] == [] and theirs["season_votes"] == []
    [waited] = theirs["seasons_without_a_circle"]
    assert waited["reason"] == "no topics listed" and waited["suggested_topics"] == ["rust", "go"]
