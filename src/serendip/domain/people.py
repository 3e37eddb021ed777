"""Who takes part: the one statement of each people rule (SQL mirrors: adapters.db.people_sql).

- A *person* is a human, active, full member: not deactivated, not a bot, not a guest.
- *Enrolled* is having an enrolment in the program that is not opted out.
- A *participant* of a program is an enrolled person (PRODUCT.md: "employees who opt in"; guests,
  bots and deactivated accounts never take part, whatever their enrolment says).
- *Paused at* an instant: paused with no end ("until /coffee resume") or an end still ahead.
- *Eligible at* an instant (placed in a round starting then): a participant, not paused, not
  skipping the next round.
- Two departments are the same team by `departments.same_team`; a tie is *cross-team* when both
  departments are known and not the same team.

Functions take plain values or the small protocols below (ORM rows and `DirectoryUser` fit them),
so the domain imports nothing of the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from serendip.domain.departments import department_key, same_team


class PersonFacts(Protocol):
    """What decides whether an account is a person who may take part."""

    @property
    def is_deleted(self) -> bool:
        """Deactivated in Slack."""
        ...

    @property
    def is_bot(self) -> bool:
        """A bot or app user."""
        ...

    @property
    def is_guest(self) -> bool:
        """A single- or multi-channel guest."""
        ...


class PauseFacts(Protocol):
    """An enrolment's pause: whether it is paused, and until when (None: until resumed)."""

    @property
    def paused(self) -> bool:
        """Paused by the member, an admin or the ghost rule."""
        ...

    @property
    def paused_until(self) -> datetime | None:
        """When a dated pause ends; None while paused means "until /coffee resume"."""
        ...


class EnrolmentFacts(PauseFacts, Protocol):
    """A member's standing in one program."""

    @property
    def opted_out(self) -> bool:
        """Left the channel or typed `/coffee leave`."""
        ...

    @property
    def skip_next(self) -> bool:
        """Sits out the next round only."""
        ...


def is_person(person: PersonFacts) -> bool:
    """A human, active, full member: not deactivated, a bot or a guest (the only kind ever enrolled)."""
    return not (person.is_deleted or person.is_bot or person.is_guest)


def is_enrolled(enrolment: EnrolmentFacts | None) -> bool:
    """Has an enrolment in the program that is not opted out."""
    return enrolment is not None and not enrolment.opted_out


def is_participant(person: PersonFacts, enrolment: EnrolmentFacts | None) -> bool:
    """Takes part in the program: an enrolled person (paused and skipping people included)."""
    return is_enrolled(enrolment) and is_person(person)


def is_paused_at(enrolment: PauseFacts, now: datetime) -> bool:
    """Paused at an instant: indefinitely, or until a time still ahead (a dated pause ends by itself)."""
    return enrolment.paused and (enrolment.paused_until is None or enrolment.paused_until > now)


def is_eligible_at(person: PersonFacts, enrolment: EnrolmentFacts | None, now: datetime) -> bool:
    """Placed in a round starting at ``now``: a participant who is neither paused nor skipping it."""
    return (
        enrolment is not None
        and is_participant(person, enrolment)
        and not is_paused_at(enrolment, now)
        and not enrolment.skip_next
    )


def is_cross_team(a: str | None, b: str | None) -> bool:
    """Both departments known and not the same team: what makes a tie cross-team."""
    return department_key(a) is not None and department_key(b) is not None and not same_team(a, b)
