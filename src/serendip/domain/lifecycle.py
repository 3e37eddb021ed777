"""The states a round and an intro go through, and which moves between them are allowed.

The values are the strings stored in ``rounds.state`` and ``intros.state``; changing one needs a
data migration.
"""

from __future__ import annotations

from enum import StrEnum


class RoundState(StrEnum):
    """Where a round is: planned, delivered, finished, or never run."""

    PENDING = "pending"  # the column default only: rounds are created as matching or skipped
    MATCHING = "matching"  # claimed and being matched (inside the planning transaction)
    DELIVERING = "delivering"  # intros written; workers post them under a lease
    DONE = "done"  # every intro posted or failed; summary sent, follow-up due later
    HELD = "held"  # the round checker found a broken hard rule: no intros, nothing sent
    SKIPPED = "skipped"  # the scheduler woke up too late to run it


class IntroState(StrEnum):
    """How far one intro's delivery got."""

    PENDING = "pending"  # written with its round, nothing sent yet
    OPENED = "opened"  # the group DM exists; the intro post may or may not have landed
    POSTED = "posted"  # the intro is in the group DM (exactly once)
    FAILED = "failed"  # given up on: members left, a permanent error, or too many attempts


class CircleState(StrEnum):
    """Where a circle (an intro with a topic) stands during and after its season."""

    ACTIVE = "active"  # meeting this season
    REPLACED = "replaced"  # a member left or a circle merged in: a new group DM carries on
    CLOSED = "closed"  # fell below three members with no circle to merge into
    VOTING = "voting"  # the season ended; keep going or let it end
    KEPT = "kept"  # voted to keep going outside the program (no more nudges)
    ENDED = "ended"  # the season ended and the circle with it


ROUND_MOVES: dict[RoundState, frozenset[RoundState]] = {
    RoundState.PENDING: frozenset({RoundState.MATCHING, RoundState.SKIPPED}),
    RoundState.MATCHING: frozenset({RoundState.DELIVERING, RoundState.HELD}),
    RoundState.DELIVERING: frozenset({RoundState.DONE}),
    RoundState.DONE: frozenset(),
    RoundState.HELD: frozenset(),
    RoundState.SKIPPED: frozenset(),
}

INTRO_MOVES: dict[IntroState, frozenset[IntroState]] = {
    IntroState.PENDING: frozenset({IntroState.OPENED, IntroState.FAILED}),
    IntroState.OPENED: frozenset({IntroState.POSTED, IntroState.FAILED}),
    IntroState.POSTED: frozenset(),
    IntroState.FAILED: frozenset(),
}

# An intro in one of these states is never touched by delivery again.
INTRO_FINAL: frozenset[IntroState] = frozenset(s for s, moves in INTRO_MOVES.items() if not moves)


def can_move(current: RoundState | IntroState, target: RoundState | IntroState) -> bool:
    """Whether a round or an intro may go from ``current`` to ``target`` (never across the two kinds)."""
    if isinstance(current, RoundState) and isinstance(target, RoundState):
        return target in ROUND_MOVES[current]
    if isinstance(current, IntroState) and isinstance(target, IntroState):
        return target in INTRO_MOVES[current]
    return False


def is_final(state: RoundState | IntroState) -> bool:
    """Whether nothing moves a round or an intro on from ``state``."""
    if isinstance(state, RoundState):
        return not ROUND_MOVES[state]
    return not INTRO_MOVES[state]
