"""The ghost rule, applied when a round is planned: three unanswered intros in a row pause someone."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db import repositories as repo
from serendip.adapters.db.models import Enrolment, Member, Program
from serendip.domain.people import is_enrolled

log = logging.getLogger(__name__)

GHOST_STREAK = 3


def ghost_enrolments(session: Session, program: Program) -> list[Enrolment]:
    """Enrolments the ghost rule would pause now (last three followed-up intros unanswered); reads only."""
    recent: dict[int, list[int]] = {}
    for member_id, intro_id in history_store.followed_up_intros(session, program.id):
        if len(recent.setdefault(member_id, [])) < GHOST_STREAK:
            recent[member_id].append(intro_id)
    candidates = {m: ids for m, ids in recent.items() if len(ids) == GHOST_STREAK}
    if not candidates:
        return []
    answers = history_store.answers_to(session, {i for ids in candidates.values() for i in ids})
    engaged: set[tuple[int, int]] = set()
    met: set[int] = set()
    for intro_id, member_id, outcome in answers:
        engaged.add((intro_id, member_id))
        if outcome in ("met", "scheduled"):
            met.add(intro_id)
    ghosts = []
    for member_id, ids in candidates.items():
        if any((i, member_id) in engaged or i in met for i in ids):
            continue
        enrolment = repo.find_enrolment(session, program.id, member_id)
        # Any pause flag, even one whose date has passed: the ghost rule never re-pauses a pauser.
        if enrolment is None or not is_enrolled(enrolment) or enrolment.paused:
            continue
        ghosts.append(enrolment)
    return ghosts


def apply_ghost_rule(session: Session, program: Program) -> list[str]:
    """Pause members whose last three followed-up intros got no answer from them (and no one met)."""
    ghosts = []
    for enrolment in ghost_enrolments(session, program):
        enrolment.paused, enrolment.paused_until = True, None
        member = session.get(Member, enrolment.member_id)
        if member is not None:
            ghosts.append(member.slack_id)
    if ghosts:
        log.info("round.ghosts_paused program_id=%s count=%d", program.id, len(ghosts))
    return ghosts
