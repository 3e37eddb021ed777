"""The planning code of before issue 12, for the `plan` and `preview` steps' baselines.

`git archive` extracts `src/` at `BASELINE_COMMIT` into a temporary folder and a child process runs a
statement with it first on PYTHONPATH (the child's peak memory counts as the step's children).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.pipeline_org import CHANNEL_ID
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program

BASELINE_COMMIT = "bbba7e6"  # the branch point of issue 12: planning with ORM rows
REPO = Path(__file__).resolve().parents[1]


def pipeline_program_id(url: str) -> int:
    """The pipeline org's program."""
    database = Database(url)
    try:
        with database.transaction() as session:
            return int(session.scalars(select(Program.id).where(Program.channel_id == CHANNEL_ID)).one())
    finally:
        database.dispose()


def run_old_code(url: str, statement: str) -> None:
    """Run `statement` (with `plan`, `Database`, `utcnow`, `url` and `program_id` bound) on the code of
    `BASELINE_COMMIT`, in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", BASELINE_COMMIT, "src"], check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        code = (
            "from serendip.adapters.db.engine import Database\n"
            "from serendip.adapters.db.types import utcnow\n"
            "from serendip.services.lifecycle import plan\n"
            f"url, program_id = {url!r}, {pipeline_program_id(url)}\n"
            f"{statement}\n"
        )
        env = {**os.environ, "PYTHONPATH": str(Path(folder) / "src")}
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
