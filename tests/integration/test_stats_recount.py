"""Every figure of `admin stats` / `serendip report`, recounted from raw rows the obvious way.

The org is random but seeded and small: departments spelt several ways, people without one, an
opted-out member, a guest and a deactivated member with history, groups of two and three, pairs
that meet again, failed and pending intros, every kind of answer, follow-ups sent, started or not,
a held round, and rounds on both sides of a quarter boundary. The recount shares no code with
`services.analytics` or `adapters.db.stats_store`: plain SQL for the rows, sets and loops for the rest.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import (
    Enrolment,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    Program,
    Round,
    Workspace,
)
from serendip.domain.departments import department_key
from serendip.services import analytics

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
SPELLINGS = ["Sales", " sales", "SALES", "Eng", "eng ", "Ops", "HR", "Ｌegal", "Research", None, ""]


def _build_org(session: Session, seed: int) -> Program:
    rng = random.Random(seed)
    session.add_all([Workspace(id="TREC"), Workspace(id="TOTHER")])
    session.flush()
    program = Program(
        workspace_id="TREC", channel_id="CREC", channel_name="recount", timezone="Europe/Berlin"
    )
    session.add(program)
    session.flush()
    members = []
    for i in range(36):
        member = Member(
            workspace_id="TREC",
            slack_id=f"U{rng.randrange(10**6):06d}{i:02d}",
            real_name=f"Person {i}",
            department=rng.choice(SPELLINGS),
            is_guest=i == 3,
            is_deleted=i == 4,
        )
        session.add(member)
        members.append(member)
    session.add(Member(workspace_id="TOTHER", slack_id="UOUTSIDER", department="Sales"))
    session.flush()
    for i, member in enumerate(members):
        if i != 5:  # one member was never enrolled but keeps history
            session.add(Enrolment(program_id=program.id, member_id=member.id, opted_out=i in (6, 7)))
    start = datetime(2026, 2, 2, 9, tzinfo=UTC)
    for number in range(9):
        quality: dict[str, Any] = {
            "cross_team_rate": rng.random(),
            "cross_team_bound": 1.0,
            "repeats": number,
        }
        if number == 4:
            quality = {"violations": ["a blocked pair"]}
        at = start + timedelta(weeks=2 * number) + timedelta(hours=rng.randrange(3))
        round_ = Round(program_id=program.id, scheduled_for=at, state="done", quality=quality)
        session.add(round_)
        session.flush()
        if number == 4:
            continue  # held: nothing was sent
        people = rng.sample(members, rng.randrange(20, 34))
        while people:
            size = 3 if len(people) in (3, 5) or rng.random() < 0.2 else 2
            group, people = people[:size], people[size:]
            state = rng.choice(["posted"] * 6 + ["failed", "pending"]) if number < 8 else "pending"
            followup = rng.random()
            intro = Intro(
                round_id=round_.id,
                state=state,
                followup_ts="1.2" if followup < 0.4 else None,
                followup_started_at=at if 0.4 <= followup < 0.5 else None,
            )
            intro.members = [IntroMember(member_id=m.id) for m in group]
            session.add(intro)
            session.flush()
            for member in group:
                if rng.random() < 0.35:
                    outcome = rng.choice(["met", "scheduled", "cant_make_it"])
                    session.add(IntroOutcome(intro_id=intro.id, member_id=member.id, outcome=outcome))
    session.flush()
    return program


def _recount(session: Session, program: Program, now: datetime) -> dict[str, Any]:
    """Every figure from raw rows."""
    p = {"p": program.id}
    seats = session.execute(
        text(
            "SELECT i.id, i.round_id, m.slack_id, m.department FROM intros i "
            "JOIN rounds r ON r.id = i.round_id JOIN intro_members im ON im.intro_id = i.id "
            "JOIN members m ON m.id = im.member_id WHERE r.program_id = :p AND i.state = 'posted'"
        ),
        p,
    ).all()
    when = {rid: at for rid, at in session.execute(select(Round.id, Round.scheduled_for))}
    qualities = [
        q or {} for q in session.scalars(select(Round.quality).where(Round.program_id == program.id))
    ]
    followed = {
        iid
        for iid, ts, started in session.execute(
            text("SELECT id, followup_ts, followup_started_at FROM intros")
        )
        if ts is not None or started is not None
    }
    answers: dict[int, set[str]] = defaultdict(set)
    for iid, outcome in session.execute(text("SELECT intro_id, outcome FROM intro_outcomes")):
        answers[iid].add(outcome)
    participants = session.execute(
        text(
            "SELECT m.slack_id, m.department FROM enrolments e JOIN members m ON m.id = e.member_id "
            "WHERE e.program_id = :p AND e.opted_out = :no AND m.is_deleted = :no AND m.is_bot = :no "
            "AND m.is_guest = :no ORDER BY m.slack_id"
        ),
        {**p, "no": False},
    ).all()

    dept = {slack_id: department_key(d) for _, _, slack_id, d in seats}
    dept |= {slack_id: department_key(d) for slack_id, d in participants}
    groups: dict[int, set[str]] = defaultdict(set)
    round_of: dict[int, int] = {}
    for iid, rid, slack_id, _ in seats:
        groups[iid].add(slack_id)
        round_of[iid] = rid
    rounds = sorted(set(round_of.values()), key=lambda rid: (when[rid], rid))
    first_tied: dict[frozenset[str], datetime] = {}
    for iid, group in groups.items():
        for a, b in combinations(group, 2):
            pair = frozenset((a, b))
            first_tied[pair] = min(first_tied.get(pair, when[round_of[iid]]), when[round_of[iid]])

    def is_cross(pair: frozenset[str]) -> bool:
        a, b = sorted(pair)
        return dept[a] is not None and dept[b] is not None and dept[a] != dept[b]

    cross = {pair: at for pair, at in first_tied.items() if is_cross(pair)}
    asked = [iid for iid in groups if iid in followed or answers.get(iid)]
    names: dict[str, str] = {}
    for _, d in participants:  # already in Slack id order
        key = department_key(d)
        if key is not None and d is not None:
            names.setdefault(key, d)
    keys = sorted(names, key=lambda k: (names[k], k))
    local = now.astimezone(ZoneInfo(program.timezone))
    quarter = datetime(local.year, 3 * ((local.month - 1) // 3) + 1, 1, tzinfo=ZoneInfo(program.timezone))
    tied = {person for pair in cross for person in pair}
    dept_pairs = {
        frozenset((dept[a], dept[b])) for a, b in map(sorted, cross) if {dept[a], dept[b]} <= set(keys)
    }
    matrix = [[0] * len(keys) for _ in keys]
    for pair in first_tied:
        ka, kb = (dept[person] for person in sorted(pair))
        if ka is not None and kb is not None and ka in names and kb in names:
            i, j = keys.index(ka), keys.index(kb)
            matrix[i][j] += 1
            if i != j:
                matrix[j][i] += 1
    series, total = [], 0
    for rid in rounds:
        in_round = [iid for iid in groups if round_of[iid] == rid]
        new = sum(1 for at in cross.values() if at == when[rid])
        total += new
        series.append(
            (rid, when[rid], len(set().union(*(groups[i] for i in in_round))), len(in_round), new, total)
        )
    return {
        "participants": len(participants),
        "rounds": len(rounds),
        "intros_delivered": len(groups),
        "intros_asked": len(asked),
        "intros_met": sum(1 for iid in asked if "met" in answers.get(iid, ())),
        "ties": len(first_tied),
        "cross_team_ties": len(cross),
        "new_cross_team_ties_this_quarter": sum(1 for at in cross.values() if quarter <= at <= now),
        "department_pairs_tied": len(dept_pairs),
        "department_pairs_total": len(keys) * (len(keys) - 1) // 2,
        "members_without_cross_team_tie": sum(1 for s, _ in participants if s not in tied),
        "departments": [names[k] for k in keys],
        "tie_matrix": matrix,
        "series": series,
        "rounds_held": sum(1 for q in qualities if q.get("violations")),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_stats_figure_matches_a_recount_from_raw_rows(database: Database, seed: int) -> None:
    with database.transaction() as session:
        program = _build_org(session, seed)
        stats = analytics.program_stats(session, program, NOW)
        expected = _recount(session, program, NOW)
    got = {name: getattr(stats, name) for name in expected if name != "series"}
    got["series"] = [
        (p.round_id, p.at, p.participants, p.intros, p.new_cross_team_ties, p.cross_team_ties)
        for p in stats.series
    ]
    assert got == expected
    assert expected["cross_team_ties"] > 10 and expected["rounds_held"] == 1, "the org is not trivial"
    assert len(expected["departments"]) >= 5 and expected["new_cross_team_ties_this_quarter"] > 0


def test_a_program_with_no_delivered_intro_has_zero_figures(database: Database) -> None:
    with database.transaction() as session:
        session.add(Workspace(id="TNONE"))
        session.flush()
        program = Program(workspace_id="TNONE", channel_id="CNONE", channel_name="none")
        session.add(program)
        session.flush()
        stats = analytics.program_stats(session, program, NOW)
        expected = _recount(session, program, NOW)
    assert expected["intros_delivered"] == 0 and expected["participants"] == 0
    assert {name: getattr(stats, name) for name in expected if name != "series"} == {
        name: value for name, value in expected.items() if name != "series"
    }
    assert stats.series == [] and stats.meeting_rate is None


def test_answers_to_another_programs_intros_in_between_do_not_count(database: Database) -> None:
    with database.transaction() as session:
        session.add(Workspace(id="TMIX"))
        session.flush()
        programs = [Program(workspace_id="TMIX", channel_id=f"CMIX{i}", channel_name="mix") for i in (1, 2)]
        session.add_all(programs)
        session.flush()
        people = [Member(workspace_id="TMIX", slack_id=f"UMIX{i}", department=f"D{i}") for i in range(4)]
        session.add_all(people)
        session.flush()
        rounds = [
            Round(program_id=p.id, scheduled_for=NOW - timedelta(days=7), state="done") for p in programs
        ]
        session.add_all(rounds)
        session.flush()
        # Intros of the two programs alternate, so the second's ids fall inside the first's span.
        for k in range(6):
            round_ = rounds[k % 2]
            pair = people[:2] if k % 2 == 0 else people[2:]
            intro = Intro(round_id=round_.id, state="posted", followup_ts="1.2" if k == 0 else None)
            intro.members = [IntroMember(member_id=m.id) for m in pair]
            session.add(intro)
            session.flush()
            if k % 2 == 1 or k == 4:
                session.add(IntroOutcome(intro_id=intro.id, member_id=pair[0].id, outcome="met"))
        session.flush()
        stats = analytics.program_stats(session, programs[0], NOW)
        expected = _recount(session, programs[0], NOW)
    assert (expected["intros_delivered"], expected["intros_asked"], expected["intros_met"]) == (3, 2, 1)
    assert (stats.intros_delivered, stats.intros_asked, stats.intros_met) == (3, 2, 1)
