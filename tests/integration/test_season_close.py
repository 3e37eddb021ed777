"""The end of a season: one closing message per circle with what it did and the vote, then the vote's
result; closing runs in the tick before the program's next season forms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from serendip.adapters.db.circle_models import CircleMeeting
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, Round
from serendip.adapters.db.types import utcnow
from serendip.services.errors import ServiceError
from serendip.services.lifecycle import circle_answers, circle_nudges, deliver, season_close, tick
from serendip.services.lifecycle.results import PlannedRound
from serendip.services.lifecycle.season_close import CLOSING_LEASE
from serendip.services.ports import OneWorkspace
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.circles import SeasonRows, circle_of, closings, nudges, start_season, state_of, texts_in
from tests.support.rounds import gateway_for, publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=7)) as emulator:
        yield emulator


def _people(slack: SlackEmulator) -> list[str]:
    return sorted(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)


def _ended_season(database: Database, slack: SlackEmulator) -> tuple[SeasonRows, list[str], int]:
    """Two circles whose season ended a minute ago; the rust circle met twice of four times."""
    people = _people(slack)
    program_id = set_up_program(database, slack)
    ended = utcnow() - timedelta(minutes=1)
    rows = start_season(
        database,
        publisher_for(slack),
        program_id=program_id,
        circles=[("rust", people[:4]), ("go", people[4:8])],
        first_due=ended - timedelta(weeks=4),
        ends_at=ended,
    )
    with database.transaction() as session:
        for meeting in session.query(CircleMeeting).filter(CircleMeeting.intro_id == rows.circles["rust"]):
            meeting.message_ts, meeting.held = "1.0", meeting.number <= 2
    return rows, people, program_id


def _publishers(slack: SlackEmulator):  # type: ignore[no-untyped-def]
    return lambda _: publisher_for(slack)


def _vote(database: Database, slack: SlackEmulator, user: str, intro_id: int, keep: bool) -> None:
    circle_answers.vote(database, team_id=slack.workspace.team.id, user_id=user, intro_id=intro_id, keep=keep)


def test_each_circle_gets_one_closing_message_with_what_it_did_and_the_vote(
    database: Database, slack: SlackEmulator
) -> None:
    rows, _, _ = _ended_season(database, slack)
    assert season_close.close_due_seasons(database, _publishers(slack), utcnow()) == 2
    assert season_close.close_due_seasons(database, _publishers(slack), utcnow() + CLOSING_LEASE * 2) == 0
    assert dict(closings(slack)) == {rows.circles["rust"]: 1, rows.circles["go"]: 1}
    assert state_of(database, rows.circles["rust"]) == state_of(database, rows.circles["go"]) == "voting"
    rust = circle_of(database, rows.circles["rust"])
    closing = texts_in(slack, str(rust.conversation_id))[-1]
    assert "met 2 of 4 times" in closing and "`rust`" in closing
    with database.transaction() as session:
        season = session.get(Round, rows.round_id)
        assert season is not None and season.season_ends_at is not None
        assert season.vote_closes_at == season.season_ends_at + timedelta(days=3)
        assert season.season_closing_started_at is not None


def test_a_closing_whose_outcome_was_unknown_is_found_and_not_posted_again(
    database: Database, slack: SlackEmulator
) -> None:
    rows, _, _ = _ended_season(database, slack)
    slack.inject("chat.postMessage", ambiguous_rate=1.0)
    assert season_close.close_due_seasons(database, _publishers(slack), utcnow()) == 0
    slack.clear_faults()
    assert (
        season_close.close_due_seasons(database, _publishers(slack), utcnow()) == 0
    )  # another worker's, for now
    assert season_close.close_due_seasons(database, _publishers(slack), utcnow() + CLOSING_LEASE) == 2
    assert dict(closings(slack)) == {rows.circles["rust"]: 1, rows.circles["go"]: 1}


def test_a_season_not_ended_yet_is_not_closed(database: Database, slack: SlackEmulator) -> None:
    people = _people(slack)
    start_season(
        database,
        publisher_for(slack),
        program_id=set_up_program(database, slack),
        circles=[("rust", people[:4])],
    )
    assert season_close.close_due_seasons(database, _publishers(slack), utcnow()) == 0
    assert closings(slack) == {}


def test_a_majority_of_votes_cast_keeps_the_circle_and_it_gets_no_more_nudges(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people, _ = _ended_season(database, slack)
    season_close.close_due_seasons(database, _publishers(slack), utcnow())
    rust, go = rows.circles["rust"], rows.circles["go"]
    for user, keep in [(people[0], True), (people[1], False), (people[2], True)]:
        _vote(database, slack, user, rust, keep)
    _vote(database, slack, people[1], rust, True)  # a changed vote counts once
    _vote(database, slack, people[4], go, True)
    _vote(database, slack, people[5], go, False)  # a tie ends it
    later = utcnow() + timedelta(days=3)
    assert season_close.settle_due_votes(database, _publishers(slack), utcnow()) == 0  # still open
    assert season_close.settle_due_votes(database, _publishers(slack), later) == 2
    assert season_close.settle_due_votes(database, _publishers(slack), later) == 0
    assert state_of(database, rust) == "kept" and state_of(database, go) == "ended"
    assert "keeps going" in texts_in(slack, str(circle_of(database, rust).conversation_id))[-1]
    assert (
        "Most votes said to let it end" in texts_in(slack, str(circle_of(database, go).conversation_id))[-1]
    )
    with database.transaction() as session:  # a meeting left over after the season is never nudged
        session.add(CircleMeeting(intro_id=rust, number=9, due_at=utcnow() - timedelta(minutes=5)))
    assert circle_nudges.send_due_nudges(database, _publishers(slack), utcnow()) == 0 and nudges(slack) == {}


def test_a_circle_nobody_voted_for_ends_and_is_told_so(database: Database, slack: SlackEmulator) -> None:
    rows, _, _ = _ended_season(database, slack)
    season_close.close_due_seasons(database, _publishers(slack), utcnow())
    season_close.settle_due_votes(database, _publishers(slack), utcnow() + timedelta(days=3))
    assert state_of(database, rows.circles["rust"]) == "ended"
    assert (
        "Nobody voted" in texts_in(slack, str(circle_of(database, rows.circles["rust"]).conversation_id))[-1]
    )


def test_only_members_vote_and_only_while_the_vote_is_open(database: Database, slack: SlackEmulator) -> None:
    rows, people, _ = _ended_season(database, slack)
    rust = rows.circles["rust"]
    with pytest.raises(ServiceError, match="opens when the season ends"):
        _vote(database, slack, people[0], rust, True)
    season_close.close_due_seasons(database, _publishers(slack), utcnow())
    with pytest.raises(ServiceError, match="Only the circle's members"):
        _vote(database, slack, people[9], rust, True)
    _vote(database, slack, people[0], rust, True)
    season_close.settle_due_votes(database, _publishers(slack), utcnow() + timedelta(days=3))
    with pytest.raises(ServiceError, match="keeps going"):
        _vote(database, slack, people[0], rust, False)


def test_the_tick_closes_an_ended_season_before_the_program_s_next_season_forms(
    database: Database, slack: SlackEmulator
) -> None:
    rows, _, program_id = _ended_season(database, slack)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.next_run_at = utcnow() - timedelta(seconds=30)
    seen: list[str | None] = []

    def next_season(db: Database, *, program_id: int, scheduled_for: datetime) -> PlannedRound | None:
        seen.append(state_of(db, rows.circles["rust"]))
        return None

    workspace = OneWorkspace(gateway_for(slack), publisher_for(slack))
    report = tick.tick(database, workspace, deliver.DeliveryPolicy(sleep=lambda _: None), planner=next_season)
    assert seen == ["voting"] and report.season_closings == 2
