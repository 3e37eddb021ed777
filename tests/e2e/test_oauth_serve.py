"""`serendip serve` in OAuth mode as an operator runs it: a real process serving the install pages,
and the one-line refusals of a setting mix that cannot work."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SERENDIP = str(Path(sys.executable).with_name("serendip"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 's.db'}"
    env.update(settings)
    return env


def test_serve_in_oauth_mode_serves_the_install_page_without_a_bot_token(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(
        tmp_path,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret-value",
        SLACK_SIGNING_SECRET="signing-secret-value",
        SLACK_API_URL="http://127.0.0.1:9/api/",  # never called before someone installs
    )
    process = subprocess.Popen(
        [SERENDIP, "serve", "--no-scheduler", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        page = httpx.get(f"http://127.0.0.1:{port}/slack/install")
        assert page.status_code == 200
        assert "http://127.0.0.1:9/oauth/v2/authorize?" in page.text
        assert "Secure" in page.headers["set-cookie"]
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert "startup.oauth_mode installations=0" in stderr
    assert "client-secret-value" not in stderr and "signing-secret-value" not in stderr


def _serve_fails(tmp_path: Path, **settings: str) -> str:
    result = subprocess.run(
        [SERENDIP, "serve"],
        env=_env(tmp_path, **settings),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_bot_token_and_a_client_id_together_are_one_line_naming_both(tmp_path: Path) -> None:
    line = _serve_fails(
        tmp_path, SLACK_BOT_TOKEN="xoxb-1-secret", SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="s"
    )
    assert line.startswith("serendip: SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set")
    assert "xoxb-1-secret" not in line


def test_oauth_mode_with_socket_mode_is_one_line(tmp_path: Path) -> None:
    line = _serve_fails(
        tmp_path, SLACK_CLIENT_ID="111.222", SLACK_CLIENT_SECRET="s", SLACK_APP_TOKEN="xapp-1"
    )
    assert (
        line == "serendip: OAuth mode (SLACK_CLIENT_ID) needs HTTP mode: unset SLACK_APP_TOKEN (Socket Mode)"
    )
