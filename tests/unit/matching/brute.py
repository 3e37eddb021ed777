"""Exhaustive oracles for tiny rounds: every partition of the people into the given group sizes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations

from serendip.domain.matching import Participant


def partitions(items: Sequence[str], sizes: Sequence[int]) -> Iterator[list[tuple[str, ...]]]:
    """Every way to split `items` into groups with exactly these sizes (as a multiset)."""
    if not items:
        if not sizes:
            yield []
        return
    first, rest = items[0], items[1:]
    for size in sorted(set(sizes)):
        left = list(sizes)
        left.remove(size)
        for mates in combinations(rest, size - 1):
            remaining = [x for x in rest if x not in mates]
            for tail in partitions(remaining, left):
                yield [(first, *mates), *tail]


def pairs_of(groups: Sequence[Sequence[str]]) -> Iterator[tuple[str, str]]:
    """Every unordered pair inside a group."""
    for g in groups:
        for a, b in combinations(g, 2):
            yield (a, b) if a < b else (b, a)


def forbidden(people: Sequence[Participant]) -> set[tuple[str, str]]:
    """Blocked (either way) and manager/report pairs among these people."""
    ids = {p.id for p in people}
    out = set()
    for p in people:
        for other in p.blocked | ({p.manager_id} if p.manager_id else set()):
            if other in ids and other != p.id:
                out.add((min(p.id, other), max(p.id, other)))
    return out


def recent(history: Sequence[Sequence[Sequence[str]]], cooldown: int) -> set[tuple[str, str]]:
    """Pairs that met in the last `cooldown` rounds."""
    rounds = list(history)[max(0, len(history) - cooldown) :] if cooldown else []
    return {pair for rnd in rounds for pair in pairs_of(rnd)}


def counts(
    groups: Sequence[Sequence[str]],
    people: Sequence[Participant],
    history: Sequence[Sequence[Sequence[str]]],
    cooldown: int,
) -> tuple[int, int]:
    """(repeats, cross-department pairs) of an arrangement."""
    dept = {p.id: p.department for p in people}
    seen = recent(history, cooldown)
    pairs = list(pairs_of(groups))
    cross = sum(1 for a, b in pairs if dept[a] is not None and dept[b] is not None and dept[a] != dept[b])
    return sum(1 for pr in pairs if pr in seen), cross


def valid_arrangements(
    people: Sequence[Participant], sizes: Sequence[int]
) -> Iterator[list[tuple[str, ...]]]:
    """Partitions into `sizes` with no forbidden pair inside a group."""
    bad = forbidden(people)
    for groups in partitions(sorted(p.id for p in people), sizes):
        if not any(pr in bad for pr in pairs_of(groups)):
            yield groups
