"""Which topic each person's circle will be on: one of the topics they listed.

Scarce people first (fewest usable topics), each to a topic that still needs people for its first
circle, else to the one where their department is least present (so circles can mix teams). Then
head-counts are rebalanced: a topic whose count cannot be cut into circles within bounds either
sends its surplus to topics they also listed where they complete a circle, or pulls listers in from
topics that can spare them, whichever places more people.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from serendip.domain.circles.roster import NO_TEAM, Roster
from serendip.domain.circles.sizes import Sizes

_REBALANCE_ROUNDS = 6
Move = tuple[int, int, int]  # (person, from topic, to topic)


def assign_topics(roster: Roster, sizes: Sizes) -> list[list[int]]:
    """People per topic (person numbers, ascending); people with no usable topic are on none."""
    state = _Assignment.start(roster, sizes)
    state.first_pass()
    state.rebalance()
    out: list[list[int]] = [[] for _ in roster.topic_names]
    for i, t in enumerate(state.topic_of):
        if t >= 0:
            out[t].append(i)
    return out


@dataclass
class _Assignment:
    """Head-counts per topic while people are assigned and moved."""

    roster: Roster
    sizes: Sizes
    options: list[tuple[int, ...]]  # per person: listed topics enough people listed
    listers: list[list[int]]  # per topic: people with it among their options
    count: list[int]
    topic_of: list[int]
    fit_cache: dict[int, int] = field(default_factory=dict)

    @classmethod
    def start(cls, roster: Roster, sizes: Sizes) -> _Assignment:
        """Nobody assigned yet; topics fewer people listed than the smallest circle are unusable."""
        topics = len(roster.topic_names)
        listed = [0] * topics
        for tags in roster.tags:
            for t in tags:
                listed[t] += 1
        options = [tuple(t for t in tags if listed[t] >= sizes.smallest) for tags in roster.tags]
        listers: list[list[int]] = [[] for _ in range(topics)]
        for i, opts in enumerate(options):
            for t in opts:
                listers[t].append(i)
        return cls(roster, sizes, options, listers, [0] * topics, [-1] * roster.size)

    def fit(self, people: int) -> int:
        """How many of `people` on one topic can be placed (cached: counts repeat)."""
        if people not in self.fit_cache:
            self.fit_cache[people] = self.sizes.largest_fit(people)
        return self.fit_cache[people]

    def first_pass(self) -> None:
        """Scarce people first: a topic still short of a circle, else the least present department."""
        roster, smallest, target, n = self.roster, self.sizes.smallest, self.sizes.size, self.roster.size
        rank, options = roster.rank, self.options
        order = sorted((len(opts) * n + rank[i], i) for i, opts in enumerate(options) if opts)
        remaining = [len(people) for people in self.listers]
        popularity = [len(people) for people in self.listers]
        teams: list[dict[int, int]] = [{} for _ in self.listers]
        count, topic_of = self.count, self.topic_of
        for _, i in order:
            opts = options[i]
            team = roster.team[i]
            if len(opts) == 1:
                chosen = opts[0]
                remaining[chosen] -= 1
            else:
                best: tuple[bool, bool, float, int, int] | None = None
                for t in opts:
                    remaining[t] -= 1
                for t in opts:
                    c = count[t]
                    adds = team != NO_TEAM and team not in teams[t] and len(teams[t]) < target
                    key = (
                        c < smallest and c + 1 + remaining[t] >= smallest,  # still short of a first circle
                        # a department the topic lacks while it has fewer than a circle's worth of them,
                        # where departments are scarcest; else where theirs is least present
                        adds,
                        -len(teams[t])
                        if adds
                        else -teams[t].get(team, 0) / (c + 1)
                        if team != NO_TEAM
                        else 0.0,
                        popularity[t],
                        -t,
                    )
                    if best is None or key > best:
                        best, chosen = key, t
            topic_of[i] = chosen
            count[chosen] += 1
            teams[chosen][team] = teams[chosen].get(team, 0) + 1

    def rebalance(self) -> None:
        """Move people between their topics while that places more people (each plan must gain)."""
        for _ in range(_REBALANCE_ROUNDS):
            improved = False
            stuck = [t for t, c in enumerate(self.count) if c and not self.sizes.fits(c)]
            for t in sorted(stuck, key=lambda t: (self.count[t], t)):
                if self.sizes.fits(self.count[t]) or not self.count[t]:
                    continue
                plans = [self._push(t), self._pull(t)]
                gain, moves = max(((self._gain(m), m) for m in plans), key=lambda gm: gm[0])
                if gain > 0:
                    for person, _, to in moves:
                        self._move(person, to)
                    improved = True
            if not improved:
                return

    def _push(self, t: int) -> list[Move]:
        """Send the people a topic cannot place to other topics of theirs where they complete circles."""
        surplus = self.count[t] - self.fit(self.count[t])
        extra: dict[int, int] = {}
        moves: list[Move] = []
        members = sorted(
            (i for i in self.listers[t] if self.topic_of[i] == t), key=self.roster.rank.__getitem__
        )
        for i in members:
            if len(moves) == surplus:
                break
            best, best_gain = -1, 0
            for u in self.options[i]:
                if u != t:
                    cu = self.count[u] + extra.get(u, 0)
                    if (g := self.fit(cu + 1) - self.fit(cu)) > best_gain:
                        best, best_gain = u, g
            if best >= 0:
                moves.append((i, t, best))
                extra[best] = extra.get(best, 0) + 1
        return moves

    def _pull(self, t: int) -> list[Move]:
        """Bring in listers from topics that lose the least, up to the next count that fits."""
        wanted = self.sizes.next_fit(self.count[t]) - self.count[t]
        count, fit = self.count, self.fit

        def cost(i: int) -> tuple[int, int]:
            u = self.topic_of[i]
            return fit(count[u]) - fit(count[u] - 1), self.roster.rank[i]

        candidates = sorted((i for i in self.listers[t] if self.topic_of[i] != t), key=cost)
        if len(candidates) < wanted:
            return []
        return [(i, self.topic_of[i], t) for i in candidates[:wanted]]

    def _gain(self, moves: list[Move]) -> int:
        """How many more people would be placed after these moves."""
        delta: dict[int, int] = {}
        for _, source, target in moves:
            delta[source] = delta.get(source, 0) - 1
            delta[target] = delta.get(target, 0) + 1
        return sum(self.fit(self.count[u] + d) - self.fit(self.count[u]) for u, d in delta.items())

    def _move(self, person: int, to: int) -> None:
        """Put one person on another of their topics."""
        self.count[self.topic_of[person]] -= 1
        self.count[to] += 1
        self.topic_of[person] = to
