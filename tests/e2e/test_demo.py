"""`serendip demo`: the whole product against the sandbox, as a new user runs it."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from serendip.entrypoints.demo import run_demo

pytestmark = pytest.mark.slow  # started first (tests/conftest.py), so no worker runs it alone at the end


def test_demo_command_prints_the_posted_intros_and_exits_cleanly(tmp_path: Path) -> None:
    serendip = Path(sys.executable).with_name("serendip")
    result = subprocess.run(
        [str(serendip), "demo"], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Intros posted to Slack" in result.stdout
    assert "demo finished" in result.stdout
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # leaves nothing behind


def test_demo_places_every_eligible_person_in_exactly_one_intro() -> None:
    result = run_demo(Console(file=io.StringIO()), people=40, departments=6, seed=5)
    placed = Counter(uid for intro in result.intros for uid in intro["members"])
    bot_id = {uid for uid, n in placed.items() if n == len(result.intros)}
    people = {uid: n for uid, n in placed.items() if uid not in bot_id}
    assert set(people.values()) == {1}
    assert len(people) == result.enrolled == 38  # 40 people, one paused, one skipping
    assert result.quality["cross_team_rate"] >= 0.9


def test_demo_circles_prints_a_season_s_circles_and_its_figures(tmp_path: Path) -> None:
    serendip = Path(sys.executable).with_name("serendip")
    result = subprocess.run(
        [str(serendip), "demo", "--circles"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    assert "Circles posted to Slack" in result.stdout and "Topic" in result.stdout
    season = next(line for line in result.stdout.splitlines() if line.startswith("Season:"))
    assert "placed" in season and "departments per circle" in result.stdout
    assert "demo finished" in result.stdout and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_demo_circles_places_people_on_topics_they_listed_across_departments() -> None:
    result = run_demo(Console(file=io.StringIO()), people=40, departments=6, seed=5, circles=True)
    placed = Counter(uid for intro in result.intros for uid in intro["members"])
    people = {uid for uid, n in placed.items() if n < len(result.intros)}
    assert len(people) + result.unplaced == result.enrolled == 38  # one paused, one skipping
    assert result.quality["placed_share"] >= 0.9 and result.quality["mean_departments"] >= 3
