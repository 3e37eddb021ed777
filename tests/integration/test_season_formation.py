"""Forming a circles season: what is stored is what the engine formed, the hard rules hold when
recounted from the rows, the left-out are waitlisted and told once, meetings rotate their hosts."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import timedelta
from itertools import combinations, pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from serendip.adapters.db.circle_models import CircleMeeting, SeasonWaitlist
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import (
    Enrolment,
    Intro,
    IntroMember,
    Member,
    MemberBlock,
    MemberTag,
    Program,
    Round,
)
from serendip.adapters.db.types import utcnow
from serendip.domain.circles import form_circles
from serendip.domain.circles.model import Circle, CircleSettings, Participant, SeasonPlan, circle_bounds
from serendip.domain.commands import AdminSetting
from serendip.domain.program_kinds import ProgramKind
from serendip.services import administration
from serendip.services.lifecycle import deliver, plan, season, tick
from serendip.services.lifecycle.season_inputs import read_season
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program

TOPICS = ("python", "go", "hiring", "design", "sql", "pricing")
DEPARTMENTS = ("Sales", "Engineering", "Design", "Finance", "People")


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(40, 5, seed=11)) as emulator:
        yield emulator


def _circles_program(database: Database, slack: SlackEmulator, *, untagged: int = 3) -> int:
    """A circles program whose people have departments and topics; a few list none, one blocks
    another and one manages another."""
    program_id = set_up_program(database, slack)
    rng = random.Random(7)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        administration.change_settings(
            session, program, actor="UADMIN", values={AdminSetting.KIND: ProgramKind.CIRCLES}, now=utcnow()
        )
        people = _enrolled(session, program_id)
        for i, member in enumerate(people):
            member.department = DEPARTMENTS[i % len(DEPARTMENTS)]
            if i < untagged:
                continue
            known, wanted = rng.sample(TOPICS, 2)
            session.add(MemberTag(member_id=member.id, kind="expertise", tag=known))
            session.add(MemberTag(member_id=member.id, kind="interest", tag=wanted))
        session.add(MemberBlock(member_id=people[3].id, blocked_slack_id=people[4].slack_id))
        people[5].manager_slack_id = people[6].slack_id
    return program_id


def _enrolled(session: object, program_id: int) -> list[Member]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    query = (
        select(Member)
        .join(Enrolment, Enrolment.member_id == Member.id)
        .where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
        .order_by(Member.slack_id)
    )
    return list(session.scalars(query))


def _stored_circles(database: Database, round_id: int) -> dict[int, tuple[str, frozenset[str]]]:
    with database.transaction() as session:
        rows = session.execute(
            select(Intro.id, Intro.topic, Member.slack_id)
            .join(IntroMember, IntroMember.intro_id == Intro.id)
            .join(Member, Member.id == IntroMember.member_id)
            .where(Intro.round_id == round_id)
        )
        found: dict[int, tuple[str, set[str]]] = {}
        for intro_id, topic, slack_id in rows:
            found.setdefault(intro_id, (topic, set()))[1].add(slack_id)
    return {i: (t, frozenset(m)) for i, (t, m) in found.items()}


def _start(database: Database, slack: SlackEmulator, program_id: int, when: object = None) -> int:
    planned = tick.start_round(
        database,
        gateway_for(slack),
        publisher_for(slack),
        program_id=program_id,
        scheduled_for=when or utcnow(),
    )
    assert planned is not None and planned.season and not planned.held
    return planned.round_id


def test_a_season_stores_exactly_the_circles_its_preview_showed(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    preview = season.preview_season(database, program_id=program_id)
    round_id = _start(database, slack, program_id)
    stored = _stored_circles(database, round_id)
    assert sorted((t, m) for t, m in stored.values()) == sorted(
        (topic, frozenset(members)) for topic, members in preview.circles
    )
    with database.transaction() as session:
        waitlisted = {
            slack_id
            for (slack_id,) in session.execute(
                select(Member.slack_id)
                .join(SeasonWaitlist, SeasonWaitlist.member_id == Member.id)
                .where(SeasonWaitlist.round_id == round_id)
            )
        }
    assert waitlisted == set(preview.unplaced)


def test_the_stored_circles_keep_every_hard_rule_when_recounted_from_the_rows(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    round_id = _start(database, slack, program_id)
    stored = _stored_circles(database, round_id)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        people = {m.slack_id: m for m in _enrolled(session, program_id)}
        tags: dict[str, set[str]] = defaultdict(set)
        for slack_id, tag in session.execute(
            select(Member.slack_id, MemberTag.tag).join(MemberTag, MemberTag.member_id == Member.id)
        ):
            tags[slack_id].add(tag)
        blocks = {
            frozenset((member.slack_id, other))
            for member, other in session.execute(
                select(Member, MemberBlock.blocked_slack_id).join(
                    MemberBlock, MemberBlock.member_id == Member.id
                )
            )
        }
        waitlist = {
            m: (reason, topics)
            for m, reason, topics in session.execute(
                select(Member.slack_id, SeasonWaitlist.reason, SeasonWaitlist.suggested_topics)
                .join(SeasonWaitlist, SeasonWaitlist.member_id == Member.id)
                .where(SeasonWaitlist.round_id == round_id)
            )
        }
        smallest, largest = circle_bounds(program.group_size)
    seats = Counter(m for _, members in stored.values() for m in members)
    assert set(seats.values()) == {1}, "someone sits in two circles"
    for topic, members in stored.values():
        assert smallest <= len(members) <= largest
        assert all(topic in tags[m] for m in members), f"someone in the {topic} circle did not list it"
        for a, b in combinations(sorted(members), 2):
            assert frozenset((a, b)) not in blocks
            assert people[a].manager_slack_id != b and people[b].manager_slack_id != a
    # Everyone eligible is in exactly one circle or on the waitlist, with a reason.
    assert set(seats) | set(waitlist) == set(people) and not set(seats) & set(waitlist)
    assert all(reason for reason, _ in waitlist.values())
    assert len(seats) >= 0.8 * sum(1 for p in people if tags[p])
    with database.transaction() as session:
        intros = session.scalars(select(Intro).where(Intro.round_id == round_id)).all()
        assert {(i.circle_state, i.circle_root_id == i.id, i.topic is not None) for i in intros} == {
            ("active", True, True)
        }


def test_a_season_ends_after_its_weeks_and_the_next_forms_at_the_first_slot_after_the_vote(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    start = utcnow()
    round_id = _start(database, slack, program_id, start)
    with database.transaction() as session:
        round_ = session.get(Round, round_id)
        program = session.get(Program, program_id)
        assert round_ is not None and program is not None and program.next_run_at is not None
        assert round_.season_ends_at == start + timedelta(weeks=12)
        assert round_.vote_closes_at == start + timedelta(weeks=12, days=3)
        assert round_.vote_closes_at <= program.next_run_at < round_.vote_closes_at + timedelta(days=7)
        local = program.next_run_at.astimezone(ZoneInfo(program.timezone))
        assert (local.weekday(), local.strftime("%H:%M")) == (program.weekday, program.local_time)


def test_each_circle_meets_once_a_week_with_every_member_hosting_in_turn(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    start = utcnow()
    round_id = _start(database, slack, program_id, start)
    stored = _stored_circles(database, round_id)
    with database.transaction() as session:
        rows = session.execute(
            select(CircleMeeting.intro_id, CircleMeeting.number, CircleMeeting.due_at, Member.slack_id)
            .join(Member, Member.id == CircleMeeting.host_member_id)
            .order_by(CircleMeeting.intro_id, CircleMeeting.number)
        ).all()
    meetings: dict[int, list[tuple[int, object, str]]] = defaultdict(list)
    for intro_id, number, due, host in rows:
        meetings[intro_id].append((number, due, host))
    assert set(meetings) == set(stored)
    for intro_id, (_, members) in stored.items():
        numbers = [n for n, _, _ in meetings[intro_id]]
        times = [d for _, d, _ in meetings[intro_id]]
        hosts = [h for _, _, h in meetings[intro_id]]
        assert numbers == list(range(1, 13)), "a 12-week weekly season has 12 meetings"
        assert times[0] == start and all(t < start + timedelta(weeks=12) for t in times)  # type: ignore[operator]
        assert all(timedelta(days=3.5) <= b - a <= timedelta(days=10.5) for a, b in pairwise(times))  # type: ignore[operator]
        size = len(members)
        assert set(hosts[:size]) == members, "everyone hosts once before anyone hosts twice"
        assert all(hosts[i] == hosts[i + size] for i in range(len(hosts) - size))


def test_circle_intros_go_out_once_each_with_the_topic_and_a_leave_button(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    round_id = _start(database, slack, program_id)
    stored = _stored_circles(database, round_id)
    policy = deliver.DeliveryPolicy(sleep=lambda _: None)
    deliver.deliver_pending(database, publisher_for(slack), policy)
    deliver.deliver_pending(database, publisher_for(slack), policy)
    assert intro_posts(slack) == Counter({intro_id: 1 for intro_id in stored})
    bot = slack.workspace.bot.id
    for conversation in slack.group_dms():
        members = frozenset(u for u in conversation.members if u != bot)
        intro_id = next(i for i, (_, m) in stored.items() if m == members)
        message = slack.messages(conversation.id)[0]
        text = str(message["blocks"])
        assert f"*{stored[intro_id][0]}* circle" in text and "Departments" in text
        buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert [(b["action_id"], b["value"]) for b in buttons] == [("circle_leave", str(intro_id))]
    with database.transaction() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None and round_.state == "done" and round_.followup_due_at is None
    summaries = [
        m for m in slack.messages(slack.workspace.channel_named("coffee-chats").id) if "This season" in str(m)
    ]
    assert len(summaries) == 1 and f"{len(stored)} circles formed" in summaries[0]["text"]


def test_the_people_left_out_are_told_once_why_and_which_topics_would_place_them(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack, untagged=4)
    round_id = _start(database, slack, program_id)
    with database.transaction() as session:
        left_out = session.execute(
            select(Member.slack_id, SeasonWaitlist.notified_at)
            .join(SeasonWaitlist, SeasonWaitlist.member_id == Member.id)
            .where(SeasonWaitlist.round_id == round_id)
        ).all()
    assert len(left_out) >= 4 and all(notified is not None for _, notified in left_out)
    for slack_id, _ in left_out:
        notes = [
            str(m.get("text", ""))
            for m in slack.dm_messages(slack_id)
            if "no circle for you" in str(m.get("text"))
        ]
        assert len(notes) == 1 and "/coffee interests add" in notes[0]
    untagged = left_out[0][0]
    note = next(str(m["text"]) for m in slack.dm_messages(untagged) if "no circle" in str(m.get("text")))
    assert any(f"`{t}`" in note for t in TOPICS), "the note names popular topics"


def test_the_next_season_weighs_the_circles_of_the_last_one(database: Database, slack: SlackEmulator) -> None:
    program_id = _circles_program(database, slack)
    first = _start(database, slack, program_id)
    stored = _stored_circles(database, first)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        inputs = read_season(session, program, eligible_at=utcnow(), offsets_at=utcnow())
    assert sorted(inputs.last_season, key=sorted) == sorted((m for _, m in stored.values()), key=sorted)


def _breaks_the_size_rule(people: Sequence[Participant], settings: CircleSettings) -> SeasonPlan:
    """A broken engine: cuts one circle down to two people."""
    formed = form_circles(people, settings)
    first = formed.circles[0]
    return dataclasses.replace(formed, circles=[Circle(first.topic, first.members[:2]), *formed.circles[1:]])


def test_a_season_that_breaks_a_hard_rule_is_held_with_nothing_written(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _circles_program(database, slack)
    planned = season.plan_season(
        database, program_id=program_id, scheduled_for=utcnow(), former=_breaks_the_size_rule
    )
    assert planned is not None and planned.held and planned.season
    with database.transaction() as session:
        round_ = session.scalars(select(Round)).one()
        assert round_.state == "held" and round_.season_ends_at is None
        assert round_.quality is not None and round_.quality["violations"]
        for model in (Intro, CircleMeeting, SeasonWaitlist):
            assert session.scalars(select(model)).all() == []


def test_an_intros_program_still_plans_rounds_of_intros(database: Database, slack: SlackEmulator) -> None:
    program_id = set_up_program(database, slack)
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None and not planned.season
    with database.transaction() as session:
        assert {i.topic for i in session.scalars(select(Intro))} == {None}
        assert session.scalars(select(Round.season_ends_at)).one() is None
