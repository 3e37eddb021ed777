"""Running `serendip import-people` as the installed command, against a test's database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SERENDIP = str(Path(sys.executable).with_name("serendip"))


def import_people(tmp_path: Path, database_url: str, team_id: str, csv_text: str) -> str:
    """Write the CSV, run the command, and return its standard output (fails on a non-zero exit)."""
    csv = tmp_path / "people.csv"
    csv.write_text(csv_text)
    env = {**os.environ, "DATABASE_URL": database_url, "SERENDIP_LOG_LEVEL": "WARNING"}
    result = subprocess.run(
        [SERENDIP, "import-people", str(csv), "--team", team_id],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
