"""A program's past seats (who sat in which intro of which round) as numpy arrays, read once per plan.

Planning reads every seat of the program's history (1.2 million after 12 rounds of 100,000 people)
for three things: the groups of the last `cooldown` rounds (the matcher's history), the ghost rule
and the cross-team ties counted so far. As Python tuples and lists that read cost seconds; as arrays
parsed in C from the database's packed texts it costs a fraction of one, and each use is vectorised.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from serendip.adapters.db import lifecycle_history as history_store
from serendip.domain.departments import department_key
from serendip.domain.matching import PairTies

IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]
_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Seats:
    """Past seats of intros that did not fail, ordered by round (oldest scheduled first), intro, member.

    `round_ids`/`followed_up` list only the rounds that have seats; `position` is each seat's index
    into them. `posted` is False for the intros of a round still delivering.
    """

    round_ids: list[int]
    followed_up: list[bool]
    base: int  # above every member id: (intro * base + member) names a seat uniquely
    position: IntArray
    intro: IntArray
    member: IntArray
    posted: BoolArray

    @classmethod
    def from_rounds(
        cls, rounds: Sequence[tuple[int, bool, Sequence[Sequence[int]], Sequence[bool]]]
    ) -> Seats:
        """Seats from plain data: (round id, followed up, groups of member ids, posted per group);
        intro ids are numbered in group order across all rounds."""
        position, intro, member, posted = [], [], [], []
        next_intro = 1
        for index, (_, _, groups, posted_groups) in enumerate(rounds):
            for group, was_posted in zip(groups, posted_groups, strict=True):
                for m in sorted(group):
                    position.append(index)
                    intro.append(next_intro)
                    member.append(m)
                    posted.append(was_posted)
                next_intro += 1
        return cls(
            [r[0] for r in rounds],
            [r[1] for r in rounds],
            max(member, default=0) + 1,
            np.array(position, dtype=np.int64),
            np.array(intro, dtype=np.int64),
            np.array(member, dtype=np.int64),
            np.array(posted, dtype=np.bool_),
        )

    def span(self, position: int) -> tuple[int, int]:
        """The seats (lo, hi) of the round at ``position``."""
        lo, hi = (int(i) for i in np.searchsorted(self.position, [position, position + 1]))
        return lo, hi

    def group_sizes_in(self, lo: int, hi: int) -> IntArray:
        """The size of each intro among seats lo..hi-1, in order."""
        starts = self.group_starts_in(lo, hi)
        return np.diff(np.append(starts, hi)).astype(np.int64)

    def group_starts_in(self, lo: int, hi: int) -> IntArray:
        """Index of the first seat of each intro among seats lo..hi-1."""
        intro = self.intro[lo:hi]
        if not len(intro):
            return _EMPTY
        first = np.ones(len(intro), dtype=np.bool_)
        first[1:] = intro[1:] != intro[:-1]
        return np.flatnonzero(first) + lo


def read_seats(session: Session, program_id: int) -> Seats:
    """The program's past seats, oldest round first, then by intro and member."""
    order = history_store.round_order(session, program_id)
    found = history_store.past_seats(session, program_id)
    present = set(np.unique(found.round_id).tolist())
    kept = [(round_id, followed) for round_id, followed in order if round_id in present]
    position_of = {round_id: i for i, (round_id, _) in enumerate(kept)}
    lookup = np.zeros(max(present, default=0) + 1, dtype=np.int64)
    for round_id, i in position_of.items():
        lookup[round_id] = i
    position = lookup[found.round_id]
    ordered = _by_round_intro_member(position, found.intro * found.base + found.member)
    return Seats(
        [r for r, _ in kept],
        [f for _, f in kept],
        found.base,
        position[ordered],
        found.intro[ordered],
        found.member[ordered],
        found.posted[ordered].astype(np.bool_),
    )


def _by_round_intro_member(position: IntArray, seat: IntArray) -> IntArray:
    """The order of seats by round position, then intro, then member (``seat`` = intro * base + member,
    which fits in 64 bits: `pack_base` checks it).

    Two stable sorts instead of a three-key lexsort: the seats arrive nearly in this order (read by
    intro id, rounds stored in time order), where a stable sort (timsort) is close to linear.
    """
    by_seat = np.argsort(seat, kind="stable")
    return by_seat[np.argsort(position[by_seat], kind="stable")]


def ties(seats: Seats, departments: dict[int, str | None]) -> tuple[Counter[int], PairTies]:
    """Cross-team pairs met so far, each pair counted once: per member id, and per (sorted) pair of
    department keys. Only the given members' departments count (the others are not matched now)."""
    # Keys, so "Sales" and " sales" are one team; the matcher reads pair ties by key too.
    key_of = functools.cache(department_key)  # many people, few department spellings
    keys = sorted({k for k in map(key_of, departments.values()) if k is not None})
    code = {k: i for i, k in enumerate(keys)}
    intro, member = seats.intro, seats.member
    # Seats are sorted by intro then member: every pair of one intro is (seat i, seat i + d), a < b.
    firsts, seconds = [], []
    for d in range(1, len(intro)):
        same = intro[d:] == intro[:-d]
        if not same.any():
            break
        firsts.append(member[:-d][same])
        seconds.append(member[d:][same])
    if not firsts:
        return Counter(), PairTies.of({})
    both = _runs(np.concatenate(firsts) << 32 | np.concatenate(seconds))[0]  # each pair once
    a, b = both >> 32, both & 0xFFFFFFFF
    team = np.full(int(max(int(b.max()), max(departments, default=0))) + 1, -1, dtype=np.int64)
    # One look-up per spelling, then one numpy assignment (a Python store per member cost 0.25 s).
    code_of = {name: code.get(key_of(name) or "", -1) for name in set(departments.values())}
    count = len(departments)
    team[np.fromiter(departments.keys(), dtype=np.int64, count=count)] = np.fromiter(
        map(code_of.__getitem__, departments.values()), dtype=np.int64, count=count
    )
    ta, tb = team[a], team[b]
    # Keys compare as `is_cross_team` does: both known and different.
    cross = (ta >= 0) & (tb >= 0) & (ta != tb)
    a, b, ta, tb = a[cross], b[cross], ta[cross], tb[cross]
    people, per_person = _runs(np.concatenate([a, b]))
    dept, counts = _runs(np.minimum(ta, tb) * len(keys) + np.maximum(ta, tb))
    first, second = np.divmod(dept, len(keys))
    dept_pairs = PairTies(keys, first, second, counts.astype(np.int64))
    return Counter(dict(zip(people.tolist(), per_person.tolist(), strict=True))), dept_pairs


def _runs(values: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct values, ascending, and how often each occurs (by sorting: numpy's `unique` takes
    a hash path several times slower on the ~600,000 pairs of a large program)."""
    ordered = np.sort(values)
    if not len(ordered):
        return ordered, ordered
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], np.diff(np.append(starts, len(ordered)))
