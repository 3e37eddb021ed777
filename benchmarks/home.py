"""App Home server time at 100,000 people: a member's Home and an admin's program-health panel.

Server time is what `services.home.publish_home` spends before Slack's views.publish: gathering
the member's Home (`home_data`), the health panel (`program_health`) and building the view. A
program this large is shown from the snapshot the worker recounts every few minutes
(`services.program_snapshots`: its time is printed, not counted as the Home's); for comparison, in
the same run on the same database, the health panel counted live by today's stats code and by the
pre-issue-12 code (`benchmarks/stats_baseline.py`, the baseline). The member's Home is timed on a
process's first open (nothing kept in memory) and afterwards.
Goals: member Home <= 0.3 s, admin health <= 1 s. Run: python benchmarks/home.py [--people N]
[--url URL] (default: a fresh SQLite org in a temp folder built by `pipeline_org.build_org`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import stats_baseline
from benchmarks.pipeline_org import ADMIN_ID, TEAM_ID, build_org
from sqlalchemy import select
from sqlalchemy.orm import Session

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Member, Program
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.admin_blocks import admin_health_blocks
from serendip.adapters.slack.views.home_view import home_view
from serendip.services import analytics, home, program_snapshots, tag_clouds
from serendip.services.analytics import ProgramStats
from serendip.services.program_snapshots import HealthPanel, health_rows

REPEATS = 5


def _member_home(database: Database, slack_id: str, *, cached: bool = True) -> float:
    if not cached:
        tag_clouds.CLOUDS.clear()  # the first Home opened in a program within 5 minutes
    started = time.perf_counter()
    with database.transaction() as session:
        member = session.scalars(
            select(Member).where(Member.workspace_id == TEAM_ID, Member.slack_id == slack_id)
        ).one()
        data = home.home_data(session, member, utcnow())
        health = home.program_health(session, member, utcnow())
    home_view(data)
    assert not health
    return time.perf_counter() - started


def _health(database: Database, figures: Callable[[Session, Program, datetime], ProgramStats]) -> float:
    started = time.perf_counter()
    with database.transaction() as session:
        program = session.scalars(select(Program).where(Program.workspace_id == TEAM_ID)).one()
        stats = figures(session, program, utcnow())
    admin_health_blocks(HealthPanel(program.channel_id, health_rows(stats)))
    return time.perf_counter() - started


def _admin_health(database: Database) -> float:
    started = time.perf_counter()
    with database.transaction() as session:
        admin = session.scalars(
            select(Member).where(Member.workspace_id == TEAM_ID, Member.slack_id == ADMIN_ID)
        ).one_or_none()
        if admin is None:
            admin = Member(workspace_id=TEAM_ID, slack_id=ADMIN_ID)
            session.add(admin)
            session.flush()
        panels = home.program_health(session, admin, utcnow())
    assert panels, "the admin administers the program"
    for panel in panels:
        admin_health_blocks(panel)
    return time.perf_counter() - started


def main() -> None:
    """Build (or reuse) the org and print the medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--url", help="an org built by pipeline_org.build_org (else one is built)")
    args = parser.parse_args()
    url = args.url
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'home.db'}"
        build_org(url, people=args.people, rounds=12)
    database = Database(url)
    try:
        # What the worker does every few minutes for a large program (untimed here: not a Home's work).
        started = time.perf_counter()
        program_snapshots.refresh_snapshots(database, utcnow())
        print(f"snapshot refresh (worker)  {time.perf_counter() - started:6.2f} s", file=sys.stderr)
        member = "U00000042"
        rows = {
            "member Home (first open)": [
                _member_home(database, member, cached=False) for _ in range(REPEATS)
            ],
            "member Home": [_member_home(database, member) for _ in range(REPEATS)],
            "admin health": [_admin_health(database) for _ in range(REPEATS)],
            "admin health (live count)": [_health(database, analytics.program_stats) for _ in range(2)],
            "admin health (baseline)": [_health(database, stats_baseline.program_stats) for _ in range(2)],
        }
    finally:
        database.dispose()
    for name, samples in rows.items():
        print(
            f"{name:26s} median {statistics.median(samples):6.2f} s  ({len(samples)} runs, {database.dialect})"
        )
    ratio = statistics.median(rows["admin health (baseline)"]) / statistics.median(rows["admin health"])
    print(f"admin health: {ratio:.1f}x faster than the baseline")


if __name__ == "__main__":
    main()
