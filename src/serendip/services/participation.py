"""Taking part: join, leave, pause, resume, skip, and the member's status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from serendip.adapters.db import circle_roster
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Enrolment, Member, Program
from serendip.adapters.db.types import utcnow
from serendip.domain.people import is_enrolled, is_paused_at, is_person
from serendip.services.errors import NotEligible, NotEnrolled, ServiceError


@dataclass(frozen=True)
class ProgramStatus:
    """A member's standing in one program."""

    channel_id: str
    state: str  # "active" | "paused" | "skipping" | "opted out" | "program paused"
    paused_until: datetime | None
    next_round: datetime | None  # a circles program: when the next season forms
    circles: bool = False
    circle_topic: str | None = None  # the member's active circle in this program, if any


def enrol(
    session: Session, program: Program, member: Member, *, channel_event_us: int | None = None
) -> tuple[Enrolment, bool]:
    """Enrol a member (or re-activate an opt-out); returns the enrolment and whether it is new.

    ``channel_event_us``: the Slack time of the join event this applies (`claim_channel_event`),
    stored on a new enrolment.
    """
    if not is_person(member):
        raise NotEligible("Guests, bots and deactivated accounts can't take part in Serendip intros.")
    enrolment = repo.find_enrolment(session, program.id, member.id)
    if enrolment is None:
        enrolment = Enrolment(program_id=program.id, member_id=member.id, channel_event_us=channel_event_us)
        session.add(enrolment)
        session.flush()
        return enrolment, True
    was_out = enrolment.opted_out
    enrolment.opted_out, enrolment.opted_out_at = False, None
    return enrolment, was_out


def opt_out(enrolment: Enrolment) -> bool:
    """Opt a member out of a program; returns False when they were already out."""
    if enrolment.opted_out:
        return False
    enrolment.opted_out, enrolment.opted_out_at = True, utcnow()
    enrolment.paused, enrolment.paused_until, enrolment.skip_next = False, None, False
    return True


def target_enrolments(session: Session, member: Member, channel_id: str) -> list[tuple[Program, Enrolment]]:
    """The enrolments a command applies to: this channel's program, or all of the member's."""
    program = repo.find_program(session, member.workspace_id, channel_id)
    if program is not None:
        enrolment = repo.find_enrolment(session, program.id, member.id)
        if enrolment is None or not is_enrolled(enrolment):
            raise NotEnrolled(
                f"You're not in <#{program.channel_id}>'s intros. Use `/coffee join` here first."
            )
        return [(program, enrolment)]
    active = [(p, e) for p, e in repo.member_enrolments(session, member.id) if is_enrolled(e)]
    if not active:
        raise NotEnrolled("You're not in any Serendip program yet. Join an intro channel to take part.")
    return active


def pause_until(*, days: int | None, until: date | None, tz: str, now: datetime) -> datetime | None:
    """When a pause ends: after ``days``, at the start of ``until`` in the member's zone, or never."""
    if days is not None:
        return now + timedelta(days=days)
    if until is None:
        return None
    end = datetime.combine(until, time(0, 0), tzinfo=ZoneInfo(tz))
    if end <= now:
        raise ServiceError(
            f"{until.isoformat()} is not in the future. Usage: `/coffee pause until YYYY-MM-DD`"
        )
    return end


def pause(enrolments: list[tuple[Program, Enrolment]], until: datetime | None) -> None:
    """Pause these enrolments until a time, or until resumed."""
    for _, enrolment in enrolments:
        enrolment.paused, enrolment.paused_until = True, until


def resume(enrolments: list[tuple[Program, Enrolment]]) -> None:
    """End any pause or skip on these enrolments."""
    for _, enrolment in enrolments:
        enrolment.paused, enrolment.paused_until, enrolment.skip_next = False, None, False


def skip_next(enrolments: list[tuple[Program, Enrolment]]) -> None:
    """Leave these enrolments out of the next round only."""
    for _, enrolment in enrolments:
        enrolment.skip_next = True


def status_of(session: Session, member: Member, now: datetime) -> list[ProgramStatus]:
    """The member's standing in every program they were ever enrolled in."""
    statuses = []
    topics = {c.program_id: c.topic for c in circle_roster.member_circles(session, member.id)}
    for program, enrolment in repo.member_enrolments(session, member.id):
        if not is_enrolled(enrolment):
            state = "opted out"
        elif program.is_paused:
            state = "program paused"
        elif is_paused_at(enrolment, now):
            state = "paused"
        elif enrolment.skip_next:
            state = "skipping"
        else:
            state = "active"
        statuses.append(
            ProgramStatus(
                program.channel_id,
                state,
                enrolment.paused_until if state == "paused" else None,
                program.next_run_at,
                program.kind == "circles",
                topics.get(program.id),
            )
        )
    return statuses
