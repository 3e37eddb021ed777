"""`benchmarks/pipeline.py --json` at a tiny size: one line per step, engine and baseline, with every field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_harness_prints_a_json_line_per_run_and_baseline() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/pipeline.py", "--people", "40", "--baseline-people", "20",
         "--engines", "sqlite", "--steps", "import", "--json"],
        capture_output=True, text=True, timeout=240, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["step"], r["engine"], r["people"], r.get("baseline", False)) for r in rows] == [
        ("import", "sqlite", 40, False),
        ("import", "sqlite", 20, True),
    ]
    assert all(r["seconds"] > 0 and r["peak_mb"] > 10 for r in rows)
