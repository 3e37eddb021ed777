"""`/coffee admin preview` and `run`: the next round's groups, or a round started now."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Program
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import RoundState
from serendip.services import members, permissions
from serendip.services.deps import Deps
from serendip.services.errors import NotAProgramChannel, ServiceError
from serendip.services.lifecycle import deliver, manual
from serendip.services.lifecycle.plan import runs_circles
from serendip.services.lifecycle.results import ManualRun, RoundPreview, SeasonPreview
from serendip.services.lifecycle.season_clock import is_circles, running_season
from serendip.services.ports import IntroPublisher

log = logging.getLogger(__name__)

NOT_HERE = "Run this in the program's channel (where `/coffee admin setup` was run)."
# `admin run` asks to confirm while a round is delivering or began less than this long ago:
# a second round so soon is more likely a slip (or a replayed request) than a wish.
RECENT = timedelta(minutes=5)
GONE = "That program no longer exists, so no round was started."
OVERTAKEN = "Another round of this program was started since you were asked, so nothing was started twice."


@dataclass(frozen=True)
class RecentRound:
    """The program's round that is still delivering or just began, which `admin run` asks about."""

    program_id: int
    round_id: int
    state: RoundState
    started_at: datetime | None
    newest_round_id: int  # the confirmation starts a round only while no newer one exists
    season_ends_at: datetime | None = None  # a circles season running until then: ended if confirmed


@dataclass(frozen=True)
class RunNow:
    """A round `admin run` started (or did not), and the admin's zone for the schedule it reports."""

    run: ManualRun
    tz: str


def _program_id(deps: Deps, team_id: str, channel_id: str) -> int:
    with deps.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            raise NotAProgramChannel(NOT_HERE)
        return program.id


def preview(deps: Deps, *, team_id: str, channel_id: str) -> RoundPreview | SeasonPreview:
    """What the next round (or a circles program's next season) would do; nothing is sent."""
    program_id = _program_id(deps, team_id, channel_id)
    if runs_circles(deps.db, program_id):
        return deps.planner.preview_season(deps.db, program_id=program_id)
    return deps.planner.preview(deps.db, program_id=program_id)


def run_refusal(deps: Deps, *, team_id: str, channel_id: str) -> str | None:
    """Why `admin run` may not start a round here now (a paused program), or None."""
    with deps.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        return manual.refusal(program) if program is not None else None


def recent_round(deps: Deps, *, team_id: str, channel_id: str) -> RecentRound | None:
    """The program's round still delivering or started in the last 5 minutes, or its circles season
    still running, if any (asked about first)."""
    with deps.db.transaction() as session:
        program = repo.find_program(session, team_id, channel_id)
        if program is None:
            return None
        now = utcnow()
        season = running_season(session, program, now) if is_circles(program) else None
        if season is not None:
            newest = store.newest_round_id(session, program.id)
            return RecentRound(
                program.id, season.round_id, RoundState.DONE, season.started, newest, season.ends_at
            )
        busy = store.busy_round(session, program.id, started_after=now - RECENT)
        if busy is None:
            return None
        return RecentRound(program.id, *busy, newest_round_id=store.newest_round_id(session, program.id))


def run_confirmed(deps: Deps, *, team_id: str, user_id: str, program_id: int, newest_round_id: int) -> RunNow:
    """ "Start another round" clicked: check the program, the admin and the pause again, then start it."""
    with deps.db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None or program.workspace_id != team_id:
            raise ServiceError(GONE)
        channel_id = program.channel_id
        permissions.require_admin(
            session, deps.gateway, team_id=team_id, channel_id=channel_id, user_id=user_id, name="run"
        )
        refused = manual.refusal(program)
        if refused is not None:
            raise ServiceError(refused)
        if store.newest_round_id(session, program_id) != newest_round_id:  # a double click, or a race
            raise ServiceError(OVERTAKEN)
    log.info("round.run_confirmed program_id=%s user=%s", program_id, user_id)
    # What was asked about is confirmed: for a circles program, ending its running season early.
    return run_now(deps, team_id=team_id, channel_id=channel_id, user_id=user_id, end_season=True)


def run_now(deps: Deps, *, team_id: str, channel_id: str, user_id: str, end_season: bool = False) -> RunNow:
    """Start a round (or form a season) now; delivery continues in the background under its lease.

    A running season is ended early only when `end_season` (the admin confirmed it).
    """
    program_id = _program_id(deps, team_id, channel_id)
    run = manual.start_manual_round(
        deps.db,
        deps.gateway,
        deps.publisher,
        program_id=program_id,
        now=utcnow(),
        planner=deps.planner,
        end_season=end_season,
    )
    if run.planned is None or run.planned.held:
        return RunNow(run, "UTC")
    with deps.db.transaction() as session:
        tz = members.ensure_member(session, deps.gateway, team_id, user_id).tz
    # This request's installation delivers its own workspace's rounds only: another workspace's
    # round is the scheduler's, with that workspace's token.
    deps.background.start("admin-run-delivery", _deliver, deps, deps.publisher, team_id)
    return RunNow(run, tz)


def _deliver(deps: Deps, publisher: IntroPublisher, team_id: str) -> None:
    try:
        deliver.deliver_pending(deps.db, publisher, deps.delivery_policy, workspace_id=team_id)
    except Exception as exc:  # the scheduler's tick takes over after the lease expires
        log.error("round.delivery_failed error=%s", type(exc).__name__, exc_info=exc)


def asker_tz(deps: Deps, *, team_id: str, user_id: str) -> str:
    """The time zone of the admin asking, for the times a reply shows."""
    with deps.db.transaction() as session:
        return members.ensure_member(session, deps.gateway, team_id, user_id).tz
