"""`serendip import-people`, run as the installed command on both engines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from serendip.adapters.db import repositories as repo
from serendip.adapters.db.engine import Database

SERENDIP = str(Path(sys.executable).with_name("serendip"))


def _run(csv: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SERENDIP_LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [SERENDIP, "import-people", str(csv), "--team", "T1", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=csv.parent,
    )


def test_good_rows_load_with_hr_departments_managers_and_tags(tmp_path: Path, database_url: str) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(
        "id,name,department,timezone,manager_id,expertise,interests\n"
        "U1,Ada,Engineering,Europe/Berlin,,Python;K8s,design\n"
        "U2,Bo,Sales,+05:30,U1,,python\n"
    )
    result = _run(csv, database_url)
    assert result.returncode == 0, result.stderr
    assert "loaded 2 people; 0 row(s) rejected" in result.stdout
    database = Database(database_url)
    with database.transaction() as session:
        ada, bo = repo.find_member(session, "T1", "U1"), repo.find_member(session, "T1", "U2")
        assert ada is not None and bo is not None
        assert (ada.department, ada.department_source, ada.tz) == ("Engineering", "hr", "Europe/Berlin")
        assert repo.member_tags(session, ada.id, "expertise") == ["kubernetes", "python"]
        assert (bo.manager_slack_id, bo.tz_offset_minutes) == ("U1", 330)
    database.dispose()


def test_bad_rows_are_reported_by_line_and_good_rows_still_load(tmp_path: Path, database_url: str) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text(
        "id,email,department,timezone\nU1,,Engineering,Mars/Olympus\nU2,,Sales,\n,ghost@example.com,Sales,\n"
    )
    result = _run(csv, database_url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{csv}:2: ") and "Mars/Olympus" in lines[0]
    assert lines[1].startswith(f"{csv}:4: ") and "ghost@example.com" in lines[1]
    assert "loaded 1 people" in result.stdout


def test_an_unreadable_file_exits_1_with_one_line(tmp_path: Path, database_url: str) -> None:
    result = _run(tmp_path / "missing.csv", database_url)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "missing.csv" in result.stderr
