"""Ask an expert against the database: limits, who is offered, and forget-me."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, ExpertAsk, Member, Program
from serendip.services import asks, profile, uninstall
from serendip.services.errors import ServiceError
from serendip.services.members import DepartmentSource, set_department

NOW = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def _member(session: Session, program: Program, slack_id: str, department: str, tags: list[str]) -> Member:
    member = Member(workspace_id="T1", slack_id=slack_id)
    session.add(member)
    session.flush()
    # Through the one write path, which stores the department's key that "same team" compares.
    set_department(session, member, department, DepartmentSource.SELF)
    session.add(Enrolment(program_id=program.id, member_id=member.id))
    repo.add_tags(session, member.id, "expertise", tags)
    return member


def _world(session: Session) -> dict[str, Member]:
    repo.get_or_create_workspace(session, "T1")
    program = Program(workspace_id="T1", channel_id="C1")
    session.add(program)
    session.flush()
    return {
        "asker": _member(session, program, "UA", "Sales", []),
        "kube": _member(session, program, "UK", "Platform", ["kubernetes"]),
        "kube2": _member(session, program, "UL", "Data", ["kubernetes", "python"]),
        "same": _member(session, program, "US", "sales", ["kubernetes"]),
    }


def test_only_other_teams_are_offered_and_at_most_three(database: Database) -> None:
    with database.transaction() as session:
        people = _world(session)
        result = asks.search(session, people["asker"], "kube", NOW)
        assert sorted(o.slack_id for o in result.offers) == ["UK", "UL"]
        assert all(o.matched[0] == "kubernetes" for o in result.offers)


def test_five_searches_a_day_then_a_clear_refusal(database: Database) -> None:
    with database.transaction() as session:
        people = _world(session)
        for minute in range(5):
            asks.search(session, people["asker"], "kubernetes", NOW + timedelta(minutes=minute))
        with pytest.raises(ServiceError, match="daily limit"):
            asks.search(session, people["asker"], "kubernetes", NOW + timedelta(minutes=6))
        assert asks.search(session, people["asker"], "kubernetes", NOW + timedelta(days=1, minutes=1)).offers


def test_an_expert_is_asked_at_most_twice_a_week(database: Database) -> None:
    with database.transaction() as session:
        people = _world(session)
        for day in range(2):
            offers = asks.search(session, people["asker"], "python", NOW + timedelta(days=day)).offers
            assert [o.slack_id for o in offers] == ["UL"]
            asks.request(session, ask_id=offers[0].ask_id, asker_slack_id="UA", now=NOW + timedelta(days=day))
        later = asks.search(session, people["asker"], "python", NOW + timedelta(days=2))
        assert not later.offers and later.nobody_free
        assert asks.search(session, people["asker"], "python", NOW + timedelta(days=8)).offers


def test_the_less_asked_expert_comes_first_on_an_equal_match(database: Database) -> None:
    with database.transaction() as session:
        people = _world(session)
        first = asks.search(session, people["asker"], "kubernetes", NOW).offers
        asked = first[0]
        asks.request(session, ask_id=asked.ask_id, asker_slack_id="UA", now=NOW)
        second = asks.search(session, people["asker"], "kubernetes", NOW + timedelta(hours=1)).offers
        assert second[0].slack_id != asked.slack_id


def test_a_request_is_answered_once_and_only_by_the_expert(database: Database) -> None:
    with database.transaction() as session:
        people = _world(session)
        offer = asks.search(session, people["asker"], "python", NOW).offers[0]
        with pytest.raises(ServiceError):
            asks.request(session, ask_id=offer.ask_id, asker_slack_id="UK", now=NOW)
        asks.request(session, ask_id=offer.ask_id, asker_slack_id="UA", now=NOW)
        with pytest.raises(ServiceError, match="already asked"):
            asks.request(session, ask_id=offer.ask_id, asker_slack_id="UA", now=NOW)
        with pytest.raises(ServiceError):
            asks.answer(session, ask_id=offer.ask_id, expert_slack_id="UA", accept=True, now=NOW)
        asks.answer(session, ask_id=offer.ask_id, expert_slack_id="UL", accept=True, now=NOW)
        with pytest.raises(ServiceError, match="already answered"):
            asks.answer(session, ask_id=offer.ask_id, expert_slack_id="UL", accept=False, now=NOW)


def test_no_ask_is_sent_for_an_uninstalled_workspace(database: Database) -> None:
    with database.transaction() as session:
        people = _world(session)
        offer = asks.search(session, people["asker"], "python", NOW).offers[0]
        asks.request(session, ask_id=offer.ask_id, asker_slack_id="UA", now=NOW)
        second = asks.search(session, people["asker"], "kubernetes", NOW).offers[0]
    uninstall.mark_uninstalled(database, "T1")
    with database.transaction() as session:
        with pytest.raises(ServiceError, match="removed from this workspace"):
            asks.request(session, ask_id=second.ask_id, asker_slack_id="UA", now=NOW)
        with pytest.raises(ServiceError, match="removed from this workspace"):
            asks.answer(session, ask_id=offer.ask_id, expert_slack_id="UL", accept=True, now=NOW)


def test_an_offer_expires_after_a_day(database: Database) -> None:
    with database.transaction() as session:
        people = _world(session)
        offer = asks.search(session, people["asker"], "python", NOW).offers[0]
        with pytest.raises(ServiceError, match="expired"):
            asks.request(session, ask_id=offer.ask_id, asker_slack_id="UA", now=NOW + timedelta(days=2))


@pytest.mark.parametrize("who", ["asker", "kube"])
def test_forget_me_erases_the_members_asks_either_side(database: Database, who: str) -> None:
    with database.transaction() as session:
        people = _world(session)
        offer = asks.search(session, people["asker"], "kubernetes", NOW).offers[0]
        asks.request(session, ask_id=offer.ask_id, asker_slack_id="UA", now=NOW)
        gone_id = (
            people[who].id
            if who == "asker"
            else next(m.id for m in people.values() if m.slack_id == offer.slack_id)
        )
        profile.forget(session, session.get(Member, gone_id))  # type: ignore[arg-type]
    with database.transaction() as session:
        left = session.scalar(
            select(func.count())
            .select_from(ExpertAsk)
            .where((ExpertAsk.asker_id == gone_id) | (ExpertAsk.expert_id == gone_id))
        )
        assert left == 0
