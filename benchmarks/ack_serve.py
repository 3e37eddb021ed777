"""Ack latency of a real `serendip serve` process while its own scheduler plans a large round.

The server under test is a separate process, as in production: its HTTP threads, its scheduler and
the plan's worker process. This process only runs the Slack emulator and the 50 client threads, so
the client's own interpreter lock never inflates the server's figures. The baseline is the same
server, same database and same load with no round due (measured in the same run).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select, update

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Program, Round
from serendip_sandbox import SlackDriver, SlackEmulator

Fire = Callable[[SlackDriver], list[float]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_process(slack: SlackEmulator, url: str, folder: Path) -> Iterator[str]:
    """Run `serendip serve` against the emulator and ``url``; yield its events URL."""
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
    }
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        env.pop(name, None)
    serendip = Path(sys.executable).with_name("serendip")
    with (folder / f"serve-{port}.log").open("w") as log:
        process = subprocess.Popen(
            [str(serendip), "serve", "--port", str(port)], env=env, cwd=folder, stdout=log, stderr=log
        )
        try:
            _wait_healthy(port, process)
            yield f"http://127.0.0.1:{port}/slack/events"
        finally:
            process.terminate()
            process.wait(timeout=60)


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"serendip serve exited with {process.returncode} before it was healthy")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("serendip serve was not healthy within 120 s")


def _make_due(url: str, program_id: int) -> dt.datetime:
    """Set the program's next round to now, so the server's first tick plans it."""
    due = dt.datetime.now(dt.UTC).replace(microsecond=0)
    database = Database(url)
    try:
        with database.transaction() as session:
            session.execute(update(Program).where(Program.id == program_id).values(next_run_at=due))
    finally:
        database.dispose()
    return due


def _planned(database: Database, program_id: int, due: dt.datetime) -> bool:
    with database.transaction() as session:
        state = session.scalars(
            select(Round.state).where(Round.program_id == program_id, Round.scheduled_for == due)
        ).first()
    return state is not None and state.value not in ("pending", "matching")


def serve_rows(
    slack: SlackEmulator,
    url: str,
    program_id: int,
    folder: Path,
    fire: Fire,
    setup: Callable[[SlackDriver], None],
) -> list[tuple[str, list[float], float]]:
    """(label, ack samples, plan seconds) for the idle server (baseline) and while it plans."""
    rows: list[tuple[str, list[float], float]] = []
    with (
        serve_process(slack, url, folder) as events,
        SlackDriver(events, slack.signing_secret, slack) as driver,
    ):
        setup(driver)
        fire(driver)  # warm: first requests open database connections and import lazily
        samples = [s for _ in range(4) for s in fire(driver)]
    rows.append(("serve, no round due (baseline)", samples, 0.0))
    due = _make_due(url, program_id)
    database = Database(url)
    try:
        started = time.perf_counter()
        with (
            serve_process(slack, url, folder) as events,
            SlackDriver(events, slack.signing_secret, slack) as driver,
        ):
            samples = []
            while not _planned(database, program_id, due):
                samples += fire(driver)
            seconds = time.perf_counter() - started
        rows.append(("serve while its scheduler plans", samples, seconds))
    finally:
        database.dispose()
    return rows
