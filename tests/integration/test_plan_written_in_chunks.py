"""A planned round is stored under the planner's lease, its intros in one transaction and their
seats a chunk per transaction: nothing of it is delivered or read as history until the last
transaction hands it over, a planner that dies mid-write leaves a round the tick removes and plans
afresh, and a stalled planner whose round was removed writes nothing more. Checked from the raw
tables and from what Slack received."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from serendip.adapters.db import lifecycle_store, round_writes
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Intro, IntroMember, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import RoundState
from serendip.services.lifecycle import deliver, plan, plan_write, tick
from serendip.services.lifecycle.seats import read_seats
from serendip.services.ports import OneWorkspace
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import gateway_for, intro_posts, placements, publisher_for, set_up_program

CHUNK = 4  # 12 people in pairs: 6 intros, their 12 seats in 3 chunks


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(12, 3, seed=17)) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_write, "CHUNK_SEATS", CHUNK)


@dataclass
class Seen:
    """The round as another connection saw it at the start of one of the planner's transactions."""

    state: str
    intros: int
    seats: int
    claimable: bool
    seats_in_history: int


def _look(database: Database, round_id: int) -> Seen:
    other = Database(database.url)
    try:
        with other.transaction() as session:
            state = str(session.scalar(select(Round.state).where(Round.id == round_id)))
            intros = int(session.scalar(select(func.count()).where(Intro.round_id == round_id)) or 0)
            seated = sum(_seated_in(session, round_id).values())
            program_id = session.scalar(select(Round.program_id).where(Round.id == round_id))
            assert program_id is not None
            seats = read_seats(session, program_id)
            in_history = (
                int((seats.position == seats.round_ids.index(round_id)).sum())
                if round_id in seats.round_ids
                else 0
            )
        with other.transaction() as session:
            now = utcnow()
            claim = lifecycle_store.claim_round(session, owner="someone-else", now=now, until=now)
            session.rollback()
    finally:
        other.dispose()
    return Seen(state, intros, seated, claim is not None, in_history)


def _eligible(database: Database, program_id: int) -> set[str]:
    with database.transaction() as session:
        return set(
            session.scalars(
                select(Member.slack_id)
                .join(Enrolment, Enrolment.member_id == Member.id)
                .where(Enrolment.program_id == program_id, Enrolment.opted_out.is_(False))
            )
        )


def _seated_in(session: Any, round_id: int) -> Counter[str]:
    return Counter(
        session.scalars(
            select(Member.slack_id)
            .join(IntroMember, IntroMember.member_id == Member.id)
            .join(Intro, Intro.id == IntroMember.intro_id)
            .where(Intro.round_id == round_id)
        )
    )


def _seated(database: Database, round_id: int) -> Counter[str]:
    """How many intros of the round each person sits in, from the raw rows."""
    with database.transaction() as session:
        return _seated_in(session, round_id)


def _rounds(database: Database) -> list[tuple[int, str]]:
    with database.transaction() as session:
        return [(i, str(s)) for i, s in session.execute(select(Round.id, Round.state).order_by(Round.id))]


def test_a_round_stored_in_chunks_is_neither_delivered_nor_read_as_history_until_the_last_chunk(
    database: Database, slack: SlackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id = set_up_program(database, slack)
    seen: list[Seen] = []
    renew = round_writes.hold_plan_lease

    def watched(session: Any, round_id: int, **kwargs: Any) -> bool:
        seen.append(_look(database, round_id))  # before this transaction writes anything
        return renew(session, round_id, **kwargs)

    monkeypatch.setattr(round_writes, "hold_plan_lease", watched)
    planned = plan.plan_round(database, program_id=program_id, scheduled_for=utcnow())
    assert planned is not None and planned.intros == 6
    # The intros, three chunks of seats and the hand-over: each saw what came before it, and nothing
    # to deliver or remember.
    assert [(s.intros, s.seats) for s in seen] == [(0, 0), (6, 0), (6, 4), (6, 8), (6, 12)]
    assert all(s.state == "matching" and not s.claimable and s.seats_in_history == 0 for s in seen)
    after = _look(database, planned.round_id)
    assert after.state == "delivering" and after.claimable and after.seats_in_history == 12
    seated = _seated(database, planned.round_id)
    assert set(seated) == _eligible(database, program_id) and set(seated.values()) == {1}
    with database.transaction() as session:
        round_ = session.get(Round, planned.round_id)
        assert round_ is not None and round_.lease_owner is None and round_.lease_expires_at is None


def _set_next_run(database: Database, program_id: int, at: datetime) -> None:
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.next_run_at = at


def test_a_planner_that_dies_mid_write_leaves_a_round_the_tick_removes_and_plans_afresh(
    database: Database,
    slack: SlackEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    program_id = set_up_program(database, slack)
    due = utcnow().replace(microsecond=0) - timedelta(minutes=1)
    _set_next_run(database, program_id, due)
    write = round_writes.insert_seats
    chunks: list[int] = []

    def dies_at_the_second_chunk(session: Any, seats: Sequence[tuple[int, int]]) -> None:
        chunks.append(len(seats))
        if len(chunks) == 2:
            raise SystemExit("planner killed")  # what a killed process leaves: the first chunk committed
        write(session, seats)

    monkeypatch.setattr(round_writes, "insert_seats", dies_at_the_second_chunk)
    with pytest.raises(SystemExit):
        plan.plan_round(database, program_id=program_id, scheduled_for=due)
    monkeypatch.setattr(round_writes, "insert_seats", write)
    [(abandoned, state)] = _rounds(database)
    assert state == "matching" and sum(_seated(database, abandoned).values()) == CHUNK
    _set_next_run(database, program_id, due + timedelta(days=7))  # as the tick leaves it after a start
    workspaces = OneWorkspace(gateway_for(slack), publisher_for(slack))
    policy = deliver.DeliveryPolicy(sleep=lambda _: None)

    # While the lease runs, the tick leaves the round alone and delivers none of it.
    report = tick.tick(database, workspaces, policy)
    assert report.started == [] and intro_posts(slack) == {}
    assert _rounds(database) == [(abandoned, "matching")]

    # Once it has run out, the tick removes the round and plans the scheduled time afresh.
    with caplog.at_level(logging.WARNING, logger="serendip.services.lifecycle.plan_write"):
        report = tick.tick(
            database, workspaces, policy, now=utcnow() + plan_write.PLAN_LEASE + timedelta(seconds=1)
        )
    [line] = [r.getMessage() for r in caplog.records if "round.abandoned_plan_removed" in r.getMessage()]
    assert f"round_id={abandoned}" in line and "intros=6" in line and f"program_id={program_id}" in line
    [(fresh, state)] = _rounds(database)
    assert report.started == [fresh] and state in ("delivering", "done")  # SQLite may reuse the id
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Intro)) == 6  # none left of the first try
        assert session.scalar(select(Round.scheduled_for).where(Round.id == fresh)) == due
    eligible = _eligible(database, program_id)
    seated = _seated(database, fresh)
    assert set(seated) == eligible and set(seated.values()) == {1}
    # What Slack received: every eligible person in exactly one intro, each intro posted once.
    assert set(intro_posts(slack).values()) == {1} and len(intro_posts(slack)) == 6
    assert placements(slack) == Counter(dict.fromkeys(eligible, 1))


def test_a_stalled_planner_whose_round_was_removed_writes_nothing_more(
    database: Database,
    slack: SlackEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    program_id = set_up_program(database, slack)
    renew = round_writes.hold_plan_lease
    calls: list[int] = []

    def stalls_before_the_second_chunk(session: Any, round_id: int, **kwargs: Any) -> bool:
        calls.append(round_id)
        if (
            len(calls) == 3
        ):  # after the intros and a chunk of seats; meanwhile its lease ran out and another process removed the round
            other = Database(database.url)
            try:
                later = utcnow() + plan_write.PLAN_LEASE + timedelta(seconds=1)
                assert plan_write.remove_abandoned_plans(other, later) == [round_id]
            finally:
                other.dispose()
        return renew(session, round_id, **kwargs)

    monkeypatch.setattr(round_writes, "hold_plan_lease", stalls_before_the_second_chunk)
    with caplog.at_level(logging.WARNING, logger="serendip.services.lifecycle.plan"):
        assert plan.plan_round(database, program_id=program_id, scheduled_for=utcnow()) is None
    assert len(calls) == 3
    assert _rounds(database) == []
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Intro)) == 0
        assert session.scalar(select(func.count()).select_from(IntroMember)) == 0
    assert any("round.plan_lease_lost" in r.getMessage() for r in caplog.records)


def test_a_round_whose_planner_is_still_writing_is_not_removed(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    with database.transaction() as session:
        round_ = lifecycle_store.create_round(
            session,
            program_id=program_id,
            scheduled_for=utcnow(),
            state=RoundState.MATCHING,
            started_at=utcnow(),
        )
        assert round_ is not None
        round_.lease_owner, round_.lease_expires_at = "planner", utcnow() + timedelta(minutes=5)
    assert plan_write.remove_abandoned_plans(database, utcnow() + timedelta(minutes=4)) == []
    assert [state for _, state in _rounds(database)] == ["matching"]
