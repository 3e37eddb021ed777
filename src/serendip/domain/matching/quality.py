"""Quality figures of a round: coverage, repeats, cross-team rate against its bound, overlap, tags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from serendip.domain.matching.model import Participant, RoundQuality
from serendip.domain.matching.pair_features import DAY, department_keys
from serendip.domain.matching.pairing import EXACT_UP_TO, exact_matching
from serendip.domain.matching.weights import FORBIDDEN, I64, MIN_OVERLAP_MINUTES, TIER_LOW, PairScorer

_SWAP_SAMPLE = 2000  # people tried per repeat when looking for a swap that removes it


def group_pairs(groups: Sequence[Sequence[int]]) -> tuple[I64, I64, I64]:
    """(u, v, group index) of every pair of people inside a group."""
    if not groups:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    members = np.full((len(groups), int(sizes.max())), -1, dtype=np.int64)
    members[np.arange(members.shape[1])[None, :] < sizes[:, None]] = np.fromiter(
        (x for g in groups for x in g), dtype=np.int64, count=int(sizes.sum())
    )
    us, vs, gs = [], [], []
    for i in range(members.shape[1]):
        for j in range(i + 1, members.shape[1]):
            rows = np.flatnonzero(sizes > j)
            us.append(members[rows, i])
            vs.append(members[rows, j])
            gs.append(rows)
    if not us:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(us), np.concatenate(vs), np.concatenate(gs)


def cross_team_bound(departments: Sequence[str | None], groups: int, pairs: int) -> float:
    """Best possible share of cross-department pairs: each department spread evenly over groups."""
    if pairs == 0 or groups == 0:
        return 0.0
    same = 0
    for d in Counter(d for d in departments if d is not None).values():
        q, r = divmod(d, groups)
        same += groups * q * (q - 1) // 2 + r * q
    return max(0.0, (pairs - same) / pairs)


def measure(
    people: Sequence[Participant],
    groups: list[list[int]],
    scorer: PairScorer,
    *,
    eligible: int,
) -> RoundQuality:
    """Quality of `groups` (lists of indices into `people`) for a round with `eligible` members."""
    u, v, gid = group_pairs(groups)
    placed = sum(len(g) for g in groups)
    dept = department_keys(people)
    codes: dict[str | None, int] = {None: -1}
    code = np.fromiter((codes.setdefault(d, len(codes)) for d in dept), dtype=np.int64, count=len(dept))
    cu, cv = code[u], code[v]
    cross = (cu != cv) & (cu >= 0) & (cv >= 0)
    repeat = scorer.repeat(u, v)
    shared, teach = scorer.shared_tags(u, v)
    tagged_groups = int(np.count_nonzero(np.bincount(gid[shared | teach], minlength=len(groups))))
    in_groups = [dept[i] for g in groups for i in g]
    return RoundQuality(
        coverage=round(placed / eligible, 6) if eligible else 1.0,
        repeats=int(repeat.sum()),
        avoidable_repeats=avoidable_repeats(groups, scorer, u[repeat], v[repeat]),
        cross_team_rate=round(float(cross.mean()), 6) if u.size else 0.0,
        cross_team_bound=round(cross_team_bound(in_groups, len(groups), u.size), 6),
        tz_overlap_rate=round(float((overlap_minutes(people, u, v) >= MIN_OVERLAP_MINUTES).mean()), 6)
        if u.size
        else 0.0,
        shared_tag_rate=round(tagged_groups / len(groups), 6) if groups else 0.0,
        cross_team_pairs=int(cross.sum()),
        pairs=int(u.size),
        total_weight=int(scorer.weights(u, v).sum()) if u.size else 0,
    )


def overlap_minutes(people: Sequence[Participant], u: I64, v: I64) -> I64:
    """Exact minutes a day both people of each pair work (the round checker's definition).

    The scorer's half-hour slots (rule 3) only approximate this: windows that do not start on a
    UTC half hour lose up to 30 minutes each, so the reported figure is counted in minutes.
    """
    n = len(people)
    hours = np.fromiter((m for p in people for m in p.working_hours), dtype=np.int64, count=2 * n)
    offset = np.fromiter((p.utc_offset_minutes for p in people), dtype=np.int64, count=n)
    start = (hours[0::2] - offset) % DAY
    length = (hours[1::2] - hours[0::2]) % DAY
    length[length == 0] = DAY  # start == end: around the clock
    su, lu, sv, lv = start[u], length[u], start[v], length[v]
    total = np.zeros(u.shape, dtype=np.int64)
    for shift in (-DAY, 0, DAY):  # v's window a day earlier, the same day, a day later
        total += np.maximum(0, np.minimum(su + lu, sv + shift + lv) - np.maximum(su, sv + shift))
    return total


def avoidable_repeats(groups: list[list[int]], scorer: PairScorer, ru: I64, rv: I64) -> int:
    """Repeats a better arrangement avoids (without losing on a higher-priority rule).

    Exact for even pair rounds up to EXACT_UP_TO people (against the best matching); otherwise
    the repeats that one swap with someone in another group removes without adding a repeat or
    a conflict and, in mode strict, without losing a cross-team pair.
    """
    if ru.size == 0:
        return 0
    if all(len(g) == 2 for g in groups) and 2 * len(groups) <= EXACT_UP_TO:
        return max(0, ru.size - _fewest_repeats(np.array(groups).ravel(), scorer))
    width = max(len(g) for g in groups)
    members = np.full((len(groups), width), -1, dtype=np.int64)
    for gi, g in enumerate(groups):
        members[gi, : len(g)] = g
    group_of = np.full(scorer.n, -1, dtype=np.int64)
    rows, cols = np.nonzero(members >= 0)
    group_of[members[rows, cols]] = rows
    return sum(
        _swap_removes(members, group_of, scorer, a, b) for a, b in zip(ru.tolist(), rv.tolist(), strict=True)
    )


def _fewest_repeats(nodes: I64, scorer: PairScorer) -> int:
    """Repeats in the best perfect matching of `nodes` under the mode's tier order."""
    iu, iv = np.triu_indices(nodes.size, 1)
    a, b = nodes[iu], nodes[iv]
    w = _tiers(scorer, a, b)
    mate = exact_matching(nodes.size, iu.astype(np.int64), iv.astype(np.int64), w)
    first = np.flatnonzero(mate > np.arange(nodes.size))
    return int(scorer.repeat(nodes[first], nodes[mate[first]]).sum())


def _tiers(scorer: PairScorer, u: I64, v: I64) -> I64:
    """Pair weights without the rule-3 score: rules 1-2 only (FORBIDDEN stays)."""
    w = scorer.weights(u, v)
    return np.where(w > FORBIDDEN, w - w % TIER_LOW, w)


def _swap_removes(members: I64, group_of: I64, scorer: PairScorer, a: int, b: int) -> int:
    """1 if swapping a or b with someone elsewhere removes this repeat, adds none, loses nothing."""
    home = int(group_of[a])
    others = np.flatnonzero((group_of >= 0) & (group_of != home))
    if others.size > _SWAP_SAMPLE:
        others = others[np.linspace(0, others.size - 1, _SWAP_SAMPLE).astype(np.int64)]
    if others.size == 0:
        return 0
    there = members[group_of[others]]
    there = np.where(there == others[:, None], -1, there)
    valid = there >= 0
    for leaving in (a, b):
        stay = members[home][(members[home] >= 0) & (members[home] != leaving)]
        zs, st = np.repeat(others, stay.size), np.tile(stay, others.size)
        new_in = _tiers(scorer, zs, st).reshape(others.size, stay.size)
        new_in_bad = (scorer.special(zs, st) != 0).reshape(others.size, stay.size).any(axis=1)
        new_out = np.zeros(there.shape, dtype=np.int64)
        old_out = np.zeros(there.shape, dtype=np.int64)
        new_out_bad = np.zeros(there.shape, dtype=np.bool_)
        lv = np.full(int(valid.sum()), leaving, dtype=np.int64)
        zz = np.broadcast_to(others[:, None], there.shape)[valid]
        new_out[valid] = _tiers(scorer, lv, there[valid])
        old_out[valid] = _tiers(scorer, zz, there[valid])
        new_out_bad[valid] = scorer.special(lv, there[valid]) != 0
        old_in = int(_tiers(scorer, np.full(stay.size, leaving), stay).sum())
        gain = new_in.sum(axis=1) + new_out.sum(axis=1) - old_in - old_out.sum(axis=1)
        if ((gain >= 0) & ~new_in_bad & ~new_out_bad.any(axis=1)).any():
            return 1
    return 0
