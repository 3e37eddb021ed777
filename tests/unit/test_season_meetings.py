"""A season's meeting schedule and hosts, and what a circle's intro says, without a database."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from serendip.adapters.slack.views.circle_blocks import LEAVE_ACTION, circle_intro_message
from serendip.domain.circle_intro import circle_card, departments, knowers, learners
from serendip.domain.intro_content import IntroPerson
from serendip.domain.program_kinds import SEASON_WEEKS
from serendip.domain.schedule import Frequency
from serendip.domain.season_meetings import host_order, hosts, meeting_times

ANCHOR = date(2026, 1, 5)
starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


def _times(start: datetime, weeks: int, frequency: Frequency, zone: str = "Europe/Berlin") -> list[datetime]:
    return meeting_times(
        start,
        start + timedelta(weeks=weeks),
        frequency=frequency,
        weekday=2,
        local_time=time(10, 0),
        timezone=zone,
        anchor=ANCHOR,
    )


@given(starts, st.sampled_from(list(SEASON_WEEKS)))
def test_a_weekly_season_has_one_meeting_a_week_whenever_it_starts(start: datetime, weeks: int) -> None:
    times = _times(start, weeks, Frequency.WEEKLY)
    assert len(times) == weeks and times[0] == start
    assert all(timedelta(days=3.5) < b - a <= timedelta(days=10.5, hours=1) for a, b in pairwise(times))
    later = [t.astimezone(ZoneInfo("Europe/Berlin")) for t in times[1:]]
    assert {(t.weekday(), t.hour, t.minute) for t in later} <= {(2, 10, 0)}


@given(starts, st.sampled_from(list(SEASON_WEEKS)), st.sampled_from([Frequency.BIWEEKLY, Frequency.MONTHLY]))
def test_longer_periods_meet_less_often_and_never_past_the_season(
    start: datetime, weeks: int, frequency: Frequency
) -> None:
    times = _times(start, weeks, frequency)
    end = start + timedelta(weeks=weeks)
    assert times[0] == start and all(t < end for t in times)
    periods = weeks / 2 if frequency is Frequency.BIWEEKLY else weeks * 7 * 12 / 365.25
    assert math.floor(periods) <= len(times) <= math.ceil(periods)
    assert all(b - a >= timedelta(days=7) for a, b in pairwise(times))


@given(
    st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=8, unique=True),
    st.integers(0, 40),
    st.text(),
)
def test_every_member_hosts_once_before_anyone_hosts_twice(
    members: list[str], meetings: int, key: str
) -> None:
    order = host_order(members, key)
    assert sorted(order) == sorted(members) and host_order(members, key) == order
    turns = hosts(order, meetings)
    assert len(turns) == meetings
    assert all(turns[i] == order[i % len(order)] for i in range(meetings))


def _person(slack_id: str, department: str, knows: set[str], wants: set[str]) -> IntroPerson:
    return IntroPerson(
        slack_id,
        slack_id.lower(),
        department,
        None,
        "UTC",
        0,
        (540, 1020),
        frozenset(knows),
        frozenset(wants),
    )


def test_a_circle_intro_names_its_topic_who_knows_it_who_wants_it_and_offers_to_leave() -> None:
    people = [
        _person("U1", "Sales", {"go"}, set()),
        _person("U2", "Design", set(), {"go"}),
        _person("U3", "Sales", {"go"}, {"go"}),
    ]
    card = circle_card(42, people, seed=3, topic="go")
    assert [p.slack_id for p in knowers(card)] == ["U1", "U3"] and [p.slack_id for p in learners(card)] == [
        "U2"
    ]
    assert departments(card) == ["Sales", "Design"] and "go" in card.starter
    text, blocks, metadata = circle_intro_message(card, datetime(2026, 3, 2, 10, tzinfo=UTC))
    shown = str(blocks)
    assert "*go* circle" in shown and "3 people from 2 departments" in shown
    assert "Knows `go`: <@U1>, <@U3>" in shown and "Wants to learn it: <@U2>" in shown
    assert "overlap" in shown and metadata["event_payload"] == {"intro_id": 42}
    assert blocks[-1]["elements"][0]["action_id"] == LEAVE_ACTION == "circle_leave"
    assert blocks[-1]["elements"][0]["value"] == "42"
    assert "<@" not in text and "u1" in text


def test_a_topic_is_escaped_wherever_the_intro_shows_it() -> None:
    card = circle_card(1, [_person("U1", "A", {"r&d <x>"}, set())], seed=0, topic="r&d <x>")
    _, blocks, _ = circle_intro_message(card)
    assert "<x>" not in str(blocks) and "r&amp;d &lt;x&gt;" in str(blocks)
