"""The tags a round is matched on are exactly each eligible member's stored tags, kind by kind,
whatever their number and order (they are read as one text per member and kind); checked against
the raw rows on both engines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Member, MemberTag, Program
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle.reading import read_round
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import set_up_program

TAGS = ["python", "kubernetes", "ux research", "c++", "données", "日本語", "a/b testing", "x"]


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(16, 3, seed=23)) as emulator:
        yield emulator


def _raw_tags(database: Database) -> dict[str, dict[str, frozenset[str]]]:
    """Slack id -> kind -> tags, by plain SQL over the tables."""
    found: dict[str, dict[str, set[str]]] = {}
    with database.transaction() as session:
        rows = session.execute(
            text("SELECT m.slack_id, t.kind, t.tag FROM member_tags t JOIN members m ON m.id = t.member_id")
        )
        for slack_id, kind, tag in rows:
            found.setdefault(slack_id, {}).setdefault(kind, set()).add(tag)
    return {s: {k: frozenset(v) for k, v in kinds.items()} for s, kinds in found.items()}


def test_each_participant_has_exactly_the_tags_stored_for_them(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = set_up_program(database, slack)
    with database.transaction() as session:
        members = session.scalars(
            select(Member)
            .join(Enrolment, Enrolment.member_id == Member.id)
            .where(Enrolment.program_id == program_id)
            .order_by(Member.id)
        ).all()
        assert len(members) >= 8
        for n, member in enumerate(members):
            # none, one, several; the same sets stored in different orders; both kinds or one
            expertise = [] if n % 4 == 0 else TAGS[n % 3 : n % 3 + 1 + n % 5]
            interests = list(reversed(TAGS))[: n % 3] if n % 2 else TAGS[:2] if n % 3 == 0 else []
            if n % 2:
                expertise = list(reversed(expertise))
            session.add_all(MemberTag(member_id=member.id, kind="expertise", tag=t) for t in expertise)
            session.add_all(MemberTag(member_id=member.id, kind="interest", tag=t) for t in interests)
    raw = _raw_tags(database)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        inputs, _ = read_round(database, session, program, eligible_at=utcnow(), offsets_at=utcnow())
    assert len(inputs.participants) == len(members)
    by_set: dict[frozenset[str], frozenset[str]] = {}
    for person in inputs.participants:
        stored = raw.get(person.id, {})
        assert person.expertise == stored.get("expertise", frozenset()), person.id
        assert person.interests == stored.get("interest", frozenset()), person.id
        for tags in (person.expertise, person.interests):
            assert by_set.setdefault(tags, tags) is tags  # one object per distinct set
    assert any(p.expertise and p.interests for p in inputs.participants)
    assert any(not p.expertise and not p.interests for p in inputs.participants)
