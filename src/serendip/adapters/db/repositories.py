"""Queries and writes about workspaces, members, programs and enrolments (the other `repositories_*`
modules, `lifecycle_store`, `lifecycle_history`, `people_sql` and `replay_store` hold the rest of the SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from serendip.adapters.db.models import (
    AuditEntry,
    Enrolment,
    Intro,
    IntroMember,
    IntroOutcome,
    Member,
    MemberTag,
    Program,
    ProgramAdmin,
    Round,
    Workspace,
)
from serendip.adapters.db.people_sql import enrolled_clause, participant_clause
from serendip.adapters.db.types import affected_rows, utcnow
from serendip.domain.lifecycle import IntroState


def get_or_create_workspace(session: Session, team_id: str) -> Workspace:
    """The workspace row for a team id, created on first sight.

    The first requests from a new workspace often come at once (an install, then a command and an
    event): the row is inserted with ON CONFLICT DO NOTHING, so the one that loses the race reads
    the winner's row instead of failing on the primary key.
    """
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        dialect_insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        session.execute(
            dialect_insert(Workspace)
            .values(id=team_id, name="", created_at=utcnow())
            .on_conflict_do_nothing()
        )
        workspace = session.get(Workspace, team_id)
        assert workspace is not None
    return workspace


def find_member(session: Session, workspace_id: str, slack_id: str) -> Member | None:
    """A member by Slack id, if known."""
    return session.scalars(
        select(Member).where(Member.workspace_id == workspace_id, Member.slack_id == slack_id)
    ).one_or_none()


def members_by_slack_ids(session: Session, workspace_id: str, slack_ids: Sequence[str]) -> dict[str, Member]:
    """Known members among these Slack ids, keyed by Slack id."""
    found: dict[str, Member] = {}
    ids = list(slack_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.scalars(
            select(Member).where(Member.workspace_id == workspace_id, Member.slack_id.in_(chunk))
        )
        found.update({m.slack_id: m for m in rows})
    return found


def find_member_by_email(session: Session, workspace_id: str, email: str) -> Member | None:
    """A member by e-mail address (case-insensitive)."""
    return session.scalars(
        select(Member).where(Member.workspace_id == workspace_id, func.lower(Member.email) == email.lower())
    ).first()


def member_tags(session: Session, member_id: int, kind: str) -> list[str]:
    """A member's tags of one kind, alphabetically."""
    return list(
        session.scalars(
            select(MemberTag.tag)
            .where(MemberTag.member_id == member_id, MemberTag.kind == kind)
            .order_by(MemberTag.tag)
        )
    )


def add_tags(session: Session, member_id: int, kind: str, tags: Sequence[str]) -> list[str]:
    """Add tags the member does not have yet; returns those that were new."""
    existing = set(member_tags(session, member_id, kind))
    new = [t for t in tags if t not in existing]
    session.add_all(MemberTag(member_id=member_id, kind=kind, tag=t) for t in new)
    session.flush()
    return new


def remove_tags(session: Session, member_id: int, kind: str, tags: Sequence[str]) -> int:
    """Remove tags from a member; returns how many were removed."""
    result = session.execute(
        delete(MemberTag).where(
            MemberTag.member_id == member_id, MemberTag.kind == kind, MemberTag.tag.in_(tags)
        )
    )
    return affected_rows(result)


def find_program(session: Session, workspace_id: str, channel_id: str) -> Program | None:
    """The program run in a channel, if any."""
    return session.scalars(
        select(Program).where(Program.workspace_id == workspace_id, Program.channel_id == channel_id)
    ).one_or_none()


def workspace_programs(session: Session, workspace_id: str) -> list[Program]:
    """Every program of a workspace, oldest first."""
    return list(
        session.scalars(select(Program).where(Program.workspace_id == workspace_id).order_by(Program.id))
    )


def find_enrolment(session: Session, program_id: int, member_id: int) -> Enrolment | None:
    """A member's enrolment in a program, if any."""
    return session.scalars(
        select(Enrolment).where(Enrolment.program_id == program_id, Enrolment.member_id == member_id)
    ).one_or_none()


def claim_channel_event(session: Session, program_id: int, member_id: int, event_us: int) -> bool | None:
    """Record a channel join/leave event of Slack time ``event_us`` on the member's enrolment, when it
    is newer than every one applied so far; None when there is no enrolment yet.

    One conditional UPDATE: it takes the row's lock (PostgreSQL) or the write lock (SQLite) first,
    so of two events handled at once the older one finds the newer one's time and is refused.
    """
    claimed = session.execute(
        update(Enrolment)
        .where(
            Enrolment.program_id == program_id,
            Enrolment.member_id == member_id,
            or_(Enrolment.channel_event_us.is_(None), Enrolment.channel_event_us < event_us),
        )
        .values(channel_event_us=event_us)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(claimed) == 1:
        return True
    return False if find_enrolment(session, program_id, member_id) is not None else None


def member_enrolments(session: Session, member_id: int) -> list[tuple[Program, Enrolment]]:
    """Every program a member is (or was) enrolled in, with the enrolment."""
    rows = session.execute(
        select(Program, Enrolment)
        .join(Enrolment, Enrolment.program_id == Program.id)
        .where(Enrolment.member_id == member_id)
        .order_by(Program.id)
    )
    return [(p, e) for p, e in rows]


def active_enrolments(session: Session, program_id: int) -> list[Enrolment]:
    """Enrolments of a program that are not opted out."""
    return list(
        session.scalars(select(Enrolment).where(Enrolment.program_id == program_id, enrolled_clause()))
    )


def program_admin_ids(session: Session, program_id: int) -> list[str]:
    """Slack ids of the program's own admins: whoever set it up and the admins they named."""
    program = session.get(Program, program_id)
    named = session.scalars(select(ProgramAdmin.slack_id).where(ProgramAdmin.program_id == program_id))
    ids = [program.created_by] if program is not None and program.created_by else []
    return ids + sorted(set(named) - set(ids))


def is_program_admin(session: Session, program_id: int, slack_id: str) -> bool:
    """Whether this user is a named admin of the program."""
    return session.get(ProgramAdmin, (program_id, slack_id)) is not None


def member_intro_history(session: Session, member_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """A member's most recent delivered intros: when, which program, who else, and the outcome."""
    intro_rows = session.execute(
        select(Intro, Round, Program)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Round, Round.id == Intro.round_id)
        .join(Program, Program.id == Round.program_id)
        .where(IntroMember.member_id == member_id, Intro.state == IntroState.POSTED)
        .order_by(Round.scheduled_for.desc(), Intro.id.desc())
        .limit(limit)
    )
    history = []
    for intro, round_, program in intro_rows:
        others = session.scalars(
            select(Member.slack_id)
            .join(IntroMember, IntroMember.member_id == Member.id)
            .where(IntroMember.intro_id == intro.id, Member.id != member_id)
        )
        outcome = session.scalar(
            select(IntroOutcome.outcome)
            .where(IntroOutcome.intro_id == intro.id)
            .order_by(IntroOutcome.answered_at.desc())
        )
        history.append(
            {
                "when": round_.scheduled_for,
                "channel_id": program.channel_id,
                "with": sorted(others),
                "outcome": outcome,
            }
        )
    return history


def add_audit(
    session: Session,
    *,
    workspace_id: str,
    program_id: int | None,
    actor: str,
    action: str,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record an administrative action."""
    entry = AuditEntry(
        workspace_id=workspace_id, program_id=program_id, actor=actor, action=action, detail=detail
    )
    if at is not None:
        entry.created_at = at
    session.add(entry)
    session.flush()
    return entry


# ---- program administration and analytics


@dataclass(frozen=True)
class Seat:
    """One member placed in one delivered intro of a program, with the round it belongs to."""

    intro_id: int
    round_id: int
    round_at: datetime
    followup_sent: bool
    member_id: int
    slack_id: str
    name: str
    department: str | None


def program_seats(session: Session, program_id: int) -> list[Seat]:
    """Every member of every delivered (posted) intro of a program, oldest round first."""
    rows = session.execute(
        select(
            Intro.id,
            Round.id,
            Round.scheduled_for,
            Intro.followup_ts,
            Intro.followup_started_at,
            Member.id,
            Member.slack_id,
            Member.real_name,
            Member.name,
            Member.department,
        )
        .join(Round, Round.id == Intro.round_id)
        .join(IntroMember, IntroMember.intro_id == Intro.id)
        .join(Member, Member.id == IntroMember.member_id)
        .where(Round.program_id == program_id, Intro.state == IntroState.POSTED)
        .order_by(Round.scheduled_for, Intro.id, Member.slack_id)
    )
    # A follow-up whose send was started but not confirmed counts as asked, as it did before.
    return [
        Seat(
            intro_id,
            round_id,
            at,
            followup is not None or started is not None,
            member_id,
            slack_id,
            real or name or slack_id,
            dept,
        )
        for intro_id, round_id, at, followup, started, member_id, slack_id, real, name, dept in rows
    ]


def program_outcomes(session: Session, program_id: int) -> dict[tuple[int, int], str]:
    """Answers to a program's delivered intros, keyed by (intro id, member id)."""
    rows = session.execute(
        select(IntroOutcome.intro_id, IntroOutcome.member_id, IntroOutcome.outcome)
        .join(Intro, Intro.id == IntroOutcome.intro_id)
        .join(Round, Round.id == Intro.round_id)
        .where(Round.program_id == program_id, Intro.state == IntroState.POSTED)
        .order_by(IntroOutcome.answered_at)
    )
    return {(intro_id, member_id): outcome for intro_id, member_id, outcome in rows}


def program_round_quality(session: Session, program_id: int) -> dict[int, dict[str, Any]]:
    """Each round's stored quality figures, keyed by round id."""
    rows = session.execute(select(Round.id, Round.quality).where(Round.program_id == program_id))
    return {round_id: dict(quality or {}) for round_id, quality in rows}


def program_people(session: Session, program_id: int) -> list[tuple[str, str | None]]:
    """(Slack id, department) of the program's current participants (`domain.people.is_participant`)."""
    rows = session.execute(
        select(Member.slack_id, Member.department)
        .join(Enrolment, Enrolment.member_id == Member.id)
        .where(Enrolment.program_id == program_id, participant_clause())
        .order_by(Member.slack_id)
    )
    return [(slack_id, dept) for slack_id, dept in rows]


def find_programs_by_channel(session: Session, channel_id: str) -> list[Program]:
    """Programs run in a channel id, across workspaces (channel ids are unique per workspace)."""
    return list(session.scalars(select(Program).where(Program.channel_id == channel_id).order_by(Program.id)))


def program_member_slack_ids(session: Session, program_id: int) -> set[str]:
    """Slack ids of everyone with an enrolment row in the program, opted out included."""
    return set(
        session.scalars(
            select(Member.slack_id)
            .join(Enrolment, Enrolment.member_id == Member.id)
            .where(Enrolment.program_id == program_id)
        )
    )
