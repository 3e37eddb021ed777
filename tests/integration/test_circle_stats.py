"""A circles program's figures in `admin stats` and `serendip report`, recounted from the raw rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import timedelta
from itertools import combinations
from pathlib import Path

from PIL import Image
from sqlalchemy import text

from serendip.adapters.db.circle_models import CircleMeeting
from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import (
    Enrolment,
    Intro,
    IntroMember,
    Member,
    MemberTag,
    Program,
    Round,
    Workspace,
)
from serendip.adapters.db.types import utcnow
from serendip.domain.lifecycle import IntroState, RoundState
from serendip.services import analytics

SERENDIP = str(Path(sys.executable).with_name("serendip"))
DEPARTMENTS = ["Sales", "Legal", "Ops", " sales"]  # " sales" is Sales spelt another way


def _build(database: Database) -> int:
    """A circles program with two seasons: circles on rust and go, one left (a new intro of the same
    circle), one merged away, meetings held and not; tags so some placements are on a listed topic."""
    now = utcnow()
    with database.transaction() as session:
        session.add(Workspace(id="T1", name="t"))
        session.flush()
        program = Program(workspace_id="T1", channel_id="C0CIRCLES", channel_name="circles", kind="circles")
        session.add(program)
        session.flush()
        people = []
        for i in range(14):
            member = Member(workspace_id="T1", slack_id=f"U{i:03d}", department=DEPARTMENTS[i % 4])
            session.add(member)
            session.flush()
            session.add(Enrolment(program_id=program.id, member_id=member.id))
            if i % 3 != 0:
                session.add(MemberTag(member_id=member.id, kind="interest", tag="rust" if i < 7 else "go"))
            people.append(member.id)
        seasons = []
        for weeks in (20, 6):
            season = Round(
                program_id=program.id,
                scheduled_for=now - timedelta(weeks=weeks),
                state=RoundState.DONE,
                season_ends_at=now - timedelta(weeks=weeks - 4),
            )
            session.add(season)
            session.flush()
            seasons.append(season.id)

        def circle(season: int, topic: str, members: list[int], state: str, root: int | None = None) -> int:
            intro = Intro(round_id=season, state=IntroState.POSTED, topic=topic, circle_state=state)
            intro.members = [IntroMember(member_id=m) for m in members]
            session.add(intro)
            session.flush()
            intro.circle_root_id = root or intro.id
            return intro.id

        rust = circle(seasons[0], "rust", people[0:5], "replaced")
        circle(seasons[0], "rust", people[0:4], "ended", root=rust)  # people[4] left
        go = circle(seasons[0], "go", people[7:11], "kept")
        small = circle(seasons[1], "rust", people[0:3], "replaced")
        big = circle(seasons[1], "go", people[7:12], "replaced")
        circle(seasons[1], "go", [*people[7:12], *people[1:3]], "active", root=big)  # the small one merged in
        failed = Intro(round_id=seasons[1], state=IntroState.FAILED, topic="ops", circle_state="active")
        failed.members = [IntroMember(member_id=people[13])]
        session.add(failed)
        for intro_id, held in [
            (rust, [True, True, False]),
            (go, [True, None]),
            (small, [False]),
            (big, [True]),
        ]:
            for number, was_held in enumerate(held, start=1):
                session.add(CircleMeeting(intro_id=intro_id, number=number, due_at=now, held=was_held))
        return program.id


def _recount(database: Database, program_id: int) -> dict[str, object]:
    """The same figures with plain SQL and Python, sharing nothing with the code under test."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT COALESCE(i.circle_root_id, i.id), i.topic, im.member_id, m.department "
                "FROM intros i JOIN rounds r ON r.id = i.round_id JOIN intro_members im ON im.intro_id = i.id "
                "JOIN members m ON m.id = im.member_id "
                "WHERE r.program_id = :p AND i.topic IS NOT NULL AND i.state = 'posted'"
            ),
            {"p": program_id},
        ).all()
        tags = {(m, t) for m, t in connection.execute(text("SELECT member_id, tag FROM member_tags"))}
        meetings = connection.execute(
            text(
                "SELECT COALESCE(i.circle_root_id, i.id), cm.held FROM circle_meetings cm "
                "JOIN intros i ON i.id = cm.intro_id"
            )
        ).all()
        intro_people = connection.execute(
            text(
                "SELECT im.intro_id, m.department FROM intro_members im JOIN members m ON m.id = im.member_id "
                "JOIN intros i ON i.id = im.intro_id WHERE i.state = 'posted' ORDER BY im.intro_id, m.id"
            )
        ).all()
    placements = {(root, member): (topic, dept) for root, topic, member, dept in rows}
    roots = {root for root, _ in placements}
    departments: dict[int, set[str]] = defaultdict(set)
    for (root, _), (_, dept) in placements.items():
        departments[root].add(dept.strip().lower())
    held = sum(1 for _, was in meetings if was)
    by_intro: dict[int, list[str]] = defaultdict(list)
    for intro_id, dept in intro_people:
        by_intro[intro_id].append(dept.strip().lower())
    return {
        "circles": len(roots),
        "placements": len(placements),
        "listed": sum(1 for (_, member), (topic, _) in placements.items() if (member, topic) in tags),
        "departments": sum(len(d) for d in departments.values()) / len(roots),
        "held": held,
        "mean_held": held / len(roots),
        "scheduled": len(meetings),
    }


def test_a_circles_program_s_figures_match_a_recount_of_the_raw_rows(database: Database) -> None:
    program_id = _build(database)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        stats = analytics.program_stats(session, program, utcnow())
    circles = stats.circles
    assert circles is not None
    expected = _recount(database, program_id)
    assert (circles.circles_formed, circles.placements, circles.placed_on_listed_topic) == (
        expected["circles"],
        expected["placements"],
        expected["listed"],
    )
    assert (
        circles.seasons == 2
        and circles.placed_on_listed_topic_share == expected["listed"] / expected["placements"]
    )
    assert circles.mean_departments == expected["departments"]
    assert (circles.meetings_held, circles.meetings_scheduled) == (expected["held"], expected["scheduled"])
    assert circles.mean_meetings_held == expected["mean_held"]
    assert [p.state for p in circles.circles] == ["ended", "kept", "replaced", "active"]
    assert sum(t for _, _, t in circles.bridged_pairs) == stats.cross_team_ties
    rows = dict(analytics.summary_rows(stats))
    assert rows["Circles formed"] == "4 in 2 seasons"
    assert rows["Meetings held per circle"].startswith(f"{expected['mean_held']:.1f} ")
    assert "Sales" in rows["Department pairs bridged"]


def test_an_intros_program_has_no_circle_figures(database: Database) -> None:
    program_id = _build(database)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.kind = "intros"
        stats = analytics.program_stats(session, program, utcnow())
    assert stats.circles is None and "Circles formed" not in dict(analytics.summary_rows(stats))


def _report(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SERENDIP_LOG_LEVEL": "WARNING", "COLUMNS": "140"}
    return subprocess.run(
        [SERENDIP, "report", "--program", "C0CIRCLES", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=cwd,
    )


def test_serendip_report_shows_a_circles_program_s_figures_table_json_and_chart(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    _build(database)
    chart = tmp_path / "circles.png"
    shown = _report(database_url, tmp_path, "--png", str(chart))
    assert shown.returncode == 0, shown.stderr
    for expected in (
        "Circles formed",
        "Placed on a topic they listed",
        "Departments per circle",
        "Circles (newest",
    ):
        assert expected in shown.stdout, expected
    with Image.open(chart) as image:
        assert image.format == "PNG"
    data = json.loads(_report(database_url, tmp_path, "--json").stdout)
    assert data["circles"]["circles_formed"] == 4 and len(data["circles"]["circles"]) == 4
    assert data["circles"]["seasons"] == 2


def test_ties_of_circles_count_each_pair_once(database: Database) -> None:
    program_id = _build(database)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        stats = analytics.program_stats(session, program, utcnow())
    with database.engine.connect() as connection:
        seats = connection.execute(
            text(
                "SELECT im.intro_id, m.id, m.department FROM intro_members im JOIN members m ON m.id = im.member_id "
                "JOIN intros i ON i.id = im.intro_id WHERE i.state = 'posted'"
            )
        ).all()
    by_intro: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for intro_id, member, dept in seats:
        by_intro[intro_id].append((member, dept.strip().lower()))
    pairs = {
        (min(a, b), max(a, b))
        for people in by_intro.values()
        for (a, da), (b, db) in combinations(people, 2)
        if da != db
    }
    assert stats.cross_team_ties == len(pairs)
