"""Pipeline step `stats`: `/coffee admin stats`' figures and chart (`stats-report` times the CLI).

prepare builds the org (`pipeline_org.build_org`, 12 rounds of history); run computes the figures
the way the `/coffee admin stats` handler does (service + chart); baseline does the same computation
with the pre-issue-12 code kept in `benchmarks/stats_baseline.py`. The installed `serendip report
--png` is timed apart, as step `stats-report` (`stats_report.py`), so each 5 s goal shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.pipeline_org import CHANNEL_ID, build_org
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program
from serendip.adapters.db.types import utcnow
from serendip.adapters.slack.views.charts import render_png
from serendip.services import analytics

STEP = "stats"
ROUNDS = 12
ORG = "org-12-rounds"  # one build, copied for each step and engine that names it


def prepare(url: str, people: int) -> None:
    """The org with 12 finished rounds."""
    build_org(url, people=people, rounds=ROUNDS)


def _admin_stats(url: str, compute: str) -> None:
    from benchmarks import stats_baseline

    database = Database(url)
    try:
        started = time.perf_counter()
        with database.transaction() as session:
            program = session.scalars(select(Program).where(Program.channel_id == CHANNEL_ID)).one()
            figures = stats_baseline.program_stats if compute == "baseline" else analytics.program_stats
            stats = figures(session, program, utcnow())
        computed = time.perf_counter()
        render_png(stats, title="Serendip network in #pipeline")
        print(
            f"stats: figures {computed - started:.2f} s, chart {time.perf_counter() - computed:.2f} s",
            file=sys.stderr,
        )
    finally:
        database.dispose()


def report(url: str) -> None:
    """Run the installed `serendip report --png` in its own process, as an operator would."""
    serendip = Path(sys.executable).with_name("serendip")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(
            [str(serendip), "report", "--program", CHANNEL_ID, "--png", str(Path(folder) / "chart.png")],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DATABASE_URL": url, "SERENDIP_LOG_LEVEL": "WARNING"},
        )
        print(f"stats: serendip report --png {time.perf_counter() - started:.2f} s", file=sys.stderr)


def run(url: str, people: int) -> None:
    """`/coffee admin stats`' computation and chart."""
    _admin_stats(url, "new")


def baseline(url: str, people: int) -> None:
    """The same computation and chart with the code of before issue 12."""
    _admin_stats(url, "baseline")
