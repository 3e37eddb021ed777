"""A circle's counts behind its score, so a swap or a move is scored from the change alone.

Score = (departments up to three, departments, -pairs who met last season, expert-learner mix
(0/1), -pairs without an hour of common working time), compared in that order: the engine's
priorities after the hard rules and placement. Summed over circles, the first counts how far
circles are from three departments each, so that reaching three somewhere beats a fourth
elsewhere. Pairs without common time are counted as misses, not overlaps, so that a
bigger circle never looks better for having more pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from serendip.domain.circles.roster import NO_TEAM, Roster

Score = tuple[int, int, int, int, int]
THREE = 3  # departments every circle should reach where the org allows


@dataclass(frozen=True)
class Tally:
    """Counts of one circle: departments, roles, shifts, repeats and misses."""

    members: tuple[int, ...]
    teams: dict[int, int]  # members per department (NO_TEAM included)
    shifts: dict[int, int]  # members per working window
    experts: int  # members who listed the topic as expertise
    learners: int  # ... as an interest
    both: int  # ... as both
    repeats: int
    apart: int

    def score(self) -> Score:
        """The circle's score."""
        known = len(self.teams) - (NO_TEAM in self.teams)
        return (
            min(known, THREE),
            known,
            -self.repeats,
            int(_mixes(self.experts, self.learners, self.both)),
            -self.apart,
        )


def tally(roster: Roster, members: list[int], topic: int) -> Tally:
    """Count a circle from scratch."""
    team, shift, last = roster.team, roster.shift, roster.last
    teams: dict[int, int] = {}
    shifts: dict[int, int] = {}
    experts = learners = both = 0
    met = []
    for m in members:
        teams[team[m]] = teams.get(team[m], 0) + 1
        shifts[shift[m]] = shifts.get(shift[m], 0) + 1
        expert, learner = topic in roster.experts[m], topic in roster.learners[m]
        experts, learners, both = experts + expert, learners + learner, both + (expert and learner)
        if last[m]:
            met.append(last[m])
    repeats = sum(1 for a, b in combinations(met, 2) if not a.isdisjoint(b)) if len(met) > 1 else 0
    apart = sum(shifts[a] * shifts[b] for a, b in combinations(shifts, 2) if not roster.shifts_overlap(a, b))
    for a, k in shifts.items():
        if k > 1 and not roster.shifts_overlap(a, a):  # a working day shorter than an hour
            apart += k * (k - 1) // 2
    return Tally(tuple(members), teams, shifts, experts, learners, both, repeats, apart)


def changed_score(roster: Roster, t: Tally, topic: int, out: int | None, into: int | None) -> Score:
    """The score of the circle counted by `t` once `out` leaves and `into` joins (either may be None)."""
    team = roster.team
    known = len(t.teams) - (NO_TEAM in t.teams)
    repeats, apart = t.repeats, t.apart
    experts, learners, both = t.experts, t.learners, t.both
    if out is not None:
        if team[out] != NO_TEAM and t.teams[team[out]] == 1:
            known -= 1
        if roster.last[out]:
            repeats -= sum(1 for m in t.members if m != out and roster.met_last_season(out, m))
        apart -= _misses(roster, t.shifts, roster.shift[out]) - (
            not roster.shifts_overlap(roster.shift[out], roster.shift[out])
        )
        expert, learner = topic in roster.experts[out], topic in roster.learners[out]
        experts, learners, both = experts - expert, learners - learner, both - (expert and learner)
    if into is not None:
        left = t.teams.get(team[into], 0) - (out is not None and team[out] == team[into])
        if team[into] != NO_TEAM and left == 0:
            known += 1
        if roster.last[into]:
            repeats += sum(1 for m in t.members if m != out and roster.met_last_season(into, m))
        apart += _misses(roster, t.shifts, roster.shift[into])
        if out is not None:
            apart -= not roster.shifts_overlap(roster.shift[into], roster.shift[out])
        expert, learner = topic in roster.experts[into], topic in roster.learners[into]
        experts, learners, both = experts + expert, learners + learner, both + (expert and learner)
    return min(known, THREE), known, -repeats, int(_mixes(experts, learners, both)), -apart


def _misses(roster: Roster, shifts: dict[int, int], shift: int) -> int:
    """Members (counted by shift) with less than an hour in common with `shift`."""
    if roster.near:
        bits = roster.near[shift]
        return sum(k for s, k in shifts.items() if not bits >> s & 1)
    return sum(k for s, k in shifts.items() if not roster.shifts_overlap(shift, s))


def _mixes(experts: int, learners: int, both: int) -> bool:
    """Some expert and some other member who wants to learn (one person alone is no mix)."""
    return experts > 0 and learners > 0 and not (experts == 1 and learners == 1 and both == 1)


def mixable_topics(roster: Roster) -> list[bool]:
    """Per topic: whether someone listed it as expertise and someone else as an interest."""
    experts = [0] * len(roster.topic_names)
    learners = [0] * len(roster.topic_names)
    both = [0] * len(roster.topic_names)
    for i in range(roster.size):
        for t in roster.experts[i]:
            experts[t] += 1
        for t in roster.learners[i]:
            learners[t] += 1
        for t in roster.experts[i] & roster.learners[i]:
            both[t] += 1
    return [_mixes(e, lr, b) for e, lr, b in zip(experts, learners, both, strict=True)]
