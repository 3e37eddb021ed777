"""What a member's App Home shows: status, intros, profile and each program's expertise cloud."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_profile as profile_repo
from serendip.adapters.db.models import Member
from serendip.domain.people import is_enrolled
from serendip.services import participation
from serendip.services.participation import ProgramStatus
from serendip.services.profile_form import ProfileSnapshot, snapshot

MAX_CLOUDS = 3
HISTORY_SHOWN = 5


@dataclass(frozen=True)
class TagCloud:
    """A program's expertise tags with how many of its people carry each, most common first."""

    channel_id: str
    counts: list[tuple[str, int]]


@dataclass(frozen=True)
class HomeData:
    """Everything the Home tab shows one member."""

    profile: ProfileSnapshot
    statuses: list[ProgramStatus]
    current: list[dict[str, Any]]
    history: list[dict[str, Any]]
    clouds: list[TagCloud]

    @property
    def next_round(self) -> datetime | None:
        """The soonest next round among programs the member takes part in."""
        rounds = [
            s.next_round
            for s in self.statuses
            if s.next_round is not None and s.state in {"active", "paused", "skipping"}
        ]
        return min(rounds, default=None)


def home_data(session: Session, member: Member, now: datetime) -> HomeData:
    """Gather the member's Home tab."""
    current = profile_repo.current_intros(session, member.id)
    shown = {(c["when"], c["channel_id"]) for c in current}
    past = repo.member_intro_history(session, member.id, limit=HISTORY_SHOWN + len(current))
    history = [h for h in past if (h["when"], h["channel_id"]) not in shown][:HISTORY_SHOWN]
    programs = [p for p, e in repo.member_enrolments(session, member.id) if is_enrolled(e)]
    clouds = [
        TagCloud(p.channel_id, profile_repo.program_tag_counts(session, p.id, "expertise"))
        for p in programs[:MAX_CLOUDS]
    ]
    return HomeData(
        profile=snapshot(session, member),
        statuses=participation.status_of(session, member, now),
        current=current,
        history=history,
        clouds=clouds,
    )
