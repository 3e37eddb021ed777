"""The ghost rule, applied when a round is planned: three unanswered intros in a row pause someone."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.adapters.db import round_writes
from serendip.services.lifecycle.seats import BoolArray, IntArray, Seats

log = logging.getLogger(__name__)

GHOST_STREAK = 3


@dataclass(frozen=True)
class Streaks:
    """Members whose last three posted intros of followed-up rounds are all counted, and those intros."""

    rounds: set[int]  # the rounds any member's last three intros came from
    intro: IntArray  # the candidates' intros (three per candidate, side by side)
    member: IntArray  # parallel to `intro`, ascending


def streaks(seats: Seats) -> Streaks:
    """Each member's last three posted intros of followed-up rounds (newest round first, within a
    round the latest intro first), kept for those who have three."""
    followed = np.array(seats.followed_up, dtype=np.bool_)
    counted = np.flatnonzero(followed[seats.position] & seats.posted) if len(followed) else seats.intro[:0]
    # Seats are ordered by round, then intro: reversed, the newest round and latest intro come first
    # (a member sits once per intro, so the order inside an intro does not matter).
    counted = counted[::-1]
    members = seats.member[counted]
    by_member = _stable_order(members)  # stable: each member's seats stay newest first
    counted, members = counted[by_member], members[by_member]
    starts = (
        np.flatnonzero(np.concatenate(([True], members[1:] != members[:-1]))) if len(members) else counted
    )
    seats_of = np.diff(np.append(starts, len(members)))  # counted seats per member
    rank = np.arange(len(members)) - np.repeat(starts, seats_of)  # 0 for a member's newest seat
    recent = rank < GHOST_STREAK
    mine = counted[recent & np.repeat(seats_of >= GHOST_STREAK, seats_of)]
    rounds = {seats.round_ids[p] for p in np.unique(seats.position[counted[recent]]).tolist()}
    return Streaks(rounds, seats.intro[mine], seats.member[mine])


def _stable_order(keys: IntArray) -> IntArray:
    """`np.argsort(keys, kind="stable")`, by one plain sort of (key, position) packed into 64 bits:
    on a million shuffled member ids 0.03-0.05 s against 0.16-0.24 s for numpy's stable sort."""
    bits = max(1, len(keys).bit_length())
    if not len(keys) or int(keys.min()) < 0 or int(keys.max()) >= 1 << (63 - bits):
        return np.argsort(keys, kind="stable")
    return np.sort(keys << bits | np.arange(len(keys), dtype=np.int64)) & ((1 << bits) - 1)


def silent_members(found: Streaks, answers: IntArray, base: int) -> list[int]:
    """The candidates of whom none of their three intros was heard: ``answers`` holds
    ``(intro * base + member) * 2 + (1 if met or scheduled)`` per answer."""
    answered, met = np.divmod(answers, 2)
    # Heard from: they answered that intro themselves, or someone said it was met or scheduled.
    heard = _among(found.intro * base + found.member, answered) | _among(
        found.intro, answered[met == 1] // base
    )
    if not len(heard):
        return []
    # A candidate's intros are side by side (`streaks` orders them by member): one verdict per run.
    starts = np.flatnonzero(np.concatenate(([True], found.member[1:] != found.member[:-1])))
    return list(found.member[starts][~np.logical_or.reduceat(heard, starts)].tolist())


def _among(values: IntArray, known: IntArray) -> BoolArray:
    """Whether each value is one of ``known`` (a sort and a binary search: np.isin hashes both sides)."""
    if not len(known):
        return np.zeros(len(values), dtype=np.bool_)
    known = np.sort(known)
    at = np.searchsorted(known, values).clip(max=len(known) - 1)
    return np.asarray(known[at] == values, dtype=np.bool_)


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
