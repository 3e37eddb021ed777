"""The scheduler's tick, where every scheduled round starts: start due rounds once, skip stale ones,
deliver, and follow up."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member, Program
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import RoundState
from serendip.domain.matching import match_round
from serendip.observability import metrics
from serendip.services import missed_joins
from serendip.services.lifecycle import circle_tick, close, deliver, followup, plan, plan_write, season_notes
from serendip.services.lifecycle.match import Matcher
from serendip.services.lifecycle.results import PlannedRound, TickReport

if TYPE_CHECKING:
    from serendip.services.lifecycle.plan_worker import Planner
from serendip.services.participation import opt_out
from serendip.services.ports import Directory, IntroPublisher, Workspaces
from serendip.services.programs import schedule_next_run

log = logging.getLogger(__name__)

# A round missed by downtime still runs when less than this late; otherwise it is skipped.
MAX_LATENESS = timedelta(days=1)


def refresh_membership(db: Database, directory: Directory, program_id: int) -> set[str] | None:
    """Opt out enrolled members no longer in the channel (a missed member_left event).

    Returns the channel's members (None when Slack could not list them), for the repair of missed
    joins that follows the round's planning (services.missed_joins).
    """
    with db.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        channel_id, team_id = program.channel_id, program.workspace_id
    try:
        present = set(directory.channel_members(channel_id))
    except Exception as exc:  # keep the stored enrolments rather than skip the round
        log.warning("round.membership_refresh_failed program_id=%s error=%s", program_id, type(exc).__name__)
        return None
    removed = 0
    with db.transaction() as session:
        for enrolment in repo.active_enrolments(session, program_id):
            member = session.get(Member, enrolment.member_id)
            if member is not None and member.slack_id not in present and opt_out(enrolment):
                removed += 1
    if removed:
        log.info(
            "round.membership_refreshed program_id=%s opted_out=%d team=%s", program_id, removed, team_id
        )
    return present


def start_round(
    db: Database,
    directory: Directory,
    publisher: IntroPublisher,
    *,
    program_id: int,
    scheduled_for: datetime,
    matcher: Matcher = match_round,
    planner: Planner | None = None,
) -> PlannedRound | None:
    """Refresh membership, claim and plan the round (None when another process has it), then
    enrol and welcome missed joins: after planning, so they are matched from the next round.

    `planner` plans it (e.g. in a worker process); by default `plan.plan_round` with `matcher`.
    """
    present = refresh_membership(db, directory, program_id)
    if planner is None:
        planned = plan.plan_round(db, program_id=program_id, scheduled_for=scheduled_for, matcher=matcher)
    else:
        planned = planner(db, program_id=program_id, scheduled_for=scheduled_for)
    if planned is not None:  # counted here, in the parent, wherever the round was planned
        if planned.held:
            metrics.round_skipped("held")
        else:
            metrics.round_planned()
        _tell_after_planning(db, publisher, program_id, planned)
    if present is not None:
        missed_joins.repair_missed_joins(
            db, directory, publisher, program_id=program_id, present=present, after=scheduled_for
        )
    return planned


def _tell_after_planning(
    db: Database, publisher: IntroPublisher, program_id: int, planned: PlannedRound
) -> None:
    """DM members the ghost rule paused, people a season left out and, for a held round (or
    season), the program's admins."""
    with db.transaction() as session:
        program = session.get(Program, program_id)
        channel_id, name = (program.channel_id, program.channel_name) if program else ("", "")
        admins = repo.program_admin_ids(session, program_id)
    if planned.ghosts:
        close.tell_ghosts(
            publisher,
            channel_id=channel_id,
            ghosts=planned.ghosts,
            round_id=planned.round_id,
            channel_name=name,
        )
    if planned.season and not planned.held:
        season_notes.tell_unplaced(
            db, publisher, round_id=planned.round_id, channel_id=channel_id, channel_name=name
        )
    if planned.held:
        close.tell_admins_held(
            publisher, channel_id=channel_id, admins=admins, planned=planned, channel_name=name
        )


def start_due_rounds(
    db: Database,
    workspaces: Workspaces,
    now: datetime,
    report: TickReport,
    planner: Planner | None = None,
) -> None:
    """Start every round whose time has come, each with its own workspace's Slack installation;
    skip (once, logged) those more than a day late."""
    with db.transaction() as session:
        due = store.due_programs(session, now)
    for program_id, scheduled_for, paused, scope_id in due:
        if paused:
            _advance(db, program_id, now)
            continue
        if now - scheduled_for > MAX_LATENESS:
            _skip(db, program_id, scheduled_for, now)
            report.skipped.append(program_id)
            continue
        planned = start_round(
            db,
            workspaces.slack(scope_id),
            workspaces.publisher(scope_id),
            program_id=program_id,
            scheduled_for=scheduled_for,
            planner=planner,
        )
        _advance(db, program_id, scheduled_for)
        if planned is not None:
            report.started.append(planned.round_id)


def _advance(db: Database, program_id: int, after: datetime) -> None:
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if (
            program is not None
            and program.next_run_at is not None
            and program.next_run_at <= max(after, utcnow())
        ):
            schedule_next_run(program, max(after, program.next_run_at))


def _skip(db: Database, program_id: int, scheduled_for: datetime, now: datetime) -> None:
    with db.transaction() as session:
        skipped = store.create_round(
            session,
            program_id=program_id,
            scheduled_for=scheduled_for,
            state=RoundState.SKIPPED,
            finished_at=now,
        )
    if skipped is not None:  # else another process recorded the skip first
        metrics.round_skipped("late")
        log.warning(
            "round.skipped_late program_id=%s scheduled_for=%s late_h=%.1f",
            program_id,
            scheduled_for.isoformat(),
            (now - scheduled_for).total_seconds() / 3600,
        )
    _advance(db, program_id, now)


def tick(
    db: Database,
    workspaces: Workspaces,
    policy: deliver.DeliveryPolicy,
    now: datetime | None = None,
    planner: Planner | None = None,
) -> TickReport:
    """One scheduler pass: close ended seasons (so a next season forms after), remove rounds whose
    planner died mid-write, start due rounds
    (planned by `planner`), deliver what is claimable (different workspaces in parallel), send due
    follow-ups, nudge circles; each with its workspace's installation."""
    now = now or utcnow()
    report = TickReport()
    circle_tick.before_rounds(db, workspaces.publisher, now, report)
    plan_write.remove_abandoned_plans(db, now)  # their programs are due again: planned afresh below
    start_due_rounds(db, workspaces, now, report, planner)
    report.delivered_rounds = deliver.deliver_all(db, workspaces.publisher, policy)
    for round_id in followup.due_followup_rounds(db, now):
        if followup.claim_followup(db, round_id, now):
            scope_id = followup.round_workspace(db, round_id)
            report.followups += followup.send_followups(db, workspaces.publisher(scope_id), round_id=round_id)
    circle_tick.after_rounds(db, workspaces.publisher, now, report)
    return report
