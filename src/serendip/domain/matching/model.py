"""Inputs and outputs of the matching engine: plain frozen dataclasses, no I/O."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

MIN_GROUP = 2
MAX_GROUP = 8  # Slack's group-DM limit
MIN_SETTING_SIZE = 2
MAX_SETTING_SIZE = 6


class RepeatMode(StrEnum):
    """How rule 1 (repeats) and rule 2 (cross-team) are ordered."""

    PREFER = "prefer"  # no repeats first, then cross-team
    STRICT = "strict"  # cross-team first, then no repeats
    OFF = "off"  # departments ignored; repeats still avoided


@dataclass(frozen=True, slots=True)
class Participant:
    """One eligible member of a round, with everything matching needs."""

    id: str
    department: str | None = None
    utc_offset_minutes: int = 0
    working_hours: tuple[int, int] = (540, 1020)  # local minutes from midnight, start/end
    expertise: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()
    manager_id: str | None = None
    blocked: frozenset[str] = frozenset()
    cross_team_ties: int = 0


@dataclass(frozen=True)
class MatchSettings:
    """Per-round knobs; `department_pair_ties` keys are sorted (dept_a, dept_b) tuples."""

    group_size: int = 2
    mode: RepeatMode = RepeatMode.PREFER
    cooldown: int = 8
    seed: int = 0
    department_pair_ties: Mapping[tuple[str, str], int] | PairTies = field(default_factory=dict)
    time_budget_seconds: float | None = None  # local-search budget; None = size-based default

    def __post_init__(self) -> None:
        if not MIN_SETTING_SIZE <= self.group_size <= MAX_SETTING_SIZE:
            raise ValueError(
                f"group_size must be {MIN_SETTING_SIZE}..{MAX_SETTING_SIZE}, got {self.group_size}"
            )
        if self.cooldown < 0:
            raise ValueError(f"cooldown must be >= 0, got {self.cooldown}")


Seats = npt.NDArray[np.int64]


@dataclass(frozen=True)
class PastGroups:
    """Past rounds' groups in array form, oldest round first: every person is named once in `ids`,
    and each round is (seats, sizes): its groups' seats one after the other, as numbers into `ids`,
    and each group's size.

    The same history as rounds of groups of ids, without a string per seat: a program's last rounds
    at 100,000 people hold about a million seats, and naming each one cost seconds per plan.
    """

    ids: Sequence[str]
    rounds: Sequence[tuple[Seats, Seats]]

    def __len__(self) -> int:
        """How many rounds."""
        return len(self.rounds)

    @classmethod
    def of(cls, history: Sequence[Sequence[Sequence[str]]]) -> PastGroups:
        """The array form of rounds of groups of ids."""
        number: dict[str, int] = {}
        rounds = []
        for past in history:
            seats = [number.setdefault(x, len(number)) for g in past for x in g]
            rounds.append((np.array(seats, dtype=np.int64), np.array([len(g) for g in past], dtype=np.int64)))
        return cls(list(number), rounds)

    def groups(self) -> list[list[list[str]]]:
        """The plain form: rounds, oldest first, of groups of ids."""
        out = []
        for seats, sizes in self.rounds:
            named = [self.ids[i] for i in seats.tolist()]
            bounds = np.concatenate(([0], np.cumsum(sizes))).tolist()
            out.append([named[a:b] for a, b in pairwise(bounds)])
        return out


@dataclass(frozen=True, eq=False)
class PairTies:
    """Cross-team ties counted so far per pair of departments, in array form: pair i is
    (names[first[i]], names[second[i]]) with count[i] ties.

    The same as a mapping of (department, department) -> ties, without a tuple of two strings per
    pair: a large program's history ties hundreds of thousands of department pairs, and building,
    copying and taking apart that mapping cost about a second per plan.
    """

    names: Sequence[str]
    first: Seats
    second: Seats
    count: Seats

    def __len__(self) -> int:
        """How many pairs."""
        return len(self.count)

    def as_dict(self) -> dict[tuple[str, str], int]:
        """The plain form: (department, department) -> ties."""
        names = self.names
        return {
            (names[a], names[b]): c
            for a, b, c in zip(self.first.tolist(), self.second.tolist(), self.count.tolist(), strict=True)
        }

    @classmethod
    def of(cls, ties: Mapping[tuple[str, str], int]) -> PairTies:
        """The array form of a mapping of (department, department) -> ties."""
        number: dict[str, int] = {}
        first = [number.setdefault(a, len(number)) for a, _ in ties]
        second = [number.setdefault(b, len(number)) for _, b in ties]
        as_array = functools.partial(np.array, dtype=np.int64)
        return cls(list(number), as_array(first), as_array(second), as_array(list(ties.values())))


# Rounds oldest -> newest; each round is a list of groups; each group a list of participant ids
# (or the same in array form).
History = Sequence[Sequence[Sequence[str]]] | PastGroups


@dataclass(frozen=True)
class SatOut:
    """A member who could not be placed this round, and why (shown to them)."""

    id: str
    reason: str


@dataclass(frozen=True)
class RoundQuality:
    """Measured quality of one round's groups.

    Pair-based figures count every pair of people inside a group: `cross_team_rate` is the share of
    those pairs whose (known) departments differ, `cross_team_bound` the best share any arrangement
    with these group sizes could reach, `tz_overlap_rate` the share with >= 1 h of common working
    time. `shared_tag_rate` is the share of groups with at least one shared interest or
    expertise-meets-interest. `avoidable_repeats` counts repeats that a better arrangement provably
    avoids (exactly for pairs up to a few hundred people, otherwise repeats a single swap removes).
    """

    coverage: float
    repeats: int
    avoidable_repeats: int
    cross_team_rate: float
    cross_team_bound: float
    tz_overlap_rate: float
    shared_tag_rate: float
    cross_team_pairs: int = 0
    pairs: int = 0
    total_weight: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The JSON keys of `serendip simulate --json`, in that order."""
        return {
            "coverage": self.coverage,
            "repeats": self.repeats,
            "avoidable_repeats": self.avoidable_repeats,
            "cross_team_rate": self.cross_team_rate,
            "cross_team_bound": self.cross_team_bound,
            "tz_overlap_rate": self.tz_overlap_rate,
            "shared_tag_rate": self.shared_tag_rate,
        }


@dataclass(frozen=True)
class MatchResult:
    """Groups of one round, who sat out, the lone member (n == 1) and the seed used."""

    groups: list[list[str]]
    sat_out: list[SatOut]
    lone: str | None
    quality: RoundQuality
    seed: int


def normalise_participants(participants: Sequence[Participant]) -> list[Participant]:
    """Sort by id (so input order never changes the result) and reject duplicate ids."""
    ordered = sorted(participants, key=lambda p: p.id)
    for a, b in pairwise(ordered):
        if a.id == b.id:
            raise ValueError(f"duplicate participant id {a.id!r}")
    return ordered
