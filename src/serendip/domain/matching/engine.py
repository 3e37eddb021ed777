"""`match_round`: hard rules first, then rules 1-3 through tiered weights, matching and local search."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from serendip.collector import collector_paused
from serendip.domain.matching.candidates import candidate_edges
from serendip.domain.matching.exact_groups import (
    EXACT_GROUPS_UP_TO,
    EXACT_PARTITIONS_UP_TO,
    exact_groups,
    partition_count,
)
from serendip.domain.matching.grouping import assemble, merge_pairs
from serendip.domain.matching.improve import group_weights, heavier_than_ties, improve
from serendip.domain.matching.model import (
    History,
    MatchResult,
    MatchSettings,
    Participant,
    RoundQuality,
    SatOut,
    normalise_participants,
)
from serendip.domain.matching.pairing import (
    EXACT_UP_TO,
    ODD_EXACT_UP_TO,
    exact_matching,
    exact_pairs_with_trio,
    greedy_matching,
    repair_unmatched,
)
from serendip.domain.matching.quality import measure
from serendip.domain.matching.repair import repair
from serendip.domain.matching.sizes import group_sizes
from serendip.domain.matching.weights import FORBIDDEN, I64, PairScorer, build_scorer

NO_PARTNER = (
    "everyone else in this round is someone they blocked, who blocked them, or their manager or report"
)
NO_GROUP = "no arrangement could include them without a blocked or manager/report pair"
_RESTARTS, _RESTARTS_UP_TO = 8, 24  # random restarts of the group search for small rounds
_TRY_ALL_UP_TO = 5000  # below this, local search tries every member of a group as the one to swap
_EVALUATIONS = 6  # per person: the deterministic local-search work budget on large rounds
_GROUP_EVALUATIONS = 20  # groups of 3+: a second sweep pays (rule 2 and overlap) and fits the time target


def match_round(
    participants: Sequence[Participant], history: History, settings: MatchSettings
) -> MatchResult:
    """Place this round's participants into groups (deterministic for `settings.seed`)."""
    # A large round makes ~10^6 short-lived acyclic objects (lists, ints); the cyclic collector would
    # rescan the whole heap, the org and its history included, several times (~0.2 s at 100,000).
    with collector_paused():
        return _match_round(participants, history, settings)


def _match_round(
    participants: Sequence[Participant], history: History, settings: MatchSettings
) -> MatchResult:
    """`match_round` proper."""
    people = normalise_participants(participants)
    sat_out: list[SatOut] = []
    for _ in range(len(people)):
        if len(people) <= 1:
            return _trivial(people, sat_out, settings, eligible=len(people) + len(sat_out))
        scorer = build_scorer(people, history, settings)
        hopeless = _without_any_partner(scorer)
        if hopeless.size:
            gone = set(hopeless.tolist())
            sat_out += [SatOut(people[i].id, NO_PARTNER) for i in sorted(gone)]
            people = [p for i, p in enumerate(people) if i not in gone]
            continue
        groups, unplaced = _solve(scorer, settings)
        if unplaced:
            sat_out += [SatOut(people[i].id, NO_GROUP) for i in unplaced]
            keep = set(range(len(people))) - set(unplaced)
            if settings.group_size == 2:  # pairs are placed exactly; the rest already fit
                ids = _ids(people, groups)
                return _result(people, ids, groups, scorer, sat_out, settings, keep)
            people = [p for i, p in enumerate(people) if i in keep]
            continue
        ids = _ids(people, groups)
        return _result(people, ids, groups, scorer, sat_out, settings, set(range(len(people))))
    return _trivial([], sat_out, settings, eligible=len(sat_out))


def _ids(people: list[Participant], groups: list[list[int]]) -> list[list[str]]:
    """Participant ids of each group."""
    names = [p.id for p in people]
    return [[names[i] for i in g] for g in groups]


def _result(
    people: list[Participant],
    ids: list[list[str]],
    groups: list[list[int]],
    scorer: PairScorer,
    sat_out: list[SatOut],
    settings: MatchSettings,
    placed: set[int],
) -> MatchResult:
    """Wrap groups and their quality."""
    quality = measure(
        people, groups, scorer, eligible=len(people) + len(sat_out) - (len(people) - len(placed))
    )
    return MatchResult(groups=ids, sat_out=sat_out, lone=None, quality=quality, seed=settings.seed)


def _trivial(
    people: list[Participant], sat_out: list[SatOut], settings: MatchSettings, eligible: int
) -> MatchResult:
    """No group can form: zero or one person left."""
    quality = RoundQuality(
        coverage=0.0 if eligible else 1.0,
        repeats=0,
        avoidable_repeats=0,
        cross_team_rate=0.0,
        cross_team_bound=0.0,
        tz_overlap_rate=0.0,
        shared_tag_rate=0.0,
    )
    lone = people[0].id if len(people) == 1 and not sat_out else None
    if len(people) == 1 and sat_out:
        sat_out = [*sat_out, SatOut(people[0].id, NO_PARTNER)]
    return MatchResult(groups=[], sat_out=sat_out, lone=lone, quality=quality, seed=settings.seed)


def _without_any_partner(scorer: PairScorer) -> I64:
    """People forbidden with everyone else (cheap: only people with many forbidden pairs qualify)."""
    forb = scorer.special_keys[(scorer.special_flags & 2) != 0]
    counts = np.bincount(np.concatenate([forb // scorer.n, forb % scorer.n]), minlength=scorer.n)
    return np.flatnonzero(counts >= scorer.n - 1)


def _solve(scorer: PairScorer, settings: MatchSettings) -> tuple[list[list[int]], list[int]]:
    """Groups as index lists, and people that could not be placed."""
    started = time.perf_counter()
    deadline = None if settings.time_budget_seconds is None else started + settings.time_budget_seconds
    rng = np.random.default_rng(settings.seed & (2**63 - 1))
    eu, ev = candidate_edges(scorer, rng)
    ew = scorer.weights(eu, ev)
    ok = ew > FORBIDDEN
    eu, ev, ew = eu[ok], ev[ok], ew[ok]
    n = scorer.n
    if settings.group_size == 2 and n % 2 == 1 and n <= ODD_EXACT_UP_TO:
        exact = exact_pairs_with_trio(n, scorer.weights)
        if exact is not None:
            return [[x for x in row if x >= 0] for row in exact.tolist()], []
    if (
        settings.group_size > 2
        and n <= EXACT_GROUPS_UP_TO
        and partition_count(group_sizes(n, settings.group_size)) <= EXACT_PARTITIONS_UP_TO
    ):
        members = exact_groups(n, group_sizes(n, settings.group_size), scorer.weights)
        return [[x for x in row if x >= 0] for row in members.tolist()], _conflicted(members, scorer)
    if n <= EXACT_UP_TO:
        mate = exact_matching(n, eu, ev, ew)
    else:
        mate = repair_unmatched(greedy_matching(n, eu, ev, ew), scorer.weights, rng)
    first = np.flatnonzero(mate > np.arange(n))
    pairs = np.stack([first, mate[first]], axis=1)
    singles = np.flatnonzero(mate < 0)
    if settings.group_size == 2:
        members, unplaced = _pairs_with_trio(pairs, singles, scorer)
    else:
        members, unplaced = _bigger_groups(pairs, singles, eu, ev, scorer, settings.group_size), []
    if members.shape[0] > 1:
        restarts = _RESTARTS if settings.group_size > 2 and n <= _RESTARTS_UP_TO else 0
        budget = (_EVALUATIONS if settings.group_size == 2 else _GROUP_EVALUATIONS) * n
        members = _search(members, eu, ev, ew, scorer, rng, deadline, restarts, budget)
        if settings.group_size > 2:  # moves beyond two-person swaps, only where a flagged pair is left
            members = repair(members, scorer, rng, deadline)
    full = bool((members >= 0).all())  # e.g. an even pair round: no padding to drop
    groups = members.tolist() if full else [[x for x in row if x >= 0] for row in members.tolist()]
    if settings.group_size > 2:
        unplaced = _conflicted(members, scorer)
    return groups, unplaced


def _search(
    members: I64,
    eu: I64,
    ev: I64,
    ew: I64,
    scorer: PairScorer,
    rng: np.random.Generator,
    deadline: float | None,
    restarts: int,
    budget: int,
) -> I64:
    """Local search, then `restarts` more from shuffled groupings; the heaviest result wins."""
    small = scorer.n <= _TRY_ALL_UP_TO
    if small or restarts:
        both_u, both_v, both_w = np.concatenate([eu, ev]), np.concatenate([ev, eu]), np.concatenate([ew, ew])
    else:  # one rescan from one start: only edges heavier than a tie there matter (a fifth at 100,000)
        both_u, both_v, both_w = heavier_than_ties(members, eu, ev, ew, scorer.weights)

    def run(start: I64) -> I64:
        return improve(
            start,
            both_u,
            both_v,
            both_w,
            scorer.weights,
            try_all=small,
            rescans=2 if small else 1,
            max_sweeps=60 if small else 30,
            max_evaluations=None if small else budget,
            deadline=deadline,
        )

    best = run(members)
    if restarts == 0:
        return best
    best_weight = group_weights(best, scorer.weights).sum()
    for _ in range(restarts):
        people = members[members >= 0]
        start = np.full(members.shape, -1, dtype=np.int64)
        start[members >= 0] = rng.permutation(people)
        found = run(start)
        weight = group_weights(found, scorer.weights).sum()
        if weight > best_weight:
            best, best_weight = found, weight
    return best


def _pairs_with_trio(pairs: I64, singles: I64, scorer: PairScorer) -> tuple[I64, list[int]]:
    """Pairs, plus the best-fitting single as a third member; other singles cannot be placed."""
    members = np.full((len(pairs), 3), -1, dtype=np.int64)
    members[:, :2] = pairs
    if singles.size == 0 or len(pairs) == 0:  # no trio: an empty third column only costs time
        return members[:, :2], singles.tolist()
    best = (FORBIDDEN, -1, -1)
    for s in singles[:20].tolist():
        w = scorer.weights(np.full(len(pairs), s), pairs[:, 0]) + scorer.weights(
            np.full(len(pairs), s), pairs[:, 1]
        )
        i = int(np.argmax(w))
        if w[i] > best[0] and w[i] > FORBIDDEN // 2:
            best = (int(w[i]), s, i)
    if best[1] < 0:
        return members[:, :2], singles.tolist()
    members[best[2], 2] = best[1]
    return members, [s for s in singles.tolist() if s != best[1]]


def _bigger_groups(pairs: I64, singles: I64, eu: I64, ev: I64, scorer: PairScorer, size: int) -> I64:
    """Targets from the size formula, filled with quads (pairs matched into pairs), pairs, singles."""
    sizes = group_sizes(scorer.n, size)
    quads, rest = merge_pairs(pairs, sum(t // 4 for t in sizes), eu, ev, scorer.weights)
    return assemble(sizes, quads, rest, singles)


def _conflicted(members: I64, scorer: PairScorer) -> list[int]:
    """One person per group with a forbidden pair: the member with the most conflicts there."""
    out = []
    contrib = group_weights(members, scorer.weights)
    for row in np.flatnonzero((contrib < FORBIDDEN // 2).any(axis=1)).tolist():
        out.append(int(members[row, int(np.argmin(contrib[row]))]))
    return out
