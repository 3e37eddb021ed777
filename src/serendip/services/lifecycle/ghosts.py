"""The ghost rule, applied when a round is planned: three unanswered intros in a row pause someone."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db import round_writes
from serendip.services.lifecycle.seats import IntArray, Seats

log = logging.getLogger(__name__)

GHOST_STREAK = 3


@dataclass(frozen=True)
class Streaks:
    """Members whose last three posted intros of followed-up rounds are all counted, and those intros."""

    rounds: set[int]  # the rounds any member's last three intros came from
    intro: IntArray  # the candidates' intros (three per candidate)
    member: IntArray  # parallel to `intro`


def streaks(seats: Seats) -> Streaks:
    """Each member's last three posted intros of followed-up rounds (newest round first, within a
    round the latest intro first), kept for those who have three."""
    followed = np.array(seats.followed_up, dtype=np.bool_)
    counted = np.flatnonzero(followed[seats.position] & seats.posted) if len(followed) else seats.intro[:0]
    counted = counted[np.lexsort((-seats.intro[counted], -seats.position[counted]))]
    members = seats.member[counted]
    by_member = np.argsort(members, kind="stable")
    counted, members = counted[by_member], members[by_member]
    first = np.ones(len(members), dtype=np.bool_)
    first[1:] = members[1:] != members[:-1]
    start = np.maximum.accumulate(np.where(first, np.arange(len(members)), 0))
    recent = counted[np.arange(len(members)) - start < GHOST_STREAK]
    people, streak = np.unique(seats.member[recent], return_counts=True)
    mine = recent[np.isin(seats.member[recent], people[streak == GHOST_STREAK])]
    rounds = {seats.round_ids[p] for p in np.unique(seats.position[recent]).tolist()}
    return Streaks(rounds, seats.intro[mine], seats.member[mine])


def silent_members(found: Streaks, answers: IntArray, base: int) -> list[int]:
    """The candidates of whom none of their three intros was heard: ``answers`` holds
    ``(intro * base + member) * 2 + (1 if met or scheduled)`` per answer."""
    answered, met = np.divmod(answers, 2)
    # Heard from: they answered that intro themselves, or someone said it was met or scheduled.
    heard = np.isin(found.intro * base + found.member, answered) | np.isin(
        found.intro, answered[met == 1] // base
    )
    return sorted(set(found.member.tolist()) - set(found.member[heard].tolist()))


def ghost_members(session: Session, program_id: int, seats: Seats) -> dict[int, str]:
    """Members the ghost rule would pause now (member id -> Slack id); reads only.

    A ghost's last three posted intros of followed-up rounds got no answer from them and none was
    met or scheduled, and they are enrolled and not paused (any pause flag, even a past date: the
    rule never re-pauses a pauser).
    """
    found = streaks(seats)
    if not len(found.member):
        return {}
    text = history_store.answers_in_rounds(session, found.rounds, seats.base)
    silent = silent_members(found, np.fromstring(text, dtype=np.int64, sep=" "), seats.base)
    standing = history_store.ghost_standing(session, program_id, silent)
    return {m: slack_id for m, slack_id, opted_out, paused in standing if not opted_out and not paused}


def pause_ghosts(session: Session, program_id: int, ghosts: dict[int, str]) -> list[str]:
    """Pause the ghosts' enrolments (until they resume); their Slack ids, to tell them."""
    round_writes.pause_enrolments(session, program_id, sorted(ghosts))
    if ghosts:
        log.info("round.ghosts_paused program_id=%s count=%d", program_id, len(ghosts))
    return [ghosts[m] for m in sorted(ghosts)]
