"""Speed-ups never change a round: the same people, history and seed give the very groups, sat-out,
lone member and figures they gave before (admin preview must show exactly what the round sends).

The digests below were computed with the code of main 4931f68, before the matcher and the
checker were made faster. If a deliberate change to the matching rules alters them, recompute
them and say so in the commit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random

import pytest

from serendip.domain.matching import MatchSettings, Participant, RepeatMode, match_round
from serendip.domain.round_check import check_round

# Several spellings of one team and unknown departments: department keys are normalised once each.
SPELLINGS = ["Sales", " sales", "SALES  ", "Eng", "eng", "Ops", "Ｏｐｓ", "Legal", "Design", "Research", None]
OFFSETS = [-480, -300, 0, 60, 120, 330, 345, 540, 600]
HOURS = [(540, 1020), (0, 0), (1320, 360), (555, 1005), (480, 720)]
TAGS = [f"t{i}" for i in range(90)]  # more than 64: the rare-tag words are used too


def _org(n: int, seed: int) -> list[Participant]:
    """n people with departments, zones, hours, tags, managers and a few blocks."""
    rng = random.Random(seed)
    ids = [f"U{i:06d}" for i in range(n)]
    people = []
    for i, pid in enumerate(ids):
        people.append(
            Participant(
                id=pid,
                department=rng.choice(SPELLINGS),
                utc_offset_minutes=rng.choice(OFFSETS),
                working_hours=rng.choice(HOURS),
                interests=frozenset(rng.sample(TAGS, rng.randint(0, 3))),
                expertise=frozenset(rng.sample(TAGS, rng.randint(0, 2))),
                manager_id=ids[rng.randrange(i)] if i and rng.random() < 0.8 else None,
                blocked=frozenset({ids[rng.randrange(n)]} - {pid}) if rng.random() < 0.02 else frozenset(),
                cross_team_ties=rng.randint(0, 6),
            )
        )
    rng.shuffle(people)  # input order must not matter
    return people


def _history(people: list[Participant], rounds: int, size: int, seed: int) -> list[list[list[str]]]:
    """Past rounds of random groups, including people who have since left."""
    rng = random.Random(seed + 1)
    ids = [p.id for p in people] + [f"GONE{i}" for i in range(5)]
    out = []
    for _ in range(rounds):
        rng.shuffle(ids)
        out.append([ids[k : k + size] for k in range(0, len(ids) - size + 1, size)])
    return out


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


# (people, group size, mode, cooldown, history rounds) -> digests of (the match, the checker on the
# match, the checker on a random arrangement that breaks rules)
CASES = {
    (7, 2, "prefer", 8, 3): ("24a57171eb224c6c", "bf42e01480e02001", "8a142c2928726f84"),
    (60, 2, "prefer", 8, 9): ("c52fae98f5c1f35f", "0c27425823462fed", "ff9668c00c903a15"),
    (61, 3, "strict", 2, 4): ("77ddcc6c87d9e898", "fa6443d79847b4fe", "df63f7d4551ca068"),
    (400, 2, "strict", 8, 8): ("b28e5f540a858428", "ace926e51b0ddb1b", "dd5045cba8832be3"),
    (401, 4, "off", 8, 8): ("512ce92564f0b9be", "ae5f99750a39e7fc", "aebf5b74abc9026d"),
    (2500, 2, "prefer", 8, 8): ("d43162b17b2978f3", "6f90e2b401ceeb3c", "543fef2ed24a5f7f"),
    (3001, 3, "prefer", 4, 6): ("85ef9a3649582b97", "17dd9b6c5ab39a63", "beec77ba9ac05092"),
    (6000, 2, "prefer", 8, 8): ("11b6ec37045080c1", "fd990c9d651c78de", "f80f3d750e1772d4"),
    (6001, 2, "strict", 3, 5): ("c98db1071c1255c6", "b14cadedb5eb7bc4", "f0a89f86ea1dd7e8"),
}


def _run(n: int, size: int, mode: str, cooldown: int, rounds: int) -> tuple[str, str, str]:
    people = _org(n, seed=n)
    history = _history(people, rounds, size, seed=n)
    ties = {("eng", "sales"): 4, ("Legal", "Ops"): 1, ("design", "research"): 0}
    settings = MatchSettings(
        group_size=size, mode=RepeatMode(mode), cooldown=cooldown, seed=n * 7 + 1, department_pair_ties=ties
    )
    result = match_round(people, history, settings)
    match = _digest(
        [
            result.groups,
            [[s.id, s.reason] for s in result.sat_out],
            result.lone,
            dataclasses.asdict(result.quality),
            result.seed,
        ]
    )
    sat_out = [s.id for s in result.sat_out]
    check = check_round(people, history, settings, result.groups, sat_out=sat_out, lone=result.lone)
    # A bad arrangement: the newest past round's groups (repeats), everyone, blocks and managers ignored.
    ids = [p.id for p in people]
    random.Random(n).shuffle(ids)
    bad = [ids[k : k + size] for k in range(0, len(ids) - 1, size)] + [["GONE0"]]
    if history:
        bad = [*history[-1][: len(bad) // 3], *bad]
    broken = check_round(people, history, settings, bad, sat_out=ids[:2])
    return (
        match,
        _digest([check.figures(), list(check.violations)]),
        _digest([broken.figures(), list(broken.violations)]),
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_seeded_round_and_its_check_are_exactly_what_they_were(
    case: tuple[int, int, str, int, int],
) -> None:
    assert _run(*case) == CASES[case]
