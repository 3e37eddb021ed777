"""`serendip import-people` shows a progress bar on a terminal, and none in a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from serendip.adapters.db.engine import Database
from serendip.domain.people_csv import parse_people_csv
from serendip.services.people_import import import_people

SERENDIP = str(Path(sys.executable).with_name("serendip"))
CSV = "id,name,department\n" + "".join(f"U{n},P{n},Team {n % 3}\n" for n in range(7))


def _run(csv: Path, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "DATABASE_URL": database_url, "SERENDIP_LOG_LEVEL": "WARNING", **env}
    if not env:
        environ.pop("FORCE_COLOR", None)
    return subprocess.run(
        [SERENDIP, "import-people", str(csv), "--team", "T1"],
        capture_output=True, text=True, env=environ, timeout=60, cwd=csv.parent,
    )  # fmt: skip


def test_a_terminal_gets_a_bar_counting_the_rows_and_a_pipe_gets_plain_lines(
    tmp_path: Path, database_url: str
) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(CSV)
    shown = _run(csv, database_url, FORCE_COLOR="1")  # rich draws as on a terminal
    assert shown.returncode == 0, shown.stderr
    assert "importing people" in shown.stderr and "7/7" in shown.stderr
    piped = _run(csv, database_url)
    assert piped.returncode == 0 and "importing people" not in piped.stderr
    assert "loaded 7 people; 0 row(s) rejected" in piped.stdout


def test_progress_is_reported_per_committed_batch_up_to_every_row(database: Database) -> None:
    rows = parse_people_csv(CSV, path="people.csv", at=datetime.now(UTC)).rows
    done: list[int] = []
    report = import_people(database, team_id="T1", rows=rows, batch_size=3, progress=done.append)
    assert done == [3, 3, 1] and report.loaded == 7
