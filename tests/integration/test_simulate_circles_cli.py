"""`serendip simulate --circles` as a real subprocess on a CSV in tmp_path."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SERENDIP = shutil.which("serendip", path=str(Path(sys.executable).parent)) or "serendip"
QUALITY_KEYS = [
    "people",
    "people_with_topics",
    "placed",
    "placed_share",
    "circles",
    "mean_departments",
    "circles_with_three_departments",
    "last_season_pairs",
    "expert_learner_circles",
    "tz_overlap_rate",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SERENDIP, "simulate", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def people_csv(tmp_path: Path) -> Path:
    """31 people in 5 departments and 3 zones; three report to U000; U030 listed no topic."""
    rows = ["id,name,department,timezone,manager_id,expertise,interests"]
    zones = ["Europe/Berlin", "America/New_York", "UTC"]
    topics = ["python", "chess", "design"]
    for i in range(30):
        manager = "U000" if 0 < i < 4 else ""
        expertise = topics[i % 3] if i % 4 == 0 else ""
        interests = ";".join({topics[i % 3], topics[(i // 3) % 3]})
        rows.append(f"U{i:03d},Person {i},D{i % 5},{zones[i % 3]},{manager},{expertise},{interests}")
    rows.append("U030,Person 30,D1,UTC,,,")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def listed(path: Path) -> dict[str, set[str]]:
    """Each person's topics (expertise and interests) as written in the CSV."""
    with path.open(encoding="utf-8") as f:
        return {
            row["id"]: {t for cell in (row["expertise"], row["interests"]) for t in cell.split(";") if t}
            for row in csv.DictReader(f)
        }


def season(*args: str) -> dict[str, Any]:
    done = run(*args)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_json_mode_prints_circles_unplaced_and_quality(people_csv: Path) -> None:
    report = season("--people", str(people_csv), "--circles", "--json")
    assert list(report) == ["circles", "unplaced", "quality"]
    assert list(report["quality"]) == QUALITY_KEYS
    topics = listed(people_csv)
    seats = [m for c in report["circles"] for m in c["members"]]
    assert sorted(seats + [u["id"] for u in report["unplaced"]]) == sorted(topics)
    assert len(seats) == len(set(seats)) == report["quality"]["placed"]
    for circle in report["circles"]:
        assert list(circle) == ["topic", "members"] and 4 <= len(circle["members"]) <= 6
        assert all(circle["topic"] in topics[m] for m in circle["members"])
        assert not ({"U000"} & set(circle["members"]) and {"U001", "U002", "U003"} & set(circle["members"]))
    (alone,) = [u for u in report["unplaced"] if u["id"] == "U030"]
    assert list(alone) == ["id", "reason", "suggested_topics"]
    assert alone["reason"] == "no topics listed" and alone["suggested_topics"]


@pytest.mark.parametrize(("size", "smallest", "largest"), [("3", 3, 4), ("8", 7, 8)])
def test_the_size_option_sets_the_circle_sizes(
    people_csv: Path, size: str, smallest: int, largest: int
) -> None:
    report = season("--people", str(people_csv), "--circles", "--size", size, "--json")
    assert report["circles"] and all(smallest <= len(c["members"]) <= largest for c in report["circles"])


def test_the_same_seed_forms_the_same_season(people_csv: Path) -> None:
    args = ("--people", str(people_csv), "--circles", "--seed", "11", "--json")
    assert season(*args) == season(*args)


def test_human_mode_prints_the_figures_the_circles_and_who_is_not_placed(people_csv: Path) -> None:
    done = run("--people", str(people_csv), "--circles")
    assert done.returncode == 0, done.stderr
    assert "placed" in done.stdout and "depts" in done.stdout and "Circles" in done.stdout
    assert "U030: no topics listed (could join:" in done.stdout


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--circles", "--size", "9"), "--size must be 3-8 for circles, got 9"),
        (("--circles", "--size", "2"), "--size must be 3-8 for circles, got 2"),
        (("--size", "5"), "--size is the circle size of --circles"),
        (("--circles", "--group-size", "3"), "--group-size is for intro rounds"),
        (("--circles", "--rounds", "2"), "--rounds is for intro rounds"),
    ],
)
def test_options_that_do_not_go_together_exit_2_with_one_line(
    people_csv: Path, args: tuple[str, ...], problem: str
) -> None:
    done = run("--people", str(people_csv), *args, "--json")
    assert done.returncode == 2 and done.stdout == ""
    (message,) = done.stderr.strip().splitlines()
    assert message.startswith("serendip: ") and problem in message


def test_a_malformed_csv_exits_2_with_its_line_also_for_circles(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,timezone\nU1,UTC\nU2,Mars/Base\n", encoding="utf-8")
    done = run("--people", str(path), "--circles", "--json")
    assert done.returncode == 2 and done.stdout == ""
    (message,) = done.stderr.strip().splitlines()
    assert message.startswith(f"{path}:3: ")
