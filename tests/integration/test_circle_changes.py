"""Circles changing mid-season: leaving opens a new group DM for the rest, a circle below three merges
(same topic, else the nearest) or closes, and someone joining is placed or waitlisted."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from serendip.adapters.db.circle_models import SeasonWaitlist
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Intro, IntroMember, Member, MemberBlock
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import IntroState
from serendip.services.errors import ServiceError
from serendip.services.lifecycle import circle_changes, circle_dms, circle_joins
from serendip.services.lifecycle.circle_changes import LeftCircle, WhichCircle
from serendip.services.lifecycle.circle_dms import CARD_LEASE
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.circles import (
    SeasonRows,
    cards,
    circle_of,
    give_tags,
    meetings_of,
    members_of,
    set_departments,
    start_season,
    state_of,
    texts_in,
)
from tests.support.rounds import publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(16, 4, seed=11)) as emulator:
        yield emulator


def _people(slack: SlackEmulator) -> list[str]:
    return sorted(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)


def _season(
    database: Database, slack: SlackEmulator, circles: Sequence[tuple[str, Sequence[str]]]
) -> tuple[SeasonRows, int]:
    program_id = set_up_program(database, slack)
    return start_season(database, publisher_for(slack), program_id=program_id, circles=circles), program_id


def _leave(database: Database, slack: SlackEmulator, user: str, intro_id: int) -> LeftCircle:
    left = circle_changes.leave_circle(
        database, publisher_for(slack), team_id=slack.workspace.team.id, user_id=user, intro_id=intro_id
    )
    assert isinstance(left, LeftCircle)
    return left


def test_leaving_opens_a_new_group_dm_for_the_rest_and_says_so_in_the_old_one(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:5])])
    root = rows.circles["rust"]
    old_conversation = circle_of(database, root).conversation_id
    assert _leave(database, slack, people[2], root) == LeftCircle("rust", "continued")
    new = circle_of(database, root)
    assert new.id != root and new.circle_root_id == root and new.topic == "rust"
    assert new.state == IntroState.POSTED and new.conversation_id not in (None, old_conversation)
    assert members_of(database, new.id) == set(people[:5]) - {people[2]}
    assert state_of(database, root) == "replaced"
    dm = next(c for c in slack.group_dms() if c.id == new.conversation_id)
    assert set(dm.members) - {slack.workspace.bot.id} == set(people[:5]) - {people[2]}
    assert cards(slack)[new.id] == 1
    assert f"<@{people[2]}> left the circle" in texts_in(slack, str(old_conversation))[-1]
    assert len(meetings_of(database, new.id)) == 4 and meetings_of(database, root) == []


def test_a_circle_below_three_merges_into_a_circle_of_the_same_topic_with_room(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:3]), ("go", people[3:7]), ("rust#2", people[7:11])])
    small, same = rows.circles["rust"], rows.circles["rust#2"]
    left = _leave(database, slack, people[0], small)
    assert left == LeftCircle("rust", "merged", "rust")
    merged = circle_of(database, same)
    assert members_of(database, merged.id) == set(people[1:3]) | set(people[7:11])
    assert state_of(database, small) == "replaced" and state_of(database, same) == "replaced"
    assert cards(slack)[merged.id] == 1
    assert (
        "merges with the `rust` circle"
        in texts_in(slack, str(circle_of(database, small).conversation_id))[-1]
    )
    target_dm = next(
        c.id for c in slack.group_dms() if set(c.members) >= set(people[7:11]) and len(c.members) == 5
    )
    assert "A smaller `rust` circle joins yours" in texts_in(slack, target_dm)[-1]
    assert meetings_of(database, small) == [] and len(meetings_of(database, merged.id)) == 4


def test_with_no_circle_of_its_topic_a_small_circle_merges_into_the_nearest_topic(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:3]), ("python", people[3:7]), ("go", people[7:11])])
    give_tags(database, slack.workspace.team.id, {people[1]: ["rust", "go"], people[2]: ["rust", "go"]})
    assert _leave(database, slack, people[0], rows.circles["rust"]) == LeftCircle("rust", "merged", "go")
    assert members_of(database, circle_of(database, rows.circles["go"]).id) == {
        people[1],
        people[2],
        *people[7:11],
    }
    assert state_of(database, rows.circles["python"]) == "active"


def test_a_small_circle_that_no_circle_can_take_closes_with_a_note(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:3]), ("go", people[3:11])])  # go is full (8)
    conversation = circle_of(database, rows.circles["rust"]).conversation_id
    assert _leave(database, slack, people[0], rows.circles["rust"]) == LeftCircle("rust", "closed")
    assert state_of(database, rows.circles["rust"]) == "closed"
    assert "this circle closes here" in texts_in(slack, str(conversation))[-1]
    assert len(slack.group_dms()) == 2  # no new group DM


def test_a_merge_never_puts_a_manager_and_their_report_or_a_blocked_pair_together(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:3]), ("rust#2", people[3:7])])
    with database.transaction() as session:
        member = session.scalars(select(Member).where(Member.slack_id == people[1])).one()
        session.add(MemberBlock(member_id=member.id, blocked_slack_id=people[5]))
    assert _leave(database, slack, people[0], rows.circles["rust"]).outcome == "closed"


def test_a_card_whose_post_had_an_unknown_outcome_is_found_not_posted_again(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:5])])
    slack.inject("chat.postMessage", ambiguous_rate=1.0)
    _leave(database, slack, people[4], rows.circles["rust"])
    slack.clear_faults()
    new = circle_of(database, rows.circles["rust"])
    assert new.state == IntroState.OPENED and cards(slack)[new.id] == 1
    publishers = lambda _: publisher_for(slack)  # noqa: E731
    assert circle_dms.deliver_pending_cards(database, publishers, utcnow()) == 0  # within the lease
    assert circle_dms.deliver_pending_cards(database, publishers, utcnow() + CARD_LEASE) == 1
    assert circle_of(database, rows.circles["rust"]).state == IntroState.POSTED and cards(slack)[new.id] == 1


def test_leave_circle_without_a_button_takes_the_circle_of_this_dm_or_asks_which(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:4]), ("go", people[4:8])])
    team = slack.workspace.team.id
    with pytest.raises(ServiceError, match="not in a circle"):
        circle_changes.leave_circle(
            database, publisher_for(slack), team_id=team, user_id=people[9], channel_id="C1"
        )
    dm = circle_of(database, rows.circles["go"]).conversation_id
    left = circle_changes.leave_circle(
        database, publisher_for(slack), team_id=team, user_id=people[5], channel_id=str(dm)
    )
    assert left == LeftCircle("go", "continued")
    with pytest.raises(ServiceError, match="not in this circle"):
        _leave(database, slack, people[5], rows.circles["go"])
    with database.transaction() as session:  # as if they were in a second circle (of another program)
        session.add(
            IntroMember(
                intro_id=circle_of(database, rows.circles["go"]).id, member_id=_id(database, people[0])
            )
        )
    which = circle_changes.leave_circle(
        database, publisher_for(slack), team_id=team, user_id=people[0], channel_id="C1"
    )
    assert isinstance(which, WhichCircle) and {c[1] for c in which.circles} == {"rust", "go"}


def _id(database: Database, slack_id: str) -> int:
    with database.transaction() as session:
        return session.scalars(select(Member.id).where(Member.slack_id == slack_id)).one()


def test_someone_joining_mid_season_is_added_to_a_circle_of_their_topic_with_room(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    team = slack.workspace.team.id
    rows, _ = _season(database, slack, [("rust", people[:4]), ("rust#2", people[4:6] + people[8:10])])
    set_departments(database, team, {p: "Sales" if i < 6 else "Legal" for i, p in enumerate(people)})
    give_tags(database, team, {people[12]: ["rust"]})
    joined = circle_joins.join_mid_season(
        database, publisher_for(slack), team_id=team, channel_id=_channel(slack), user_id=people[12]
    )
    assert joined is not None and not joined.waitlisted and joined.topic == "rust"
    # Legal is new to the first circle (all Sales) and not to the second.
    new = circle_of(database, rows.circles["rust"])
    assert members_of(database, new.id) == {*people[:4], people[12]} and cards(slack)[new.id] == 1
    assert state_of(database, rows.circles["rust"]) == "replaced"
    old_dm = next(
        c.id for c in slack.group_dms() if set(c.members) - {slack.workspace.bot.id} == set(people[:4])
    )
    assert f"<@{people[12]}> joins the circle" in texts_in(slack, old_dm)[-1]
    again = circle_joins.join_mid_season(
        database, publisher_for(slack), team_id=team, channel_id=_channel(slack), user_id=people[12]
    )
    assert again is None


def test_someone_joining_mid_season_with_no_circle_for_them_is_waitlisted_and_told_once(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    team = slack.workspace.team.id
    rows, _ = _season(database, slack, [("rust", people[:4])])
    for _ in range(2):
        joined = circle_joins.join_mid_season(
            database, publisher_for(slack), team_id=team, channel_id=_channel(slack), user_id=people[12]
        )
        assert joined is not None and joined.waitlisted
    with database.transaction() as session:
        [row] = session.scalars(select(SeasonWaitlist)).all()
        assert (
            row.round_id == rows.round_id and row.notified_at is not None and row.suggested_topics == "rust"
        )
    told = [m for m in slack.dm_messages(people[12]) if "next season" in m["text"]]
    assert len(told) == 1


def test_nobody_is_placed_when_no_season_is_running(database: Database, slack: SlackEmulator) -> None:
    people = _people(slack)
    program_id = set_up_program(database, slack)
    start_season(
        database,
        publisher_for(slack),
        program_id=program_id,
        circles=[("rust", people[:4])],
        ends_at=utcnow() - timedelta(hours=1),
    )
    joined = circle_joins.join_mid_season(
        database,
        publisher_for(slack),
        team_id=slack.workspace.team.id,
        channel_id=_channel(slack),
        user_id=people[12],
    )
    assert joined is None


def _channel(slack: SlackEmulator) -> str:
    return slack.workspace.channel_named("coffee-chats").id


def test_someone_leaving_the_program_channel_also_leaves_their_circle(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:4])])
    team = slack.workspace.team.id
    left = circle_changes.leave_with_program(
        database, publisher_for(slack), team_id=team, user_id=people[3], channel_id="C0OTHER"
    )
    assert left is None and state_of(database, rows.circles["rust"]) == "active"
    left = circle_changes.leave_with_program(
        database, publisher_for(slack), team_id=team, user_id=people[3], channel_id=_channel(slack)
    )
    assert left == LeftCircle("rust", "continued")
    assert members_of(database, circle_of(database, rows.circles["rust"]).id) == set(people[:3])


def test_two_members_leaving_at_once_leave_one_circle_with_the_rest(
    database: Database, slack: SlackEmulator
) -> None:
    people = _people(slack)
    rows, _ = _season(database, slack, [("rust", people[:5])])
    root = rows.circles["rust"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda user: _leave(database, slack, user, root), [people[0], people[1]]))
    assert [left.outcome for left in outcomes] == ["continued", "continued"]
    with database.transaction() as session:
        intros = session.scalars(select(Intro).where(Intro.circle_root_id == root)).all()
        states = sorted(str(intro.circle_state) for intro in intros)
    assert states == ["active", "replaced", "replaced"]
    assert members_of(database, circle_of(database, root).id) == set(people[2:5])
