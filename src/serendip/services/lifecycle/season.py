"""Forming a circles program's season where a round would be planned: read, form and check it
with no transaction open, then claim it once and write it in one transaction.

The season is a `Round` (ending `season_weeks` after its start, its vote three days later), each
circle an active `Intro` with its topic and members (delivered by the round's own pipeline), the
people left out a `SeasonWaitlist` row each, and each circle's meetings with hosts in turn. The
program's next run becomes the first slot after the vote. Also `admin preview` for circles.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import round_writes, season_store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, Round
from serendip.adapters.db.types import utcnow
from serendip.collector import collector_paused
from serendip.domain.lifecycle import RoundState
from serendip.domain.schedule import Frequency, parse_local_time
from serendip.domain.season_meetings import host_order, hosts, meeting_times
from serendip.services.lifecycle.results import PlannedRound, SeasonPreview
from serendip.services.lifecycle.season_clock import VOTE_PERIOD, next_season_slot, season_end
from serendip.services.lifecycle.season_form import CheckedSeason, Former, form_and_check
from serendip.services.lifecycle.season_inputs import SeasonInputs, read_season
from serendip.services.lifecycle.seeds import membership_basis, next_seed, seed_for_next_round

log = logging.getLogger(__name__)


@collector_paused()  # a large season reads and forms from millions of short-lived objects
def plan_season(
    db: Database,
    *,
    program_id: int,
    scheduled_for: datetime,
    seed: int | None = None,
    former: Former | None = None,
) -> PlannedRound | None:
    """Form, check and store a season (None if another process has it); a season the checker finds
    breaking a hard rule is stored as `held`, with no circles, and nothing is sent."""
    now = utcnow()
    with db.transaction() as session:  # reads only: no write lock is taken while forming
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        if round_writes.round_exists(session, program_id, scheduled_for):
            log.info("season.already_claimed program_id=%s", program_id)
            return None
        inputs = read_season(session, program, eligible_at=now, offsets_at=program.next_run_at or now)
        stored_seed, stored_basis = program.next_seed, program.next_seed_basis
    if seed is None:  # the seed `admin preview` showed, unless the membership changed since
        seed = next_seed(stored_seed, stored_basis, membership_basis(inputs.slack_ids))[0]
    formed = form_and_check(inputs, seed) if former is None else form_and_check(inputs, seed, former)
    with db.transaction() as session:  # claim and write: one transaction
        round_ = store.create_round(
            session,
            program_id=program_id,
            scheduled_for=scheduled_for,
            state=RoundState.MATCHING,
            started_at=now,
        )
        if round_ is None:
            log.info("season.already_claimed program_id=%s", program_id)
            return None
        program = session.get(Program, program_id)
        assert program is not None
        round_.seed = seed
        program.next_seed, program.next_seed_basis = secrets.randbits(31), None
        round_.quality = formed.quality(len(inputs.participants))
        if formed.violations:
            return _hold(round_, formed, len(inputs.participants), now)
        store.clear_skips(session, program_id)  # a skip covers one season, as it covers one round
        round_.state = RoundState.DELIVERING
        round_.season_ends_at = season_end(program, scheduled_for)
        round_.vote_closes_at = round_.season_ends_at + VOTE_PERIOD
        session.flush()
        _write_circles(session, program, round_, inputs, formed, now)
        program.next_run_at = next_season_slot(program, round_.season_ends_at)
        log.info(
            "season.planned program_id=%s season_id=%s eligible=%d circles=%d unplaced=%d ends=%s",
            program_id,
            round_.id,
            len(inputs.participants),
            len(formed.plan.circles),
            len(formed.unplaced),
            round_.season_ends_at.isoformat(),
        )
        return PlannedRound(
            round_.id, len(formed.plan.circles), len(inputs.participants), [], seed=seed, season=True
        )


def _write_circles(
    session: Session,
    program: Program,
    round_: Round,
    inputs: SeasonInputs,
    formed: CheckedSeason,
    now: datetime,
) -> None:
    """The circles with their members, the meetings with their hosts, and the waitlist."""
    assert round_.season_ends_at is not None
    circles = formed.plan.circles
    ids = season_store.insert_circles(
        session, round_.id, [(c.topic, [inputs.member_ids[m] for m in c.members]) for c in circles], now
    )
    times = meeting_times(
        round_.scheduled_for,
        round_.season_ends_at,
        frequency=Frequency(program.frequency),
        weekday=program.weekday,
        local_time=parse_local_time(program.local_time),
        timezone=program.timezone,
        anchor=program.anchor_date.date(),
    )
    meetings = []
    for intro_id, circle in zip(ids, circles, strict=True):
        order = host_order(circle.members, f"{round_.seed}:{circle.topic}:{','.join(circle.members)}")
        for number, (due, host) in enumerate(zip(times, hosts(order, len(times)), strict=True), start=1):
            meetings.append((intro_id, number, inputs.member_ids[host], due))
    season_store.insert_meetings(session, meetings)
    waitlist = [(inputs.member_ids[u.id], u.reason, ",".join(u.suggested_topics)) for u in formed.unplaced]
    season_store.insert_waitlist(session, round_.id, waitlist, now)


def _hold(round_: Round, formed: CheckedSeason, eligible: int, now: datetime) -> PlannedRound:
    """Record a season that broke a hard rule as held: no circles, nothing sent, skips kept."""
    round_.state, round_.finished_at = RoundState.HELD, now
    round_.quality = {**(round_.quality or {}), "violations": list(formed.violations)}
    log.error(
        "season.held program_id=%s season_id=%s seed=%d eligible=%d violations=%d first=%r",
        round_.program_id,
        round_.id,
        round_.seed,
        eligible,
        len(formed.violations),
        formed.violations[0],
    )
    return PlannedRound(
        round_.id, 0, eligible, [], held=tuple(formed.violations), seed=round_.seed, season=True
    )


@collector_paused()
def preview_season(db: Database, *, program_id: int) -> SeasonPreview:
    """Form the season the next run would form, with the seed it will use; only the seed is written."""
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        at = max(program.next_run_at or utcnow(), utcnow())
        inputs = read_season(session, program, eligible_at=at, offsets_at=program.next_run_at or utcnow())
        seed, changed = seed_for_next_round(program, membership_basis(inputs.slack_ids))
    formed = form_and_check(inputs, seed)
    log.info(
        "season.previewed program_id=%s eligible=%d seed=%d new_draw=%s",
        program_id,
        len(inputs.participants),
        seed,
        changed,
    )
    return SeasonPreview(
        eligible=len(inputs.participants),
        circles=[(c.topic, list(c.members)) for c in formed.plan.circles],
        departments=formed.departments,
        quality=formed.quality(len(inputs.participants)),
        unplaced={u.id: u.reason for u in formed.unplaced},
        violations=len(formed.violations),
        new_draw=changed,
    )
