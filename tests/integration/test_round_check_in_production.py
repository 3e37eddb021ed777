"""Every planned round passes the independent checker before anything is stored or sent."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from datetime import timedelta
from itertools import combinations

import pytest
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Intro, IntroMember, Member, MemberBlock, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.matching import History, MatchResult, MatchSettings, Participant, match_round
from serendip.services import analytics
from serendip.services.lifecycle import deliver, tick
from serendip.services.ports import OneWorkspace
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, publisher_for, set_up_program


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(10, 3, seed=5)) as emulator:
        yield emulator


def _drops_a_group(people: Sequence[Participant], history: History, settings: MatchSettings) -> MatchResult:
    """A broken matcher: leaves the people of one group out without saying so."""
    result = match_round(people, history, settings)
    return dataclasses.replace(result, groups=result.groups[1:])


def _pairs_a_blocked_pair(
    people: Sequence[Participant], history: History, settings: MatchSettings
) -> MatchResult:
    """A broken matcher: swaps people so that a blocked pair shares a group."""
    result = match_round(people, history, settings)
    by_id = {p.id: p for p in people}
    groups = [list(g) for g in result.groups]
    blocker = next(p for p in people if p.blocked)
    target = next(iter(blocker.blocked))
    where = {person: gi for gi, g in enumerate(groups) for person in g}
    home, away = where[blocker.id], where[target]
    if home != away:
        mate = next(x for x in groups[home] if x != blocker.id)
        groups[home][groups[home].index(mate)] = target
        groups[away][groups[away].index(target)] = mate
    assert target in groups[where[blocker.id]] and by_id[target]
    return dataclasses.replace(result, groups=groups)


def _due_program(database: Database, slack: SlackEmulator) -> tuple[int, str, str]:
    program_id = set_up_program(database, slack)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None and program.created_by is not None
        program.next_run_at = utcnow() - timedelta(minutes=1)
        return program_id, program.channel_id, program.created_by


def _dms_to(slack: SlackEmulator, user_id: str) -> list[str]:
    return [str(m.get("text", "")) for m in slack.dm_messages(user_id)]


def test_a_round_that_leaves_people_out_is_held_logged_and_told_to_the_admins_once(
    database: Database, slack: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    program_id, _, admin = _due_program(database, slack)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None and program.next_run_at is not None
        due = program.next_run_at
    with caplog.at_level(logging.ERROR, logger="serendip.services.lifecycle.plan"):
        planned = tick.start_round(
            database,
            gateway_for(slack),
            publisher_for(slack),
            program_id=program_id,
            scheduled_for=due,
            matcher=_drops_a_group,
        )
    assert planned is not None and planned.held and planned.intros == 0
    with database.transaction() as session:
        round_ = session.scalars(select(Round)).one()
        assert round_.state == "held" and round_.quality is not None
        assert round_.quality["violations"] and round_.quality["coverage"] < 1.0
        assert session.scalars(select(Intro)).all() == []
    held = [r for r in caplog.records if "round.held" in r.getMessage()]
    assert len(held) == 1 and f"program_id={program_id}" in held[0].getMessage()
    assert f"seed={planned.seed}" in held[0].getMessage()
    notes = [t for t in _dms_to(slack, admin) if "held back" in t]
    assert len(notes) == 1
    # The next tick neither retries the held round nor sends anything, and the schedule moves on.
    report = tick.tick(
        database,
        OneWorkspace(gateway_for(slack), publisher_for(slack)),
        deliver.DeliveryPolicy(sleep=lambda _: None),
    )
    assert report.started == [] and intro_posts(slack) == {}
    assert len([t for t in _dms_to(slack, admin) if "held back" in t]) == 1
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None and program.next_run_at is not None and program.next_run_at > utcnow()
        assert session.scalars(select(Round.state)).all() == ["held"]
        stats = analytics.program_stats(session, program, utcnow())
    assert stats.rounds_held == 1 and stats.rounds == 0
    assert "1 more round held back" in dict(analytics.summary_rows(stats))["Rounds"]


def test_a_round_that_puts_a_blocked_pair_together_is_held_and_skips_are_kept(
    database: Database, slack: SlackEmulator
) -> None:
    program_id, _, _ = _due_program(database, slack)
    with database.transaction() as session:
        members = list(
            session.scalars(
                select(Member).join(Enrolment, Enrolment.member_id == Member.id).order_by(Member.slack_id)
            )
        )
        session.add(MemberBlock(member_id=members[0].id, blocked_slack_id=members[1].slack_id))
        skipper = session.scalars(select(Enrolment).where(Enrolment.member_id == members[2].id)).one()
        skipper.skip_next = True
    planned = tick.start_round(
        database,
        gateway_for(slack),
        publisher_for(slack),
        program_id=program_id,
        scheduled_for=utcnow(),
        matcher=_pairs_a_blocked_pair,
    )
    assert planned is not None and any("blocked" in v or "never" in v for v in planned.held)
    with database.transaction() as session:
        assert session.scalars(select(Round.state)).one() == "held"
        assert session.scalars(select(Enrolment.skip_next).where(Enrolment.member_id == members[2].id)).one()


def test_a_good_round_stores_figures_that_match_a_recount_of_its_intros(
    database: Database, slack: SlackEmulator
) -> None:
    program_id, _, _ = _due_program(database, slack)
    planned = tick.start_round(
        database, gateway_for(slack), publisher_for(slack), program_id=program_id, scheduled_for=utcnow()
    )
    assert planned is not None and not planned.held
    with database.transaction() as session:
        round_ = session.scalars(select(Round)).one()
        quality = dict(round_.quality or {})
        rows = session.execute(
            select(IntroMember.intro_id, Member.department)
            .join(Member, Member.id == IntroMember.member_id)
            .join(Intro, Intro.id == IntroMember.intro_id)
        ).all()
    groups: dict[int, list[str | None]] = {}
    for intro_id, department in rows:
        groups.setdefault(intro_id, []).append(department)
    pairs = [(a, b) for g in groups.values() for a, b in combinations(g, 2)]
    cross = sum(1 for a, b in pairs if a and b and a.strip().casefold() != b.strip().casefold())
    assert round_.state == "delivering"
    assert quality["pairs"] == len(pairs) and quality["cross_team_pairs"] == cross
    assert quality["forbidden_pairs"] == 0 and quality["repeats"] == 0
    assert quality["placed"] == sum(len(g) for g in groups.values()) == quality["eligible"]
