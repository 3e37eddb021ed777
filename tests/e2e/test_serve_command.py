"""`serendip serve` as an operator runs it: a real process, real HTTP, the emulator as Slack."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from serendip_sandbox import SlackDriver, SlackEmulator, generate_workspace


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_health_and_signed_commands_and_syncs_the_directory(tmp_path: Path) -> None:
    with SlackEmulator(generate_workspace(10, 3, seed=4)) as slack:
        port = _free_port()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}",
        }
        env.pop("SLACK_APP_TOKEN", None)
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("serendip")), "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
            driver = SlackDriver(f"http://127.0.0.1:{port}/slack/events", slack.signing_secret, slack)
            user = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
            assert "`rust`" in driver.slash_command(user, "expertise add rust").text
            assert driver.unsigned(user, "help").status == 401
            slack.wait_until(lambda _: slack.count("users.profile.get") >= 10, 20)  # background sync ran
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=20)
        assert slack.bot_token not in stderr and slack.signing_secret not in stderr
