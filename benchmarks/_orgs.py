"""Synthetic organisations for the matching benchmark: Zipf-sized departments, zones, tags, managers."""

from __future__ import annotations

import numpy as np

from serendip.domain.matching import Participant

ZONES = np.array([-480, -420, -360, -300, 0, 60, 120, 330, 480, 540, 600])
ZONE_WEIGHTS = np.array([8, 3, 6, 14, 12, 25, 8, 9, 7, 5, 3], dtype=float)
# Benchmark orgs -> the share of everyone in one department (None: Zipf-sized departments).
# One department of two thirds is where a cross-team matching is hardest: most pairs must cross it.
ORGS: dict[str, float | None] = {"zipf": None, "majority": 0.6, "two-thirds": 2 / 3}


def synthetic_org(
    n: int, *, seed: int = 0, majority: float | None = None, tags: int = 300
) -> list[Participant]:
    """n people; department sizes Zipf(1.1) over ~n/40 departments, or one holding `majority` of all."""
    rng = np.random.default_rng(seed)
    departments = max(2, n // 40)
    weights = 1.0 / np.arange(1, departments + 1) ** 1.1
    weights /= weights.sum()
    dept = rng.choice(departments, size=n, p=weights)
    if majority is not None:
        big = rng.random(n) < majority
        dept = np.where(big, 0, 1 + rng.choice(departments - 1, size=n))
    zone = rng.choice(ZONES, size=n, p=ZONE_WEIGHTS / ZONE_WEIGHTS.sum())
    tag_p = 1.0 / np.arange(1, tags + 1)
    tag_p /= tag_p.sum()
    n_int, n_exp = rng.integers(0, 4, size=n), rng.integers(0, 3, size=n)
    pool = rng.choice(tags, size=(n, 6), p=tag_p)
    ids = [f"U{i:07d}" for i in range(n)]
    managers = _managers(dept, rng)
    people = []
    for i in range(n):
        blocked = frozenset({ids[int(rng.integers(n))]}) if rng.random() < 0.01 else frozenset()
        people.append(
            Participant(
                id=ids[i],
                department=f"dept-{dept[i]}",
                utc_offset_minutes=int(zone[i]),
                interests=frozenset(f"t{t}" for t in pool[i, : n_int[i]]),
                expertise=frozenset(f"t{t}" for t in pool[i, 3 : 3 + n_exp[i]]),
                manager_id=ids[managers[i]] if managers[i] >= 0 else None,
                blocked=blocked - {ids[i]},
                cross_team_ties=int(rng.poisson(3)),
            )
        )
    return people


def _managers(dept: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each department: the first member manages up to 8 others, who manage the next, ..."""
    out = np.full(dept.size, -1, dtype=np.int64)
    for d in np.unique(dept):
        members = np.flatnonzero(dept == d)
        rng.shuffle(members)
        out[members[1:]] = members[(np.arange(1, members.size) - 1) // 8]
    return out


def random_history(
    people: list[Participant], rounds: int, *, seed: int = 0, size: int = 2
) -> list[list[list[str]]]:
    """Past rounds of uniformly random groups (what a naive bot would have produced)."""
    rng = np.random.default_rng(seed + 1)
    ids = np.array([p.id for p in people])
    history = []
    for _ in range(rounds):
        order = ids[rng.permutation(ids.size)]
        history.append([list(order[k : k + size]) for k in range(0, ids.size - size + 1, size)])
    return history


def circles_org(n: int, *, seed: int = 0, topics: int = 150) -> list[Participant]:
    """n people for the circles benchmark: 30-300 Zipf-sized departments (most of each in one home
    zone), a manager tree per department, 1% blocking someone, ~10% with no tag and 1-4 tags
    otherwise (Zipf-popular topics over `topics`, about a third of them as expertise)."""
    rng = np.random.default_rng(seed)
    departments = min(300, max(30, n // 300))
    weights = 1.0 / np.arange(1, departments + 1) ** 1.1
    dept = rng.choice(departments, size=n, p=weights / weights.sum())
    home = rng.choice(ZONES, size=departments, p=ZONE_WEIGHTS / ZONE_WEIGHTS.sum())
    away = rng.choice(ZONES, size=n, p=ZONE_WEIGHTS / ZONE_WEIGHTS.sum())
    zone = np.where(rng.random(n) < 0.7, home[dept], away)
    popularity = 1.0 / np.arange(1, topics + 1)
    popularity /= popularity.sum()
    counts = np.where(rng.random(n) < 0.1, 0, rng.integers(1, 5, size=n))
    ids = [f"U{i:07d}" for i in range(n)]
    managers = _managers(dept, rng)
    people = []
    for i in range(n):
        picked = rng.choice(topics, size=int(counts[i]), replace=False, p=popularity) if counts[i] else []
        expert = rng.random(len(picked)) < 0.3
        blocked = frozenset({ids[int(rng.integers(n))]}) - {ids[i]} if rng.random() < 0.01 else frozenset()
        people.append(
            Participant(
                id=ids[i],
                department=f"dept-{dept[i]}",
                utc_offset_minutes=int(zone[i]),
                interests=frozenset(f"topic-{t}" for t, e in zip(picked, expert, strict=True) if not e),
                expertise=frozenset(f"topic-{t}" for t, e in zip(picked, expert, strict=True) if e),
                manager_id=ids[managers[i]] if managers[i] >= 0 else None,
                blocked=blocked,
            )
        )
    return people
