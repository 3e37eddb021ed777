"""Taking part, one verb per `/coffee` command: status, join, leave, pause, resume, skip, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Enrolment, Program
from serendip.adapters.db.types import utcnow
from serendip.domain.people import is_enrolled
from serendip.services import do_not_enrol, members, participation
from serendip.services.deps import Deps
from serendip.services.lifecycle import circle_joins
from serendip.services.participation import ProgramStatus


@dataclass(frozen=True)
class MemberStatus:
    """The member's standing in every program they were ever in, and their time zone."""

    statuses: tuple[ProgramStatus, ...]
    tz: str


@dataclass(frozen=True)
class JoinChoices:
    """`/coffee join` outside a program channel: the programs one could join, as (channel id, name)."""

    programs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Joined:
    """`/coffee join` in a program channel: whether it was new, and the next round in the member's zone."""

    channel_id: str
    new: bool
    next_run_at: datetime | None
    tz: str


@dataclass(frozen=True)
class ParticipationChange:
    """The programs a leave, pause, resume or skip applied to (and a pause's end)."""

    channel_ids: tuple[str, ...]
    tz: str
    until: datetime | None = None


@dataclass(frozen=True)
class IntroHistory:
    """The member's most recent delivered intros, and their time zone."""

    items: tuple[dict[str, Any], ...]
    tz: str


def _channels(targets: Sequence[tuple[Program, Enrolment]]) -> tuple[str, ...]:
    return tuple(program.channel_id for program, _ in targets)


def status(deps: Deps, *, team_id: str, user_id: str) -> MemberStatus:
    """`/coffee`: where the member stands in each program."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        return MemberStatus(tuple(participation.status_of(session, member, utcnow())), member.tz)


def join(deps: Deps, *, team_id: str, user_id: str, channel_id: str) -> JoinChoices | Joined:
    """`/coffee join`: enrol in this channel's program (in a circles program's season, also a circle
    or its waitlist), or list the programs one could join."""
    with deps.db.transaction() as session:
        # Asking to join is the one thing that lifts forget-me's do-not-enrol marker.
        do_not_enrol.clear(session, team_id, user_id)
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            return JoinChoices(_joinable(session, team_id, member.id))
        _enrolment, new = participation.enrol(session, program, member)
        joined = Joined(program.channel_id, new, program.next_run_at, member.tz)
    if new:
        circle_joins.join_mid_season(
            deps.db, deps.publisher, team_id=team_id, channel_id=channel_id, user_id=user_id
        )
    return joined


def _joinable(session: Session, team_id: str, member_id: int) -> tuple[tuple[str, str], ...]:
    enrolled = {p.id for p, e in repo.member_enrolments(session, member_id) if is_enrolled(e)}
    return tuple(
        (p.channel_id, p.channel_name or p.channel_id)
        for p in repo.workspace_programs(session, team_id)
        if p.id not in enrolled and not p.is_paused
    )


def leave(deps: Deps, *, team_id: str, user_id: str, channel_id: str) -> ParticipationChange:
    """`/coffee leave`: opt out of this channel's program, or of every program outside one."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        targets = participation.target_enrolments(session, member, channel_id)
        for _program, enrolment in targets:
            participation.opt_out(enrolment)
        return ParticipationChange(_channels(targets), member.tz)


def pause(
    deps: Deps, *, team_id: str, user_id: str, channel_id: str, days: int | None, until: date | None
) -> ParticipationChange:
    """`/coffee pause`: for some days, until a date in the member's zone, or until resumed."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        targets = participation.target_enrolments(session, member, channel_id)
        end = participation.pause_until(days=days, until=until, tz=member.tz, now=utcnow())
        participation.pause(targets, end)
        return ParticipationChange(_channels(targets), member.tz, end)


def resume(deps: Deps, *, team_id: str, user_id: str, channel_id: str) -> ParticipationChange:
    """`/coffee resume`: end pauses and skips."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        targets = participation.target_enrolments(session, member, channel_id)
        participation.resume(targets)
        return ParticipationChange(_channels(targets), member.tz)


def skip(deps: Deps, *, team_id: str, user_id: str, channel_id: str) -> ParticipationChange:
    """`/coffee skip`: sit out the next round only."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        targets = participation.target_enrolments(session, member, channel_id)
        participation.skip_next(targets)
        return ParticipationChange(_channels(targets), member.tz)


def history(deps: Deps, *, team_id: str, user_id: str) -> IntroHistory:
    """`/coffee history`: the member's past intros."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        return IntroHistory(tuple(repo.member_intro_history(session, member.id)), member.tz)
