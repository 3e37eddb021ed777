"""`serendip serve` as an operator runs it: a real process, real HTTP, the emulator as Slack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from serendip.adapters.db.engine import Database
from serendip.adapters.db.models import Round
from serendip_sandbox import SlackEmulator, generate_workspace
from tests.support.drivers import person_driver
from tests.support.rounds import intro_posts


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_health_and_signed_commands_and_syncs_the_directory(tmp_path: Path) -> None:
    with SlackEmulator(generate_workspace(10, 3, seed=4)) as slack:
        port = _free_port()
        process = _serve(slack, f"sqlite:///{tmp_path / 's.db'}", tmp_path, port)
        try:
            _wait_until_healthy(port)
            assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
            driver = person_driver(f"http://127.0.0.1:{port}/slack/events", slack)
            user = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
            assert "`rust`" in driver.slash_command(user, "expertise add rust").text
            assert driver.unsigned(user, "help").status == 401
            slack.wait_until(lambda _: slack.count("users.profile.get") >= 10, 20)  # background sync ran
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=20)
        assert slack.bot_token not in stderr and slack.signing_secret not in stderr


def test_serve_stopped_mid_delivery_of_an_admin_run_hands_the_round_back_and_exits(tmp_path: Path) -> None:
    people = 24  # 12 intros, each post slowed: seconds of delivery left when the process is stopped
    with SlackEmulator(generate_workspace(people, 3, seed=4)) as slack:
        port = _free_port()
        database_url = f"sqlite:///{tmp_path / 's.db'}"
        # No scheduler: only the `admin run` thread delivers.
        process = _serve(slack, database_url, tmp_path, port, "--no-scheduler")
        try:
            _wait_until_healthy(port)
            driver = person_driver(f"http://127.0.0.1:{port}/slack/events", slack)
            admin = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
            channel = slack.workspace.channel_named("coffee-chats").id
            driver.slash_command(admin, "admin setup", channel_id=channel).wait_for_responses(1, 30)
            slack.slow_down("chat.postMessage", 0.3)
            driver.slash_command(admin, "admin run", channel_id=channel).wait_for_responses(1, 30)
            slack.wait_until(lambda _: len(intro_posts(slack)) >= 1, 30)
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0
        assert len(intro_posts(slack)) < people // 2, "the round finished before serve was stopped"
        assert "round.delivery_stopped" in stderr
    database = Database(database_url)
    try:
        with database.transaction() as session:
            assert session.execute(select(Round.state, Round.lease_owner)).one() == ("delivering", None)
    finally:
        database.dispose()


def _serve(
    slack: SlackEmulator, database_url: str, tmp_path: Path, port: int, *options: str
) -> subprocess.Popen[str]:
    """`serendip serve` in HTTP mode against the emulator, its output captured."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
    }
    env.pop("SLACK_APP_TOKEN", None)
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("serendip")), "serve", "--port", str(port), *options],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_until_healthy(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not become healthy within 30 s")
