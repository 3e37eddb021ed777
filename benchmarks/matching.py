"""Matching quality and speed: random shuffle, first-fit greedy, exact Blossom and Serendip side by side.

Synthetic orgs with Zipf-sized departments (and two where one department holds 60 % or two thirds
of everyone), eight past rounds of random pairs as history. Every method is scored by the same quality code and
the same tiered weights. `weight` is the total weight relative to the exact maximum-weight
matching (rules 1-2 as tiers), where Blossom finishes (n <= 1,000); `score` the same ratio for
the rule-3 part alone (what is left once the tiers agree); `blocked` marks an arrangement with a
blocked or manager/report pair. `tz` = pairs with >= 1 h common working time, `tags` = groups
with a shared tag. `s` is the matching time of one round (median of three seeds for Serendip),
`MB` the peak traced allocation during the call.
Run: python benchmarks/matching.py [--quick | --pairs-100k]  (--pairs-100k: only 100,000-person pair rounds)
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _orgs import ORGS, random_history, synthetic_org

from serendip.domain.matching import History, MatchSettings, Participant, group_sizes, match_round
from serendip.domain.matching.model import normalise_participants
from serendip.domain.matching.pairing import exact_matching
from serendip.domain.matching.quality import group_pairs, measure
from serendip.domain.matching.weights import FORBIDDEN, TIER_LOW, PairScorer, build_scorer
from serendip.domain.round_check import check_round

Groups = list[list[int]]
EXACT_UP_TO = 1000


def random_shuffle(scorer: PairScorer, sizes: list[int], seed: int) -> Groups:
    """Uniformly random groups of the right sizes, ignoring every rule."""
    order = np.random.default_rng(seed).permutation(scorer.n).tolist()
    out, at = [], 0
    for s in sizes:
        out.append(order[at : at + s])
        at += s
    return out


def first_fit(scorer: PairScorer, sizes: list[int], seed: int) -> Groups:
    """Donut-style: walk a shuffled list, give each group the next people not blocked and not met."""
    free = deque(np.random.default_rng(seed).permutation(scorer.n).tolist())
    bad, n, out = set(scorer.special_keys.tolist()), scorer.n, []
    for s in sizes:
        group, skipped = [free.popleft()], []
        for _ in range(64):
            if len(group) == s or not free:
                break
            person = free.popleft()
            fits = all(min(person, m) * n + max(person, m) not in bad for m in group)
            (group if fits else skipped).append(person)
        while len(group) < s:  # nobody fitted: take whoever is next
            group.append(skipped.pop(0) if skipped else free.popleft())
        free.extendleft(reversed(skipped))
        out.append(group)
    return out


def exact(scorer: PairScorer, sizes: list[int], seed: int) -> Groups:
    """Maximum-weight perfect matching over every pair (rustworkx Blossom, O(n^3))."""
    iu, iv = np.triu_indices(scorer.n, 1)
    u, v = iu.astype(np.int64), iv.astype(np.int64)
    mate = exact_matching(scorer.n, u, v, scorer.weights(u, v))
    return [[i, int(mate[i])] for i in range(scorer.n) if mate[i] > i]


def timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    """Result, seconds, and peak traced MB of a second, traced call."""
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def score_sum(groups: Groups, scorer: PairScorer) -> tuple[int, bool]:
    """Rule-3 score summed over all pairs in groups, and whether any pair is forbidden."""
    u, v, _ = group_pairs(groups)
    w = scorer.weights(u, v)
    return int((w[w > FORBIDDEN] % TIER_LOW).sum()), bool((w <= FORBIDDEN).any())


def row(
    n: int,
    org: str,
    method: str,
    people: list[Participant],
    groups: Groups,
    scorer: PairScorer,
    seconds: float,
    peak: float,
    exact: tuple[int, int] | None,
    history: History,
    size: int,
) -> str:
    """One line of the table; coverage, repeats, cross-team, bound and tz are the round checker's."""
    q = measure(people, groups, scorer, eligible=len(people))
    ids = [[people[i].id for i in g] for g in groups]
    c = check_round(people, history, MatchSettings(group_size=size), ids)
    score, blocked = score_sum(groups, scorer)
    weight = ratio = "      -"
    if blocked:
        weight = "blocked"
    elif exact:
        weight, ratio = f"{q.total_weight / exact[0]:7.2%}", f"{score / exact[1]:7.2%}"
    return (
        f"{n:>7} {org:<10} {method:<10} {c.coverage:6.1%} {c.repeats:7d} {q.avoidable_repeats:6d} "
        f"{c.cross_team_rate:7.2%} {c.cross_team_bound:7.2%} {c.tz_overlap_rate:7.2%} {q.shared_tag_rate:7.2%} "
        f"{weight:>7} {ratio:>7} {seconds:8.3f} {peak:7.1f} {'ok' if c.ok else 'HELD':>5}"
    )


def bench(n: int, org: str, size: int) -> list[str]:
    """Every method on one org."""
    people = normalise_participants(synthetic_org(n, seed=n, majority=ORGS[org]))
    history = random_history(people, 8, seed=n)
    settings = MatchSettings(group_size=size, seed=0)
    scorer = build_scorer(people, history, settings)
    sizes = group_sizes(n, size)
    lines, exact_weight = [], None
    if size == 2 and n <= EXACT_UP_TO:
        groups, seconds, peak = timed(lambda: exact(scorer, sizes, 0))
        exact_weight = (
            measure(people, groups, scorer, eligible=n).total_weight,  # type: ignore[arg-type]
            score_sum(groups, scorer)[0],
        )  # type: ignore[arg-type]
        lines.append(
            row(n, org, "blossom", people, groups, scorer, seconds, peak, exact_weight, history, size)
        )  # type: ignore[arg-type]
    for name, fn in (("random", random_shuffle), ("first-fit", first_fit)):
        groups, seconds, peak = timed(lambda fn=fn: fn(scorer, sizes, 0))  # type: ignore[misc]
        lines.append(row(n, org, name, people, groups, scorer, seconds, peak, exact_weight, history, size))  # type: ignore[arg-type]
    times = []
    for seed in (1, 2, 0):
        started = time.perf_counter()
        result = match_round(people, history, MatchSettings(group_size=size, seed=seed))
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    match_round(people, history, settings)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    index = {p.id: i for i, p in enumerate(people)}
    groups = [[index[x] for x in g] for g in result.groups]
    lines.append(
        row(
            n,
            org,
            "serendip",
            people,
            groups,
            scorer,
            statistics.median(times),
            peak,
            exact_weight,
            history,
            size,
        )
    )
    return lines


def main() -> None:
    """Print both tables."""
    quick, pairs_100k = "--quick" in sys.argv, "--pairs-100k" in sys.argv
    header = (
        f"{'n':>7} {'org':<10} {'method':<10} {'cover':>6} {'repeats':>7} {'avoid':>6} {'cross':>7} "
        f"{'bound':>7} {'tz':>7} {'tags':>7} {'weight':>7} {'score':>7} {'s':>8} {'MB':>7} {'rules':>5}"
    )
    cases = ((2, (300, 1000, 10_000, 100_000)), (4, (1000, 10_000, 100_000)))
    if pairs_100k:
        cases = ((2, (100_000,)),)
    for size, sizes in cases:
        print(f"\n# group size {size}\n{header}", flush=True)
        for n in sizes[:2] if quick else sizes:
            for org in ORGS:
                for line in bench(n, org, size):
                    print(line, flush=True)


if __name__ == "__main__":
    main()
