"""Queries about expert asks: who may be asked, how often people asked and were asked lately."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, not_, select, update
from sqlalchemy.orm import Session, aliased

from serendip.adapters.db.models import Enrolment, ExpertAsk, Member, MemberTag
from serendip.adapters.db.people_sql import enrolled_clause, paused_at_clause, person_clause, same_team_clause
from serendip.adapters.db.types import affected_rows

ASKED_STATES = ("requested", "accepted", "declined")


def expert_candidates(
    session: Session, workspace_id: str, *, asker_id: int, now: datetime
) -> list[tuple[Member, list[str]]]:
    """People who may be asked: in another team than the asker, taking part in a program and not
    paused in it, willing to be asked, with expertise tags.

    Someone with no known department (or asked by someone without one) counts as another team.
    """
    asker = aliased(Member)
    taking_part = exists().where(
        Enrolment.member_id == Member.id, enrolled_clause(), not_(paused_at_clause(now))
    )
    rows = session.execute(
        select(Member, MemberTag.tag)
        .join(MemberTag, MemberTag.member_id == Member.id)
        .join(asker, asker.id == asker_id)
        .where(
            Member.workspace_id == workspace_id,
            Member.id != asker_id,
            Member.may_be_asked.is_(True),
            person_clause(),
            not_(same_team_clause(asker, Member)),
            MemberTag.kind == "expertise",
            taking_part,
        )
        .order_by(Member.id, MemberTag.tag)
    )
    found: dict[int, tuple[Member, list[str]]] = {}
    for member, tag in rows:
        found.setdefault(member.id, (member, []))[1].append(tag)
    return list(found.values())


def workspace_expertise_counts(session: Session, workspace_id: str) -> list[tuple[str, int]]:
    """Expertise tags of a workspace with how many people carry each."""
    people = func.count(func.distinct(MemberTag.member_id))
    rows = session.execute(
        select(MemberTag.tag, people)
        .join(Member, Member.id == MemberTag.member_id)
        .where(
            Member.workspace_id == workspace_id, MemberTag.kind == "expertise", Member.is_deleted.is_(False)
        )
        .group_by(MemberTag.tag)
    )
    return [(tag, int(n)) for tag, n in rows]


def times_asked(session: Session, expert_ids: Sequence[int], since: datetime) -> dict[int, int]:
    """How many intro requests each expert received since an instant."""
    if not expert_ids:
        return {}
    rows = session.execute(
        select(ExpertAsk.expert_id, func.count())
        .where(
            ExpertAsk.expert_id.in_(list(expert_ids)),
            ExpertAsk.state.in_(ASKED_STATES),
            ExpertAsk.created_at >= since,
        )
        .group_by(ExpertAsk.expert_id)
    )
    return {int(expert_id): int(n) for expert_id, n in rows if expert_id is not None}


def ask_times(session: Session, expert_ids: Sequence[int], since: datetime) -> dict[int, list[datetime]]:
    """When each expert received intro requests since an instant, oldest first."""
    if not expert_ids:
        return {}
    rows = session.execute(
        select(ExpertAsk.expert_id, ExpertAsk.created_at)
        .where(
            ExpertAsk.expert_id.in_(list(expert_ids)),
            ExpertAsk.state.in_(ASKED_STATES),
            ExpertAsk.created_at >= since,
        )
        .order_by(ExpertAsk.created_at)
    )
    times: dict[int, list[datetime]] = {}
    for expert_id, created_at in rows:
        if expert_id is not None:
            times.setdefault(int(expert_id), []).append(created_at)
    return times


def searches_since(session: Session, asker_id: int, since: datetime) -> int:
    """How many `/coffee ask` searches that offered experts a member made since an instant."""
    return int(
        session.scalar(
            select(func.count(func.distinct(ExpertAsk.created_at))).where(
                ExpertAsk.asker_id == asker_id, ExpertAsk.created_at >= since
            )
        )
        or 0
    )


def move_ask(session: Session, ask_id: int, *, from_state: str, to_state: str, at: datetime | None) -> bool:
    """Move an ask between states only if it is still in ``from_state`` (safe across replicas)."""
    values: dict[str, object] = {"state": to_state}
    if to_state in ("accepted", "declined"):
        values["answered_at"] = at
    result = session.execute(
        update(ExpertAsk).where(ExpertAsk.id == ask_id, ExpertAsk.state == from_state).values(**values)
    )
    return bool(affected_rows(result))
