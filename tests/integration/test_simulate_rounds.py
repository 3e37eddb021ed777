"""`serendip simulate` on a generated 1,000-person, 12-department org: no pair repeats within the cooldown.

The repeats are recounted here from the raw groups of the JSON output, sharing no code with the
matcher or the round checker.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

SERENDIP = shutil.which("serendip", path=str(Path(sys.executable).parent)) or "serendip"
DEPARTMENTS = [
    "Sales",
    "Engineering",
    "Support",
    "Marketing",
    "Finance",
    "People",
    "Legal",
    "Design",
    "Data",
    "Operations",
    "Product",
    "Security",
]
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "+05:45",
    "Australia/Sydney",
]
TAGS = ["python", "sql", "chess", "design", "hiring", "music", "running", "pricing"]


def write_org(path: Path, people: int = 1000, seed: int = 12) -> Path:
    """Zipf-sized departments, several spellings of each, zones, managers and tags."""
    rng = random.Random(seed)
    weights = [1 / (k + 1) for k in range(len(DEPARTMENTS))]
    rows = ["id,name,department,timezone,manager_id,expertise,interests"]
    heads: dict[str, str] = {}
    for i in range(people):
        pid = f"U{i:05d}"
        team = rng.choices(DEPARTMENTS, weights)[0]
        spelled = rng.choice([team, team.upper(), team.lower()])  # one team whatever the spelling
        manager = heads.setdefault(team, pid)
        rows.append(
            ",".join(
                [
                    pid,
                    f"Person {i}",
                    spelled,
                    rng.choice(ZONES),
                    "" if manager == pid else manager,
                    ";".join(rng.sample(TAGS, 2)),
                    ";".join(rng.sample(TAGS, 2)),
                ]
            )
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def simulate(people: Path, *args: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [SERENDIP, "simulate", "--people", str(people), "--json", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rounds: list[dict[str, Any]] = json.loads(done.stdout)["rounds"]
    return rounds


def own_repeat_count(rounds: list[dict[str, Any]], cooldown: int) -> list[int]:
    """Per round: pairs that already shared a group in one of the previous `cooldown` rounds."""
    met = [{frozenset(p) for g in r["groups"] for p in combinations(g, 2)} for r in rounds]
    counts = []
    for k, pairs in enumerate(met):
        earlier = set().union(*met[max(0, k - cooldown) : k]) if cooldown else set()
        counts.append(len(pairs & earlier))
    return counts


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_org(tmp_path_factory.mktemp("org") / "people.csv")


@pytest.mark.parametrize(("rounds", "cooldown"), [(8, 8), (6, 6)])
def test_no_pair_meets_twice_within_the_cooldown_on_a_thousand_people(
    org: Path, rounds: int, cooldown: int
) -> None:
    done = simulate(org, "--rounds", str(rounds), "--cooldown", str(cooldown), "--seed", "3")
    assert len(done) == rounds
    assert own_repeat_count(done, cooldown) == [0] * rounds
    for r in done:
        assert r["violations"] == [] and r["quality"]["repeats"] == 0 and r["quality"]["coverage"] == 1.0
        assert sorted(x for g in r["groups"] for x in g) == [f"U{i:05d}" for i in range(1000)]


def test_a_short_cooldown_lets_pairs_meet_again_only_after_it(org: Path) -> None:
    done = simulate(org, "--rounds", "3", "--cooldown", "1", "--seed", "5")
    assert own_repeat_count(done, 1) == [0, 0, 0]
    assert [r["quality"]["repeats"] for r in done] == [0, 0, 0]


def test_spellings_of_one_department_are_one_team(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "id,department\nA1,Sales\nA2,SALES\nA3,sales\nB1,Eng\nB2,eng\nB3,ENG\n", encoding="utf-8"
    )
    for seed in range(5):
        (r,) = simulate(people, "--seed", str(seed))
        assert all({g[0][0], g[1][0]} == {"A", "B"} for g in r["groups"]), r["groups"]
        assert r["quality"]["cross_team_rate"] == 1.0 and r["quality"]["cross_team_bound"] == 1.0
