"""The App Home: what it shows a member (status, intros, profile, expertise clouds, and program
health for admins), publishing it, and its pause / skip / resume buttons."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from serendip.adapters.db import repositories as repo
from serendip.adapters.db import repositories_profile as profile_repo
from serendip.adapters.db.models import Member
from serendip.adapters.db.types import utcnow
from serendip.domain.people import is_enrolled
from serendip.services import analytics, members, participation, permissions, program_snapshots, tag_clouds
from serendip.services.deps import Deps
from serendip.services.errors import NotEnrolled
from serendip.services.participation import ProgramStatus
from serendip.services.profile_form import ProfileSnapshot, snapshot
from serendip.services.program_snapshots import HealthPanel, health_rows
from serendip.services.slack_errors import SlackCallFailed

log = logging.getLogger(__name__)

MAX_CLOUDS = 3
HISTORY_SHOWN = 5
HEALTH_PANELS = 3  # programs whose health an admin sees on their Home

# Turns the gathered HomeData into the `home` view Slack publishes (the Slack adapter's builder).
RenderHome = Callable[["HomeData"], dict[str, Any]]
Change = Literal["pause", "skip", "resume"]


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
    # Program health, for someone who administers programs (else empty).
    health: list[HealthPanel] = field(default_factory=list)

    @property
    def next_round(self) -> datetime | None:
        """The soonest next round among intro programs the member takes part in."""
        return self._soonest(circles=False)

    @property
    def next_season(self) -> datetime | None:
        """The soonest next season among circles programs the member takes part in."""
        return self._soonest(circles=True)

    def _soonest(self, *, circles: bool) -> datetime | None:
        times = [
            s.next_round
            for s in self.statuses
            if s.next_round is not None
            and s.circles == circles
            and s.state in {"active", "paused", "skipping"}
        ]
        return min(times, default=None)


def home_data(session: Session, member: Member, now: datetime) -> HomeData:
    """Gather the member's Home tab."""
    current = profile_repo.current_intros(session, member.id)
    shown = {(c["when"], c["channel_id"]) for c in current}
    past = repo.member_intro_history(session, member.id, limit=HISTORY_SHOWN + len(current))
    history = [h for h in past if (h["when"], h["channel_id"]) not in shown][:HISTORY_SHOWN]
    programs = [p for p, e in repo.member_enrolments(session, member.id) if is_enrolled(e)][:MAX_CLOUDS]
    kept = program_snapshots.fresh_snapshots(session, [p.id for p in programs], now)
    clouds = [
        TagCloud(p.channel_id, [(t, int(c)) for t, c in kept[p.id].expertise_cloud])
        if p.id in kept
        else TagCloud(p.channel_id, tag_clouds.CLOUDS.counts(session, p.id))
        for p in programs
    ]
    return HomeData(
        profile=snapshot(session, member),
        statuses=participation.status_of(session, member, now),
        current=current,
        history=history,
        clouds=clouds,
    )


def program_health(session: Session, member: Member, now: datetime) -> list[HealthPanel]:
    """The health of the programs the member administers (a large program's from its snapshot);
    empty (logged) when it cannot be built."""
    member_id = member.id
    try:
        with session.begin_nested():  # a failed query must not abort the member's own Home
            programs = permissions.administered_programs(session, member)[:HEALTH_PANELS]
            kept = program_snapshots.fresh_snapshots(session, [p.id for p in programs], now)
            return [
                HealthPanel(
                    p.channel_id,
                    [(label, value) for label, value in kept[p.id].health],
                    kept[p.id].computed_at,
                )
                if p.id in kept
                else HealthPanel(p.channel_id, health_rows(analytics.program_stats(session, p, now)))
                for p in programs
            ]
    except Exception as exc:  # the member's own Home must still publish
        log.error(
            "admin.home_panel_failed member_id=%s error=%s", member_id, type(exc).__name__, exc_info=exc
        )
        return []


def publish_home(deps: Deps, *, team_id: str, user_id: str, render: RenderHome) -> bool:
    """Build and publish the Home tab of one user; False (logged) when Slack refused it."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        now = utcnow()
        data = replace(home_data(session, member, now), health=program_health(session, member, now))
    view = render(data)
    try:
        deps.gateway.publish_home(user_id, view)
    except SlackCallFailed as exc:
        log.warning("home.publish_failed team=%s user=%s error=%s", team_id, user_id, exc.reason)
        return False
    log.info("home.published team=%s user=%s blocks=%d", team_id, user_id, len(view["blocks"]))
    return True


def change_participation(
    deps: Deps, *, team_id: str, user_id: str, change: Change, days: int | None, render: RenderHome
) -> bool:
    """Pause (for `days`, or until resumed), skip the next round, or resume in every program, then
    publish the Home again; the result is publish_home's."""
    with deps.db.transaction() as session:
        member = members.ensure_member(session, deps.gateway, team_id, user_id)
        try:
            targets = participation.target_enrolments(session, member, "")
        except NotEnrolled:
            targets = []
        if change == "pause":
            participation.pause(
                targets, participation.pause_until(days=days, until=None, tz=member.tz, now=utcnow())
            )
        elif change == "skip":
            participation.skip_next(targets)
        else:
            participation.resume(targets)
    log.info(
        "home.participation team=%s user=%s change=%s programs=%d", team_id, user_id, change, len(targets)
    )
    return publish_home(deps, team_id=team_id, user_id=user_id, render=render)
