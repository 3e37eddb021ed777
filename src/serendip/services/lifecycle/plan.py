"""Planning a round: claim it once, apply the ghost rule, match, check, and store one intro per group.

Also `admin preview` (the same matching, nothing stored but the seed) and the seed the next round
uses, kept so the preview shows exactly what the round sends.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db import lifecycle_store as store
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Enrolment, Member, Program, Round
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import RoundState
from serendip.domain.matching import match_round
from serendip.domain.people import is_eligible_at
from serendip.domain.round_check import RoundCheck
from serendip.services.lifecycle.ghosts import apply_ghost_rule, ghost_enrolments
from serendip.services.lifecycle.match import Matcher, match_and_check
from serendip.services.lifecycle.results import PlannedRound, RoundPreview

log = logging.getLogger(__name__)


def eligible_members(session: Session, program: Program, at: datetime) -> list[tuple[Member, Enrolment]]:
    """Enrolled people who are not paused, skipping, deactivated, bots or guests."""
    return [(m, e) for m, e in history_store.enrolled_people(session, program.id) if is_eligible_at(m, e, at)]


def plan_round(
    db: Database,
    *,
    program_id: int,
    scheduled_for: datetime,
    seed: int | None = None,
    matcher: Matcher = match_round,
) -> PlannedRound | None:
    """Claim, match, check and persist a round with one pending intro per group; None if already claimed.

    The round row (unique per program and scheduled time), its groups and one pending intro per group
    are written in one transaction, so any number of processes run each round once. A round the
    checker finds breaking a hard rule is stored as `held`, with no intros, and never retried.
    """
    now = utcnow()
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        round_ = store.create_round(
            session,
            program_id=program_id,
            scheduled_for=scheduled_for,
            state=RoundState.MATCHING,
            started_at=now,
        )
        if round_ is None:
            log.info(
                "round.already_claimed program_id=%s scheduled_for=%s", program_id, scheduled_for.isoformat()
            )
            return None
        ghosts = apply_ghost_rule(session, program)
        people = [m for m, _ in eligible_members(session, program, now)]
        if seed is None:  # the seed `admin preview` showed, unless the membership changed since
            seed, _ = seed_for_next_round(program, membership_basis(people))
        round_.seed = seed
        # That seed is spent (held or not): the following round gets its own, bound on first use.
        program.next_seed, program.next_seed_basis = secrets.randbits(31), None
        matched = match_and_check(session, program, people, seed, matcher)
        round_.quality = matched.quality()
        if not matched.check.ok:
            return _hold(round_, matched.check, ghosts, now)
        store.clear_skips(session, program_id)  # the eligible were not skipping: every skip is used up
        by_slack = {m.slack_id: m for m in people}
        for group in matched.result.groups:
            store.add_intro(session, round_.id, [by_slack[s].id for s in group])
        round_.state = RoundState.DELIVERING
        session.flush()
        log.info(
            "round.planned program_id=%s round_id=%s eligible=%d groups=%d seed=%d",
            program_id,
            round_.id,
            len(people),
            len(matched.result.groups),
            seed,
        )
        return PlannedRound(round_.id, len(matched.result.groups), len(people), ghosts, seed=seed)


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


def preview_round(db: Database, *, program_id: int) -> RoundPreview:
    """Match as the next scheduled round will: its time, the ghost rule and the seed it will use.

    Only the seed is written (so the round sends exactly these groups); nothing is sent.
    """
    with db.transaction() as session:
        program = session.get(Program, program_id)
        if program is None:
            raise LookupError(f"program {program_id} not found")
        ghosts = {e.member_id for e in ghost_enrolments(session, program)}
        at = max(program.next_run_at or utcnow(), utcnow())
        people = [m for m, _ in eligible_members(session, program, at) if m.id not in ghosts]
        seed, changed = seed_for_next_round(program, membership_basis(people))
        matched = match_and_check(session, program, people, seed, match_round)
        log.info(
            "round.previewed program_id=%s eligible=%d seed=%d new_draw=%s",
            program_id,
            len(people),
            seed,
            changed,
        )
        quality = matched.quality()
        return RoundPreview(
            len(people),
            matched.result.groups,
            quality,
            matched.result.lone,
            dict(quality["sat_out"]),
            changed,
        )


def membership_basis(people: Sequence[Member]) -> str:
    """A fingerprint of the eligible membership a seed is drawn for: sha256 of the sorted Slack ids."""
    return hashlib.sha256("\n".join(sorted(m.slack_id for m in people)).encode()).hexdigest()


def seed_for_next_round(program: Program, basis: str) -> tuple[int, bool]:
    """The next round's stored seed, drawn afresh when the membership changed (then True)."""
    changed = program.next_seed_basis is not None and program.next_seed_basis != basis
    if program.next_seed is None or changed:
        program.next_seed = secrets.randbits(31)
    # A fresh seed (no basis yet) is bound to the membership it is first used for.
    program.next_seed_basis = basis
    return program.next_seed, changed
