"""The ghost rule, applied when a round is planned: three unanswered intros in a row pause someone."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db import round_writes
from serendip.services.lifecycle.inputs import PastRound

log = logging.getLogger(__name__)

GHOST_STREAK = 3


def ghost_members(session: Session, program_id: int, seats: list[PastRound]) -> dict[int, str]:
    """Members the ghost rule would pause now (member id -> Slack id); reads only.

    A ghost's last three posted intros of followed-up rounds got no answer from them and none was
    met or scheduled, and they are enrolled and not paused (any pause flag, even a past date: the
    rule never re-pauses a pauser).
    """
    recent: dict[int, list[int]] = {}
    rounds: set[int] = set()
    for past in reversed(seats):  # newest round first
        if not past.followed_up:
            continue
        took = False
        for intro_id, group, posted in zip(
            reversed(past.intros), reversed(past.groups), reversed(past.posted), strict=True
        ):
            if not posted:
                continue
            for member_id in group:
                mine = recent.get(member_id)
                if mine is None:
                    recent[member_id], took = [intro_id], True
                elif len(mine) < GHOST_STREAK:
                    mine.append(intro_id)
                    took = True
        if took:
            rounds.add(past.round_id)
    candidates = {m: ids for m, ids in recent.items() if len(ids) == GHOST_STREAK}
    if not candidates:
        return {}
    intros = {i for ids in candidates.values() for i in ids}
    engaged: set[tuple[int, int]] = set()
    met: set[int] = set()
    # By round (usually the last three: a short IN list), then only the answers to those intros.
    for intro_id, member_id, outcome in history_store.answers_in_rounds(session, rounds):
        if intro_id not in intros:
            continue
        engaged.add((intro_id, member_id))
        if outcome in ("met", "scheduled"):
            met.add(intro_id)
    silent = sorted(m for m, ids in candidates.items() if not any((i, m) in engaged or i in met for i in ids))
    standing = history_store.ghost_standing(session, program_id, silent)
    return {m: slack_id for m, slack_id, opted_out, paused in standing if not opted_out and not paused}


def pause_ghosts(session: Session, program_id: int, ghosts: dict[int, str]) -> list[str]:
    """Pause the ghosts' enrolments (until they resume); their Slack ids, to tell them."""
    round_writes.pause_enrolments(session, program_id, sorted(ghosts))
    if ghosts:
        log.info("round.ghosts_paused program_id=%s count=%d", program_id, len(ghosts))
    return [ghosts[m] for m in sorted(ghosts)]
