"""The round checker's recount of the pairs inside a round's groups, over arrays of person numbers.

Part of the independent checker (`round_check`): it shares no code with the matcher. Every pair of
distinct ids inside one group counts, as often as it occurs. Ids are numbered in the order the
people are given (0..n-1), then ids of the groups that are no eligible member (n, n+1, ...): such a
pair can still be a repeat, but never blocked, cross-team or overlapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, count, repeat

import numpy as np
import numpy.typing as npt

from serendip.domain.departments import department_key
from serendip.domain.matching.model import History, Participant, PastGroups

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
DAY_MINUTES = 1440


class RoundPairs:
    """Every pair of distinct people inside a group of one round, as person numbers."""

    def __init__(self, people: Sequence[Participant], groups: Sequence[Sequence[str]]) -> None:
        self.people = people
        self.number = {p.id: i for i, p in enumerate(people)}
        self.ids = [p.id for p in people]
        for x in chain.from_iterable(groups):
            if x not in self.number:
                self.number[x] = len(self.ids)
                self.ids.append(x)
        self.size = len(self.ids)  # people, then ids that are no eligible member
        sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
        self.seats = np.fromiter(
            map(self.number.__getitem__, chain.from_iterable(groups)), np.int64, int(sizes.sum())
        )
        self.u, self.v, self.group, self.first, self.second = _seat_pairs(self.seats, sizes)
        self.teams = self._departments()
        self.count = int(self.u.size)

    def keys(self) -> I64:
        """Order-free key of each pair."""
        return np.minimum(self.u, self.v) * self.size + np.maximum(self.u, self.v)

    def known(self) -> B:
        """Both people of the pair are eligible members."""
        n = len(self.people)
        return np.asarray((self.u < n) & (self.v < n), dtype=np.bool_)

    def placed(self) -> I64:
        """The eligible people in groups, each once."""
        return np.unique(self.seats[self.seats < len(self.people)])

    def repeats(self, history: History, cooldown: int) -> int:
        """Pairs that shared a group in the last `cooldown` rounds (all of them while fewer; none at 0)."""
        if isinstance(history, PastGroups):
            rounds = list(history.rounds)[max(0, len(history) - cooldown) :] if cooldown > 0 else []
            empty = np.zeros(0, dtype=np.int64)
            sizes = np.concatenate([s for _, s in rounds]) if rounds else empty
            # Ids in no group of this round cannot meet a round's pair: -1, skipped.
            number = np.fromiter(map(self.number.get, history.ids, repeat(-1)), np.int64, len(history.ids))
            seats = number[np.concatenate([s for s, _ in rounds])] if rounds else empty
        else:
            window = list(history)[max(0, len(history) - cooldown) :] if cooldown > 0 else []
            past = [g for rnd in window for g in rnd]
            sizes = np.fromiter(map(len, past), dtype=np.int64, count=len(past))
            # Past ids are shared string objects: number each distinct one once (~100,000 lookups that
            # compare strings), then the ~800,000 seats by identity. Ids in no group of this round cannot
            # meet a round's pair: -1, skipped.
            flat = list(chain.from_iterable(past))
            distinct = dict(zip(dict.fromkeys(flat), count()))
            number = np.fromiter(map(self.number.get, distinct, repeat(-1)), np.int64, len(distinct))
            seats = number[np.fromiter(map(distinct.__getitem__, flat), np.int64, len(flat))]
        u, v, _, _, _ = _seat_pairs(seats, sizes)
        met = np.minimum(u, v) * self.size + np.maximum(u, v)
        return int(_member(self.keys(), met).sum())

    def forbidden(self) -> list[tuple[str, str]]:
        """The pairs blocked (either way) or manager and report, sorted ids, in the order of the groups."""
        people, n, width = self.people, len(self.people), self.size
        blocked, managers = [p.blocked for p in people], [p.manager_id for p in people]
        sizes = np.fromiter(map(len, blocked), dtype=np.int64, count=n)
        managed = np.fromiter((m is not None for m in managers), dtype=np.bool_, count=n)
        # Whom each person blocked, then each person's manager (n: nobody eligible)
        ua = np.concatenate([np.repeat(np.arange(n, dtype=np.int64), sizes), np.flatnonzero(managed)])
        others = chain(chain.from_iterable(blocked), (m for m in managers if m is not None))
        ub = np.fromiter(map(self.number.get, others, repeat(n)), np.int64, ua.size)
        ua, ub = ua[ub < n], ub[ub < n]
        rules = np.minimum(ua, ub) * width + np.maximum(ua, ub)
        hit = np.flatnonzero(self.known() & _member(self.keys(), rules))
        hit = hit[np.lexsort((self.second[hit], self.first[hit], self.group[hit]))]
        ids = self.ids
        return [
            (min(ids[x], ids[y]), max(ids[x], ids[y]))
            for x, y in zip(self.u[hit].tolist(), self.v[hit].tolist(), strict=True)
        ]

    def _departments(self) -> I64:
        """A number per department key of each person (-1: no department, or no eligible member)."""
        key_of = {d: department_key(d) for d in {p.department for p in self.people}}
        codes: dict[str, int] = {}
        team = np.fromiter(
            (
                -1 if (k := key_of[p.department]) is None else codes.setdefault(k, len(codes))
                for p in self.people
            ),
            dtype=np.int64,
            count=len(self.people),
        )
        return np.append(team, np.full(self.size - len(self.people), -1, dtype=np.int64))

    def department_sizes(self, people: I64) -> list[int]:
        """How many of `people` each department key has (departments with none left out)."""
        counts = np.bincount(self.teams[people][self.teams[people] >= 0])
        return [int(c) for c in counts if c]

    def cross_team(self) -> B:
        """Both department keys known and different (`people.is_cross_team`), per pair."""
        tu, tv = self.teams[self.u], self.teams[self.v]
        return np.asarray((tu >= 0) & (tv >= 0) & (tu != tv), dtype=np.bool_)

    def overlap_minutes(self) -> I64:
        """Minutes a day both people of each pair work, exact on the 24-hour UTC circle (0 if unknown)."""
        people, extra = self.people, self.size - len(self.people)
        hours = np.fromiter(chain.from_iterable(p.working_hours for p in people), np.int64, 2 * len(people))
        offset = np.fromiter((p.utc_offset_minutes for p in people), np.int64, len(people))
        start = np.append((hours[0::2] - offset) % DAY_MINUTES, np.zeros(extra, dtype=np.int64))
        length = (hours[1::2] - hours[0::2]) % DAY_MINUTES
        length[length == 0] = DAY_MINUTES  # start == end: around the clock
        length = np.append(length, np.zeros(extra, dtype=np.int64))  # unknown people: no window
        su, lu, sv, lv = start[self.u], length[self.u], start[self.v], length[self.v]
        total = np.zeros(self.count, dtype=np.int64)
        for shift in (-DAY_MINUTES, 0, DAY_MINUTES):  # v's window a day back, the same day, a day on
            total += np.maximum(0, np.minimum(su + lu, sv + shift + lv) - np.maximum(su, sv + shift))
        return total


def _seat_pairs(seats: I64, sizes: I64) -> tuple[I64, I64, I64, I64, I64]:
    """(u, v, group, position of u, position of v) of every pair of distinct people inside a group.

    `seats` holds the groups' members one after the other (group k has sizes[k]); -1 seats are skipped.
    """
    person, total = seats, int(sizes.sum())
    group = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
    position = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    found: list[tuple[I64, I64, I64, I64, I64]] = []
    for d in range(1, int(sizes.max(initial=0))):  # members d places apart in one group
        at = np.flatnonzero((group[:-d] == group[d:]) & (person[:-d] != person[d:]))
        at = at[(person[at] >= 0) & (person[at + d] >= 0)]
        found.append((person[at], person[at + d], group[at], position[at], position[at + d]))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, empty
    u, v, g, first, second = (np.concatenate(column) for column in zip(*found, strict=True))
    return u, v, g, first, second


def _member(keys: I64, among: I64) -> B:
    """Whether each key is one of `among` (a sort and a binary search: numpy's isin hashes both sides)."""
    if among.size == 0:
        return np.zeros(keys.shape, dtype=np.bool_)
    among = np.sort(among)
    at = np.searchsorted(among, keys).clip(max=among.size - 1)
    return np.asarray(among[at] == keys, dtype=np.bool_)
