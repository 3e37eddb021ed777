"""The wheel ships the migrations, so `serendip db upgrade` works from an installed package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_contains_env_py_and_every_migration(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("serendip-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "serendip/migrations/env.py" in names
    for script in (ROOT / "migrations" / "versions").glob("*.py"):
        assert f"serendip/migrations/versions/{script.name}" in names


def test_db_upgrade_needs_no_slack_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("serendip")), "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout


def test_serve_without_a_bot_token_names_the_variable_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("serendip")), "serve"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "serendip: SLACK_BOT_TOKEN is not set; see .env.example"
