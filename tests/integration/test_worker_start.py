"""A planning worker started under the `serendip` command does not import the command line again.

multiprocessing runs the parent's main script again in every child (to find what it defined). The
`serendip` console script imports the CLI, which cost each round's or preview's worker ~0.2 s until
the fork server had it imported. Checked in a real process whose main script is shaped like the
console script: in each worker it reports whether the CLI was already there when it ran again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MAIN_SCRIPT = """
import os, sys
ALREADY = "serendip.entrypoints.cli" in sys.modules
from serendip.entrypoints.cli import main  # what the `serendip` console script does

if __name__ == "__mp_main__":  # a worker running this script again
    with open(os.environ["REPORT"], "a") as out:
        out.write(f"{ALREADY}\\n")

if __name__ == "__main__":
    from serendip.services.lifecycle import plan_worker
    plan_worker.warm_up()
    plan_worker.wait_until_warm()  # each starts a worker that does nothing and waits for it
    plan_worker.wait_until_warm()
    plan_worker.shut_down()
"""


def test_a_worker_started_under_the_serendip_command_finds_the_cli_already_imported(tmp_path: Path) -> None:
    script, report = tmp_path / "serendip_like.py", tmp_path / "report.txt"
    script.write_text(MAIN_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "REPORT": str(report)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert report.read_text().split() == ["True", "True"]
