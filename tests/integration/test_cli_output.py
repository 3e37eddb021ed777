"""What the CLI prints: its version, and migrations without Alembic's INFO lines."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERENDIP = str(Path(sys.executable).with_name("serendip"))


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SERENDIP_", "DATABASE_URL"))}
    return subprocess.run(
        [SERENDIP, *args], env={**clean, **env}, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = _run(["--version"], tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"serendip {version}"


def test_db_upgrade_prints_one_line_and_no_alembic_info(tmp_path: Path) -> None:
    result = _run(["db", "upgrade"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("database at revision ")
    assert "alembic" not in result.stderr.lower() and "Running upgrade" not in result.stderr
    assert result.stderr.strip() == ""


def test_db_upgrade_stays_quiet_even_at_debug_level_in_json(tmp_path: Path) -> None:
    result = _run(
        ["db", "upgrade"],
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
        SERENDIP_LOG_LEVEL="DEBUG",
        SERENDIP_LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    assert "Running upgrade" not in result.stderr and "Context impl" not in result.stderr
