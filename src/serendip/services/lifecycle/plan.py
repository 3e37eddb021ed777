"""Planning a round: read, match and check it, then claim it once and store one intro per group.

Reads and matching run before the round is claimed, so SQLite's write lock is held only for the
short transactions that claim the round (unique per program and scheduled time) and write its
intros set-based, a chunk at a time (`plan_write`). Also `admin preview` (the same reading and matching, nothing stored but the
seed) and the seed the next round uses, kept so the preview shows exactly what the round sends.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import datetime

from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db import round_writes
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, Round
from serendip.adapters.db.types import utcnow
from serendip.collector import collector_paused
from serendip.domain.lifecycle import RoundState
from serendip.domain.matching import match_round
from serendip.domain.round_check import RoundCheck
from serendip.services.lifecycle import plan_write, season
from serendip.services.lifecycle.ghosts import pause_ghosts
from serendip.services.lifecycle.match import CheckedMatch, Matcher, match_and_check
from serendip.services.lifecycle.reading import read_round
from serendip.services.lifecycle.results import PlannedRound, RoundPreview
from serendip.services.lifecycle.season_clock import is_circles
from serendip.services.lifecycle.seeds import membership_basis, next_seed, seed_for_next_round

__all__ = ["membership_basis", "plan_round", "preview_round", "seed_for_next_round"]

log = logging.getLogger(__name__)


@collector_paused()  # millions of short-lived objects: see `collector`
def plan_round(
    db: Database,
    *,
    program_id: int,
    scheduled_for: datetime,
    seed: int | None = None,
    matcher: Matcher = match_round,
    others: plan_write.OpenElsewhere | None = None,
) -> PlannedRound | None:
    """Match, check and persist a round with one pending intro per group; None if already claimed.

    After matching, the round row (unique per program and scheduled time) claims it, so any number
    of processes run each round once; its intros are then stored in short transactions under the
    planner's lease, and the last one pauses the ghosts and hands the round to delivery
    (`plan_write`; ``others``: the serving process's open transactions, see `plan_write.store_intros`).
    A round the checker finds breaking a hard rule is stored as `held`, with no
    intros, and never retried. A circles program forms a season instead (`season.plan_season`).
    """
    if runs_circles(db, program_id):
        return season.plan_season(db, program_id=program_id, scheduled_for=scheduled_for, seed=seed)
    now = utcnow()
    with db.transaction() as session:  # reads only: no write lock is taken while matching
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        if round_writes.round_exists(session, program_id, scheduled_for):
            _already_claimed(program_id, scheduled_for)
            return None
        # The ghosts are paused below, before the round is stored: they are not matched.
        inputs, ghosts = read_round(
            db, session, program, eligible_at=now, offsets_at=program.next_run_at or now
        )
        stored_seed, stored_basis = program.next_seed, program.next_seed_basis
    if seed is None:  # the seed `admin preview` showed, unless the membership changed since
        seed = next_seed(stored_seed, stored_basis, membership_basis(inputs.slack_ids))[0]
    matched = match_and_check(inputs, seed, matcher)
    owner = f"plan-{uuid.uuid4().hex}"
    with db.transaction() as session:  # claim: one short transaction
        round_ = store.create_round(
            session,
            program_id=program_id,
            scheduled_for=scheduled_for,
            state=RoundState.MATCHING,
            started_at=now,
        )
        if round_ is None:
            _already_claimed(program_id, scheduled_for)
            return None
        program = session.get(Program, program_id)
        assert program is not None
        round_.seed = seed
        # That seed is spent (held or not): the following round gets its own, bound on first use.
        program.next_seed, program.next_seed_basis = secrets.randbits(31), None
        round_.quality = matched.quality()
        if not matched.check.ok:
            return _hold(round_, matched.check, pause_ghosts(session, program_id, ghosts), now)
        round_.lease_owner, round_.lease_expires_at = owner, plan_write.plan_lease_until()
        session.flush()
        round_id = round_.id
    groups = [[inputs.member_ids[s] for s in group] for group in matched.result.groups]
    if plan_write.store_intros(db, round_id, groups, now, owner=owner, others=others):
        with db.transaction() as session:  # complete: ghosts, skips, and on to delivery
            if round_writes.hold_plan_lease(
                session, round_id, owner=owner, until=plan_write.plan_lease_until()
            ):
                paused = pause_ghosts(session, program_id, ghosts)
                store.clear_skips(
                    session, program_id
                )  # the eligible were not skipping: every skip is used up
                round_ = session.get(Round, round_id)
                assert round_ is not None
                round_.state, round_.lease_owner, round_.lease_expires_at = RoundState.DELIVERING, None, None
                return _planned(round_, matched, len(inputs.participants), paused)
    log.warning("round.plan_lease_lost program_id=%s round_id=%s", program_id, round_id)
    return None


def _already_claimed(program_id: int, scheduled_for: datetime) -> None:
    log.info("round.already_claimed program_id=%s scheduled_for=%s", program_id, scheduled_for.isoformat())


def _planned(round_: Round, matched: CheckedMatch, eligible: int, ghosts: list[str]) -> PlannedRound:
    groups = len(matched.result.groups)
    log.info(
        "round.planned program_id=%s round_id=%s eligible=%d groups=%d seed=%d",
        round_.program_id,
        round_.id,
        eligible,
        groups,
        round_.seed,
    )
    return PlannedRound(round_.id, groups, eligible, ghosts, seed=round_.seed)


def _hold(round_: Round, check: RoundCheck, ghosts: list[str], now: datetime) -> PlannedRound:
    """Record a round that broke a hard rule as held: no intros, nothing sent, skips kept."""
    round_.state, round_.finished_at = RoundState.HELD, now
    round_.quality = {**(round_.quality or {}), "violations": list(check.violations)}
    log.error(
        "round.held program_id=%s round_id=%s seed=%d eligible=%d violations=%d first=%r",
        round_.program_id,
        round_.id,
        round_.seed,
        check.eligible,
        len(check.violations),
        check.violations[0] if check.violations else "",
    )
    return PlannedRound(round_.id, 0, check.eligible, ghosts, held=check.violations, seed=round_.seed)


@collector_paused()
def preview_round(db: Database, *, program_id: int) -> RoundPreview:
    """Match as the next scheduled round will: its time, the ghost rule and the seed it will use.

    Only the seed is written (so the round sends exactly these groups); nothing is sent.
    """
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        at = max(program.next_run_at or utcnow(), utcnow())
        inputs, _ = read_round(
            db, session, program, eligible_at=at, offsets_at=program.next_run_at or utcnow()
        )
        seed, changed = seed_for_next_round(program, membership_basis(inputs.slack_ids))
    matched = match_and_check(inputs, seed, match_round)
    eligible = len(inputs.participants)
    log.info(
        "round.previewed program_id=%s eligible=%d seed=%d new_draw=%s", program_id, eligible, seed, changed
    )
    quality = matched.quality()
    return RoundPreview(
        eligible, matched.result.groups, quality, matched.result.lone, dict(quality["sat_out"]), changed
    )


def runs_circles(db: Database, program_id: int) -> bool:
    """Whether the program forms seasons of circles rather than rounds (False when it is gone)."""
    with db.transaction() as session:
        program = session.get(Program, program_id)
        return program is not None and is_circles(program)
