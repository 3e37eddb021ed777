"""The round checker's recount of the pairs inside a round's groups, over arrays of person numbers.

Part of the independent checker (`round_check`): it shares no code with the matcher. Every pair of
distinct ids inside one group counts, as often as it occurs. Ids are numbered in the order the
people are given (0..n-1), then ids of the round that are no eligible member (n, n+1, ...): such a
pair can still be a repeat, but never blocked, cross-team or overlapping. What depends only on the
people and the history (`RoundPeople`) can be made before the groups exist.
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


class RoundPeople:
    """The round's eligible people as numbers 0..n-1 (in the order given), with their departments and
    working windows: everything about them the recount needs, made before the groups exist."""

    def __init__(self, people: Sequence[Participant]) -> None:
        self.people = people
        self.ids = [p.id for p in people]
        self.number = dict(zip(self.ids, count()))  # a repeated id keeps its last number
        self.teams = _departments(people)
        self.start, self.length = _windows(people)
        self.rules = _forbidden_rules(people, self.number)

    def recent_pairs(self, history: History, cooldown: int) -> tuple[I64, I64]:
        """(u, v) of every pair of these people that shared a group in the last `cooldown` rounds."""
        return _history_pairs(self.number, history, cooldown)


class RoundPairs:
    """Every pair of distinct people inside a group of one round, as person numbers."""

    def __init__(
        self,
        people: Sequence[Participant] | RoundPeople,
        groups: Sequence[Sequence[str]],
        also: Sequence[str] = (),
    ) -> None:
        """Pairs of ``groups``; ids in them (or in ``also``) that are no eligible member get numbers
        n, n+1, ... in the order first seen."""
        index = people if isinstance(people, RoundPeople) else RoundPeople(people)
        self.index = index
        self.people = index.people
        known = index.number
        unknown = [x for x in dict.fromkeys(chain(chain.from_iterable(groups), also)) if x not in known]
        self.number = {**known, **dict(zip(unknown, count(len(index.ids))))} if unknown else known
        self.ids = [*index.ids, *unknown] if unknown else index.ids
        self.size = len(self.ids)  # people, then ids that are no eligible member
        self.unknown = len(unknown)
        sizes = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
        self.seats = np.fromiter(
            map(self.number.__getitem__, chain.from_iterable(groups)), np.int64, int(sizes.sum())
        )
        self.u, self.v, self.group, self.first, self.second = _seat_pairs(self.seats, sizes)
        none = np.full(self.unknown, -1, dtype=np.int64)
        self.teams = np.append(index.teams, none) if self.unknown else index.teams
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

    def repeats(self, history: History, cooldown: int, recent: tuple[I64, I64] | None = None) -> int:
        """Pairs that shared a group in the last `cooldown` rounds (all of them while fewer; none at 0).

        ``recent`` is `RoundPeople.recent_pairs` of the same history, made before the groups: used
        when every id in the groups is an eligible member (else the history is numbered anew, so a
        pair with someone who is not can still count).
        """
        u, v = (
            recent
            if recent is not None and not self.unknown
            else _history_pairs(self.number, history, cooldown)
        )
        met = np.minimum(u, v) * self.size + np.maximum(u, v)
        return int(_member(self.keys(), met).sum())

    def forbidden(self) -> list[tuple[str, str]]:
        """The pairs blocked (either way) or manager and report, sorted ids, in the order of the groups."""
        ua, ub = self.index.rules
        rules = np.minimum(ua, ub) * self.size + np.maximum(ua, ub)
        hit = np.flatnonzero(self.known() & _member(self.keys(), rules))
        hit = hit[np.lexsort((self.second[hit], self.first[hit], self.group[hit]))]
        ids = self.ids
        return [
            (min(ids[x], ids[y]), max(ids[x], ids[y]))
            for x, y in zip(self.u[hit].tolist(), self.v[hit].tolist(), strict=True)
        ]

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
        index, extra = self.index, np.zeros(self.unknown, dtype=np.int64)
        start, length = np.append(index.start, extra), np.append(index.length, extra)  # unknown: no window
        su, lu, sv, lv = start[self.u], length[self.u], start[self.v], length[self.v]
        total = np.zeros(self.count, dtype=np.int64)
        for shift in (-DAY_MINUTES, 0, DAY_MINUTES):  # v's window a day back, the same day, a day on
            total += np.maximum(0, np.minimum(su + lu, sv + shift + lv) - np.maximum(su, sv + shift))
        return total


def _departments(people: Sequence[Participant]) -> I64:
    """A number per department key of each person (-1: no department)."""
    key_of = {d: department_key(d) for d in {p.department for p in people}}
    codes: dict[str, int] = {}
    return np.fromiter(
        (-1 if (k := key_of[p.department]) is None else codes.setdefault(k, len(codes)) for p in people),
        dtype=np.int64,
        count=len(people),
    )


def _forbidden_rules(people: Sequence[Participant], number: dict[str, int]) -> tuple[I64, I64]:
    """(a, b) person numbers of every block (either way) and manager/report pair among the people."""
    n = len(people)
    blocked, managers = [p.blocked for p in people], [p.manager_id for p in people]
    sizes = np.fromiter(map(len, blocked), dtype=np.int64, count=n)
    managed = np.fromiter((m is not None for m in managers), dtype=np.bool_, count=n)
    # Whom each person blocked, then each person's manager (n: nobody eligible)
    ua = np.concatenate([np.repeat(np.arange(n, dtype=np.int64), sizes), np.flatnonzero(managed)])
    others = chain(chain.from_iterable(blocked), (m for m in managers if m is not None))
    ub = np.fromiter(map(number.get, others, repeat(n)), np.int64, ua.size)
    keep = ub < n
    return ua[keep], ub[keep]


def _windows(people: Sequence[Participant]) -> tuple[I64, I64]:
    """Each person's working window on the UTC clock: (start in [0, 1440), length in (0, 1440])."""
    hours = np.fromiter(chain.from_iterable(p.working_hours for p in people), np.int64, 2 * len(people))
    offset = np.fromiter((p.utc_offset_minutes for p in people), np.int64, len(people))
    length = (hours[1::2] - hours[0::2]) % DAY_MINUTES
    length[length == 0] = DAY_MINUTES  # start == end: around the clock
    return (hours[0::2] - offset) % DAY_MINUTES, length


def _history_pairs(number: dict[str, int], history: History, cooldown: int) -> tuple[I64, I64]:
    """(u, v) person numbers of every pair that shared a group in the last `cooldown` rounds; ids
    without a number are skipped (they cannot meet anyone of this round)."""
    if isinstance(history, PastGroups):
        rounds = list(history.rounds)[max(0, len(history) - cooldown) :] if cooldown > 0 else []
        empty = np.zeros(0, dtype=np.int64)
        sizes = np.concatenate([s for _, s in rounds]) if rounds else empty
        numbers = np.fromiter(map(number.get, history.ids, repeat(-1)), np.int64, len(history.ids))
        seats = numbers[np.concatenate([s for s, _ in rounds])] if rounds else empty
    else:
        window = list(history)[max(0, len(history) - cooldown) :] if cooldown > 0 else []
        past = [g for rnd in window for g in rnd]
        sizes = np.fromiter(map(len, past), dtype=np.int64, count=len(past))
        # Past ids are shared string objects: number each distinct one once (~100,000 lookups that
        # compare strings), then the ~800,000 seats by identity.
        flat = list(chain.from_iterable(past))
        distinct = dict(zip(dict.fromkeys(flat), count()))
        numbers = np.fromiter(map(number.get, distinct, repeat(-1)), np.int64, len(distinct))
        seats = numbers[np.fromiter(map(distinct.__getitem__, flat), np.int64, len(flat))]
    u, v, _, _, _ = _seat_pairs(seats, sizes)
    return u, v


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
