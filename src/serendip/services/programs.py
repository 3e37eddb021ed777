"""Programs: turning a channel into one, and enrolling the people who join or leave it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member, Program
from serendip.adapters.db.types import utcnow
from serendip.domain.commands import read_timezone
from serendip.domain.people import is_person
from serendip.domain.schedule import Frequency, next_run_after, parse_local_time
from serendip.services import do_not_enrol, participation
from serendip.services import members as member_service
from serendip.services.ports import Directory

log = logging.getLogger(__name__)


@dataclass
class SetupResult:
    """What `/coffee admin setup` did."""

    program_id: int
    channel_id: str
    created: bool
    enrolled: list[str] = field(default_factory=list)
    skipped: int = 0
    next_run_at: datetime | None = None
    timezone: str = "UTC"
    # The zone of the member who ran setup (their reply uses it), or None when Slack gave none valid.
    actor_tz: str | None = None


def schedule_next_run(program: Program, after: datetime) -> datetime:
    """Compute and store the program's next run time after an instant."""
    program.next_run_at = next_run_after(
        after=after,
        frequency=Frequency(program.frequency),
        weekday=program.weekday,
        local_time=parse_local_time(program.local_time),
        timezone=program.timezone,
        anchor=program.anchor_date.date(),
    )
    return program.next_run_at


def setup_program(
    db: Database, directory: Directory, *, team_id: str, channel_id: str, actor_id: str
) -> SetupResult:
    """Make a channel a program (default settings in the creator's zone) and enrol its people."""
    channel_name = directory.channel_name(channel_id)
    member_ids = directory.channel_members(channel_id)
    with db.transaction() as session:
        creator = member_service.ensure_member(session, directory, team_id, actor_id)
        program = repo.find_program(session, team_id, channel_id)
        created = program is None
        if program is None:
            program = Program(
                workspace_id=team_id,
                channel_id=channel_id,
                channel_name=channel_name,
                created_by=actor_id,
                # Slack has no workspace zone: the creator's is the best default (else UTC).
                timezone=read_timezone(creator.tz or "") or "UTC",
                anchor_date=utcnow(),
            )
            session.add(program)
            session.flush()
            schedule_next_run(program, utcnow())
            repo.add_audit(
                session,
                workspace_id=team_id,
                program_id=program.id,
                actor=actor_id,
                action="program.setup",
                detail={"channel_id": channel_id},
            )
        result = SetupResult(
            program.id,
            channel_id,
            created,
            next_run_at=program.next_run_at,
            timezone=program.timezone,
            actor_tz=read_timezone(creator.tz or ""),
        )
        # forget-me: only their own `/coffee join` enrols them again
        forgotten = do_not_enrol.marked_among(session, team_id, member_ids)
    for user_id in member_ids:
        if user_id in forgotten:
            continue
        with db.transaction() as session:
            member = member_service.ensure_member(session, directory, team_id, user_id)
            program = repo.find_program(session, team_id, channel_id)
            assert program is not None
            if not is_local_person(member, team_id):
                result.skipped += 1
                continue
            _, new = participation.enrol(session, program, member)
            if new:
                result.enrolled.append(user_id)
    log.info(
        "program.setup program_id=%s enrolled=%d skipped=%d",
        result.program_id,
        len(result.enrolled),
        result.skipped,
    )
    return result


def is_local_person(member: Member, team_id: str) -> bool:
    """A human, active, full member of this workspace (not of another org in a Slack Connect channel)."""
    return member.workspace_id == team_id and is_person(member)


def member_joined(
    db: Database,
    directory: Directory,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    event_us: int | None = None,
) -> bool:
    """Enrol someone who joined a program channel; True when they should be welcomed.

    ``event_us``: the event's Slack time; a join older than a join or leave already applied changes
    nothing (Slack's events arrive, and are handled, in any order).
    """
    with db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            return False
        workspace = repo.get_or_create_workspace(session, team_id)
        if user_id == workspace.bot_user_id or do_not_enrol.is_marked(session, team_id, user_id):
            return False
        member = member_service.ensure_member(session, directory, team_id, user_id)
        if not is_local_person(member, team_id):
            return False
        if event_us is not None and _stale(session, program.id, member.id, event_us, "joined"):
            return False
        # The enrolment is read after the claim, which holds its row: what it reads is current.
        _, new = participation.enrol(session, program, member, channel_event_us=event_us)
        log.info("program.member_joined program_id=%s enrolled=%s", program.id, new)
        return new


def member_left(
    db: Database, *, team_id: str, channel_id: str, user_id: str, event_us: int | None = None
) -> bool | None:
    """Opt out someone who left a program channel; True when they were enrolled, None when the event
    is older than a join or leave already applied (it changes nothing: see `member_joined`)."""
    with db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        member = repo.find_member(session, team_id, user_id)
        if program is None or member is None:
            return False
        if event_us is not None and _stale(session, program.id, member.id, event_us, "left"):
            return None
        enrolment = repo.find_enrolment(session, program.id, member.id)  # read after the claim: current
        changed = enrolment is not None and participation.opt_out(enrolment)
        log.info("program.member_left program_id=%s opted_out=%s", program.id, changed)
        return changed


def _stale(session: Session, program_id: int, member_id: int, event_us: int, kind: str) -> bool:
    """Claim the enrolment for a channel event of Slack time ``event_us``; True (logged) when a newer
    one was applied already."""
    if repo.claim_channel_event(session, program_id, member_id, event_us) is False:
        log.info("program.member_%s_stale program_id=%s", kind, program_id)
        return True
    return False
