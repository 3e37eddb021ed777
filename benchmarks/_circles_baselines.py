"""Two naive ways to form circles, for `benchmarks/circles.py` to beat (no hard rule is minded)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from serendip.domain.circles.model import Circle, Participant


def random_circles(people: Sequence[Participant], size: int, seed: int) -> list[Circle]:
    """Topics in random order; each cut into random groups of `size` among its listers not yet placed."""
    rng = random.Random(seed)
    listers = _listers(people)
    topics = sorted(listers)
    rng.shuffle(topics)
    placed: set[str] = set()
    out = []
    for topic in topics:
        free = [pid for pid in listers[topic] if pid not in placed]
        rng.shuffle(free)
        out += _cut(topic, free, size, placed)
    return out


def greedy_circles(people: Sequence[Participant], size: int) -> list[Circle]:
    """Fill the most popular topic first: its listers not yet placed, cut in id order into circles of `size`."""
    listers = _listers(people)
    placed: set[str] = set()
    out = []
    for topic in sorted(listers, key=lambda t: (-len(listers[t]), t)):
        out += _cut(topic, [pid for pid in listers[topic] if pid not in placed], size, placed)
    return out


def _listers(people: Sequence[Participant]) -> dict[str, list[str]]:
    """Ids of the people who listed each topic (as interest or expertise), in id order."""
    found: dict[str, list[str]] = {}
    for p in sorted(people, key=lambda p: p.id):
        for topic in sorted(p.interests | p.expertise):
            found.setdefault(topic, []).append(p.id)
    return found


def _cut(topic: str, free: list[str], size: int, placed: set[str]) -> list[Circle]:
    """Whole circles of `size` from `free` (the rest stays free), marking their members placed."""
    out = []
    for k in range(0, len(free) - size + 1, size):
        members = free[k : k + size]
        placed.update(members)
        out.append(Circle(topic, tuple(sorted(members))))
    return out
