"""Every process kind started as the image starts it (`serendip <args>` with the image's ENV, a free
SERENDIP_PORT) answers /healthz, /metrics and the Dockerfile's HEALTHCHECK; startup checks fail in one line."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from serendip.adapters.slack.coffee.router import WORKING
from serendip_sandbox import SlackDriver, SlackEmulator, generate_workspace
from tests.support.drivers import person_driver
from tests.unit.test_deployment_files import dockerfile_instructions, image_env

SERENDIP = str(Path(sys.executable).with_name("serendip"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator(generate_workspace(8, 2, seed=5)) as emulator:
        yield emulator


def _image_env(slack: SlackEmulator, tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    """The image's ENV (its /data database moved under tmp_path), the emulator as Slack, a free port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SERENDIP_", "DATABASE_URL"))}
    env.update(image_env())
    env["DATABASE_URL"] = env["DATABASE_URL"].replace("////data/", f"///{tmp_path}/")
    env.update(
        SLACK_BOT_TOKEN=slack.bot_token,
        SLACK_SIGNING_SECRET=slack.signing_secret,
        SLACK_API_URL=slack.api_url,
        SERENDIP_PORT=str(port),
        **extra,
    )
    return env


@contextmanager
def _running(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[str]:
    """Start `serendip args` and yield its base URL once /healthz answers 200."""
    process = subprocess.Popen(
        [SERENDIP, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{env['SERENDIP_PORT']}"
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert process.poll() is None, process.communicate()[0]
        yield url
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
        assert env["SLACK_BOT_TOKEN"] not in output and env["SLACK_SIGNING_SECRET"] not in output


def _healthcheck(env: dict[str, str]) -> int:
    """Run the Dockerfile's HEALTHCHECK command as Docker would (exec form), in the same environment."""
    check = next(rest for word, rest in dockerfile_instructions() if word == "HEALTHCHECK")
    argv = json.loads(check.split("CMD", 1)[1])
    argv[0] = SERENDIP if argv[0] == "serendip" else argv[0]
    return subprocess.run(argv, env=env, capture_output=True, timeout=30).returncode


def _assert_observable(url: str, env: dict[str, str]) -> str:
    health = httpx.get(f"{url}/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    metrics = httpx.get(f"{url}/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert "serendip_intros_delivered_total" in metrics.text
    assert _healthcheck(env) == 0
    return metrics.text


def test_serve_in_http_mode_answers_health_metrics_and_a_signed_coffee(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    env = _image_env(slack, tmp_path, _free_port())
    with _running(["serve"], env, tmp_path) as url:
        _assert_observable(url, env)
        driver = person_driver(f"{url}/slack/events", slack)
        user = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
        assert "`rust`" in driver.slash_command(user, "expertise add rust").text
        text = httpx.get(f"{url}/metrics").text
        assert "serendip_command_ack_seconds_count 1.0" in text
        assert user not in text
    assert slack.count("auth.test") >= 1


def test_serve_in_socket_mode_answers_health_metrics_and_coffee_over_the_socket(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    env = _image_env(slack, tmp_path, _free_port(), SLACK_APP_TOKEN=slack.app_token)
    with _running(["serve", "--no-scheduler"], env, tmp_path) as url:
        _assert_observable(url, env)
        slack.wait_for_socket(timeout=20)
        user = next(u.id for u in slack.workspace.humans() if not u.deleted and not u.is_restricted)
        assert (
            "`rust`"
            in SlackDriver.socket(slack, working=WORKING).slash_command(user, "expertise add rust").text
        )
        assert "serendip_command_ack_seconds_count 1.0" in httpx.get(f"{url}/metrics").text


def test_worker_answers_health_metrics_and_reports_its_scheduler_ticks(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    env = _image_env(slack, tmp_path, _free_port())
    with _running(["worker", "--tick-seconds", "0.5"], env, tmp_path) as url:
        text = _assert_observable(url, env)
        assert "serendip_scheduler_last_tick_timestamp_seconds" in text


def test_the_healthcheck_fails_when_nothing_answers(slack: SlackEmulator, tmp_path: Path) -> None:
    assert _healthcheck(_image_env(slack, tmp_path, _free_port())) == 1


def _not_log_lines(stderr: str) -> list[str]:
    """What a command printed besides its timestamped log lines (the error, a traceback...)."""
    return [line for line in stderr.strip().splitlines() if not re.match(r"^\d{4}-\d\d-\d\d ", line)]


def _run_once(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SERENDIP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_a_refused_bot_token_is_one_line_naming_slack_bot_token(slack: SlackEmulator, tmp_path: Path) -> None:
    env = _image_env(slack, tmp_path, _free_port())
    env["SLACK_BOT_TOKEN"] = "xoxb-0-wrong"
    for args in (["serve"], ["worker"]):
        result = _run_once(args, env, tmp_path)
        assert result.returncode == 1
        assert len(_not_log_lines(result.stderr)) == 1, result.stderr
        assert "SLACK_BOT_TOKEN" in result.stderr and "invalid_auth" in result.stderr
        assert "xoxb-0-wrong" not in result.stderr


def test_serve_with_postgresql_unreachable_is_one_line_and_a_non_zero_exit(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    env = _image_env(slack, tmp_path, _free_port())
    env["DATABASE_URL"] = (
        f"postgresql+psycopg://serendip:pw@127.0.0.1:{_free_port()}/serendip?connect_timeout=2"
    )
    result = _run_once(["serve"], env, tmp_path)
    assert result.returncode == 1
    assert len(_not_log_lines(result.stderr)) == 1, result.stderr
    assert _not_log_lines(result.stderr)[0].startswith(
        "serendip: database unreachable (DATABASE_URL, postgresql)"
    )
    assert "pw@" not in result.stderr


def test_socket_mode_serve_without_the_signing_secret_needs_none_and_http_mode_names_it(
    slack: SlackEmulator, tmp_path: Path
) -> None:
    env = _image_env(slack, tmp_path, _free_port())
    env["SLACK_SIGNING_SECRET"] = ""  # empty means unset
    result = _run_once(["serve"], env, tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "serendip: SLACK_SIGNING_SECRET is not set; see .env.example"
    assert slack.count("auth.test") == 0  # checked before anything else ran


def test_a_taken_port_is_one_line_for_the_worker(slack: SlackEmulator, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        env = _image_env(slack, tmp_path, taken.getsockname()[1])
        result = _run_once(["worker"], env, tmp_path)
    assert result.returncode == 1
    assert "SERENDIP_PORT" in result.stderr and len(_not_log_lines(result.stderr)) == 1
