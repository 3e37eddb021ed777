"""Dealing one topic's people into circles: the most departments per circle, then common hours.

Circles are laid out as columns in time-of-day order. A department with at least one member per
circle fills whole rows first: `members // circles` of its people in every circle, matched to the
circles by rank in time order. Everyone else, in time order, goes to the circle nearest their own
time-of-day rank that has room and fewer of their department than a whole row would give it (so
a small department never repeats in a circle). Each department thus reaches min(members, circles)
circles, the most any split can, and circles gather people whose working days start close
together. A person without a department is a department of one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from serendip.domain.circles.roster import NO_TEAM, Roster


def deal(roster: Roster, people: Sequence[int], circles: int) -> list[list[int]]:
    """`people` dealt into `circles` circles whose sizes differ by at most one."""
    start, rank = roster.start, roster.rank

    def by_time(i: int) -> tuple[int, int]:
        return start[i], rank[i]

    teams: dict[int, list[int]] = {}
    for i in people:
        teams.setdefault(roster.team[i] if roster.team[i] != NO_TEAM else -2 - i, []).append(i)
    out: list[list[int]] = [[] for _ in range(circles)]
    rows: dict[int, int] = {}  # whole rows each large department fills
    rest: list[tuple[int, int]] = []  # (department, person) still to place
    for d, members in teams.items():
        full = len(members) // circles
        if not full:
            rest += [(d, i) for i in members]
            continue
        rows[d] = full
        members.sort(key=by_time)
        spare = len(members) - full * circles
        # The people beyond whole rows, evenly spaced in time: the rows keep the department's spread.
        extra = {(2 * t + 1) * len(members) // (2 * spare) for t in range(spare)}
        row_people = [i for k, i in enumerate(members) if k not in extra]
        for k, i in enumerate(row_people):
            out[k // full].append(i)
        rest += [(d, members[k]) for k in sorted(extra)]
    _fill(out, rows, sorted(rest, key=lambda di: by_time(di[1])), len(people))
    return out


def _fill(out: list[list[int]], rows: dict[int, int], rest: list[tuple[int, int]], people: int) -> None:
    """Place the rest, in time order, each in the circle nearest their time rank that takes them."""
    circles = len(out)
    size, larger = divmod(people, circles)  # `larger` circles hold size + 1
    counts: list[dict[int, int]] = [dict(rows) for _ in range(circles)]
    filled = [len(members) for members in out]
    used = 0  # circles already at size + 1

    def room(c: int) -> bool:
        return filled[c] < size or (filled[c] == size and used < larger)

    open_circles = [c for c in range(circles) if room(c)]  # ascending
    for j, (d, i) in enumerate(rest):
        home, limit = j * circles // len(rest), rows.get(d, 0)
        at = bisect_left(open_circles, home)
        chosen, below, above = -1, at - 1, at
        while below >= 0 or above < len(open_circles):  # open circles outward from home, nearest first
            if above < len(open_circles) and (
                below < 0 or open_circles[above] - home < home - open_circles[below]
            ):
                c, above = open_circles[above], above + 1
            else:
                c, below = open_circles[below], below - 1
            if counts[c].get(d, 0) <= limit:
                chosen = c
                break
        if chosen < 0:  # every circle with room already has them: a repeat cannot be avoided
            chosen = open_circles[min(at, len(open_circles) - 1)]
        used += filled[chosen] == size
        filled[chosen] += 1
        out[chosen].append(i)
        counts[chosen][d] = counts[chosen].get(d, 0) + 1
        if used == larger and filled[chosen] == size + 1:  # the last larger circle: the rest are full at size
            open_circles = [c for c in open_circles if filled[c] < size]
        elif not room(chosen):
            del open_circles[bisect_left(open_circles, chosen)]
