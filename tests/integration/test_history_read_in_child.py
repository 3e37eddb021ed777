"""The history a single-threaded planner reads in a forked child is the history read in-process,
and a child that fails leaves the plan to read it itself (logged), never a wrong round.

The fork runs in a fresh `python` process, as in the plan worker: the test process runs threads
(xdist, the PostgreSQL helper), and such a process is never forked (`reading.may_fork`)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from serendip.adapters.db.engine import Database
from serendip.adapters.db.types import utcnow
from serendip.services.lifecycle import plan, reading
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import set_up_program

CHECK = """
import json, logging, os, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
from serendip.adapters.db.engine import Database
from serendip.services.lifecycle import reading
import time
url, program_id, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
parent = os.getpid()
own = reading._past_in_own_transaction
reading.CHILD_SECONDS = 3.0
if mode != "ok":
    def broken(db, program_id):
        if os.getpid() != parent:
            if mode == "hang":
                time.sleep(3600)
            raise RuntimeError("the child fails")
        return own(db, program_id)
    reading._past_in_own_transaction = broken
db = Database(url)
assert reading.may_fork()
with reading._in_forked_child(db, program_id) as past:
    seats, ghosts = past()
expected, expected_ghosts = own(db, program_id)
same = all(
    (getattr(seats, f) == getattr(expected, f)).all() if hasattr(getattr(seats, f), "all")
    else getattr(seats, f) == getattr(expected, f)
    for f in ("round_ids", "followed_up", "base", "position", "intro", "member", "posted")
)
print(json.dumps({"same": same, "ghosts": ghosts == expected_ghosts, "seats": int(len(seats.member))}))
"""


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(16, 3, seed=11)) as emulator:
        yield emulator


def _check(url: str, program_id: int, mode: str) -> tuple[dict[str, object], str]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, url, str(program_id), mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def _history(database: Database, slack: SlackEmulator) -> int:
    program_id = set_up_program(database, slack)
    for weeks in (3, 2, 1):
        assert plan.plan_round(
            database, program_id=program_id, scheduled_for=utcnow() - timedelta(weeks=weeks)
        )
    return program_id


def test_the_history_read_by_a_forked_child_is_the_history_read_in_process(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _history(database, slack)
    found, logged = _check(database.url, program_id, "ok")
    assert found == {"same": True, "ghosts": True, "seats": found["seats"]} and found["seats"]
    assert "history_child_failed" not in logged


def test_a_failing_child_leaves_the_history_to_the_planner_and_is_logged(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _history(database, slack)
    found, logged = _check(database.url, program_id, "fail")
    assert found["same"] is True and found["ghosts"] is True
    assert "round.history_child_failed" in logged and "RuntimeError" in logged


def test_a_process_running_threads_is_never_forked() -> None:
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert not reading.may_fork()
    finally:
        stop.set()
        helper.join()


def test_a_child_that_never_answers_is_stopped_and_the_planner_reads_the_history_itself(
    database: Database, slack: SlackEmulator
) -> None:
    program_id = _history(database, slack)
    found, logged = _check(database.url, program_id, "hang")
    assert found["same"] is True and found["ghosts"] is True
    assert "round.history_child_failed" in logged and "error=timeout" in logged
