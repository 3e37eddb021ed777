"""Cutting one topic's people into circles within bounds, dealt by department, never a conflict.

Conflicts left after dealing (blocked or manager/report pairs) are swapped away to nearby circles,
else the person is dropped; a circle that falls below the smallest size is refilled or dissolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from serendip.domain.circles.deal import deal
from serendip.domain.circles.roster import Roster
from serendip.domain.circles.sizes import Sizes

_SWAP_REACH = 40  # circles on each side searched for a swap that resolves a conflict


@dataclass
class TopicCircles:
    """One topic's circles, the people it had no room for, and people dropped for a conflict."""

    circles: list[list[int]] = field(default_factory=list)
    surplus: list[int] = field(default_factory=list)
    conflicted: list[int] = field(default_factory=list)


def form_topic(roster: Roster, sizes: Sizes, people: Sequence[int]) -> TopicCircles:
    """Circles of one topic from the people assigned to it (every size within bounds, no conflict)."""
    keep = sizes.largest_fit(len(people))
    if keep == 0:
        return TopicCircles(surplus=sorted(people))
    kept, surplus = _choose_surplus(roster, people, len(people) - keep)
    circles = deal(roster, kept, sizes.circle_count(keep))
    out = TopicCircles(circles, surplus, resolve_conflicts(roster, circles))
    _mend_short_circles(roster, sizes, out)
    return out


def _choose_surplus(roster: Roster, people: Sequence[int], extra: int) -> tuple[list[int], list[int]]:
    """Leave out those most likely to fit elsewhere: most topics, then the most common department."""
    if extra == 0:
        return list(people), []
    teams: dict[int, int] = {}
    for i in people:
        teams[roster.team[i]] = teams.get(roster.team[i], 0) + 1
    order = sorted(people, key=lambda i: (-len(roster.tags[i]), -teams[roster.team[i]], roster.rank[i]))
    return order[extra:], order[:extra]


def resolve_conflicts(roster: Roster, circles: list[list[int]]) -> list[int]:
    """Swap conflicting members to nearby circles; drop whoever cannot be swapped (returned)."""
    conflicts, dropped = roster.conflicts, []
    for c, circle in enumerate(circles):
        while True:
            worst, hits = -1, 0
            for m in circle:
                if conflicts[m] and (k := sum(1 for x in circle if x in conflicts[m])) > hits:
                    worst, hits = m, k
            if worst < 0:
                break
            if not _swap_away(roster, circles, c, worst):
                circle.remove(worst)
                dropped.append(worst)
    return dropped


def _swap_away(roster: Roster, circles: list[list[int]], c: int, x: int) -> bool:
    """Swap x with someone of a nearby circle so that neither meets a conflict (same team first)."""
    conflicts, here = roster.conflicts, circles[c]
    rest = [m for m in here if m != x]
    for distance in range(1, _SWAP_REACH + 1):
        for d in (c + distance, c - distance):
            if not 0 <= d < len(circles):
                continue
            there = circles[d]
            for y in sorted(there, key=lambda y: (roster.team[y] != roster.team[x], roster.rank[y])):
                if conflicts[y] and any(m in conflicts[y] for m in rest):
                    continue
                if conflicts[x] and any(m in conflicts[x] for m in there if m != y):
                    continue
                here[here.index(x)] = y
                there[there.index(y)] = x
                return True
    return False


def _mend_short_circles(roster: Roster, sizes: Sizes, out: TopicCircles) -> None:
    """Refill circles that dropped below the smallest size, from the surplus or bigger circles; else dissolve."""
    conflicts = roster.conflicts
    for circle in out.circles:
        while len(circle) < sizes.smallest:
            pool = [(i, None) for i in out.surplus] + [
                (i, other) for other in out.circles if len(other) > sizes.smallest for i in other
            ]
            fitting = [
                (i, other)
                for i, other in pool
                if other is not circle and not any(m in conflicts[i] for m in circle) and i not in circle
            ]
            if not fitting:
                break
            i, other = min(
                fitting,
                key=lambda io: (roster.team[io[0]] in {roster.team[m] for m in circle}, roster.rank[io[0]]),
            )
            (out.surplus if other is None else other).remove(i)
            circle.append(i)
    short = [circle for circle in out.circles if len(circle) < sizes.smallest]
    for circle in short:
        out.surplus.extend(circle)
    out.circles = [circle for circle in out.circles if len(circle) >= sizes.smallest]
