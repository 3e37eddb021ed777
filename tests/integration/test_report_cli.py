"""`serendip report`, run as the installed command against a hand-built history on both engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from serendip.adapters.db.engine import Database
from tests.support.history import build_history

SERENDIP = str(Path(sys.executable).with_name("serendip"))


def _run(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SERENDIP_LOG_LEVEL": "WARNING", "COLUMNS": "140"}
    return subprocess.run(
        [SERENDIP, "report", *args], capture_output=True, text=True, env=env, timeout=120, cwd=cwd
    )


def _history(database_url: str) -> None:
    database = Database(database_url)
    with database.transaction() as session:
        build_history(session, channel_id="C0123")
    database.dispose()


def test_report_prints_the_figures_and_writes_the_chart(tmp_path: Path, database_url: str) -> None:
    _history(database_url)
    chart = tmp_path / "chart.png"
    result = _run(database_url, tmp_path, "--program", "C0123", "--png", str(chart))
    assert result.returncode == 0, result.stderr
    for expected in (
        "Intros delivered",
        "Meeting rate",
        "50%",
        "3 of 6",
        "Members with no cross-team tie yet",
        "chart written to",
    ):
        assert expected in result.stdout, expected
    with Image.open(chart) as image:
        assert image.format == "PNG" and image.size[0] >= 800 and image.size[1] >= 600


def test_report_json_is_one_object_with_every_figure(tmp_path: Path, database_url: str) -> None:
    _history(database_url)
    result = _run(database_url, tmp_path, "--program", "C0123", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["rounds"], data["intros_delivered"], data["meeting_rate"]) == (3, 8, 0.5)
    assert (data["cross_team_ties"], data["new_cross_team_ties_this_quarter"] >= 0) == (5, True)
    assert (data["department_pairs_tied"], data["department_pairs_total"]) == (3, 6)
    assert data["members_without_cross_team_tie"] == 2 and len(data["series"]) == 3


def test_report_on_an_unknown_channel_says_so(tmp_path: Path, database_url: str) -> None:
    result = _run(database_url, tmp_path, "--program", "C999")
    assert result.returncode == 1 and "no program runs in channel C999" in result.stderr
    assert "Traceback" not in result.stderr
