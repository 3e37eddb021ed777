"""Answers to a circle's nudges: "We met" for the circle, "Skipped" per member, refusals for others,
repeated clicks changing nothing, and three skips in a row asking whether to stay."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from serendip.adapters.db.circle_models import CircleAnswer, CircleMeeting
from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views import circle_season_blocks
from serendip.domain.circles.messages import Nudge
from serendip.services.errors import ServiceError
from serendip.services.lifecycle import circle_answers, circle_nudges
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.circles import SeasonRows, circle_of, meetings_of, start_season
from tests.support.rounds import gateway_for, publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=7)) as emulator:
        yield emulator


def _redraw(nudge: Nudge, held: bool | None, answers: dict[str, str]) -> tuple[str, Sequence[dict[str, Any]]]:
    text, blocks, _ = circle_season_blocks.nudge_message(nudge, held, answers)
    return text, blocks


def _season(database: Database, slack: SlackEmulator) -> tuple[SeasonRows, list[str]]:
    people = sorted(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
    rows = start_season(
        database,
        publisher_for(slack),
        program_id=set_up_program(database, slack),
        circles=[("rust", people[:4])],
        first_due=utcnow() - timedelta(days=28),
        meetings=5,
    )
    return rows, people


def _nudge_all(database: Database, slack: SlackEmulator, meetings: int) -> None:
    """Nudge the first ``meetings`` meetings, one week after another."""
    start = utcnow() - timedelta(days=28)
    for week in range(meetings):
        now = start + timedelta(days=7 * week, minutes=1)
        assert circle_nudges.send_due_nudges(database, lambda _: publisher_for(slack), now) == 1


def _answer(
    database: Database, slack: SlackEmulator, user: str, meeting_id: int, answer: str, clicked: bool = True
) -> circle_answers.MeetingAnswer:
    meeting = next(m for m in meetings_of(database, _intro(database, meeting_id)) if m.id == meeting_id)
    conversation = circle_of(database, _intro(database, meeting_id)).conversation_id
    return circle_answers.answer_meeting(
        database,
        gateway_for(slack),
        team_id=slack.workspace.team.id,
        user_id=user,
        meeting_id=meeting_id,
        answer=answer,
        clicked=(str(conversation), str(meeting.message_ts)) if clicked else None,
        redraw=_redraw,
    )


def _intro(database: Database, meeting_id: int) -> int:
    with database.transaction() as session:
        meeting = session.get(CircleMeeting, meeting_id)
        assert meeting is not None
        return meeting.intro_id


def test_we_met_from_any_member_marks_the_meeting_held_and_shows_it_on_the_nudge(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people = _season(database, slack)
    _nudge_all(database, slack, 1)
    first = meetings_of(database, rows.circles["rust"])[0]
    recorded = _answer(database, slack, people[2], first.id, "met")
    assert recorded.changed and not recorded.ask_to_stay
    assert meetings_of(database, rows.circles["rust"])[0].held is True
    conversation = circle_of(database, rows.circles["rust"]).conversation_id
    nudge = next(m for m in slack.messages(str(conversation)) if m["ts"] == first.message_ts)
    assert f"You met (said by <@{people[2]}>)" in str(nudge["blocks"])


def test_clicking_the_same_answer_again_changes_nothing(database: Database, slack: SlackEmulator) -> None:
    rows, people = _season(database, slack)
    _nudge_all(database, slack, 1)
    first = meetings_of(database, rows.circles["rust"])[0]
    assert _answer(database, slack, people[1], first.id, "met").changed
    updates = slack.count("chat.update")
    again = _answer(database, slack, people[1], first.id, "met")
    assert not again.changed and slack.count("chat.update") == updates
    assert _answer(database, slack, people[3], first.id, "skipped").changed
    assert not _answer(database, slack, people[3], first.id, "skipped").changed
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(CircleAnswer)) == 2


def test_someone_outside_the_circle_is_refused_politely_and_nothing_is_recorded(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people = _season(database, slack)
    _nudge_all(database, slack, 1)
    first = meetings_of(database, rows.circles["rust"])[0]
    with pytest.raises(ServiceError, match="Only the circle's members"):
        _answer(database, slack, people[8], first.id, "met")
    with pytest.raises(ServiceError, match="isn't one Serendip knows"):
        circle_answers.answer_meeting(
            database,
            gateway_for(slack),
            team_id=slack.workspace.team.id,
            user_id=people[1],
            meeting_id=999_999,
            answer="met",
            clicked=None,
            redraw=_redraw,
        )
    assert meetings_of(database, rows.circles["rust"])[0].held is None


def test_a_click_naming_another_message_updates_nothing(database: Database, slack: SlackEmulator) -> None:
    rows, people = _season(database, slack)
    _nudge_all(database, slack, 1)
    first = meetings_of(database, rows.circles["rust"])[0]
    circle_answers.answer_meeting(
        database,
        gateway_for(slack),
        team_id=slack.workspace.team.id,
        user_id=people[0],
        meeting_id=first.id,
        answer="met",
        clicked=("C0FORGED", "1700000000.000100"),
        redraw=_redraw,
    )
    assert slack.count("chat.update") == 0
    assert meetings_of(database, rows.circles["rust"])[0].held is True


def test_a_member_who_skips_three_meetings_in_a_row_is_asked_whether_to_stay(
    database: Database, slack: SlackEmulator
) -> None:
    rows, people = _season(database, slack)
    _nudge_all(database, slack, 4)
    meetings = meetings_of(database, rows.circles["rust"])
    asked = [_answer(database, slack, people[1], m.id, "skipped").ask_to_stay for m in meetings[:3]]
    assert asked == [False, False, True]
    assert not _answer(database, slack, people[1], meetings[2].id, "skipped").ask_to_stay  # a repeat click
    assert not _answer(database, slack, people[2], meetings[2].id, "skipped").ask_to_stay  # one skip only


def test_a_meeting_answered_in_between_breaks_the_streak(database: Database, slack: SlackEmulator) -> None:
    rows, people = _season(database, slack)
    _nudge_all(database, slack, 4)
    meetings = meetings_of(database, rows.circles["rust"])
    _answer(database, slack, people[1], meetings[0].id, "skipped")
    _answer(database, slack, people[1], meetings[1].id, "met")
    _answer(database, slack, people[1], meetings[2].id, "skipped")
    assert not _answer(database, slack, people[1], meetings[3].id, "skipped").ask_to_stay
    assert (
        circle_answers.stay(
            database, team_id=slack.workspace.team.id, user_id=people[1], intro_id=rows.circles["rust"]
        )
        == "rust"
    )
