"""An independent checker of one round: recounts the hard rules and the figures from scratch.

It shares no code with the matcher (only its input data types and the one department-key
function), so a bug in the matcher cannot hide itself here. Placement (a count per person) and the
pairs inside groups are recounted over arrays of person numbers (`round_check_pairs`), so a
100,000-person round is checked in about half a second; the half that needs only the people and the
history (`RoundChecker`) is done once, before the groups exist.

Definitions (PRODUCT.md, "Matching rules"):
- Group sizes: with n placed and target size s, g = max(ceil(n/8), floor(n/s)) groups, sizes as
  equal as possible; n < s gives one group of n; n <= 1 gives no group.
- A repeat is a pair of this round's groups that shared a group in one of the last `cooldown`
  rounds of history (all of it while history is shorter; none when the cooldown is 0).
- A pair is cross-team when both department keys are known and differ (whatever the mode: the
  mode only changes what the matcher optimises).
- Working-hours overlap is measured in exact minutes: each person's daily window
  [start, end) in local minutes is moved to UTC by their offset (start == end means all day;
  a window may wrap midnight) and two people overlap by the length of the intersection of their
  windows on the 24-hour UTC circle. A pair "overlaps" with >= 60 minutes in common.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from serendip.collector import collector_paused
from serendip.domain.matching.model import History, MatchSettings, Participant, PastGroups
from serendip.domain.round_check_pairs import RoundPairs, RoundPeople

LARGEST_GROUP = 8  # Slack's group-DM limit (PRODUCT.md)
DAY_MINUTES = 1440
MIN_OVERLAP_MINUTES = 60
SHOWN_VIOLATIONS = 10  # more than this many breaks are summarised as "and N more"

Pair = frozenset[str]


@dataclass(frozen=True)
class RoundCheck:
    """What the checker found for one round: hard-rule breaks and the round's figures."""

    eligible: int  # len(people)
    placed: int  # eligible people in groups
    coverage: float  # placed / eligible (1.0 when eligible == 0), 6 places
    repeats: int  # pairs in groups that shared a group within the cooldown
    forbidden_pairs: int  # pairs in one group that are blocked (either way) or manager/report
    pairs: int  # all pairs inside groups
    cross_team_pairs: int  # pairs whose department keys are both known and different
    cross_team_rate: float  # cross_team_pairs / pairs (0.0 without pairs), 6 places
    cross_team_bound: float  # best share with these group sizes (departments spread evenly), 6 places
    tz_overlap_rate: float  # share of pairs with >= 60 minutes of common working time a day, 6 places
    violations: tuple[str, ...]  # hard-rule breaks in plain words; empty when the round is valid

    @property
    def ok(self) -> bool:
        """No hard rule is broken."""
        return not self.violations

    def figures(self) -> dict[str, float | int]:
        """The round's figures, JSON-ready, for storing and showing."""
        return {
            "eligible": self.eligible,
            "placed": self.placed,
            "coverage": self.coverage,
            "repeats": self.repeats,
            "forbidden_pairs": self.forbidden_pairs,
            "pairs": self.pairs,
            "cross_team_pairs": self.cross_team_pairs,
            "cross_team_rate": self.cross_team_rate,
            "cross_team_bound": self.cross_team_bound,
            "tz_overlap_rate": self.tz_overlap_rate,
        }


def check_round(
    people: Sequence[Participant],
    history: History,
    settings: MatchSettings,
    groups: Sequence[Sequence[str]],
    *,
    sat_out: Sequence[str] = (),
    lone: str | None = None,
) -> RoundCheck:
    """Check a round's groups against the hard rules and recount its figures from scratch."""
    return RoundChecker(people, history, settings).check(groups, sat_out=sat_out, lone=lone)


class RoundChecker:
    """The checker of one round, made ready from its people, history and settings before the groups
    exist (about half of the work at 100,000 people); it then checks any number of groupings."""

    def __init__(self, people: Sequence[Participant], history: History, settings: MatchSettings) -> None:
        # ~10^5 short-lived objects: the cyclic collector would rescan the caller's whole heap.
        with collector_paused():
            self.history, self.settings = history, settings
            self.people = RoundPeople(people)
            self.recent = self.people.recent_pairs(history, settings.cooldown)

    def check(
        self, groups: Sequence[Sequence[str]], *, sat_out: Sequence[str] = (), lone: str | None = None
    ) -> RoundCheck:
        """Check the round's groups against the hard rules and recount its figures."""
        with collector_paused():
            return self._check(groups, sat_out, lone)

    def _check(self, groups: Sequence[Sequence[str]], sat_out: Sequence[str], lone: str | None) -> RoundCheck:
        also = [*sat_out, *([lone] if lone is not None else [])]
        pairs = RoundPairs(self.people, groups, also)
        problems = _placement_problems(pairs, also, lone is not None and bool(groups or sat_out))
        placed = pairs.placed()
        expected = sorted(expected_group_sizes(len(placed), self.settings.group_size))
        actual = sorted(len(g) for g in groups)
        if actual != expected:
            problems.append(
                f"group sizes {_sizes(actual)} should be {_sizes(expected)} for {len(placed)} people"
            )
        forbidden = pairs.forbidden()
        problems += [
            f"{a} and {b} are blocked or manager and report, yet share a group" for a, b in forbidden
        ]
        cross = int(pairs.cross_team().sum())
        overlapping = int((pairs.overlap_minutes() >= MIN_OVERLAP_MINUTES).sum())
        eligible = len(self.people.number)
        return RoundCheck(
            eligible=eligible,
            placed=len(placed),
            coverage=round(len(placed) / eligible, 6) if eligible else 1.0,
            repeats=pairs.repeats(self.history, self.settings.cooldown, self.recent),
            forbidden_pairs=len(forbidden),
            pairs=pairs.count,
            cross_team_pairs=cross,
            cross_team_rate=_share(cross, pairs.count),
            cross_team_bound=_bound(pairs.department_sizes(placed), len(groups), pairs.count),
            tz_overlap_rate=_share(overlapping, pairs.count),
            violations=_capped(problems),
        )


def expected_group_sizes(n: int, size: int) -> list[int]:
    """The PRODUCT.md group sizes for n placed people and target size `size` (largest first)."""
    if n <= 1:
        return []
    if n < size:
        return [n]
    count = max(-(-n // LARGEST_GROUP), n // size)
    return [n // count + (1 if k < n % count else 0) for k in range(count)]


def recent_pairs(history: History, cooldown: int) -> set[Pair]:
    """Every pair that shared a group in the last `cooldown` rounds (all rounds if fewer)."""
    if cooldown <= 0:
        return set()
    plain = history.groups() if isinstance(history, PastGroups) else history
    window = list(plain)[max(0, len(plain) - cooldown) :]
    return {pair for past in window for g in past for pair in _pairs(g)}


def overlap_minutes(a: Participant, b: Participant) -> int:
    """Minutes a day both people are within their working hours (exact, on the UTC clock)."""
    (sa, la), (sb, lb) = _utc_window(a), _utc_window(b)
    # Lift b's window one day back and forward: together they cover every way the arcs can meet.
    return sum(
        max(0, min(sa + la, sb + shift + lb) - max(sa, sb + shift))
        for shift in (-DAY_MINUTES, 0, DAY_MINUTES)
    )


def _placement_problems(pairs: RoundPairs, also: Sequence[str], lone_among_others: bool) -> list[str]:
    """Everyone eligible exactly once: in a group, sitting out, or the lone member (``also``)."""
    numbers = pairs.number
    seen = np.bincount(
        np.concatenate([pairs.seats, np.fromiter(map(numbers.__getitem__, also), np.int64, len(also))]),
        minlength=pairs.size,
    )
    ids, eligible = pairs.ids, len(pairs.index.ids)
    # Each eligible id by its number (an id given twice is one member, under its last number).
    mine = np.fromiter(pairs.index.number.values(), np.int64, len(pairs.index.number))
    # Found by arrays, then sorted: the few problems, not the ~100,000 ids
    problems = [f"{x} is not an eligible member" for x in sorted(ids[i] for i in range(eligible, pairs.size))]
    twice = mine[seen[mine] > 1].tolist()
    problems += [f"{x} is placed {n} times" for x, n in sorted((ids[i], int(seen[i])) for i in twice)]
    problems += [
        f"{x} is missing from the round" for x in sorted(ids[i] for i in mine[seen[mine] == 0].tolist())
    ]
    if lone_among_others:
        problems.append(f"{also[-1]} is told they are alone although others take part")
    return problems


def _pairs(group: Sequence[str]) -> Iterator[Pair]:
    """Every pair of distinct people inside one group."""
    return (frozenset((a, b)) for a, b in combinations(group, 2) if a != b)


def _utc_window(p: Participant) -> tuple[int, int]:
    """(start in UTC minutes within [0, 1440), length in (0, 1440]) of a person's working day."""
    start, end = p.working_hours
    length = (end - start) % DAY_MINUTES or DAY_MINUTES  # start == end: around the clock
    return (start - p.utc_offset_minutes) % DAY_MINUTES, length


def _bound(departments: Sequence[int], groups: int, pairs: int) -> float:
    """Best cross-team share: each department spread as evenly as possible over the groups.

    `departments` holds how many placed people each department key has. People without a department are counted as able to pair cross-team with anyone, so this is
    an upper bound when some departments are unknown.
    """
    if pairs == 0 or groups == 0:
        return 0.0
    same = 0
    for members in departments:
        per_group, extra = divmod(members, groups)
        # `extra` groups hold per_group + 1 of them, the rest per_group.
        same += (groups - extra) * per_group * (per_group - 1) // 2 + extra * (per_group + 1) * per_group // 2
    return _share(max(0, pairs - same), pairs)


def _share(part: int, whole: int) -> float:
    """part / whole to 6 places (0.0 when whole is 0)."""
    return round(part / whole, 6) if whole else 0.0


def _sizes(sizes: Sequence[int]) -> str:
    """Group sizes in words, e.g. "2, 2, 3"."""
    return ", ".join(map(str, sizes)) or "none"


def _capped(problems: list[str]) -> tuple[str, ...]:
    """At most SHOWN_VIOLATIONS breaks, then how many more."""
    if len(problems) <= SHOWN_VIOLATIONS:
        return tuple(problems)
    return (*problems[:SHOWN_VIOLATIONS], f"and {len(problems) - SHOWN_VIOLATIONS} more")
