"""A hand-built program history (members, rounds, intros, answers) whose figures are known exactly.

People: A1, A2 (Eng), B1, B2 (Sales), C1 (Ops), H1 (HR), N1 (no department), all enrolled.
Round 1, 2026-03-02 (Q1): A1+B1 (follow-up sent; both "met"), A2+C1 (follow-up sent; A2 "can't
make it"), B2+N1 (no follow-up, no answer).
Round 2, 2026-04-06 (Q2): A1+A2 (follow-up sent, no answer), B1+C1 (no follow-up; B1 "met" early),
B2+N1 again; H1+A1 failed to deliver.
Round 3, 2026-05-04 (Q2): A1+B1 again (follow-up sent; A1 "met"), A2+B2+C1 (follow-up sent; C1
"scheduled"). Round 4 is still pending.

Expected: 3 rounds, 8 intros delivered, meeting rate 3 of 6, 7 ties of which 5 cross-team, 3 new
cross-team ties in 2026 Q2 (Europe/Berlin), department pairs 3 of 6, 2 members with no cross-team
tie (H1, N1).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

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

TEAM = "T1"
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
PEOPLE = {"A1": "Eng", "A2": "Eng", "B1": "Sales", "B2": "Sales", "C1": "Ops", "H1": "HR", "N1": None}
# (round date, quality, [(members, state, follow-up sent, {member: answer})])
ROUNDS: list[tuple[datetime, dict[str, Any] | None, list[tuple[list[str], str, bool, dict[str, str]]]]] = [
    (
        datetime(2026, 3, 2, 9, tzinfo=UTC),
        {"cross_team_rate": 0.667, "cross_team_bound": 1.0},
        [
            (["A1", "B1"], "posted", True, {"A1": "met", "B1": "met"}),
            (["A2", "C1"], "posted", True, {"A2": "cant_make_it"}),
            (["B2", "N1"], "posted", False, {}),
        ],
    ),
    (
        datetime(2026, 4, 6, 8, tzinfo=UTC),
        {"cross_team_rate": 0.5, "cross_team_bound": 0.8},
        [
            (["A1", "A2"], "posted", True, {}),
            (["B1", "C1"], "posted", False, {"B1": "met"}),
            (["B2", "N1"], "posted", False, {}),
            (["H1", "A1"], "failed", False, {}),
        ],
    ),
    (
        datetime(2026, 5, 4, 8, tzinfo=UTC),
        {"cross_team_rate": 1.0, "cross_team_bound": 1.0},
        [
            (["A1", "B1"], "posted", True, {"A1": "met"}),
            (["A2", "B2", "C1"], "posted", True, {"C1": "scheduled"}),
        ],
    ),
    (datetime(2026, 6, 1, 8, tzinfo=UTC), None, [(["A1", "C1"], "pending", False, {})]),
]


def build_history(
    session: Session, *, team_id: str = TEAM, channel_id: str = "CHIST", program: Program | None = None
) -> Program:
    """Store the history (in a new program unless one is given) and return the program."""
    if session.get(Workspace, team_id) is None:
        session.add(Workspace(id=team_id))
        session.flush()
    if program is None:
        program = Program(
            workspace_id=team_id,
            channel_id=channel_id,
            channel_name="history",
            created_by="A1",
            timezone="Europe/Berlin",
        )
        session.add(program)
    session.flush()
    people = {}
    for slack_id, department in PEOPLE.items():
        member = Member(
            workspace_id=team_id, slack_id=slack_id, real_name=f"Person {slack_id}", department=department
        )
        session.add(member)
        session.flush()
        session.add(Enrolment(program_id=program.id, member_id=member.id))
        people[slack_id] = member
    for at, quality, intros in ROUNDS:
        round_ = Round(program_id=program.id, scheduled_for=at, state="done", quality=quality)
        session.add(round_)
        session.flush()
        for group, state, followup, answers in intros:
            intro = Intro(round_id=round_.id, state=state, followup_ts="1.2" if followup else None)
            intro.members = [IntroMember(member_id=people[s].id) for s in group]
            session.add(intro)
            session.flush()
            for slack_id, outcome in answers.items():
                session.add(IntroOutcome(intro_id=intro.id, member_id=people[slack_id].id, outcome=outcome))
    session.flush()
    return program
