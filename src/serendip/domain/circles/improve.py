"""Local search on what comes after placement: departments (three per circle first), then last
season's pairs, then expert-learner mixes, then common working hours.

Goal by goal in that order, the circles short on the goal are visited. For a member behind the
shortfall we try a swap with someone of a nearby circle of the same topic (or of another topic
both listed) who can mend it, or a move to a circle with room; a circle short of three
departments may also pull in a lister of its topic from another department. A change is made
only when it keeps every hard rule (each member listed the topic, no blocked or manager/report
pair, sizes within bounds), improves the goal being mended, and leaves the two circles' scores,
summed and compared in priority order, better; nobody placed is ever unplaced. The work is
bounded by a number of evaluations (deterministic) and, if given, a deadline.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from dataclasses import dataclass, field
from enum import IntEnum

from serendip.domain.circles.draft import SeasonDraft
from serendip.domain.circles.roster import NO_TEAM, Roster
from serendip.domain.circles.sizes import Sizes
from serendip.domain.circles.tally import THREE, Score, Tally, changed_score, mixable_topics, tally

_REACH = 3  # neighbouring circles of the same topic on each side (close in time of day)
_OTHER_TOPICS = 2  # circles looked at on each other topic a member listed
_SWEEPS = 3
_SUSPECTS = 3  # members per circle behind its shortfall, tried in turn
_PULL_SAMPLE = 32  # listers of a topic looked at to bring a missing department into one of its circles
_SMALL_TOPIC = 8  # circles: on a topic this small every repeated department is worth a try
_NO_GAIN: Score = (0, 0, 0, 0, 0)


class Goal(IntEnum):
    """What a circle is short on, in priority order."""

    DEPARTMENTS = 0
    REPEATS = 1
    MIX = 2
    HOURS = 3

    @property
    def tiers(self) -> int:
        """How many leading score tiers a change must improve to mend this goal (the score has
        two department tiers): a change good only for a lower goal would just move the shortfall."""
        return self.value + 2


def improve(
    roster: Roster, sizes: Sizes, draft: SeasonDraft, *, max_evaluations: int, deadline: float | None
) -> dict[int, Tally]:
    """Improve the draft in place on the secondary goals, never breaking a hard rule.

    Returns the counts of the circles it looked at, as they are now (to report the figures).
    """
    search = _Search(roster, sizes, draft, max_evaluations, deadline)
    search.run()
    return search.tallies


@dataclass
class _Search:
    roster: Roster
    sizes: Sizes
    draft: SeasonDraft
    max_evaluations: int
    deadline: float | None
    tallies: dict[int, Tally] = field(default_factory=dict)
    evaluations: int = 0

    def __post_init__(self) -> None:
        self.position = [0] * len(self.draft.circles)  # index of each circle in its topic's list
        for circles in self.draft.by_topic:
            for k, c in enumerate(circles):
                self.position[c] = k
        self.mixable = mixable_topics(self.roster)
        self.on_topic: list[dict[int, int] | None] = [None] * len(self.draft.by_topic)  # people per team
        # Each topic's circles are in time-of-day order (as dealt): the start of each one's middle member.
        start = self.roster.start
        self.times = [
            [
                sorted(start[m] for m in self.draft.circles[c])[len(self.draft.circles[c]) // 2]
                for c in circles
            ]
            for circles in self.draft.by_topic
        ]

    def run(self) -> None:
        """Goal by goal in priority order, sweep the circles short on it until a sweep changes
        nothing or the budget is spent (so the budget goes to departments first)."""
        rank, circles = self.roster.rank, self.draft.circles
        order = sorted(range(len(circles)), key=lambda c: min(rank[m] for m in circles[c]))
        for goal in Goal:
            pending = order
            for sweep in range(_SWEEPS):
                changed, still = 0, []
                for c in pending:
                    if self._spent():
                        return
                    if self._shortfall(c) is goal:
                        changed += self._mend(c, goal, sweep)
                        still.append(c)
                if not changed:
                    break
                pending = still  # circles mended on another's behalf are not worth a rescan

    def tally(self, c: int) -> Tally:
        """Circle c's counts (cached until it changes)."""
        found = self.tallies.get(c)
        if found is None:
            found = self.tallies[c] = tally(self.roster, self.draft.circles[c], self.draft.topic[c])
        return found

    def _spent(self) -> bool:
        """Out of evaluations or past the deadline."""
        if self.evaluations >= self.max_evaluations:
            return True
        return self.deadline is not None and time.perf_counter() > self.deadline

    def _shortfall(self, c: int) -> Goal | None:
        """The first goal circle c could do better on, if any."""
        counted = self.tally(c)
        score = counted.score()
        if score[0] < THREE and score[1] + counted.teams.get(NO_TEAM, 0) < len(counted.members):
            return Goal.DEPARTMENTS  # short of three departments though some are repeated
        if any(k > 1 and self._spread(c, team) for team, k in counted.teams.items()):
            return Goal.DEPARTMENTS
        if score[2] < 0:
            return Goal.REPEATS
        if not score[3] and self.mixable[self.draft.topic[c]]:
            return Goal.MIX
        if score[4] < 0:
            return Goal.HOURS
        return None

    def _spread(self, c: int, team: int) -> bool:
        """Whether a second member of the department in circle c is worth mending: on a small topic
        always (people move between topics), else only if the department has no more people on the
        topic than it has circles, so none of them needs two (counted when the search starts)."""
        if team == NO_TEAM:
            return False
        topic = self.draft.topic[c]
        if len(self.draft.by_topic[topic]) <= _SMALL_TOPIC:
            return True
        if self.on_topic[topic] is None:
            found: dict[int, int] = {}
            for circle in self.draft.by_topic[topic]:
                for m in self.draft.circles[circle]:
                    found[self.roster.team[m]] = found.get(self.roster.team[m], 0) + 1
            self.on_topic[topic] = found
        counts = self.on_topic[topic]
        assert counts is not None
        return counts.get(team, 0) <= len(self.draft.by_topic[topic])

    def _mend(self, c: int, goal: Goal, sweep: int) -> int:
        """For each member behind the shortfall, the best change with the nearest circle that helps."""
        changed = 0
        for x in self._suspects(c, goal):
            if self.draft.where[x] != c or self._spent():
                continue
            rest = [m for m in self.draft.circles[c] if m != x]
            best, best_gain = None, _NO_GAIN
            for d in self._partners(c, x, goal, sweep):
                for y in [None, *self.draft.circles[d]]:
                    if not self._may_mend(goal, c, rest, y):
                        continue
                    gain = self._gain(c, x, d, y)
                    if gain is not None and gain[: goal.tiers] > _NO_GAIN[: goal.tiers] and gain > best_gain:
                        best, best_gain = (d, y), gain
                if best is not None:  # the nearest circle that helps: farther ones cost more than they add
                    break
            if best is not None:
                self._apply(c, x, *best)
                changed += 1
                if self._shortfall(c) != goal:
                    return changed
        if goal is Goal.DEPARTMENTS and self.tally(c).score()[0] < THREE and not self._spent():
            changed += self._pull(c)
        return changed

    def _pull(self, c: int) -> int:
        """Bring in someone of a department circle c lacks who listed its topic, from another circle.

        They join (if c has room) or swap with a member of a repeated department; found among a
        seeded sample of the topic's listers, so that a small topic's few listers are all seen.
        """
        roster, draft = self.roster, self.draft
        here, team = draft.circles[c], roster.team
        present = {team[m] for m in here}
        doubled = [m for m in here if sum(1 for o in here if team[o] == team[m]) > 1]
        listers = roster.listers[draft.topic[c]]
        first = roster.rank[here[0]] % len(listers)
        best: tuple[int, int, int, int | None] | None = None
        best_gain = _NO_GAIN
        for k in range(min(len(listers), _PULL_SAMPLE)):
            y = listers[(first + k) % len(listers)]
            e = draft.where[y]
            if e < 0 or e == c or team[y] == NO_TEAM or team[y] in present:
                continue
            moves: list[tuple[int, int, int, int | None]] = [
                (e, y, c, None),
                *((c, x, e, y) for x in doubled),
            ]
            for move in moves:
                gain = self._gain(*move)
                if gain is not None and gain[:2] > _NO_GAIN[:2] and gain > best_gain:
                    best, best_gain = move, gain
        if best is None:
            return 0
        self._apply(*best)
        return 1

    def _suspects(self, c: int, goal: Goal) -> list[int]:
        """Members whose leaving could mend the shortfall, the likeliest first."""
        roster, members, topic = self.roster, self.draft.circles[c], self.draft.topic[c]
        rank = roster.rank.__getitem__
        if goal is Goal.DEPARTMENTS:
            seen: dict[int, int] = {}
            for m in sorted(members, key=rank):
                seen[roster.team[m]] = seen.get(roster.team[m], 0) + 1
            found = [m for m in members if roster.team[m] != NO_TEAM and seen[roster.team[m]] > 1]
        elif goal is Goal.REPEATS:
            found = [m for m in members if any(roster.met_last_season(m, o) for o in members if o != m)]
        elif goal is Goal.MIX:  # someone with neither role, or a second of the role the circle has
            found = sorted(
                members, key=lambda m: (topic in roster.experts[m]) + (topic in roster.learners[m])
            )
        else:  # the members with the fewest common hours first
            found = sorted(members, key=lambda m: sum(1 for o in members if roster.overlap(m, o)))
        return sorted(found, key=rank)[:_SUSPECTS] if goal is Goal.DEPARTMENTS else found[:_SUSPECTS]

    def _partners(self, c: int, x: int, goal: Goal, sweep: int) -> list[int]:
        """Nearby circles of the same topic (for common hours, first those nearest x's own time of
        day), and a few circles of x's other topics."""
        draft, topic = self.draft, self.draft.topic[c]
        same, at = draft.by_topic[topic], self.position[c]
        out = [same[k] for d in range(1, _REACH + 1) for k in (at - d, at + d) if 0 <= k < len(same)]
        if goal is Goal.HOURS:
            near = bisect_left(self.times[topic], self.roster.start[x])
            out = [same[k] for k in (near - 1, near) if 0 <= k < len(same) and same[k] != c] + out
        for t in self.roster.tags[x]:
            others = draft.by_topic[t]
            if t != topic and others:
                first = (self.roster.rank[x] + sweep * _OTHER_TOPICS) % len(others)
                out += [others[(first + k) % len(others)] for k in range(min(_OTHER_TOPICS, len(others)))]
        return out

    def _may_mend(self, goal: Goal, c: int, rest: list[int], y: int | None) -> bool:
        """A cheap test that y joining `rest` (or x just leaving, y None) can mend the goal."""
        roster = self.roster
        if y is None:
            return goal is not Goal.MIX
        if goal is Goal.DEPARTMENTS:
            return roster.team[y] == NO_TEAM or all(roster.team[m] != roster.team[y] for m in rest)
        if goal is Goal.REPEATS:
            return not roster.last[y] or not any(roster.met_last_season(y, m) for m in rest)
        if goal is Goal.MIX:
            topic = self.draft.topic[c]
            if any(topic in roster.experts[m] for m in rest):
                return topic in roster.learners[y]
            return topic in roster.experts[y] and any(topic in roster.learners[m] for m in rest)
        return all(roster.overlap(y, m) for m in rest)

    def _gain(self, c: int, x: int, d: int, y: int | None) -> Score | None:
        """How much the two circles gain if x swaps with y (or moves to d when y is None); None if not allowed."""
        roster, draft, sizes = self.roster, self.draft, self.sizes
        here, there = draft.circles[c], draft.circles[d]
        tc, td = draft.topic[c], draft.topic[d]
        if td not in roster.tags[x]:
            return None
        conflicts = roster.conflicts
        if y is None:
            if len(here) <= sizes.smallest or len(there) >= sizes.largest:
                return None
            if conflicts[x] and any(m in conflicts[x] for m in there):
                return None
        else:
            if tc not in roster.tags[y]:
                return None
            if conflicts[x] and any(m in conflicts[x] for m in there if m != y):
                return None
            if conflicts[y] and any(m in conflicts[y] for m in here if m != x):
                return None
        self.evaluations += 1
        tally_c, tally_d = self.tally(c), self.tally(d)
        a, b = changed_score(roster, tally_c, tc, x, y), changed_score(roster, tally_d, td, y, x)
        s, t = tally_c.score(), tally_d.score()
        return (
            a[0] + b[0] - s[0] - t[0],
            a[1] + b[1] - s[1] - t[1],
            a[2] + b[2] - s[2] - t[2],
            a[3] + b[3] - s[3] - t[3],
            a[4] + b[4] - s[4] - t[4],
        )

    def _apply(self, c: int, x: int, d: int, y: int | None) -> None:
        """Make the change; both circles are rescored when next needed."""
        if y is None:
            self.draft.move(x, d)
        else:
            self.draft.swap(x, y)
        self.tallies.pop(c, None)
        self.tallies.pop(d, None)
