"""The circles engine's view of a season's people: numbers instead of ids, topics and teams as ints.

People are numbered in id order (so input order never matters); topics in name order. Conflicts
(blocked either way, manager and report) are symmetric sets of person numbers. Each distinct
working window (in UTC) is a "shift", kept as a 1440-bit mask of UTC minutes, so two shifts'
common minutes are one AND and a bit count, and whether they overlap is worked out once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

import numpy as np

from serendip.domain.circles.model import Participant
from serendip.domain.departments import department_key

DAY_MINUTES = 1440
MIN_OVERLAP_MINUTES = 60  # the matcher's rule 3: at least an hour of common working time
NO_TEAM = -1
NEAR_UP_TO = 512  # shifts up to which every pair's overlap is worked out up front
_NONE: frozenset[int] = frozenset()
_SHORT = 16  # conflicts up to which a tuple beats a set


@dataclass(frozen=True)
class Roster:
    """Everything the engine reads about people, indexed by person number."""

    people: list[Participant]  # sorted by id
    topic_names: list[str]  # sorted
    tags: list[tuple[int, ...]]  # topics each person listed (interest or expertise), ascending
    experts: list[frozenset[int]]  # topics listed as expertise
    learners: list[frozenset[int]]  # topics listed as interest
    team: list[int]  # department number, NO_TEAM when unknown
    conflicts: list[Collection[int]]  # people who may never share a circle with them
    last: list[frozenset[int]]  # last season's circles they were in
    shift: list[int]  # each person's shift: their working window in UTC, numbered
    masks: list[int]  # each shift as a bit mask of UTC minutes
    start: list[int]  # start of the working window in UTC minutes (a time-zone sort key)
    rank: list[int]  # the seed's tie-break order: a permutation of 0..n-1
    near: list[int]  # per shift, the shifts it overlaps as bits (empty when there are too many shifts)
    together: dict[int, bool] = field(default_factory=dict)  # without `near`: shift pairs seen so far

    @property
    def size(self) -> int:
        """How many people."""
        return len(self.people)

    @cached_property
    def listers(self) -> list[list[int]]:
        """Per topic, everyone who listed it (ascending; built on first use)."""
        found: list[list[int]] = [[] for _ in self.topic_names]
        for i, tags in enumerate(self.tags):
            for t in tags:
                found[t].append(i)
        return found

    def met_last_season(self, a: int, b: int) -> bool:
        """Whether a and b shared a circle last season."""
        return not self.last[a].isdisjoint(self.last[b])

    def overlap(self, a: int, b: int) -> bool:
        """Whether a and b have at least an hour of common working time a day."""
        return self.shifts_overlap(self.shift[a], self.shift[b])

    def shifts_overlap(self, a: int, b: int) -> bool:
        """Whether two shifts have at least an hour in common."""
        if self.near:
            return bool(self.near[a] >> b & 1)
        key = a * len(self.masks) + b
        found = self.together.get(key)
        if found is None:
            found = (self.masks[a] & self.masks[b]).bit_count() >= MIN_OVERLAP_MINUTES
            self.together[key] = found
        return found


def build_roster(
    participants: Sequence[Participant], seed: int, last_season: Sequence[frozenset[str]]
) -> Roster:
    """Number people (by id) and topics (by name); reject duplicate ids."""
    people = sorted(participants, key=lambda p: p.id)
    for a, b in pairwise(people):
        if a.id == b.id:
            raise ValueError(f"duplicate participant id {a.id!r}")
    number = {p.id: i for i, p in enumerate(people)}
    topic_names = sorted({t for p in people for t in p.interests | p.expertise})
    topic_of = {t: k for k, t in enumerate(topic_names)}.__getitem__
    teams: dict[str, int] = {}
    shifts: dict[tuple[int, int], int] = {}
    tags, experts, learners, team, shift = [], [], [], [], []
    for p in people:
        known = frozenset(map(topic_of, p.expertise)) if p.expertise else _NONE
        wanted = frozenset(map(topic_of, p.interests)) if p.interests else _NONE
        experts.append(known)
        learners.append(wanted)
        tags.append(tuple(sorted(known | wanted)))
        key = department_key(p.department)
        team.append(NO_TEAM if key is None else teams.setdefault(key, len(teams)))
        shift.append(shifts.setdefault(_utc_window(p), len(shifts)))
    windows = list(shifts)
    masks = [_minute_mask(first, length) for first, length in windows]
    return Roster(
        people=people,
        topic_names=topic_names,
        tags=tags,
        experts=experts,
        learners=learners,
        team=team,
        conflicts=_conflicts(people, number),
        last=_last_circles(len(people), number, last_season),
        shift=shift,
        masks=masks,
        start=[windows[k][0] for k in shift],
        rank=np.random.default_rng(seed & (2**63 - 1)).permutation(len(people)).tolist(),
        near=_near(masks) if len(masks) <= NEAR_UP_TO else [],
    )


def _conflicts(people: list[Participant], number: dict[str, int]) -> list[Collection[int]]:
    """Blocked (either way) and manager/report pairs among these people, symmetric.

    Most people have a few (a manager, some reports): a tuple is quick to build and to scan; the
    rare long list becomes a set.
    """
    found: list[list[int]] = [[] for _ in people]
    get = number.get
    for i, p in enumerate(people):
        others = [get(x) for x in p.blocked] if p.blocked else []
        if p.manager_id is not None:
            others.append(get(p.manager_id))
        for j in others:
            if j is not None and j != i:
                found[i].append(j)
                found[j].append(i)
    return [tuple(f) if len(f) <= _SHORT else frozenset(f) for f in found]


def _last_circles(
    n: int, number: dict[str, int], last_season: Sequence[frozenset[str]]
) -> list[frozenset[int]]:
    """For each person, the numbers of last season's circles they were in."""
    found: dict[int, set[int]] = {}
    for k, circle in enumerate(last_season):
        for x in circle:
            if x in number:
                found.setdefault(number[x], set()).add(k)
    out = [_NONE] * n
    for i, ks in found.items():
        out[i] = frozenset(ks)
    return out


def _near(masks: list[int]) -> list[int]:
    """For each shift, a bit per shift it has at least an hour in common with."""
    return [
        sum(1 << b for b, other in enumerate(masks) if (mask & other).bit_count() >= MIN_OVERLAP_MINUTES)
        for mask in masks
    ]


def _utc_window(p: Participant) -> tuple[int, int]:
    """(start in UTC minutes in [0, 1440), length in (0, 1440]); start == end means all day."""
    begin, end = p.working_hours
    length = (end - begin) % DAY_MINUTES or DAY_MINUTES
    return (begin - p.utc_offset_minutes) % DAY_MINUTES, length


def _minute_mask(start: int, length: int) -> int:
    """Bits start..start+length-1 of the 1440-minute day, wrapping past midnight."""
    bits = ((1 << length) - 1) << start
    day = (1 << DAY_MINUTES) - 1
    return (bits | (bits >> DAY_MINUTES)) & day
