"""`serendip simulate` as a real subprocess on a CSV in tmp_path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SERENDIP = shutil.which("serendip", path=str(Path(sys.executable).parent)) or "serendip"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SERENDIP, "simulate", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def people_csv(tmp_path: Path) -> Path:
    rows = ["id,name,department,timezone,manager_id,expertise,interests"]
    zones = ["Europe/Berlin", "+05:30", "", "America/New_York", "UTC"]
    for i in range(41):
        manager = "U000" if 0 < i < 4 else ""
        rows.append(f"U{i:03d},Person {i},D{i % 5 if i % 3 else 0},{zones[i % 5]},{manager},python;sql,chess")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_json_mode_prints_one_object_with_every_round(people_csv: Path) -> None:
    done = run("--people", str(people_csv), "--rounds", "3", "--json", "--seed", "4")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report) == ["rounds"] and [r["round"] for r in report["rounds"]] == [1, 2, 3]
    for r in report["rounds"]:
        assert sorted(x for g in r["groups"] for x in g) == [f"U{i:03d}" for i in range(41)]
        assert sorted(len(g) for g in r["groups"]) == [2] * 19 + [3]
        assert set(r["quality"]) == {
            "coverage",
            "repeats",
            "avoidable_repeats",
            "cross_team_rate",
            "cross_team_bound",
            "tz_overlap_rate",
            "shared_tag_rate",
        }
        assert r["quality"]["repeats"] == 0 and r["seconds"] >= 0
        assert not any({"U000", f"U00{k}"} <= set(g) for g in r["groups"] for k in (1, 2, 3))
    pairs = [
        {frozenset((a, b)) for g in r["groups"] for a in g for b in g if a < b} for r in report["rounds"]
    ]
    assert not pairs[0] & pairs[1] and not pairs[1] & pairs[2], "each round feeds the next one's history"


def test_the_same_seed_replays_the_same_rounds(people_csv: Path) -> None:
    first = run(
        "--people", str(people_csv), "--rounds", "2", "--json", "--group-size", "4", "--mode", "strict"
    )
    again = run(
        "--people", str(people_csv), "--rounds", "2", "--json", "--group-size", "4", "--mode", "strict"
    )
    groups = [[r["groups"] for r in json.loads(d.stdout)["rounds"]] for d in (first, again)]
    assert groups[0] == groups[1]
    assert all(4 <= len(g) <= 5 for g in groups[0][0])


def test_human_mode_prints_a_quality_table(people_csv: Path) -> None:
    done = run("--people", str(people_csv), "--rounds", "2")
    assert done.returncode == 0, done.stderr
    assert "round" in done.stdout and "cross" in done.stdout and "bound" in done.stdout


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("name,department\nAda,Eng\n", 1, "`id` or `email`"),
        ("id,department\nU1,Eng\nU1,Ops\n", 3, "duplicate id 'U1'"),
        ("id,timezone\nU1,UTC\nU2,Mars/Base\n", 3, "unknown time zone 'Mars/Base'"),
    ],
)
def test_a_malformed_csv_exits_2_with_one_located_line(
    tmp_path: Path, content: str, line: int, problem: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    done = run("--people", str(path), "--json")
    assert done.returncode == 2 and done.stdout == ""
    (message,) = done.stderr.strip().splitlines()
    assert message.startswith(f"{path}:{line}: ") and problem in message


def test_an_unreadable_file_exits_1_with_one_line(tmp_path: Path) -> None:
    done = run("--people", str(tmp_path / "missing.csv"))
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
