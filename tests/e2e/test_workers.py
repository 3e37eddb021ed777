"""Real `serendip worker` processes: killed mid-delivery and restarted, or two against one PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, Round
from serendip.adapters.db.types import utcnow
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.rounds import intro_posts, placements, set_up_program

pytestmark = pytest.mark.slow  # started first (tests/conftest.py), so no worker runs it alone at the end

SERENDIP = str(Path(sys.executable).with_name("serendip"))
PEOPLE = 80
INTROS = PEOPLE // 2


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(PEOPLE, 6, seed=8)) as emulator:
        # Slow delivery down enough to kill a worker in the middle of it.
        emulator.rate_limit("conversations.open", per_minute=8, window_seconds=0.5)
        yield emulator


def _due_program(database: Database, slack: SlackEmulator) -> None:
    program_id = set_up_program(database, slack)
    with database.transaction() as session:
        program = session.get(Program, program_id)
        assert program is not None
        program.next_run_at = utcnow() - timedelta(minutes=1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _worker(slack: SlackEmulator, database_url: str, tmp_path: Path, name: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "SERENDIP_LOG_LEVEL": "INFO",
        # Each worker answers /healthz and /metrics on its own port.
        "SERENDIP_PORT": str(_free_port()),
    }
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [SERENDIP, "worker", "--tick-seconds", "0.5", "--lease-seconds", "2"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _stopped_mid_delivery(
    slack: SlackEmulator, database_url: str, tmp_path: Path, how: signal.Signals
) -> None:
    """A worker ("first") that gets ``how`` once a quarter of the intros are posted, and has exited
    within 10 s of it with some intros still unposted."""
    first = _worker(slack, database_url, tmp_path, "first")
    try:
        slack.wait_until(lambda _: len(intro_posts(slack)) >= INTROS // 4, 60)
        os.kill(first.pid, how)
        first.wait(10)
        assert len(intro_posts(slack)) < INTROS, "the worker finished before it could be stopped"
    finally:
        _stop(first)


def _second_worker_finishes(slack: SlackEmulator, database_url: str, tmp_path: Path) -> None:
    """A worker ("second") that posts the rest of the round and its summary."""
    second = _worker(slack, database_url, tmp_path, "second")
    try:
        slack.wait_until(lambda _: len(intro_posts(slack)) >= INTROS, 90)
        slack.wait_until(lambda _: slack.messages(slack.workspace.channel_named("coffee-chats").id), 30)
    finally:
        _stop(second)


def _assert_exactly_once(slack: SlackEmulator) -> None:
    posts = intro_posts(slack)
    assert len(posts) == INTROS and set(posts.values()) == {1}
    assert len(placements(slack)) == PEOPLE and set(placements(slack).values()) == {1}


def test_a_worker_killed_mid_delivery_and_restarted_posts_every_intro_once(
    database: Database, database_url: str, slack: SlackEmulator, tmp_path: Path
) -> None:
    _due_program(database, slack)
    _stopped_mid_delivery(slack, database_url, tmp_path, signal.SIGKILL)
    _second_worker_finishes(slack, database_url, tmp_path)
    _assert_exactly_once(slack)
    assert "round.lease_taken" in (tmp_path / "second.log").read_text()


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_two_workers_against_one_postgresql_run_the_round_once(
    database: Database, database_url: str, slack: SlackEmulator, tmp_path: Path, engine_name: str
) -> None:
    _due_program(database, slack)
    workers = [_worker(slack, database_url, tmp_path, f"w{i}") for i in range(2)]
    try:
        slack.wait_until(lambda _: len(intro_posts(slack)) >= INTROS, 90)
        slack.wait_until(lambda _: slack.messages(slack.workspace.channel_named("coffee-chats").id), 30)
    finally:
        for process in workers:
            _stop(process)
    _assert_exactly_once(slack)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Round)) == 1
    assert len(slack.messages(slack.workspace.channel_named("coffee-chats").id)) == 1  # one summary


# The signal handling is the process's, not the engine's: the lease given up is tested on both engines
# in tests/integration/test_delivery_stop.py.
@pytest.mark.parametrize("engine_name", ["sqlite"], indirect=True)
def test_a_worker_stopped_with_sigterm_mid_delivery_exits_promptly_and_hands_the_round_over(
    database: Database, database_url: str, slack: SlackEmulator, tmp_path: Path, engine_name: str
) -> None:
    _due_program(database, slack)
    # SIGTERM, as a container runtime stops a process: it exits after the intro in hand, not once
    # the whole round is delivered.
    _stopped_mid_delivery(slack, database_url, tmp_path, signal.SIGTERM)
    with database.transaction() as session:
        round_ = session.scalars(select(Round)).one()
        assert (round_.state, round_.lease_owner) == ("delivering", None)  # free at once
    assert "round.delivery_stopped" in (tmp_path / "first.log").read_text()
    _second_worker_finishes(slack, database_url, tmp_path)
    _assert_exactly_once(slack)
